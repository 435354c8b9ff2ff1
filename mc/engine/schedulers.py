"""Where blocks run: in-process, on threads, on a local cluster, or on any Dask scheduler."""

from __future__ import annotations

import contextlib
import logging
import os
import shlex
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mc.errors import ConfigError

KINDS = ("sync", "threads", "processes", "address", "slurm", "pbs")

#: Blocks a scheduler we start hands each worker thread at a time, as Dask's ``worker-saturation``
#: (Dask's default, written out so that a changed default cannot change our runs): 1.1 rounds up to
#: two per single-threaded worker, the block it runs and the next one. At 1.0 the queue stays on
#: the scheduler and a worker that finishes a block waits a scheduler round trip for the next; on
#: the 2-core machine, with both cores busy, that was 10-25 ms a block and a merge: in 10^7-draw
#: national runs on 2 workers (blocks of 250,000, merges joined four at a time) the workers' idle
#: gaps between tasks were 1.4-1.5 s at 1.0 and 0.4 s at 1.1. The price is the end of a run,
#: where a block may wait behind the other one on a busy worker until Dask's work stealing moves
#: it (the last blocks ended 0.2-1.0 s apart at 1.1, 0.5 s at 1.0, in the same runs).
WORKER_SATURATION = 1.1


#: glibc's allocator settings for the worker processes of a cluster we start. Dask's nanny sets
#: ``MALLOC_TRIM_THRESHOLD_=65536`` so that idle workers hand memory back; setting it also fixes
#: glibc's mmap threshold at 128 kB, so every array of every block is mapped afresh and
#: page-faulted in. A block of the national model is tens of arrays of up to 100 MB, made and
#: freed again block after block: measured on one core (250,000 draws, best of 4), the headline
#: view's block took 1.56 s per 10^6 draws under Dask's setting, 1.20 s under glibc's defaults and
#: 1.05 s with these (the other view's 3.41, 3.10 and 2.90 s). Large arrays then come from the
#: heap and are reused by the next block; a worker keeps its peak memory instead of returning it
#: between blocks (its peak is unchanged: ``benchmarks/national.py`` records it). One arena: a
#: worker computes in a thread of its own, and a thread's arena grows in 64 MB heaps, which the
#: arrays of a block outgrow; with that thread on the main heap a headline block on a 1-worker
#: cluster took 0.26 s (250,000 draws) as in a plain process, against 0.30 s. Batch workers
#: (SLURM, PBS) get the same settings from their job script (``_job_script_prologue``).
WORKER_MALLOC = {
    "MALLOC_MMAP_MAX_": "0",
    "MALLOC_TRIM_THRESHOLD_": str(2**30),
    "MALLOC_ARENA_MAX": "1",
}


#: Dask's housekeeping on the processes of a cluster we start, slowed down or off. Every Dask
#: server wakes its event loop every 20 ms to check that the loop is not blocked, a worker samples
#: its task thread's stack every 10 ms for the dashboard's profile, and the system monitor reads
#: the machine's disk and network counters twice a second. A worker's event loop thread used
#: 2.4-2.6 s of CPU in a 24 s run of 10^7 national draws on 2 local workers (blocks of 250,000)
#: and 1.1-1.4 s with these settings; the client 2.7-2.8 s and 1.7-1.9 s. On a machine with as
#: many cores as workers that CPU is taken from the blocks: their wall time was 1.10x their CPU
#: time, and 1.04-1.05x with these (``benchmarks/national.py`` records the ratio). The tick still
#: reports a loop blocked for longer than Dask's limit (3 s); there is no dashboard to profile
#: for (Bokeh is not a dependency). Each worker and each nanny (a local cluster's nannies run in
#: the client's process) also read the worker's memory 10 times a second; once a second is enough
#: for blocks whose memory is flat from one to the next (peak RSS 1.03x from 10^6 to 10^7 draws),
#: and the nanny still stops a worker past 95 % of its limit within a second. Measured in three
#: alternating pairs of those 10^7-draw runs: the client's CPU 0.080-0.085 s per second of run
#: and the workers' event loops 0.037-0.039 s, against 0.072-0.079 and 0.029-0.031 s at once a
#: second, about 0.7 % of two cores. Batch workers (SLURM, PBS) get these from their job script.
QUIET_DASK: dict[str, object] = {
    "distributed.admin.tick.interval": "1s",
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.interval": "10s",
    "distributed.worker.memory.monitor-interval": "1s",
}


