"""Where blocks run: in-process, on threads, on a local cluster, or on any Dask scheduler."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mc.errors import ConfigError

KINDS = ("sync", "threads", "processes", "address")


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
    """

    kind: str = "processes"
    workers: int | None = None
    address: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ConfigError("scheduler", self.kind, f"must be one of {list(KINDS)}")
        if self.workers is not None and self.workers < 1:
            raise ConfigError("workers", self.workers, "must be >= 1")
        if self.kind == "address" and not self.address:
            raise ConfigError("scheduler", self.address, "an address such as tcp://HOST:PORT")

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
        return f"Dask scheduler at {self.address}"


def parse_scheduler(
    sync: bool = False,
    workers: int | None = None,
    threads: int | None = None,
    address: str | None = None,
) -> SchedulerSpec:
    """Build a :class:`SchedulerSpec` from the command-line flags (at most one may be given)."""
    chosen = [
        name
        for name, value in (
            ("--sync", sync),
            ("--workers", workers),
            ("--threads", threads),
            ("--scheduler", address),
        )
        if value
    ]
    if len(chosen) > 1:
        raise ConfigError(
            "scheduler", chosen, "give at most one of --sync, --workers, --threads, --scheduler"
        )
    if sync:
        return SchedulerSpec("sync")
    if threads:
        return SchedulerSpec("threads", workers=threads)
    if address:
        return SchedulerSpec("address", address=address)
    return SchedulerSpec("processes", workers=workers)


@contextlib.contextmanager
def dask_client(spec: SchedulerSpec) -> Iterator[Any]:
    """A ``distributed.Client`` for a non-sync spec, closed (with its cluster) on exit."""
    from distributed import Client, LocalCluster

    if spec.kind == "address":
        with Client(spec.address, timeout="30s") as client:
            yield client
        return
    processes = spec.kind == "processes"
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
