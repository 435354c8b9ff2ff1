"""``tbu-mc run`` on the municipal configuration: names beside codes, the config's scenario name,
a ranking among municipalities large enough to rank, and one language per run."""

from __future__ import annotations

import contextlib
import io
import re

import pandas as pd
import pytest

from mc.cli.main import main
from tests.conftest import CONFIGS

SMALL = ["--sync", "--quiet", "--seed", "3", "--draws", "200", "--block-size", "50"]


@pytest.fixture(scope="module")
def english_run(tmp_path_factory, data_dir):
    """A small municipal run in English, with what it printed."""
    out = tmp_path_factory.mktemp("municipal-cli") / "en"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        args = ["run", str(CONFIGS / "municipalities-2025.yaml"), *SMALL, "--lang", "en"]
        code = main([*args, "--out", str(out)])
    assert code == 0
    return out, printed.getvalue()


def test_summary_names_every_region(english_run):
    out, _ = english_run
    summary = pd.read_csv(out / "summary.csv", dtype={"region": str})
    assert list(summary.columns[:6]) == [
        *("variable", "scenario", "year", "sector", "region", "region_name")
    ]
    names = dict(zip(summary["region"], summary["region_name"], strict=False))
    assert names["0000"] == "Norway"
    assert names["0301"] == "Oslo-Oslove"
    assert names["1151"] == "Utsira"
    assert names["11"] == "Rogaland"  # a county, from the same classification file
    # every municipality and county has its name, not its code
    assert (summary["region_name"] != summary["region"]).all()


def test_rows_carry_the_configs_scenario_name(english_run):
    out, _ = english_run
    for name in ("summary.csv", "deterministic.csv"):
        frame = pd.read_csv(out / name)
        assert set(frame["scenario"]) == {"projection"}, name


def test_console_names_municipalities_and_ranks_only_the_large_ones(english_run):
    out, printed = english_run
    assert "Norway" in printed and "Norge" not in printed
    assert "Financed by free revenues" in printed
    # the rule for incomplete first years, in the words `tbu-mc data check` uses
    assert "note: year 2005 is incomplete (no rows for municipalities 1160, 1576)" in printed
    ranked = re.findall(r"^  (\S.*?) \((\d{4})\)\s", printed, flags=re.MULTILINE)
    assert len(ranked) == 5
    det = pd.read_csv(out / "deterministic.csv", dtype={"region": str})
    size = det[det["variable"] == "municipal_population"].set_index("region")["value"]
    for name, code in ranked:
        assert name != code
        assert size[code] >= 5000, f"{name} ({code}) has {size[code]:.0f} inhabitants"
    # the smallest are said to be left out, with how many
    small = int((size < 5000).sum())
    assert small > 0 and f"{small} municipalities with fewer than 5,000" in printed


def test_norwegian_console_has_no_english_words(tmp_path, data_dir, capsys):
    out = tmp_path / "nb"
    args = ["run", str(CONFIGS / "municipalities-2025.yaml"), *SMALL, "--lang", "nb"]
    assert main([*args, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    table = printed[: printed.index("trekninger") if "trekninger" in printed else None]
    assert "Norge" in printed
    assert "høyest kostnad per innbygger blant kommuner med minst 5\u00a0000" in printed
    for word in ("Norway", "point", "highest", "inhabitants"):
        assert word not in table, word
    summary = pd.read_csv(out / "summary.csv", dtype={"region": str})
    assert summary.loc[summary["region"] == "0000", "region_name"].unique().tolist() == ["Norge"]
