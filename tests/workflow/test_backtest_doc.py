"""docs/make_backtest.py on a small window: it fills the markers and --check sees staleness."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "docs" / "make_backtest.py"
SMALL = ["--cost-years", "2022-2023", "--late-years", "2023", "--origins", "2022-2023"]


@pytest.fixture(scope="module")
def script(data_dir):
    return runpy.run_path(str(SCRIPT))


def test_small_window_fills_the_doc_and_check_sees_changes(script, tmp_path):
    doc = tmp_path / "backtest.md"
    doc.write_text(f"# head\n\n{script['BEGIN']}\nstale\n{script['END']}\ntail\n", encoding="utf-8")
    argv = ["--doc", str(doc), *SMALL, "--draws", "200"]
    assert script["main"](argv) == 0
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# head\n") and text.endswith("tail\n") and "stale" not in text
    assert "| 2023 | 2022 |" in text  # the cost year's row, forecast from 1.1.2022
    assert "binomial p ≥ 0.05" in text and "Mean relative 80 % interval score" in text
    assert script["main"]([*argv, "--check"]) == 0  # fixed seeds: the same text again
    doc.write_text(text.replace("| 2023 | 2022 |", "| 2023 | 2021 |"), encoding="utf-8")
    assert script["main"]([*argv, "--check"]) == 1


def test_missing_markers_stop_the_script(script, tmp_path):
    doc = tmp_path / "plain.md"
    doc.write_text("# no markers\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="markers"):
        script["main"](["--doc", str(doc), *SMALL, "--draws", "100"])
