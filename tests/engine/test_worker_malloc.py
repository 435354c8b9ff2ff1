"""Worker processes of a LocalCluster we start reuse freed memory; the client keeps its own."""

import os

from mc.engine import SchedulerSpec
from mc.engine.schedulers import WORKER_MALLOC, dask_client


def _environment() -> dict[str, str | None]:
    return {name: os.environ.get(name) for name in WORKER_MALLOC}


def test_workers_start_with_the_allocator_settings_and_the_client_keeps_its_own(monkeypatch):
    # what an earlier cluster of the same process leaves behind (Dask's nanny writes its
    # pre-spawn settings into the parent's environment); it must not reach our workers
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")
    before = _environment()
    with dask_client(SchedulerSpec("processes", workers=1)) as client:
        during = _environment()
        seen = list(client.run(_environment).values())
    assert seen == [WORKER_MALLOC]  # Dask's own 64 kB trim threshold is replaced
    assert during == before  # put back once the workers have started
    assert _environment() == before
