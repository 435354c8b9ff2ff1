"""A real scheduler and two worker processes on loopback; one worker is killed mid-run.

Dask reschedules the lost worker's blocks on the survivor. Blocks are pure functions of
(model, entropy, block), so the result is bit-identical to an in-process run.
"""

import os
import signal
import sys

import numpy as np
import pytest

from mc.engine import BlockPlan, SchedulerSpec, simulate
from mc.engine.testing import Slowed
from mc.model.demographic import build_model
from tests.local_dask import start_scheduler, start_worker, stop

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


@pytest.fixture
def cluster(tmp_path):
    """`dask scheduler` and two `dask worker` processes, 1 thread each, on 127.0.0.1."""
    address, scheduler = start_scheduler(tmp_path)
    workers = [start_worker(address) for _ in range(2)]
    try:
        yield address, workers
    finally:
        stop([scheduler, *workers])


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
