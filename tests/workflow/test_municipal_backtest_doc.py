"""docs/make_municipal_backtest.py on a small window: both national draws, one table each."""

from __future__ import annotations

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "docs" / "make_municipal_backtest.py"


def test_small_window_prints_both_models_and_their_difference(data_dir, capsys):
    script = runpy.run_path(str(SCRIPT))
    assert script["main"](["--origins", "2022", "--draws", "50"]) == 0
    text = capsys.readouterr().out
    for model in ("components", "ratios"):
        # one origin, horizons 1 and 2 (data end in 2024): 357 municipalities x 8 groups each
        assert f"| {model} | all groups | 1 | 2,856 |" in text
        assert f"| {model} | totals | all | 714 |" in text
    # one origin: no spread over origins, so no standard error of the difference
    assert "| all groups | 5,712 |" in text and "± nan |" in text
