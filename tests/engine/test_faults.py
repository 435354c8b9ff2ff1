"""A real scheduler and two worker processes on loopback; one worker is killed mid-run.

Dask reschedules the lost worker's blocks on the survivor. Blocks are pure functions of
(model, entropy, block), so the result is bit-identical to an in-process run.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from mc.engine import BlockPlan, SchedulerSpec, simulate
from mc.engine.testing import Slowed
from mc.model.demographic import build_model
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def dask_command() -> list[str]:
    return [str(Path(sys.executable).with_name("dask"))]  # the dask command of this environment


@pytest.fixture
def cluster(tmp_path):
    """`dask scheduler` and two `dask worker` processes, 1 thread each, on 127.0.0.1."""
    file = tmp_path / "scheduler.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [
                *dask_command(),
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(file),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
    ]
    deadline = time.time() + 30
    while not file.exists() and time.time() < deadline:
        time.sleep(0.1)
    address = json.loads(file.read_text())["address"]
    workers = [
        subprocess.Popen(
            [
                *dask_command(),
                "worker",
                address,
                "--nworkers",
                "1",
                "--nthreads",
                "1",
                "--no-nanny",
                "--no-dashboard",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        for _ in range(2)
    ]
    procs += workers
    try:
        yield address, workers
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


def test_worker_killed_mid_run_changes_nothing(cluster, config_2025):
    from distributed import Client

    address, workers = cluster
    plan = BlockPlan(24_000, 2_000)  # 12 blocks of about 0.5 s
    model = Slowed(build_model(config_2025), 0.5)
    reference = simulate(model.model, plan, 77, SchedulerSpec("sync"))
    with Client(address, timeout="30s") as client:
        client.wait_for_workers(2, timeout=60)
        done = []

        def progress(n):
            done.append(n)
            if len(done) == 3:  # a few blocks in: kill one worker without warning
                os.kill(workers[0].pid, signal.SIGKILL)

        result = simulate(model, plan, 77, client=client, progress=progress, retries=2)
    assert workers[0].wait(timeout=10) == -signal.SIGKILL
    assert len(done) == 12
    for name in reference.draws:
        np.testing.assert_array_equal(result.draws[name], reference.draws[name], err_msg=name)
        np.testing.assert_array_equal(result.moments[name].m2, reference.moments[name].m2)
