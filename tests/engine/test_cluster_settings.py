"""Clusters we start run Dask's housekeeping slowly (QUIET_DASK); the caller's config is kept."""

import dask
import distributed  # noqa: F401  (registers the distributed.* defaults read below)
import pytest

from mc.engine import SchedulerSpec
from mc.engine.schedulers import QUIET_DASK, dask_client, dask_environment


def _worker_timers(dask_worker):
    return {name: pc.callback_time for name, pc in dask_worker.periodic_callbacks.items()}


def _scheduler_timers(dask_scheduler):
    return {name: pc.callback_time for name, pc in dask_scheduler.periodic_callbacks.items()}


@pytest.mark.parametrize("kind", ["processes", "threads"])
def test_started_clusters_tick_once_a_second_and_do_not_profile(kind):
    before = dask.config.get("distributed.admin.tick.interval")
    with dask_client(SchedulerSpec(kind, workers=1)) as client:
        (worker,) = client.run(_worker_timers).values()
        scheduler = client.run_on_scheduler(_scheduler_timers)
        # with nanny=True, Client.run passes each nanny as ``dask_worker``
        nannies = client.run(_worker_timers, nanny=True) if kind == "processes" else {}
    for timers in (worker, scheduler):
        assert timers["tick"] == 1000  # ms; Dask's default wakes every loop 50 times a second
        assert timers["monitor"] == 10_000
    assert worker["memory_monitor"] == 1000  # Dask's default reads the memory every 100 ms
    if kind == "processes":  # the nanny reads it too, to stop a worker past its limit
        (nanny,) = nannies.values()
        assert nanny["memory_monitor"] == 1000
    assert "profile" not in worker and "profile-cycle" not in worker
    # only the cluster started with them: this process's own configuration is as it was
    assert dask.config.get("distributed.admin.tick.interval") == before


def test_dask_environment_is_what_dask_reads_back():
    environment = dask_environment(QUIET_DASK)
    assert environment["DASK_DISTRIBUTED__ADMIN__TICK__INTERVAL"] == "1s"
    read = dask.config.collect_env(environment)
    with dask.config.set(read):
        for key, value in QUIET_DASK.items():
            assert dask.config.get(key) == value, key
