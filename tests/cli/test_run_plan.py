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
    """``tbu-mc run configs/CONFIG --sync --seed 1 --quiet --lang en ARGS --out OUT`` here.

    English, so that the printed notes read as the manifest records them.
    """
    return main(["run", str(CONFIGS / config), *QUICK, "--lang", "en", *args, "--out", str(out)])


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
    assert (
        "| Largest R-hat (all variables) | – (R-hat compares blocks and needs at least two) |"
        in tables
    )
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


# --- block size from the config ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("draws", "block_size", "blocks"),
    [("10000", 10_000, 1), ("30000", 15_000, 2)],
)
def test_configured_block_size_gives_way_to_the_draws(tmp_path, capsys, draws, block_size, blocks):
    out = tmp_path / "fit"
    assert run("tbu-2025.yaml", out, "--draws", draws) == 0  # the config says block_size 25000
    printed = capsys.readouterr().out
    assert f"block size {block_size:,}" in printed and "configured block_size of 25,000" in printed
    manifest = _manifest(out)
    assert (manifest["draws"], manifest["block_size"], manifest["blocks"]) == (
        int(draws),
        block_size,
        blocks,
    )
    assert any(f"block size {block_size:,}" in note for note in manifest["notes"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--draws", "10000", "--block-size", "25000"], "must not exceed draws=10000"),
        (["--draws", "30000", "--block-size", "25000"], "multiple of block_size=25000"),
        (["--draws", "100003"], "draws=100000 or 125000"),
    ],
)
def test_explicit_contradictions_are_still_refused(tmp_path, capsys, args, message):
    out = tmp_path / "never"
    assert run("tbu-2025.yaml", out, *args) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


# --- run size ------------------------------------------------------------------------------------


def test_a_run_too_large_for_any_machine_is_refused_before_work(tmp_path, capsys):
    out = tmp_path / "huge"
    # 10**12 draws stream, so no machine is asked to hold them; but 10**8 blocks of 57 cells
    # keep each block's mean and sum of squares (91 GB) and checkpoint their sketches (27 TB)
    assert run("tbu-2025.yaml", out, "--draws", "1000000000000") == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert ("memory" in err or "disk" in err) and "TB" in err and "--force-size" in err
    assert not out.exists()


# PyYAML reads 1e30 as text (YAML 1.1 wants a dot) and 1.0e+30 as a float with a whole value,
# which the config's bound on every number refuses (2**53 is the plan's own bound behind it)
@pytest.mark.parametrize(
    ("written", "message"), [("1e30", "run.draws"), ("1.0e+30", "at most 1e+15")]
)
def test_config_draws_beyond_any_count_are_a_config_error(tmp_path, capsys, written, message):
    text = (CONFIGS / "tbu-2025.yaml").read_text(encoding="utf-8")
    assert "draws: 100000" in text
    text = text.replace("draws: 100000", f"draws: {written}")
    text = text.replace(" tables/", f" {CONFIGS}/tables/")  # table paths are relative to the file
    config = tmp_path / "absurd.yaml"
    config.write_text(text, encoding="utf-8")
    out = tmp_path / "never"
    assert main(["run", str(config), *QUICK, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "draws" in err and message in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_force_size_starts_a_run_the_estimate_refuses(tmp_path, capsys, monkeypatch):
    import mc.workflow.analysis as pipeline

    monkeypatch.setattr(pipeline, "memory_limit", lambda: 1_000_000)  # pretend: a 1 MB machine
    refused = tmp_path / "refused"
    assert run("tbu-2025.yaml", refused, "--draws", "4000", "--block-size", "2000") == 2
    err = capsys.readouterr().err
    assert "more than the 1 MB here" in err and "--force-size" in err
    assert not refused.exists()
    forced = tmp_path / "forced"
    args = ("--draws", "4000", "--block-size", "2000", "--force-size")
    assert run("tbu-2025.yaml", forced, *args) == 0
    assert (forced / "summary.csv").is_file()


# --- options checked before any work ------------------------------------------------------------

SMALL = ("--draws", "2000", "--block-size", "1000")


@pytest.mark.parametrize(
    ("args", "flag", "allowed"),
    [
        (["--sensitivity", "-5"], "'--sensitivity' = -5", "base sample size >= 2"),
        (["--sensitivity", "1"], "'--sensitivity' = 1", "base sample size >= 2"),
        (["--precision", "mean=0.01", "--confidence", "2"], "'--confidence' = 2.0", "(0, 1)"),
        (["--precision", "mean=0.01", "--confidence", "nan"], "'--confidence' = nan", "(0, 1)"),
        (["--confidence", "0.9"], "'--confidence' = 0.9", "only with --precision"),
        (["--precision", "average=1"], "'--precision' = 'average=1'", "mean=0.01"),
        (["--precision", "q0=1"], "'--precision' = 'q0=1'", "q1 to q99"),
        (["--precision", "mean=0.01", "--wave", "0"], "'--wave' = 0", ">= 1"),
        (["--wave", "2"], "'--wave' = 2", "only with --precision"),
        (["--precision-variable", "nope"], "'--precision-variable' = 'nope'", "only with"),
        (
            ["--precision", "mean=0.01", "--precision-variable", "nope"],
            "'--precision-variable' = 'nope'",
            "demographic_cost_total_bn",
        ),
        (["--deterministic", "--sensitivity"], "'--sensitivity' = 16384", "--deterministic"),
        (["--deterministic", "--design", "lhs"], "'--design' = 'lhs'", "--deterministic"),
    ],
)
def test_bad_run_options_are_refused_in_one_line_before_work(tmp_path, capsys, args, flag, allowed):
    out = tmp_path / "never"
    assert run("tbu-2025.yaml", out, *SMALL, *args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert flag in err and allowed in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("config", "args", "flag"),
    [
        ("tbu-2025-projection.yaml", ["--sensitivity", "100"], "'--sensitivity' = 100"),
        ("municipalities-2025.yaml", ["--sensitivity", "100"], "'--sensitivity' = 100"),
        ("municipalities-2025.yaml", ["--design", "lhs"], "'--design' = 'lhs'"),
    ],
)
def test_options_the_model_cannot_honour_are_refused_before_drawing(
    tmp_path, capsys, monkeypatch, data_dir, config, args, flag
):
    import mc.workflow.analysis as pipeline

    def no_draws(*_args, **_kwargs):
        raise AssertionError("the run started drawing")

    monkeypatch.setattr(pipeline, "simulate", no_draws)
    out = tmp_path / "never"
    assert run(config, out, "--draws", "1000", "--block-size", "500", *args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert flag in err and "stochastic projection" in err
    assert not out.exists()
