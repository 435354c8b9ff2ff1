"""A configuration may name `ssb:07459` instead of a file; the run records the data it used."""

import json

import pandas as pd
import pytest
from ssb_fake import FakeSsb, population_cells, population_metadata

from mc._files import file_sha256
from mc.cli.main import main
from mc.data.sources import resolve_population_source
from tests.conftest import CONFIGS

SPEC = "ssb:07459?years=2022-2024"


@pytest.fixture
def cached(data_dir, make_client, tmp_path, monkeypatch):
    frame = pd.read_csv(data_dir / "population_norway_by_age_sex.csv")
    frame = frame[frame["year"].isin((2022, 2023, 2024))]
    ssb = FakeSsb(
        {
            "07459": (
                population_metadata({"0": "Hele landet"}, (2022, 2023, 2024)),
                population_cells(frame),
            )
        }
    )
    cache = tmp_path / "cache"
    monkeypatch.setenv("TBU_MC_CACHE", str(cache))
    return resolve_population_source(SPEC, cache, client=make_client(ssb))


def test_config_with_an_ssb_source_runs_from_the_cache(cached, tmp_path, capsys):
    text = (CONFIGS / "tbu-2024-actual.yaml").read_text()
    text = text.replace("../../shared/data/population_norway_by_age_sex.csv", SPEC)
    text = text.replace(" tables/", f" {CONFIGS}/tables/")
    config = tmp_path / "ssb.yaml"
    config.write_text(text)
    out = tmp_path / "run"
    assert main(["run", str(config), "--deterministic", "--out", str(out)]) == 0
    det = pd.read_csv(out / "deterministic.csv").set_index(["variable", "sector"])
    # the sourced tables public by March 2024 give 4.16 bn against TBU's 5.2 (docs/tbu-check.md)
    assert det.loc[("demographic_cost_total_bn", "all"), "value"] == pytest.approx(4.16, abs=0.01)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["config"]["population"]["file"] == SPEC
    assert manifest["data"] == [{"path": str(cached), "sha256": file_sha256(cached)}]


def test_history_reads_an_ssb_source(cached, tmp_path):
    out = tmp_path / "hist"
    assert (
        main(
            [
                "history",
                str(CONFIGS / "tbu-2024-actual.yaml"),
                "--population",
                SPEC,
                "--from",
                "2023",
                "--to",
                "2024",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    frame = pd.read_csv(out / "history.csv")
    assert sorted(frame["year"].unique()) == [2023, 2024]
