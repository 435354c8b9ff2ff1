"""Any block function with its own reducer, under the engine's schedulers and fixed merge tree.

:func:`~mc.engine.simulation.simulate` runs a model's draws into :class:`BlockSummary` objects.
Other analyses that split into independent blocks (a sensitivity design) need the same
guarantees, each block a pure function of its index and the merges in a tree fixed by block
index, with their own per-block result and merge: :func:`run_merged` gives them that.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mc.engine.reduce import MergeStack
from mc.engine.schedulers import SchedulerSpec, dask_client


def run_merged[T](
    task: Callable[[Any, int], T],
    shared: Any,
    n_blocks: int,
    combine: Callable[[T, T], T],
    scheduler: SchedulerSpec | None = None,
    *,
    client: Any = None,
    retries: int = 2,
) -> T:
    """Run ``task(shared, block)`` for every block and merge the results in the fixed tree.

    Parameters
    ----------
    task : callable
        Pure module-level function of ``(shared, block)``; its randomness must come from the
        block index (picklable for process schedulers).
    shared : object
        What every block needs (sent once to each worker on a Dask client).
    n_blocks : int
        Blocks ``0 .. n_blocks - 1``.
    combine : callable
        Merges the results of two adjacent runs of blocks, left then right.
    scheduler : SchedulerSpec, optional
        Where to run; default ``sync`` (in this process). Ignored when ``client`` is given.
    client : distributed.Client, optional
        An existing client to use.
    retries : int
        Times Dask may rerun a failed block.

    Returns
    -------
    object
        The root of :func:`~mc.engine.reduce.tree_merge`'s tree over the blocks' results: the
        same bits for any scheduler and worker count.

    Raises
    ------
    ValueError
        If ``n_blocks`` is less than one.
    """
    if n_blocks < 1:
        raise ValueError(f"n_blocks must be at least 1, got {n_blocks}")
    scheduler = scheduler or SchedulerSpec("sync")
    if client is None and scheduler.kind == "sync":
        stack: MergeStack[T] = MergeStack(combine)
        for block in range(n_blocks):
            stack.push(task(shared, block))
        return stack.root()
    if client is not None:
        return _on_client(client, task, shared, n_blocks, combine, retries)
    with dask_client(scheduler) as c:
        return _on_client(c, task, shared, n_blocks, combine, retries)


def _on_client[T](
    client: Any,
    task: Callable[[Any, int], T],
    shared: Any,
    n_blocks: int,
    combine: Callable[[T, T], T],
    retries: int,
) -> T:
    # merges are submitted as soon as both inputs exist and run on the workers, with priority
    # over blocks, as in simulate(): only the root travels back
    held = client.scatter(shared, broadcast=True, hash=False)

    def merge(a: Any, b: Any) -> Any:
        return client.submit(combine, a, b, pure=False, priority=1)

    stack: MergeStack[Any] = MergeStack(merge)
    for block in range(n_blocks):
        stack.push(client.submit(task, held, block, pure=False, retries=retries))
    result: T = stack.root().result()
    return result
