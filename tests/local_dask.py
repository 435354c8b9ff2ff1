"""A real ``dask scheduler`` and ``dask worker`` processes on loopback, for the cluster tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from tests.conftest import ROOT

START_TIMEOUT = 30  # seconds for the scheduler to write its file (it takes ~2 s here)


def dask_command() -> list[str]:
    """The ``dask`` command of this environment."""
    return [str(Path(sys.executable).with_name("dask"))]


def _quiet() -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}


def start_scheduler(folder: Path) -> tuple[str, subprocess.Popen]:
    """A scheduler on 127.0.0.1 with a free port; returns its address and process."""
    file = folder / "scheduler.json"
    process = subprocess.Popen(
        [
            *dask_command(),
            *("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"),
            *("--scheduler-file", str(file)),
        ],
        **_quiet(),
    )
    deadline = time.time() + START_TIMEOUT
    while not file.exists() and time.time() < deadline:
        time.sleep(0.1)
    return json.loads(file.read_text())["address"], process


def start_worker(
    address: str, *, cwd: Path | None = None, prefix: Sequence[str] = ()
) -> subprocess.Popen:
    """One single-threaded worker process (no nanny), optionally under a ``prefix`` command."""
    return subprocess.Popen(
        [
            *prefix,
            *dask_command(),
            *("worker", address, "--nworkers", "1", "--nthreads", "1"),
            *("--no-nanny", "--no-dashboard"),
        ],
        cwd=cwd,
        **_quiet(),
    )


def stop(processes: Sequence[subprocess.Popen]) -> None:
    """Terminate the processes, killing any that do not exit within 10 s."""
    for p in processes:
        if p.poll() is None:
            p.terminate()
    for p in processes:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
