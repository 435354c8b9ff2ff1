"""Every failure of `tbu-mc` ends in one `tbu-mc: error:` line and a non-zero exit code."""

from __future__ import annotations

import errno
import os
import pickle
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mc.cli.report as report_command
from mc.cli.errors import resume_command, split_debug
from mc.cli.main import main
from mc.engine import BlockPlan, Checkpoints, SchedulerSpec, simulate
from mc.engine.checkpoint import block_path, load_block, save_block
from mc.engine.schedulers import CONNECT_TIMEOUT
from mc.errors import BlockError, ConfigError, DataError
from tests.conftest import CONFIGS, ROOT

CONFIG = str(CONFIGS / "tbu-2025.yaml")
SMALL = ["--sync", "--draws", "4000", "--block-size", "1000", "--seed", "3", "--quiet"]
#: Two worker processes, blocks slowed to half a second so that Ctrl-C lands mid-run.
SHORT_CLUSTER_RUN = "--draws 40000 --block-size 2000 --workers 2 --slow-blocks 0.5".split()
ISSUE_RUN = "--draws 400000 --block-size 20000 --workers 2 --slow-blocks 0.5".split()
EXE = (
    [str(ROOT / ".venv" / "bin" / "tbu-mc")]
    if (ROOT / ".venv/bin/tbu-mc").exists()
    else [sys.executable, "-m", "mc.cli.main"]
)


def error_lines(err: str) -> list[str]:
    """Lines of stderr that are not a progress bar's residue."""
    return [line for line in err.splitlines() if line.strip() and "draw/s" not in line]


def one_error(capsys) -> str:
    """The single `tbu-mc: error:` line printed, checked to be the only line on stderr."""
    lines = error_lines(capsys.readouterr().err)
    assert len(lines) == 1, lines
    assert lines[0].startswith("tbu-mc: error: ")
    return lines[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory) -> Path:
    """A small Monte Carlo run folder, to be copied and damaged."""
    out = tmp_path_factory.mktemp("errors") / "run"
    assert main(["run", CONFIG, *SMALL, "--out", str(out)]) == 0
    return out


def disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


# --- item 1: the top-level handler --------------------------------------------------------


def test_unexpected_error_is_one_line_pointing_to_debug(monkeypatch, capsys):
    def broken(args, argv):
        raise RuntimeError("something\nnobody expected")

    monkeypatch.setattr(report_command, "handle", broken)
    assert main(["report", "anywhere"]) == 1
    line = one_error(capsys)
    assert line == (
        "tbu-mc: error: unexpected RuntimeError: something nobody expected "
        "(run again with --debug for the traceback)"
    )