#: Seconds to wait for the scheduler at ``--scheduler ADDRESS`` to answer. Connecting on a network
#: takes well under a second; Dask's own default (30 s) mostly makes a typo wait.
CONNECT_TIMEOUT = 10.0


@dataclass(frozen=True)
class SchedulerSpec:
    """A scheduler choice.

    Parameters
    ----------
    kind : {"sync", "threads", "processes", "address"}
        ``sync`` runs blocks one after another in this process (no Dask); ``threads`` uses an
        in-process Dask cluster with ``workers`` threads; ``processes`` starts a LocalCluster of
        ``workers`` single-threaded processes; ``address`` connects to a running scheduler.
    workers : int, optional
        Threads or processes; defaults to the machine's cores.
    address : str, optional
        Scheduler address such as ``tcp://10.0.0.5:8786`` (``kind="address"``).
    jobqueue : tuple of (name, value), optional
        dask-jobqueue options for ``kind="slurm"`` or ``"pbs"`` (cores, memory, walltime, ...).
    jobs : int
        Batch jobs to start for ``slurm`` / ``pbs``.
    timeout : float
        Seconds to wait for the scheduler at ``address`` before giving up.
    """

    kind: str = "processes"
    workers: int | None = None
    address: str | None = None
    jobqueue: tuple[tuple[str, Any], ...] = ()
    jobs: int = 1
    timeout: float = CONNECT_TIMEOUT

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ConfigError("scheduler", self.kind, f"must be one of {list(KINDS)}")
        if self.workers is not None and self.workers < 1:
            raise ConfigError("workers", self.workers, "must be >= 1")
        if self.kind == "address" and not self.address:
            raise ConfigError("scheduler", self.address, "an address such as tcp://HOST:PORT")
        if not self.timeout > 0:
            raise ConfigError("connect timeout", self.timeout, "must be > 0 seconds")

    @property
    def n_workers(self) -> int:
        """Worker count for local kinds."""
        return self.workers or os.cpu_count() or 1

    def describe(self) -> str:
        """Short human-readable description, recorded in the manifest."""
        if self.kind == "sync":
            return "sync (in-process, sequential)"
        if self.kind == "threads":
            return f"threads ({self.n_workers} threads, in-process Dask cluster)"
        if self.kind == "processes":
            return f"LocalCluster ({self.n_workers} worker processes x 1 thread)"
        if self.kind in ("slurm", "pbs"):
            options = dict(self.jobqueue)
            return (
                f"{self.kind.upper()} via dask-jobqueue ({self.jobs} job(s) x "
                f"{options.get('processes')} worker processes)"
            )
        return f"Dask scheduler at {self.address}"


def jobqueue_cluster(spec: SchedulerSpec) -> Any:
    """A dask-jobqueue cluster object (no jobs submitted until ``scale``).

    Raises
    ------
    ConfigError
        If dask-jobqueue is not installed (``pip install 'tbu-mc[cluster]'``).
    """
    try:
        # from the defining modules: the package re-exports them without an __all__
        from dask_jobqueue.pbs import PBSCluster
        from dask_jobqueue.slurm import SLURMCluster
    except ImportError as exc:
        raise ConfigError(
            "--cluster", spec.kind, "needs dask-jobqueue: pip install 'tbu-mc[cluster]'"
        ) from exc
    cls = SLURMCluster if spec.kind == "slurm" else PBSCluster
    options = dict(spec.jobqueue)
    options["job_script_prologue"] = _job_script_prologue(spec.kind, options)
    options.pop("env_extra", None)  # merged into the prologue above
    with _cluster_settings():
        return cls(**options, scheduler_options={"dashboard_address": ":0"})


def _job_script_prologue(kind: str, options: dict[str, Any]) -> list[str]:
    """Job-script lines that export :data:`WORKER_MALLOC` and :data:`QUIET_DASK`, then the user's.

    A batch job's shell starts the nanny, so what it exports is in the nanny's environment from
    the start, where it wins over Dask's ``pre-spawn-environ`` (and its ``65536``), and the worker
    inherits it. The user's prologue (``job_script_prologue`` or the older ``env_extra``, given
    here or in Dask's ``jobqueue.<kind>`` config, read with dask-jobqueue's precedence) comes
    after ours, so the user's own exports of the same names win.
    """
    import dask

    config = f"jobqueue.{kind}"
    user = options.get("job_script_prologue")
    if user is None:
        user = dask.config.get(f"{config}.job-script-prologue", None)
    legacy = options.get("env_extra")
    if legacy is None:
        legacy = dask.config.get(f"{config}.env-extra", None)
    if not user and legacy:
        user = legacy
    ours = {**WORKER_MALLOC, **dask_environment(QUIET_DASK)}
    exports = [f"export {name}={shlex.quote(value)}" for name, value in ours.items()]
    return [*exports, *(user or [])]


