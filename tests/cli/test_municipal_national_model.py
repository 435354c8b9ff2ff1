"""``tbu-mc run`` of the municipal configuration with either national draw
(``population.national_model``), on a few draws."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from mc.cli.main import main
from tests.conftest import CONFIGS

CONFIG = str(CONFIGS / "municipalities-2025.yaml")
TINY = ["--sync", "--quiet", "--seed", "3", "--draws", "40", "--block-size", "20", "--lang", "en"]


def national_mean(out) -> float:
    """The nation's mean population on 1.1.2025: the municipalities' means summed."""
    summary = pd.read_csv(out / "summary.csv", dtype={"region": str})
    return float(summary.loc[summary["variable"] == "municipal_population", "mean"].sum())


@pytest.fixture(scope="module")
def runs(tmp_path_factory, data_dir):
    """The shipped configuration (components) and the same with the ratios' national draw."""
    root = tmp_path_factory.mktemp("national-model")
    outs = {}
    for model in ("components", "ratios"):
        outs[model] = root / model
        sets = ["--set", f"population.national_model={model}"]
        assert main(["run", CONFIG, *TINY, *sets, "--out", str(outs[model])]) == 0
    return outs


def test_both_national_models_run_and_are_recorded(runs):
    for model, out in runs.items():
        manifest = json.loads((out / "manifest.json").read_text())
        assert f"population.national_model={model}" in json.dumps(manifest["overrides"])
        assert (out / "summary.csv").is_file()


def test_the_key_changes_the_national_draw(runs):
    # the same seed: only the national draw differs, so the municipal populations must
    # (on 40 draws the two national means differ by ~1,300 persons, far above the rounding)
    assert abs(national_mean(runs["components"]) - national_mean(runs["ratios"])) > 1.0


def test_an_unknown_national_model_is_one_line_naming_the_choices(tmp_path, capsys):
    sets = ["--set", "population.national_model=cohort"]
    assert main(["run", CONFIG, *TINY, *sets, "--out", str(tmp_path / "x")]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "population.national_model" in err[0] and "cohort" in err[0]
    assert "'ratios'" in err[0] and "'components'" in err[0]
