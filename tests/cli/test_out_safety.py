"""`tbu-mc run --out`: a user's files are never lost, one run per folder, a way out of every state.

Issue 12: a run used to create ``OUT/checkpoints/run.json`` before the writer checked whether the
folder was its own, so the check passed and the whole folder was replaced. These tests drive the
command line.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from mc.cli.main import main
from mc.engine.checkpoint import Checkpoints
from mc.report.io import OutputFolder
from tests.conftest import CONFIGS, ROOT, listing
from tests.local_dask import start_scheduler, start_worker, stop

CONFIG = str(CONFIGS / "tbu-2025.yaml")
QUICK = ["--draws", "2000", "--block-size", "500", "--seed", "3", "--quiet"]


def run(*args):
    return main(["run", CONFIG, *args])


def error_lines(capsys):
    err = capsys.readouterr().err
    return [line for line in err.splitlines() if line.strip()]


def test_a_folder_of_user_files_is_refused_and_left_as_it_was(tmp_path, capsys):
    """The reproduction in the issue: thesis.tex and sub/ must survive, nothing is added."""
    out = tmp_path / "v"
    (out / "sub").mkdir(parents=True)
    (out / "thesis.tex").write_text("x\n")
    assert run(*QUICK, "--sync", "--out", str(out)) == 2
    lines = error_lines(capsys)
    assert len(lines) == 1 and lines[0].startswith("tbu-mc: error: ")
    assert "did not write" in lines[0] and "thesis.tex" in lines[0]
    assert sorted(p.name for p in out.iterdir()) == ["sub", "thesis.tex"]  # no checkpoints/
    assert (out / "thesis.tex").read_text() == "x\n"


def test_a_deterministic_run_is_refused_too(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    assert run("--deterministic", "--out", str(tmp_path)) == 2
    assert "did not write" in capsys.readouterr().err
    assert listing(tmp_path) == ["notes.txt"]


def test_a_user_file_in_an_earlier_run_folder_survives_a_rerun(tmp_path):
    out = tmp_path / "run"
    assert run(*QUICK, "--sync", "--out", str(out)) == 0
    (out / "my-notes.md").write_text("keep me")
    (out / "figures").mkdir()
    (out / "figures" / "edited.png").write_bytes(b"mine")
    assert run(*QUICK, "--sync", "--seed", "4", "--out", str(out)) == 0
    assert (out / "my-notes.md").read_text() == "keep me"
    assert (out / "figures" / "edited.png").read_bytes() == b"mine"
    assert json.loads((out / "manifest.json").read_text())["seed_entropy"] == 4
    assert not (out / "checkpoints").exists()


@pytest.mark.parametrize("name", [".", "..", "", "../../x", "a/b", "with\0nul", ".hidden", " "])
def test_the_config_name_must_be_a_plain_folder_name(tmp_path, monkeypatch, capsys, name):
    text = (CONFIGS / "tbu-2025.yaml").read_text(encoding="utf-8")
    config = tmp_path / "configs" / "bad.yaml"
    config.parent.mkdir()
    (config.parent / "tables").symlink_to(CONFIGS / "tables")
    config.write_text(text.replace("name: tbu-2025", f"name: {json.dumps(name)}"))
    work = tmp_path / "work"
    (work / "results").mkdir(parents=True)
    (work / "results" / "earlier.csv").write_text("keep")
    monkeypatch.chdir(work)
    assert main(["run", str(config), *QUICK, "--sync"]) == 2
    lines = error_lines(capsys)
    assert len(lines) == 1 and "config field 'name'" in lines[0], lines
    assert sorted(p.name for p in tmp_path.iterdir()) == ["configs", "work"]
    assert listing(work / "results") == ["earlier.csv"]


def test_a_second_run_on_the_same_folder_is_refused_naming_the_first(tmp_path, capsys):
    out = tmp_path / "run"
    first = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mc.cli.main",
            "run",
            CONFIG,
            "--sync",
            "--draws",
            "8000",
            "--block-size",
            "1000",
            "--seed",
            "5",
            "--quiet",
            "--slow-blocks",
            "0.5",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.time() + 60
        while not (out / "checkpoints" / "run.json").exists() and time.time() < deadline:
            time.sleep(0.05)
        assert (out / "checkpoints" / "run.json").exists(), "the first run did not start"
        assert run(*QUICK, "--sync", "--out", str(out)) == 2
        lines = error_lines(capsys)
        assert len(lines) == 1
        assert f"in use by another tbu-mc run (process {first.pid} " in lines[0]
    finally:
        _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err  # the first run was not disturbed
    assert json.loads((out / "manifest.json").read_text())["seed_entropy"] == 5


@pytest.fixture
def stale_checkpoints(tmp_path):
    """A run folder left by a run that failed: checkpoints of another identity."""
    out = tmp_path / "run"
    with OutputFolder(out):
        Checkpoints(out / "checkpoints", {"config": {"name": "other"}, "entropy": 1}).open(False)
    return out


def test_leftover_checkpoints_name_the_way_out(stale_checkpoints, capsys):
    out = stale_checkpoints
    assert run(*QUICK, "--sync", "--out", str(out)) == 2
    first = error_lines(capsys)
    assert len(first) == 1 and "--resume" in first[0] and "--restart" in first[0]
    assert run(*QUICK, "--sync", "--resume", "--out", str(out)) == 2
    second = error_lines(capsys)
    assert len(second) == 1 and "the run changed" in second[0] and "--restart" in second[0]
    assert run(*QUICK, "--sync", "--restart", "--out", str(out)) == 0
    assert (out / "summary.csv").is_file() and not (out / "checkpoints").exists()


def test_resume_and_restart_exclude_each_other(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        run(*QUICK, "--resume", "--restart", "--out", str(tmp_path / "x"))
    assert stop.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_resume_of_nothing_leaves_no_folder_behind(tmp_path, capsys):
    assert run(*QUICK, "--sync", "--resume", "--out", str(tmp_path / "new")) == 2
    assert "no checkpoints" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()


# --- clusters: the checkpoint folder is resolved on the client; workers may not share it -------


def _start_cluster(tmp_path: Path, worker_cwd: Path, prefix: list[str]):
    address, scheduler = start_scheduler(tmp_path)
    return address, [scheduler, start_worker(address, cwd=worker_cwd, prefix=prefix)]


def test_relative_out_with_a_worker_started_elsewhere(tmp_path, monkeypatch):
    """The worker's working directory is not the client's: checkpoints still land in --out."""
    elsewhere, client_dir = tmp_path / "worker-home", tmp_path / "client"
    elsewhere.mkdir()
    client_dir.mkdir()
    address, procs = _start_cluster(tmp_path, elsewhere, [])
    try:
        monkeypatch.chdir(client_dir)
        args = [*QUICK, "--draws", "4000", "--block-size", "1000"]
        assert run(*args, "--scheduler", address, "--out", "rel") == 0
        assert run(*args, "--sync", "--out", "sync") == 0
    finally:
        stop(procs)
    a = pd.read_csv(client_dir / "rel" / "summary.csv")
    b = pd.read_csv(client_dir / "sync" / "summary.csv")
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert listing(elsewhere) == []  # the worker wrote nothing into its own directory


def _can_unshare() -> bool:
    try:
        probe = subprocess.run(
            ["unshare", "--mount", "--propagation", "private", "true"],
            capture_output=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


@pytest.mark.skipif(not _can_unshare(), reason="needs unshare --mount (root in a namespace)")
def test_workers_that_cannot_see_the_folder_send_blocks_to_the_client(tmp_path, config_2025):
    """A worker with its own file system (a private mount over the run folder's parent)."""
    from distributed import Client

    from mc.engine import BlockPlan, SchedulerSpec, simulate
    from mc.model.demographic import build_model

    shared = tmp_path / "shared"
    shared.mkdir()
    hide = ["unshare", "--mount", "--propagation", "private", "sh", "-c"]
    prefix = [*hide, f'mount -t tmpfs none "{shared}" && exec "$0" "$@"']
    address, procs = _start_cluster(tmp_path, tmp_path, prefix)
    model = build_model(config_2025)
    plan = BlockPlan(6_000, 1_000)
    folder = shared / "run" / "checkpoints"
    try:
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(1, timeout=60)
            assert not any(client.run(os.path.isdir, str(shared / "run")).values())
            folder.parent.mkdir()
            identity = {"config": config_2025.to_dict(), "entropy": 9, "block_size": 1_000}
            result = simulate(
                model, plan, 9, client=client, checkpoints=Checkpoints(folder, identity)
            )
            assert not any(client.run(os.path.isdir, str(folder)).values())
            saved = sorted(p.name for p in folder.glob("block-*.npz"))
            assert saved == [f"block-{k:06d}.npz" for k in range(6)]  # written by the client
            resumed = simulate(
                model,
                plan,
                9,
                client=client,
                checkpoints=Checkpoints(folder, identity),
                resume=True,
            )
    finally:
        stop(procs)
    reference = simulate(model, plan, 9, SchedulerSpec("sync"))
    assert resumed.resumed_blocks == 6
    for name in reference.draws:
        assert (result.draws[name] == reference.draws[name]).all(), name
        assert (resumed.draws[name] == reference.draws[name]).all(), name