def dask_environment(settings: dict[str, object]) -> dict[str, str]:
    """Dask settings as the environment variables Dask reads when it starts.

    ``distributed.admin.tick.interval`` becomes ``DASK_DISTRIBUTED__ADMIN__TICK__INTERVAL``;
    Dask reads a value as a Python literal where it is one (``False``) and as text otherwise.
    """
    return {
        "DASK_" + key.upper().replace("-", "_").replace(".", "__"): str(value)
        for key, value in settings.items()
    }


def _cluster_settings() -> Any:
    """Settings for a cluster started in this process, while it starts.

    Its scheduler reads them when it starts, and a nanny passes the configuration it was made
    with to its worker process: :data:`WORKER_SATURATION` and :data:`QUIET_DASK`.
    """
    import dask

    return dask.config.set(
        {"distributed.scheduler.worker-saturation": WORKER_SATURATION, **QUIET_DASK}
    )


@contextlib.contextmanager
def dask_client(spec: SchedulerSpec) -> Iterator[Any]:
    """A ``distributed.Client`` for a non-sync spec, closed (with its cluster) on exit."""
    from distributed import Client, LocalCluster

    if spec.kind in ("slurm", "pbs"):
        with jobqueue_cluster(spec) as cluster, Client(cluster) as client:
            cluster.scale(jobs=spec.jobs)
            yield client
        return
    if spec.kind == "address":
        if spec.address is None:  # SchedulerSpec refuses this already; here it narrows the type
            raise ConfigError("scheduler", spec.address, "an address such as tcp://HOST:PORT")
        with connect(spec.address, spec.timeout) as client:
            yield client
        return
    processes = spec.kind == "processes"
    with _cluster_settings(), _workers_ignore_interrupts(), _worker_memory_reuse(processes):
        cluster = LocalCluster(
            n_workers=spec.n_workers if processes else 1,
            threads_per_worker=1 if processes else spec.n_workers,
            processes=processes,
            dashboard_address=":0",  # a free port: None still claims 8787
            silence_logs=logging.ERROR,
        )
    try:
        with Client(cluster) as client:
            yield client
    finally:
        cluster.close()


def connect(address: str, timeout: float = CONNECT_TIMEOUT) -> Any:
    """A ``distributed.Client`` connected to the scheduler at ``address``.

    Raises
    ------
    ConfigError
        If no scheduler answers there within ``timeout`` seconds (or the address is malformed),
        naming the address and how to start a scheduler.
    """
    from distributed import Client

    try:
        return Client(address, timeout=f"{timeout}s")
    except (OSError, ValueError, TypeError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise ConfigError(
            "--scheduler",
            address,
            f"no Dask scheduler answered within {timeout:g} s ({reason}); start one with "
            "`dask scheduler` (and workers with `dask worker ADDRESS`), give its tcp://HOST:PORT, "
            "or leave out --scheduler to use a local cluster",
        ) from None


@contextlib.contextmanager
def _worker_memory_reuse(processes: bool) -> Iterator[None]:
    """Start worker processes with :data:`WORKER_MALLOC` in their environment.

    glibc reads these variables when a process starts, so they go in Dask's
    ``distributed.nanny.pre-spawn-environ``, which a nanny writes into this process's environment
    just before it spawns its worker (again if it restarts a lost one). A value already in the
    environment wins over that setting, and an earlier cluster of this process leaves Dask's
    ``65536`` there, so the values are also set here while the cluster starts; this process's own
    environment is put back afterwards.
    """
    if not processes:
        yield
        return
    import dask

    environ = {**dask.config.get("distributed.nanny.pre-spawn-environ", {}), **WORKER_MALLOC}
    saved = {name: os.environ.get(name) for name in WORKER_MALLOC}
    try:
        os.environ.update(WORKER_MALLOC)
        with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
            yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def _workers_ignore_interrupts() -> Iterator[None]:
    """Start worker processes with Ctrl-C ignored; the client shuts them down instead.

    A terminal sends Ctrl-C to every process of the command, and each worker would print its own
    traceback. A process inherits an ignored SIGINT (Python then installs no handler of its own),
    so the signal is ignored while the cluster starts and restored at once.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
