"""The two views of a run on a Dask client run at once: same bits, and a failure stops both."""

from __future__ import annotations

import threading
import time

import numpy as np
import pandas as pd
import pytest

from mc.engine import SchedulerSpec
from mc.errors import ConfigError
from mc.model.config import load_config
from mc.workflow import RunOptions, analyse
from mc.workflow import overlap as overlap_module
from mc.workflow.overlap import run_both
from tests.conftest import CONFIGS

# four blocks per view, some draws kept beyond the first block: enough to exercise the merge
# tree, the kept draws and the sketches while staying a few seconds on two workers
OPTIONS = {"draws": 8_000, "block_size": 2_000, "seed": 20240321, "keep_draws": 4_000}


def _tables(analysis) -> dict[str, pd.DataFrame]:
    side = analysis.side
    return {
        "summary": analysis.summary,
        "views": analysis.views,
        "reconciliation": analysis.reconciliation,
        "exceedance": analysis.exceedance,
        "side summary": side.summary,
    }


def _arrays(analysis) -> dict[str, np.ndarray]:
    out = {}
    for name, sim in (("headline", analysis.simulation), ("side", analysis.side.simulation)):
        for table in ("draws", "counts", "block_mean", "block_m2", "hits"):
            for variable, values in (getattr(sim, table) or {}).items():
                out[f"{name} {table} {variable}"] = values
        for variable, moments in sim.moments.items():
            out[f"{name} mean {variable}"] = moments.mean
            out[f"{name} m2 {variable}"] = moments.m2
    return out


def _assert_same_results(expected, actual) -> None:
    """Every draw array and every summary table of two analyses equal, bit for bit."""
    left, right = _arrays(expected), _arrays(actual)
    assert left.keys() == right.keys() and len(left) > 10
    for name in left:
        np.testing.assert_array_equal(left[name], right[name], err_msg=name)
    for name, table in _tables(expected).items():
        pd.testing.assert_frame_equal(table, _tables(actual)[name], check_exact=True, obj=name)


@pytest.fixture(scope="module")
def two_views(data_dir):
    config = load_config(CONFIGS / "tbu-2025.yaml")
    assert config.model_view is not None  # the shipped default has two views
    return config


def test_two_views_on_two_processes_equal_the_sequential_run_bit_for_bit(two_views, monkeypatch):
    import mc.workflow.views as views

    calls = []

    def counted(*args, **kwargs):
        calls.append(kwargs)
        return run_both(*args, **kwargs)

    monkeypatch.setattr(views, "run_both", counted)
    sync = analyse(two_views, RunOptions(**OPTIONS, scheduler=SchedulerSpec("sync")))
    assert calls == []  # in-process: one view after the other, as before
    spec = SchedulerSpec("processes", workers=2)
    both = analyse(two_views, RunOptions(**OPTIONS, scheduler=spec))
    assert len(calls) == 1 and calls[0]["spec"] == spec  # one cluster, both views at once
    # the views overlapped on one cluster; the manifest still names the cluster as before
    assert both.simulation.scheduler == spec.describe() == both.side.simulation.scheduler
    _assert_same_results(sync, both)
    assert [str(n) for n in sync.notes] == [str(n) for n in both.notes]


def test_an_auto_run_whose_two_views_together_cross_the_threshold_shares_one_cluster(
    two_views, monkeypatch
):
    """No scheduler flag: each view alone is under the threshold, the two together over it."""
    import distributed

    import mc.workflow.analysis as analysis_module
    import mc.workflow.views as views

    def timed(model, plan, entropy, slow_blocks=0.0):
        # each view's work 0.6 x the threshold: alone it would stay in-process (the choice a
        # view made on its own before), together they are 1.2 x the threshold
        return 0.6 * analysis_module.IN_PROCESS_SECONDS

    monkeypatch.setattr(analysis_module, "time_work", timed)
    calls, clusters = [], []

    def counted(*args, **kwargs):
        calls.append(kwargs)
        return run_both(*args, **kwargs)

    real_cluster = distributed.LocalCluster

    def counted_cluster(*args, **kwargs):
        clusters.append(kwargs)
        return real_cluster(*args, **kwargs)

    monkeypatch.setattr(views, "run_both", counted)
    sync = analyse(two_views, RunOptions(**OPTIONS, scheduler=SchedulerSpec("sync")))
    monkeypatch.setattr(distributed, "LocalCluster", counted_cluster)
    auto = analyse(two_views, RunOptions(**OPTIONS))  # no scheduler: the CLI's default
    spec = SchedulerSpec("processes")
    assert len(clusters) == 1  # one cluster for both views, started once
    assert len(calls) == 1 and calls[0]["spec"] == spec  # the views overlapped on it
    assert auto.simulation.scheduler == spec.describe() == auto.side.simulation.scheduler
    chosen = [n for n in auto.notes if getattr(n, "key", "").startswith("local_cluster")]
    assert len(chosen) == 1 and chosen[0].key == "local_cluster_views"
    assert "tbu view" in chosen[0] and "model view" in chosen[0]
    # the one note is the only difference from the sequential run's notes; results bit for bit
    assert [str(n) for n in auto.notes if n is not chosen[0]] == [str(n) for n in sync.notes]
    _assert_same_results(sync, auto)


