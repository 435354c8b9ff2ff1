"""The engine end to end on the default configuration: in-process and on LocalClusters.

:func:`mc.engine.simulate` runs the model of ``configs/tbu-2025.yaml`` in-process (``sync``), on
a fresh LocalCluster of two single-threaded worker processes (started and closed inside the
timing, the workers loading the numba kernel in their first block) and on such a cluster started
beforehand and warmed by one untimed run, which isolates the per-run overhead.
:func:`scheduler_cases` is that protocol, which :mod:`benchmarks.projection` runs on its models
too.

Everything here is called from ``benchmarks/__main__.py`` under its ``__main__`` guard: the
LocalCluster's spawned workers re-import the main module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchmarks.render import table
from benchmarks.timing import run_facts

Log = Callable[[str], None]
#: One timed run on a scheduler, on the running cluster ``client`` if it is not ``None``.
Case = Callable[[Any, Any], dict[str, Any]]


@dataclass(frozen=True)
class EngineSettings:
    """Draws and block size of the end-to-end runs."""

    draws: int
    block_size: int

    @classmethod
    def for_mode(cls, quick: bool) -> EngineSettings:
        """Settings of the full (default) or quick run."""
        return cls(100_000, 25_000) if quick else cls(400_000, 100_000)


def scheduler_cases(case: Case, log_case: Callable[[dict], None]) -> list[dict[str, Any]]:
    """``case`` in-process, on a fresh 2-process LocalCluster and on a running, warm one.

    Parameters
    ----------
    case : callable
        ``case(spec, client)`` runs and times one :func:`mc.engine.simulate`; ``client`` is
        ``None`` unless the cluster is already running.
    log_case : callable
        Called with each timed case.

    Returns
    -------
    list of dict
        The three cases; the warm one's ``scheduler`` says it was already running and warm.
    """
    from mc.engine import SchedulerSpec
    from mc.engine.schedulers import dask_client

    cases = []
    for spec in (SchedulerSpec("sync"), SchedulerSpec("processes", workers=2)):
        cases.append(case(spec, None))
        log_case(cases[-1])
    spec = SchedulerSpec("processes", workers=2)
    with dask_client(spec) as client:
        case(spec, client)  # untimed: the workers load the kernel and receive the model
        warm = case(spec, client)
    warm["scheduler"] = f"{spec.describe()}, already running and warm"
    cases.append(warm)
    log_case(warm)
    return cases


def timed_run(
    model: Any, draws: int, block_size: int, entropy: int, scheduler: Any, client: Any = None
) -> tuple[dict[str, Any], Any]:
    """One :func:`mc.engine.simulate` run: its :func:`~benchmarks.timing.run_facts` and result.

    ``wall_seconds`` is :class:`~mc.engine.SimulationResult`'s own: from before the blocks are
    submitted (for ``processes``, before the LocalCluster starts) until the draws are assembled
    (after the cluster has shut down; with ``client``, only the run on that running cluster).
    The share not spent inside blocks is ``1 - sum(block_seconds) / (wall_seconds * workers)``.
    """
    from mc.engine import BlockPlan, simulate

    plan = BlockPlan(draws, block_size)
    result = simulate(model, plan, entropy, scheduler, client=client)
    workers = 1 if scheduler.kind == "sync" else scheduler.n_workers
    return {"scheduler": result.scheduler, **run_facts(result, workers)}, result


def case_summary(case: dict[str, Any], rate_digits: int = 0) -> str:
    """Draws, blocks, wall time, rate and the time in and outside blocks, for the log."""
    return (
        f"{case['draws']:,} draws in {case['blocks']} blocks, wall {case['wall_seconds']:.2f} s "
        f"-> {case['draws_per_second']:,.{rate_digits}f} draws/s, in blocks "
        f"{case['sum_block_seconds']:.2f} s, outside blocks "
        f"{100 * case['outside_blocks_share']:.0f}% "
        f"(blocks: {', '.join(f'{b:.2f}' for b in case['block_seconds'])} s)"
    )


def run(model: Any, settings: EngineSettings, entropy: int, log: Log) -> list[dict[str, Any]]:
    """Time the engine on the default model the three ways of :func:`scheduler_cases`."""
    s = settings

    def case(spec: Any, client: Any) -> dict[str, Any]:
        return timed_run(model, s.draws, s.block_size, entropy, spec, client)[0]

    return scheduler_cases(case, lambda c: log(f"engine {c['scheduler']}: {case_summary(c)}"))


#: Columns of :func:`case_cells`.
HEADER = ["scheduler", "draws", "blocks", "wall s", "draws/s", "sum of block s"]
HEADER += ["wall share outside blocks"]


def case_cells(case: dict[str, Any], rate_digits: int = 0) -> list[str]:
    """One run's row of an engine table (columns :data:`HEADER`)."""
    return [
        case["scheduler"],
        f"{case['draws']:,}",
        f"{case['blocks']} x {case['block_size']:,}",
        f"{case['wall_seconds']:.2f}",
        f"{case['draws_per_second']:,.{rate_digits}f}",
        f"{case['sum_block_seconds']:.2f}",
        f"{100 * case['outside_blocks_share']:.0f}%",
    ]


def markdown(cases: list[dict[str, Any]]) -> list[str]:
    """The engine table and what its columns mean."""
    return [
        "### Engine (end to end, default configuration)",
        "",
        *table(HEADER, [case_cells(c) for c in cases]),
        "",
        "Wall time includes starting and closing the LocalCluster, except in the last row "
        "(a cluster started beforehand that has done one untimed run). The first block on each "
        "fresh worker includes loading the numba kernel. The share outside blocks is "
        "`1 - sum(block_seconds) / (wall_seconds x workers)`: for the cluster, Dask overhead "
        "(cluster start-up and shutdown, scattering the model, task dispatch, returning the "
        "draws) plus idle workers; for `sync`, stacking the blocks and merging moments.",
    ]
