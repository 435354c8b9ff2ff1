"""Run all blocks of a plan under a scheduler and put the pieces together in block order."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mc.engine.blocks import BlockResult, Model, run_block
from mc.engine.moments import Moments, merge_all
from mc.engine.plan import BlockPlan
from mc.engine.schedulers import SchedulerSpec, dask_client
from mc.errors import BlockError

Progress = Callable[[int], None]


@dataclass
class SimulationResult:
    """Draws of a run, arranged ``(chain=block, draw, ...)``, with merged moments and timings."""

    draws: dict[str, np.ndarray]
    moments: dict[str, Moments]
    plan: BlockPlan
    entropy: int
    scheduler: str
    wall_seconds: float
    block_seconds: list[float] = field(default_factory=list)


def simulate(
    model: Model,
    plan: BlockPlan,
    entropy: int,
    scheduler: SchedulerSpec | None = None,
    *,
    client: Any = None,
    retries: int = 2,
    progress: Progress | None = None,
) -> SimulationResult:
    """Run every block of ``plan`` and assemble the result.

    Parameters
    ----------
    model : Model
        Anything with ``simulate(rng, n) -> dict`` (picklable for process schedulers).
    plan : BlockPlan
        Draws and block size.
    entropy : int
        Seed entropy; block ``k`` uses ``SeedSequence(entropy, spawn_key=(k,))``.
    scheduler : SchedulerSpec, optional
        Where to run; default a LocalCluster with one process per core.
    client : distributed.Client, optional
        An existing client to use instead of starting one (``scheduler`` is then ignored).
    retries : int
        Times Dask may rerun a block whose task raised (worker loss is handled by Dask itself).
    progress : callable, optional
        Called with the number of draws each time a block finishes.

    Returns
    -------
    SimulationResult
        Identical, bit for bit, for any scheduler and worker count given the same ``entropy``
        and ``plan``.

    Raises
    ------
    BlockError
        If a block fails after its retries, with the block index, the entropy and the traceback.
    """
    scheduler = scheduler or SchedulerSpec()
    start = time.perf_counter()
    if client is not None:
        results = _run_on_client(client, model, plan, entropy, retries, progress)
        described = f"Dask client at {client.scheduler.address}"
    elif scheduler.kind == "sync":
        results = []
        for block in range(plan.n_blocks):
            try:
                results.append(run_block(model, entropy, block, plan.block_size))
            except Exception as exc:
                raise BlockError(block, entropy, _format(exc)) from exc
            if progress:
                progress(plan.block_size)
        described = scheduler.describe()
    else:
        with dask_client(scheduler) as c:
            results = _run_on_client(c, model, plan, entropy, retries, progress)
        described = scheduler.describe()
    wall = time.perf_counter() - start
    return assemble(results, plan, entropy, described, wall)


def _run_on_client(
    client: Any,
    model: Model,
    plan: BlockPlan,
    entropy: int,
    retries: int,
    progress: Progress | None,
) -> list[BlockResult]:
    from distributed import as_completed

    n = plan.n_blocks
    model_future = client.scatter(model, broadcast=True, hash=False)
    futures = client.map(
        run_block,
        [model_future] * n,
        [entropy] * n,
        list(range(n)),
        [plan.block_size] * n,
        pure=False,
        retries=retries,
    )
    block_of = {f.key: k for k, f in enumerate(futures)}
    results: list[BlockResult | None] = [None] * n
    try:
        for future in as_completed(futures):
            if future.status == "error":
                exc = future.exception()
                detail = "".join(_format_tb(future.traceback())) + f"{type(exc).__name__}: {exc}"
                raise BlockError(block_of[future.key], entropy, detail)
            result = future.result()
            results[result.block] = result
            future.release()
            if progress:
                progress(plan.block_size)
    except BaseException:
        client.cancel(futures)
        raise
    return [r for r in results if r is not None]


def assemble(
    results: list[BlockResult], plan: BlockPlan, entropy: int, scheduler: str, wall: float
) -> SimulationResult:
    """Stack block draws as chains and merge moments, always in block order."""
    results = sorted(results, key=lambda r: r.block)
    if [r.block for r in results] != list(range(plan.n_blocks)):
        raise RuntimeError("internal error: some blocks are missing from the result")
    names = list(results[0].draws)
    draws = {name: np.stack([r.draws[name] for r in results]) for name in names}
    moments = {name: merge_all([r.moments[name] for r in results]) for name in names}
    return SimulationResult(
        draws, moments, plan, entropy, scheduler, wall, [r.seconds for r in results]
    )


def _format(exc: BaseException) -> str:
    import traceback

    return "".join(traceback.format_exception(exc))


def _format_tb(tb: Any) -> list[str]:
    import traceback

    return traceback.format_tb(tb) if tb is not None else []
