"""Runs that used to fail in ordinary use: one block, block sizes, run sizes, late checks."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from mc.cli.main import main
from tests.conftest import CONFIGS

QUICK = ["--sync", "--seed", "1", "--quiet"]


def run(config: str, out, *args: str) -> int:
    """``tbu-mc run configs/CONFIG --sync --seed 1 --quiet ARGS --out OUT`` in this process."""
    return main(["run", str(CONFIGS / config), *QUICK, *args, "--out", str(out)])


def _manifest(out):
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


# --- one block -----------------------------------------------------------------------------------


def test_one_block_run_reports_what_it_can(tmp_path, capsys):
    out = tmp_path / "one"
    code = run("tbu-2025.yaml", out, "--draws", "5000", "--block-size", "5000")
    assert code == 0
    printed = capsys.readouterr().out
    assert "R-hat" in printed and "one block" in printed
    summary = pd.read_csv(out / "summary.csv")
    assert summary["rhat"].isna().all()
    # ESS is estimated within the single chain: positive and not above a few times the draws
    assert (summary["ess"] > 0).all() and np.isfinite(summary["ess"]).all()
    assert np.isfinite(summary[["mean", "sd", "q05", "q95", "mcse_q50"]].to_numpy()).all()
    manifest = _manifest(out)
    assert manifest["blocks"] == 1
    assert any("R-hat" in note for note in manifest["notes"])

    assert main(["report", str(out), "--lang", "en"]) == 0
    tables = (out / "tables.md").read_text(encoding="utf-8")
    assert "| Largest R-hat (all variables) | – |" in tables
    assert re.search(r"\bnan\b", tables, flags=re.IGNORECASE) is None


def test_two_blocks_still_give_rhat(tmp_path):
    out = tmp_path / "two"
    code = run("tbu-2025.yaml", out, "--draws", "4000", "--block-size", "2000")
    assert code == 0
    summary = pd.read_csv(out / "summary.csv")
    assert summary["rhat"].notna().all()
    assert "notes" not in _manifest(out)


def test_streamed_one_block_leaves_rhat_empty(tmp_path, data_dir, capsys):
    out = tmp_path / "municipal"
    code = run("municipalities-2025.yaml", out, "--draws", "500", "--block-size", "500")
    assert code == 0
    summary = pd.read_csv(out / "summary.csv")
    # a Gelman-Rubin value from a single block would be sqrt((n-1)/n), a check that never ran
    assert summary["rhat"].isna().all()
    assert (summary["ess"] == 500).all()
    assert any("R-hat" in note for note in _manifest(out)["notes"])
    assert "R-hat" in capsys.readouterr().out


def test_the_nan_guard_still_holds_outside_rhat():
    from mc.summary.table import ONE_BLOCK_EMPTY, finish

    frame = pd.DataFrame(
        {"variable": ["x"], "scenario": ["main"], "year": [2025], "sector": ["all"]}
        | {"mean": [np.nan], "rhat": [np.nan]}
    )
    with pytest.raises(FloatingPointError, match="non-finite statistics"):
        finish(frame.copy(), 2025, ONE_BLOCK_EMPTY)
    with pytest.raises(FloatingPointError):
        finish(frame.assign(mean=1.0), 2025)  # rhat may only be empty when said so
    assert np.isnan(finish(frame.assign(mean=1.0), 2025, ONE_BLOCK_EMPTY)["rhat"]).all()
