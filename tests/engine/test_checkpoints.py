"""Checkpoints: blocks saved as they finish; resumed runs compute only what is missing."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from mc.engine import BlockPlan, Checkpoints, Reducer, SchedulerSpec, pilot_grids, simulate
from mc.engine.checkpoint import block_path, differences, load_block, save_block
from mc.engine.reduce import merge
from mc.errors import OutputError
from mc.model.demographic import build_model
from tests.conftest import CONFIGS, ROOT

PLAN = BlockPlan(8_000, 2_000)


@pytest.fixture(scope="module")
def model(config_2025):
    return build_model(config_2025)


def identity(**changes):
    base = {"config": {"a": 1, "b": {"c": 2}}, "entropy": 5, "block_size": 2000}
    base.update(changes)
    return base


def assert_same(a, b):
    for name in a.moments:
        np.testing.assert_array_equal(a.moments[name].mean, b.moments[name].mean)
        np.testing.assert_array_equal(a.moments[name].m2, b.moments[name].m2)
    if a.draws is not None:
        for name in a.draws:
            np.testing.assert_array_equal(a.draws[name], b.draws[name])
    if a.counts is not None:
        for name in a.counts:
            np.testing.assert_array_equal(a.counts[name], b.counts[name])


def test_resume_recomputes_only_missing_blocks(model, tmp_path):
    reference = simulate(model, PLAN, 5, SchedulerSpec("sync"))
    store = Checkpoints(tmp_path / "ck", identity())
    first = simulate(model, PLAN, 5, SchedulerSpec("sync"), checkpoints=store)
    assert sorted(p.name for p in (tmp_path / "ck").glob("block-*.npz")) == [
        f"block-{k:06d}.npz" for k in range(4)
    ]
    assert_same(reference, first)
    block_path(tmp_path / "ck", 2).unlink()  # as if the run had stopped before block 2
    before = {k: os.path.getmtime(block_path(tmp_path / "ck", k)) for k in (0, 1, 3)}
    resumed = simulate(
        model, PLAN, 5, SchedulerSpec("threads", workers=2), checkpoints=store, resume=True
    )
    assert resumed.resumed_blocks == 3
    assert block_path(tmp_path / "ck", 2).exists()
    assert all(os.path.getmtime(block_path(tmp_path / "ck", k)) == t for k, t in before.items())
    assert_same(reference, resumed)


def test_identity_changes_are_refused_with_what_changed(model, tmp_path):
    Checkpoints(tmp_path / "ck", identity()).open(resume=False)
    with pytest.raises(OutputError, match="add --resume"):
        Checkpoints(tmp_path / "ck", identity()).open(resume=False)
    changed = identity(config={"a": 1, "b": {"c": 3}}, block_size=1000)
    with pytest.raises(OutputError) as info:
        Checkpoints(tmp_path / "ck", changed).open(resume=True)
    assert "config.b.c: 2 -> 3" in str(info.value)
    assert "block_size: 2000 -> 1000" in str(info.value)
    with pytest.raises(OutputError, match="no checkpoints"):
        Checkpoints(tmp_path / "other", identity()).open(resume=True)


def test_differences():
    assert differences({"a": [1, 2]}, {"a": [1, 2]}) == []
    assert differences({"a": 1}, {"b": 1}) == ["a: removed (was 1)", "b: added (1)"]


def test_streamed_summaries_round_trip_and_merge(model, tmp_path):
    pilot = model.simulate(np.random.default_rng(0), 300)
    reducer = Reducer("stream", pilot_grids(pilot, bins=500))
    a = reducer.summarize(0, model.simulate(np.random.default_rng(1), 1000), 0.1)
    b = reducer.summarize(1, model.simulate(np.random.default_rng(2), 1000), 0.2)
    (tmp_path / "ck").mkdir()
    save_block(tmp_path / "ck", a)
    again = load_block(tmp_path / "ck", 0)
    assert_same(a, again)
    assert {n: c.dtype for n, c in again.counts.items()} == {
        n: c.dtype for n, c in a.counts.items()
    }
    with np.load(block_path(tmp_path / "ck", 0)) as saved:  # a small grid: stored whole
        assert not any(key.startswith("t/") for key in saved.files)
        assert {saved[key].dtype for key in saved.files if key.startswith("c/")} == {
            np.dtype(np.uint32)
        }
    merged = merge(a, b)
    assert merged.n == 2 and merged.counts["population_growth"].sum() == 2000 * 3


def test_large_histogram_tables_are_stored_trimmed(model, tmp_path, monkeypatch):
    import mc.engine.reduce as reduce

    pilot = model.simulate(np.random.default_rng(0), 300)
    reducer = Reducer("stream", pilot_grids(pilot, bins=500))
    a = reducer.summarize(0, model.simulate(np.random.default_rng(1), 1000), 0.1)
    monkeypatch.setattr(reduce, "WHOLE_COUNTS_BYTES", 0)  # as a municipal grid would be
    (tmp_path / "ck").mkdir()
    save_block(tmp_path / "ck", a)
    with np.load(block_path(tmp_path / "ck", 0)) as saved:
        assert not any(key.startswith("c/") for key in saved.files)
        assert any(key.startswith("t/") for key in saved.files)
    again = load_block(tmp_path / "ck", 0)
    assert_same(a, again)
    assert {n: c.dtype for n, c in again.counts.items()} == {
        n: c.dtype for n, c in a.counts.items()
    }


def test_checkpoint_bytes_do_not_depend_on_the_blocks_draws(model, tmp_path):
    """Issue 16: a block's checkpoint holds its summary, whose size the grid alone sets."""
    pilot = model.simulate(np.random.default_rng(0), 300)
    reducer = Reducer("stream", pilot_grids(pilot, bins=2_000), thresholds=())
    sizes = []
    for k, draws in enumerate((500, 5_000, 70_000)):  # 16-bit and 32-bit blocks alike
        folder = tmp_path / str(k)
        folder.mkdir()
        summary = reducer.summarize(0, model.simulate(np.random.default_rng(k), draws), 0.1)
        sizes.append(save_block(folder, summary).stat().st_size)
        assert_same(summary, load_block(folder, 0))
    assert len(set(sizes)) == 1, sizes