# --- run_both on an in-process cluster: what a failure or an interrupt in one view does ------


#: Holds the in-process workers' "long blocks" until a test ends: a cancelled task that is already
#: running keeps its thread, so each test releases its own before the next one starts.
RELEASE = threading.Event()


def _hold(seconds: float) -> None:
    RELEASE.wait(seconds)


@pytest.fixture(autouse=True)
def _release_held_tasks():
    RELEASE.clear()
    yield
    RELEASE.set()


@pytest.fixture(scope="module")
def client():
    import dask
    from distributed import Client, LocalCluster

    from mc.engine.schedulers import WORKER_SATURATION

    # priorities as on the clusters the engine starts (their worker-saturation)
    with (
        dask.config.set({"distributed.scheduler.worker-saturation": WORKER_SATURATION}),
        LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as c,
    ):
        yield c


def _blocks(client, seconds: float, n: int = 4):
    """Submit ``n`` sleeping tasks and wait for them all, as the engine waits for its blocks."""
    from distributed import as_completed

    futures = [client.submit(_hold, seconds, pure=False) for _ in range(n)]
    for future in as_completed(futures):
        if future.status == "cancelled":
            future.result()
    return "done"


def test_run_both_returns_both_results_on_a_callers_client(client):
    RELEASE.set()
    assert run_both(lambda c: _blocks(c, 0.01), lambda c: 7, client=client) == ("done", 7)
    assert client.status == "running"  # a caller's client stays open


ORDER: list[str] = []


def _record(name: str) -> None:
    ORDER.append(name)


TASKS = 8


def test_the_headlines_blocks_go_first_whichever_view_is_ready_first(client):
    """The progress bar counts the headline's draws: its blocks must not wait behind the side's."""
    ORDER.clear()
    busy = [client.submit(_hold, 30.0, pure=False) for _ in range(2)]  # both threads busy

    def side(c):  # ready at once
        futures = [c.submit(_record, "side", pure=False) for _ in range(TASKS)]
        return [f.result() for f in futures]

    def main(c):
        time.sleep(0.3)  # a headline still drawing its pilot
        futures = [c.submit(_record, "main", pure=False) for _ in range(TASKS)]
        time.sleep(0.3)  # the side submits now, behind them
        RELEASE.set()
        return [f.result() for f in futures]

    run_both(main, side, client=client)
    client.gather(busy)
    assert ORDER == ["main"] * TASKS + ["side"] * TASKS


def test_a_failing_side_cancels_the_headline_and_its_error_is_raised(client):
    started = threading.Event()

    def side(c):
        started.wait(10)
        raise ValueError("side broke")

    def main(c):
        started.set()
        return _blocks(c, 30.0)  # would take a minute unless cancelled

    start = time.perf_counter()
    with pytest.raises(ValueError, match="side broke"):
        run_both(main, side, client=client)
    assert time.perf_counter() - start < 10  # the headline's blocks were cancelled, not waited for


def test_an_interrupted_headline_cancels_the_side_and_waits_for_its_thread(client):
    submitted = threading.Event()
    ended: list[BaseException] = []

    def side(c):
        try:
            futures = [c.submit(_hold, 30.0, pure=False) for _ in range(2)]
            submitted.set()
            return [f.result() for f in futures]
        except BaseException as exc:
            ended.append(exc)
            raise

    def main(c):
        c.submit(_hold, 30.0, pure=False)  # the headline's blocks, then Ctrl-C
        submitted.wait(10)
        raise KeyboardInterrupt

    start = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        run_both(main, side, client=client)
    assert time.perf_counter() - start < 10
    # the side's thread had ended, cancelled, before run_both returned
    assert len(ended) == 1 and isinstance(ended[0], Exception)


def test_a_headline_refused_before_its_draws_starts_neither_the_side_nor_a_cluster():
    ran: list[str] = []

    def main(c):
        raise RuntimeError("refused before any draw")  # as a run too large for the machine

    spec = SchedulerSpec("processes", workers=1)
    with pytest.raises(RuntimeError, match="refused"):
        run_both(main, lambda c: ran.append("side"), spec=spec)
    assert ran == []


def test_a_side_waiting_for_a_cluster_that_never_starts_is_released():
    """The headline's cluster fails to start: the side, waiting for it, stops; one error."""
    reached: list[str] = []

    def side(c):
        try:
            c.submit(time.sleep, 0)
        except overlap_module.Cancelled:
            reached.append("cancelled")
            raise

    def main(c):
        return c.submit(time.sleep, 0)  # starts (connects to) the cluster: nobody answers

    spec = SchedulerSpec("address", address="tcp://127.0.0.1:9", timeout=1.0)
    with pytest.raises(ConfigError, match="no Dask scheduler answered"):
        run_both(main, side, spec=spec)
    assert reached == ["cancelled"]