@pytest.mark.parametrize("how", ["flag first", "flag last", "environment"])
def test_debug_shows_the_traceback(monkeypatch, how):
    def broken(args, argv):
        raise RuntimeError("boom")

    monkeypatch.setattr(report_command, "handle", broken)
    argv = ["report", "anywhere"]
    if how == "flag first":
        argv = ["--debug", *argv]
    elif how == "flag last":
        argv = [*argv, "--debug"]
    else:
        monkeypatch.setenv("TBU_MC_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        main(argv)


def test_split_debug_leaves_arguments_after_double_dash():
    assert split_debug(["run", "--debug", "c.yaml"]) == (["run", "c.yaml"], True)
    assert split_debug(["run", "--", "--debug"])[0] == ["run", "--", "--debug"]


def test_a_failed_block_is_one_line(monkeypatch, capsys):
    detail = 'Traceback (most recent call last):\n  File "x.py", line 1\nValueError: bad cell\n'

    def fails(args, argv):
        raise BlockError(4, 99, detail)

    monkeypatch.setattr(report_command, "handle", fails)
    assert main(["report", "anywhere"]) == 2
    line = one_error(capsys)
    assert "block 4 (seed entropy 99) failed: ValueError: bad cell" in line
    assert "--debug" in line


def test_resume_command_repeats_the_run_and_pins_a_fresh_seed():
    argv = ["run", "my config.yaml", "--draws", "10", "--out", "o"]
    assert resume_command(argv, 123) == (
        "tbu-mc run 'my config.yaml' --draws 10 --out o --resume --seed 123"
    )
    assert resume_command([*argv, "--seed", "5", "--resume"], 123).endswith("--seed 5 --resume")


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _interrupt(out: Path, args: list[str]) -> str:
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) once the first block is
    saved; returns the one error line, checked for exit code 130 and what it says is saved."""
    proc = subprocess.Popen(
        [*EXE, *args, "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        cwd=ROOT,
    )
    try:
        started = _wait_for(lambda: any((out / "checkpoints").glob("block-*.npz")), 120)
        assert started, "no checkpoint appeared"
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, err
    lines = error_lines(err)
    assert len(lines) == 1, err  # no Dask or worker traceback
    line = lines[0]
    saved = len(list((out / "checkpoints").glob("block-*.npz")))
    assert line.startswith(
        f"tbu-mc: error: interrupted; {saved} finished block(s) are saved in {out / 'checkpoints'}"
        "; continue with: tbu-mc run "
    ), err
    assert " --resume" in line and not (out / "summary.csv").exists()
    return line


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_on_a_local_cluster_is_one_line(tmp_path, config_2025):
    """Two worker processes, interrupted mid-run: one line, exit 130, no traces."""
    line = _interrupt(tmp_path / "out", ["run", CONFIG, *SHORT_CLUSTER_RUN])
    command = shlex.split(line.split("continue with: ", 1)[1])
    assert command == ["tbu-mc", "run", CONFIG, *SHORT_CLUSTER_RUN, "--out", str(tmp_path / "out"),
                       "--resume", "--seed", str(config_2025.run.seed)]  # fmt: skip


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_on_the_issue_run_then_resume(tmp_path):
    """The run of issue 12 (400,000 draws on two workers), interrupted, then finished by running
    the printed --resume command."""
    out = tmp_path / "out"
    line = _interrupt(out, ["run", "configs/tbu-2025.yaml", *ISSUE_RUN])
    saved = len(list((out / "checkpoints").glob("block-*.npz")))
    command = shlex.split(line.split("continue with: ", 1)[1])
    again = subprocess.run(
        [*EXE, *command[1:]], capture_output=True, text=True, timeout=600, cwd=ROOT
    )
    assert again.returncode == 0, again.stderr
    assert f"gjenopptatt: {saved} blokk(er)" in again.stdout  # the run's language: nb
    assert (out / "summary.csv").is_file() and not (out / "checkpoints").exists()


def test_interrupt_without_checkpoints_is_one_line(monkeypatch, capsys):
    def interrupted(args, argv):
        raise KeyboardInterrupt

    monkeypatch.setattr(report_command, "handle", interrupted)
    assert main(["report", "anywhere"]) == 130
    assert one_error(capsys) == "tbu-mc: error: interrupted"


# --- item 2: an unreachable scheduler ------------------------------------------------------


def test_unreachable_scheduler_fails_fast_naming_the_address(config_2025):
    from mc.model.demographic import build_model

    address = f"tcp://127.0.0.1:{free_port()}"  # nobody listens there
    start = time.monotonic()
    with pytest.raises(ConfigError) as info:
        simulate(
            build_model(config_2025),
            BlockPlan(100, 50),
            1,
            SchedulerSpec("address", address=address, timeout=2),
        )
    # the 2 s timeout, plus the client's own start and retry back-off (Dask waits up to ~1 s)
    assert time.monotonic() - start < 8
    message = str(info.value)
    assert address in message and "within 2 s" in message and "dask scheduler" in message


def test_unreachable_scheduler_at_the_command_line_is_one_line(tmp_path, capsys):
    address = f"tcp://127.0.0.1:{free_port()}"
    out = tmp_path / "run"
    code = main([
        "run", CONFIG, "--draws", "100", "--block-size", "50", "--quiet",
        "--scheduler", address, "--connect-timeout", "1", "--out", str(out),
    ])  # fmt: skip
    assert code == 2
    line = one_error(capsys)
    assert address in line and "dask scheduler" in line
    # no checkpoints of a run that never started, which a rerun would refuse without --resume
    assert not (out / "checkpoints").exists()


def test_connect_timeout_must_be_positive():
    with pytest.raises(ConfigError, match="must be > 0"):
        SchedulerSpec("address", address="tcp://127.0.0.1:1", timeout=0)
    assert SchedulerSpec("address", address="tcp://127.0.0.1:1").timeout == CONNECT_TIMEOUT


# --- items 3 and 5: damaged checkpoints, a full disk -----------------------------------------


def _leftover_checkpoints(tmp_path: Path, monkeypatch, capsys) -> Path:
    """A run whose outputs could not be written (disk full): its checkpoints stay behind."""
    out = tmp_path / "run"
    with monkeypatch.context() as patch:
        patch.setattr(pd.DataFrame, "to_csv", disk_full)
        assert main(["run", CONFIG, *SMALL, "--out", str(out)]) == 1
    line = one_error(capsys)
    assert line.startswith(f"tbu-mc: error: no space left on device: {out}")
    assert "; the outputs were not written and nothing half-written is left; " in line
    assert f"4 finished block(s) are saved in {out / 'checkpoints'}" in line
    assert line.endswith(shlex.join(["tbu-mc", "run", CONFIG, *SMALL, "--out", str(out)]) +
                         " --resume")  # fmt: skip
    # no staging folder left beside the output (a lock file may be), and no output in it
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == ["run"]
    assert [p.name for p in out.iterdir() if not p.name.startswith(".")] == ["checkpoints"]
    return out


def test_disk_full_while_writing_outputs(tmp_path, monkeypatch, capsys):
    out = _leftover_checkpoints(tmp_path, monkeypatch, capsys)
    assert main(["run", CONFIG, *SMALL, "--out", str(out), "--resume"]) == 0
    assert "gjenopptatt: 4 blokk(er)" in capsys.readouterr().out


def test_disk_full_while_saving_a_checkpoint(tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    real = np.savez
    calls = []

    def fills_up(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            disk_full()
        return real(*args, **kwargs)

    monkeypatch.setattr(np, "savez", fills_up)
    assert main(["run", CONFIG, *SMALL, "--out", str(out)]) == 1
    line = one_error(capsys)
    failed = out / "checkpoints" / "block-000002.npz"
    assert line.startswith(f"tbu-mc: error: no space left on device: {failed}; free some space")
    assert "; that checkpoint was not saved and nothing half-written is left; " in line
    assert f"2 finished block(s) are saved in {out / 'checkpoints'}; continue with: " in line
    assert line.endswith(" --resume")
    names = sorted(p.name for p in (out / "checkpoints").iterdir())
    assert names == ["block-000000.npz", "block-000001.npz", "run.json"]  # no temporary file


def test_damaged_block_names_the_file_and_the_ways_on(tmp_path, monkeypatch, capsys):
    out = _leftover_checkpoints(tmp_path, monkeypatch, capsys)
    damaged = block_path(out / "checkpoints", 1)
    damaged.write_bytes(damaged.read_bytes()[:200])  # truncated, as by a crash mid-copy
    resume = ["run", CONFIG, *SMALL, "--out", str(out), "--resume"]
    assert main(resume) == 2
    line = one_error(capsys)
    assert line.startswith(f"tbu-mc: error: {damaged}: damaged checkpoint (")
    assert "delete this file" in line and "--restart" in line
    damaged.unlink()  # as the message says: the block is computed again
    assert main(resume) == 0
    assert "gjenopptatt: 3 blokk(er)" in capsys.readouterr().out


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04" + b"\x00" * 40])
def test_load_block_refuses_garbage_with_the_path(tmp_path, content):
    block_path(tmp_path, 0).write_bytes(content)
    with pytest.raises(DataError) as info:
        load_block(tmp_path, 0)
    assert info.value.source == str(block_path(tmp_path, 0))
    assert "\n" not in str(info.value)


def test_load_block_refuses_an_npz_without_a_summary(tmp_path):
    np.savez(block_path(tmp_path, 0), x=np.arange(3))  # a valid .npz, but not of a block
    with pytest.raises(DataError, match="damaged checkpoint \\(KeyError"):
        load_block(tmp_path, 0)


def test_load_block_refuses_a_file_of_another_block(tmp_path, config_2025):
    from mc.model.demographic import build_model

    simulate(build_model(config_2025), BlockPlan(200, 100), 1, SchedulerSpec("sync"),
             checkpoints=Checkpoints(tmp_path, {"a": 1}))  # fmt: skip
    os.replace(block_path(tmp_path, 1), block_path(tmp_path, 5))
    with pytest.raises(DataError, match="holds blocks 1\\+1"):
        load_block(tmp_path, 5)


def test_damaged_block_read_on_a_worker_process_comes_back_whole(tmp_path, config_2025):
    """The error crosses a process boundary (pickled) and is not wrapped in a BlockError."""
    from mc.model.demographic import build_model

    model = build_model(config_2025)
    store = Checkpoints(tmp_path / "ck", {"a": 1})
    simulate(model, BlockPlan(200, 100), 1, SchedulerSpec("sync"), checkpoints=store)
    block_path(tmp_path / "ck", 0).write_bytes(b"garbage")
    with pytest.raises(DataError) as info:
        simulate(model, BlockPlan(200, 100), 1, SchedulerSpec("processes", workers=1),
                 checkpoints=store, resume=True)  # fmt: skip
    assert info.value.source == str(block_path(tmp_path / "ck", 0))


def test_errors_survive_pickling():
    for error in (
        DataError("f.csv", "bad", 3),
        ConfigError("draws", 0, "must be >= 1", "c.yaml"),
        BlockError(2, 7, "detail"),
    ):
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error) and str(back) == str(error)
        assert vars(back) == vars(error)


def test_damaged_run_json_names_the_file(tmp_path, monkeypatch, capsys):
    out = _leftover_checkpoints(tmp_path, monkeypatch, capsys)
    record = out / "checkpoints" / "run.json"
    record.write_text('{"config": {"name": "tbu-20')
    assert main(["run", CONFIG, *SMALL, "--out", str(out), "--resume"]) == 2
    line = one_error(capsys)
    assert line.startswith(f"tbu-mc: error: {record}: damaged checkpoint (")
    assert "--restart" in line


def test_save_block_names_its_file_when_the_disk_is_full(tmp_path, monkeypatch, config_2025):
    from mc.model.demographic import build_model

    store = tmp_path / "ck"
    simulate(build_model(config_2025), BlockPlan(100, 100), 1, SchedulerSpec("sync"),
             checkpoints=Checkpoints(store, {"a": 1}))  # fmt: skip
    summary = load_block(store, 0)
    block_path(store, 0).unlink()
    monkeypatch.setattr(np, "savez", disk_full)
    with pytest.raises(OSError) as info:
        save_block(store, summary)
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(block_path(store, 0))
    assert sorted(p.name for p in store.iterdir()) == ["run.json"]


# --- item 4: a damaged run folder given to `report` --------------------------------------


def test_truncated_draws_nc_names_the_file(finished_run, tmp_path, capsys):
    folder = tmp_path / "run"
    shutil.copytree(finished_run, folder)
    draws = folder / "draws.nc"
    draws.write_bytes(draws.read_bytes()[: draws.stat().st_size // 3])
    assert main(["report", str(folder)]) == 2
    line = one_error(capsys)
    assert line.startswith(f"tbu-mc: error: {draws}: cannot be read: it is truncated or damaged")
    assert "write the run again with: " in line
    assert not (folder / "report.html").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('variable,scenario,year\n"unclosed,main,2025\n', "is not a readable CSV table"),
        ("a,b,c\n1,2,3\n1,2,3,4,5\n", "is not a readable CSV table"),
        ("", "is not a readable CSV table"),
        ("variable,scenario,year\nx,main,2025\n", "lacks the columns"),
        (None, "column 'mean' must hold numbers"),
    ],
    ids=["unclosed quote", "ragged rows", "empty", "missing columns", "text in mean"],
)
def test_malformed_summary_csv_names_the_file(finished_run, tmp_path, capsys, text, message):
    folder = tmp_path / "run"
    shutil.copytree(finished_run, folder)
    summary = folder / "summary.csv"
    if text is None:
        frame = pd.read_csv(summary)
        frame["mean"] = ["n/a?", *frame["mean"].astype(str)[1:]]
        frame.to_csv(summary, index=False)
    else:
        summary.write_text(text)
    assert main(["report", str(folder)]) == 2
    line = one_error(capsys)
    assert line.startswith(f"tbu-mc: error: {summary}: ") and message in line


# --- item 6: an --out that cannot be written -------------------------------------------------


def test_out_below_a_file_is_one_line(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert main(["run", CONFIG, *SMALL, "--out", str(blocker / "run")]) == 1
    line = one_error(capsys)
    assert "not a folder" in line and str(blocker / "run") in line
    assert blocker.read_text() == "not a folder"


@pytest.mark.parametrize(
    ("code", "says"), [(errno.EACCES, "permission denied"), (errno.EROFS, "read-only file system")]
)
def test_out_without_permission_is_one_line(tmp_path, monkeypatch, capsys, code, says):
    out = tmp_path / "run"

    def refused(self, resume, restart=False):
        raise OSError(code, os.strerror(code), str(self.folder))

    # root writes anywhere, so the refusal is simulated where the checkpoint folder is made
    monkeypatch.setattr(Checkpoints, "open", refused)
    assert main(["run", CONFIG, *SMALL, "--out", str(out)]) == 1
    line = one_error(capsys)
    assert line.startswith(f"tbu-mc: error: {says}: {out / 'checkpoints'}; ")


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write to read-only folders"
)
def test_out_in_a_read_only_folder_is_one_line(tmp_path, capsys):
    parent = tmp_path / "locked"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        assert main(["run", CONFIG, *SMALL, "--out", str(parent / "run")]) == 1
    finally:
        parent.chmod(0o755)
    line = one_error(capsys)
    assert "permission denied" in line and str(parent / "run") in line


def test_quieting_reaches_loggers_with_their_own_level():
    """Dask configures ``distributed.client`` at WARNING; its ERROR traceback on a Ctrl-C during a
    reconnect spilled past a quieted parent (seen once in the slow Ctrl-C test)."""
    import logging

    import distributed  # noqa: F401  (applies Dask's logging configuration)

    from mc.cli.errors import quiet_dask_logs

    names = ["distributed", "distributed.client", "distributed.scheduler", "tornado"]
    saved = {name: logging.getLogger(name).level for name in names}
    try:
        quiet_dask_logs()
        for name in names:
            assert not logging.getLogger(name).isEnabledFor(logging.CRITICAL), name
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)