def test_checkpoints_with_whole_histograms_still_load(model, tmp_path):
    """Blocks saved before histograms were trimmed (keys ``c/NAME``) resume as they were."""
    from mc.engine.reduce import summary_from_arrays, summary_to_arrays

    pilot = model.simulate(np.random.default_rng(0), 300)
    reducer = Reducer("stream", pilot_grids(pilot, bins=500))
    a = reducer.summarize(0, model.simulate(np.random.default_rng(1), 1000), 0.1)
    arrays = {k: v for k, v in summary_to_arrays(a).items() if not k.startswith("t/")}
    arrays.update({f"c/{name}": counts for name, counts in a.counts.items()})
    assert_same(a, summary_from_arrays(arrays))


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_killed_client_resumes_to_the_same_bytes(tmp_path):
    """`tbu-mc run` killed mid-run (SIGKILL, as a walltime limit would), then --resume."""
    exe = (
        [str(ROOT / ".venv" / "bin" / "tbu-mc")]
        if (ROOT / ".venv/bin/tbu-mc").exists()
        else [sys.executable, "-m", "mc.cli.main"]
    )
    args = [
        "run",
        str(CONFIGS / "tbu-2025.yaml"),
        "--sync",
        "--quiet",
        "--draws",
        "40000",
        "--block-size",
        "5000",
        "--seed",
        "9",
    ]
    full = tmp_path / "full"
    subprocess.run([*exe, *args, "--out", str(full)], check=True, capture_output=True)
    out = tmp_path / "cut"
    proc = subprocess.Popen(
        [*exe, *args, "--out", str(out), "--slow-blocks", "0.6"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while time.time() < deadline and len(list((out / "checkpoints").glob("block-*.npz"))) < 2:
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    saved = len(list((out / "checkpoints").glob("block-*.npz")))
    assert 2 <= saved < 8
    assert not (out / "summary.csv").exists()  # nothing half-written: only checkpoints
    again = subprocess.run(
        [*exe, *args, "--out", str(out), "--resume"], capture_output=True, text=True, check=True
    )
    assert f"gjenopptatt: {saved} blokk(er)" in again.stdout  # the run's language: nb
    assert (out / "summary.csv").read_bytes() == (full / "summary.csv").read_bytes()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["blocks"] == 8
    assert not (out / "checkpoints").exists()
