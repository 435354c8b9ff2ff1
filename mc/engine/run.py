"""Run all blocks of a plan under a scheduler and merge their summaries in a fixed tree."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mc.engine.blocks import Model, run_block
from mc.engine.checkpoint import Checkpoints
from mc.engine.moments import Moments
from mc.engine.plan import BlockPlan
from mc.engine.reduce import Grid, Reducer, Summary, merge, tree_merge
from mc.engine.schedulers import SchedulerSpec, dask_client
from mc.errors import BlockError

Progress = Callable[[int], None]


@dataclass
class SimulationResult:
    """A run's merged summary: moments, and draws ``(chain=block, draw, ...)`` or histograms."""

    moments: dict[str, Moments]
    plan: BlockPlan
    entropy: int
    scheduler: str
    wall_seconds: float
    block_seconds: list[float] = field(default_factory=list)
    draws: dict[str, np.ndarray] | None = None
    counts: dict[str, np.ndarray] | None = None
    grids: dict[str, Grid] | None = None
    shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)
    resumed_blocks: int = 0
    block_mean: dict[str, np.ndarray] | None = None
    block_m2: dict[str, np.ndarray] | None = None


def simulate(
    model: Model,
    plan: BlockPlan,
    entropy: int,
    scheduler: SchedulerSpec | None = None,
    *,
    client: Any = None,
    retries: int = 2,
    progress: Progress | None = None,
    reducer: Reducer | None = None,
    checkpoints: Checkpoints | None = None,
    resume: bool = False,
) -> SimulationResult:
    """Run every block of ``plan`` and merge the block summaries.

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
        Times Dask may rerun a block whose task raised (a lost worker is handled by Dask itself:
        its blocks are recomputed elsewhere, from the same streams).
    progress : callable, optional
        Called with the number of draws each time a block finishes.
    reducer : Reducer, optional
        ``gather`` (default: keep the draws) or ``stream`` (histograms; memory independent of
        the draws).
    checkpoints : Checkpoints, optional
        Save every finished block as it completes; blocks found there are not recomputed.
    resume : bool
        Continue the run whose checkpoints are there (refused if the run's identity changed).

    Returns
    -------
    SimulationResult
        Identical, bit for bit, for any scheduler, worker count, retry or resumption given the
        same ``entropy`` and ``plan``.

    Raises
    ------
    BlockError
        If a block fails after its retries, with the block index, the entropy and the traceback.
    """
    scheduler = scheduler or SchedulerSpec()
    reducer = reducer or Reducer()
    folder = None
    resumed = 0
    if checkpoints is not None:
        resumed = checkpoints.open(resume)
        folder = str(checkpoints.folder)
    start = time.perf_counter()
    if client is not None:
        root = _run_on_client(client, model, plan, entropy, retries, progress, reducer, folder)
        described = f"Dask client at {client.scheduler.address}"
    elif scheduler.kind == "sync":
        summaries = []
        for block in range(plan.n_blocks):
            try:
                summaries.append(run_block(model, entropy, block, plan.block_size, reducer, folder))
            except Exception as exc:
                raise BlockError(block, entropy, "".join(traceback.format_exception(exc))) from exc
            if progress:
                progress(plan.block_size)
        root = tree_merge(summaries, merge)
        described = scheduler.describe()
    else:
        with dask_client(scheduler) as c:
            root = _run_on_client(c, model, plan, entropy, retries, progress, reducer, folder)
        described = scheduler.describe()
    wall = time.perf_counter() - start
    return _result(root, plan, entropy, described, wall, reducer, resumed)


def _run_on_client(
    client: Any,
    model: Model,
    plan: BlockPlan,
    entropy: int,
    retries: int,
    progress: Progress | None,
    reducer: Reducer,
    folder: str | None,
) -> Summary:
    from distributed import as_completed

    model_future = client.scatter(model, broadcast=True, hash=False)
    blocks = [
        client.submit(
            run_block,
            model_future,
            entropy,
            k,
            plan.block_size,
            reducer,
            folder,
            pure=False,
            retries=retries,
        )
        for k in range(plan.n_blocks)
    ]
    # the merge tree is built now, over block order, so it is the same whatever finishes first;
    # merges run on the workers and only the root travels to this process
    root = tree_merge(blocks, lambda a, b: client.submit(merge, a, b, pure=False))
    block_of = {f.key: k for k, f in enumerate(blocks)}
    try:
        for future in as_completed(blocks):
            if future.status == "error":
                exc = future.exception()
                detail = "".join(traceback.format_tb(future.traceback()))
                raise BlockError(
                    block_of[future.key], entropy, f"{detail}{type(exc).__name__}: {exc}"
                )
            if progress:
                progress(plan.block_size)
        return root.result()
    except BaseException:
        client.cancel([*blocks, root])
        raise


def _result(
    root: Summary,
    plan: BlockPlan,
    entropy: int,
    scheduler: str,
    wall: float,
    reducer: Reducer,
    resumed: int,
) -> SimulationResult:
    if (root.first, root.n) != (0, plan.n_blocks):
        raise RuntimeError("internal error: the merged summary does not cover every block")
    return SimulationResult(
        moments=root.moments,
        plan=plan,
        entropy=entropy,
        scheduler=scheduler,
        wall_seconds=wall,
        block_seconds=root.seconds,
        draws=root.draws,
        counts=root.counts,
        grids=reducer.grids,
        shapes=root.shapes,
        resumed_blocks=resumed,
        block_mean=root.block_mean,
        block_m2=root.block_m2,
    )
