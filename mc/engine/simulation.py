"""Run all blocks of a plan under a scheduler and merge their summaries in a fixed tree."""

from __future__ import annotations

import dataclasses
import secrets
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from mc.engine.blocks import Model, run_block
from mc.engine.checkpoint import Checkpoints, load_block, save_block
from mc.engine.moments import Moments
from mc.engine.plan import BlockPlan
from mc.engine.reduce import BlockSummary, Grid, MergeStack, Reducer, kept_draws, merge
from mc.engine.schedulers import SchedulerSpec, dask_client
from mc.errors import BlockError, TbuMcError

Progress = Callable[[int], None]

#: What the merge tree holds: a :class:`BlockSummary` in-process, a ``distributed.Future`` of
#: one (or of a merge of them) on a Dask client.
Held = Any

#: Block failures raised as they are rather than as a :class:`BlockError`: a user's error (such as
#: a damaged checkpoint, naming its file) and a file-system error (disk full while saving a
#: checkpoint, naming the path) are not faults of the block's code, and their own message says
#: what to do.
PASSED_THROUGH = (TbuMcError, OSError)


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
    stopping: dict[str, Any] | None = None
    #: Exceedance counts per threshold of the reducer (see :class:`~mc.engine.reduce.Reducer`).
    hits: dict[str, np.ndarray] | None = None

    @property
    def kept(self) -> int:
        """How many draws :attr:`draws` holds: all of them, or the first ones of a streamed run."""
        if not self.draws:
            return 0
        first = next(iter(self.draws.values()))
        return int(first.shape[0] * first.shape[1])

    @property
    def complete(self) -> bool:
        """Whether :attr:`draws` holds every draw of the run (exact statistics are possible)."""
        return self.kept == self.plan.draws

    def gathered(self) -> dict[str, np.ndarray]:
        """The draws of a run whose reducer gathered them.

        Raises
        ------
        RuntimeError
            If the run streamed its draws into histograms (they were not kept).
        """
        if self.draws is None:
            raise RuntimeError("internal error: the draws of a streamed run were not kept")
        return self.draws


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
    stopping: Stopping | None = None,
    restart: bool = False,
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
        ``gather`` (default: keep the draws) or ``stream`` (histograms, exceedance counts and
        block moments; memory independent of the draws but for the first ``reducer.keep``).
    checkpoints : Checkpoints, optional
        Save every finished block as it completes; blocks found there are not recomputed.
    resume : bool
        Continue the run whose checkpoints are there (refused if the run's identity changed).
    restart : bool
        Discard the checkpoints that are there and start again.
    stopping : Stopping, optional
        Run in waves and stop early once the precision targets are met; ``plan`` is then the cap.

    Returns
    -------
    SimulationResult
        Identical, bit for bit, for any scheduler, worker count, retry or resumption given the
        same ``entropy`` and ``plan``.

    Raises
    ------
    BlockError
        If a block fails after its retries, with the block index, the entropy and the traceback.
    TbuMcError, OSError
        As raised by a block (a damaged checkpoint, a full disk), unwrapped.
    """
    scheduler = scheduler or SchedulerSpec()
    reducer = reducer or Reducer()
    folder = None
    resumed = 0
    if checkpoints is not None:
        resumed = checkpoints.open(resume, restart)
        folder = str(checkpoints.folder.resolve())  # on the client: workers run elsewhere
    start = time.perf_counter()
    runner: _Runner
    try:
        if client is not None:
            runner = _ClientRunner(client, model, plan, entropy, retries, reducer, folder)
            root, info = _run_waves(runner, plan, entropy, progress, stopping)
            described = f"Dask client at {client.scheduler.address}"
        elif scheduler.kind == "sync":
            runner = _SyncRunner(model, plan, entropy, reducer, folder)
            root, info = _run_waves(runner, plan, entropy, progress, stopping)
            described = scheduler.describe()
        else:
            with dask_client(scheduler) as c:
                runner = _ClientRunner(c, model, plan, entropy, retries, reducer, folder)
                root, info = _run_waves(runner, plan, entropy, progress, stopping)
            described = scheduler.describe()
    except BaseException:
        # A run that saved no block leaves nothing to --resume. Only when the run's own cluster
        # is closed by now: on a caller's client a cancelled block may still finish and save.
        if checkpoints is not None and client is None:
            checkpoints.discard_if_empty()
        raise
    wall = time.perf_counter() - start
    done = BlockPlan(root.n * plan.block_size, plan.block_size)
    result = _result(root, done, entropy, described, wall, reducer, resumed)
    result.stopping = info
    return result


class _Runner(Protocol):
    """How :func:`_run_waves` drives blocks, in-process or on a Dask client."""

    def run(self, blocks: range, stack: MergeStack[Held], progress: Progress | None) -> None:
        """Run ``blocks`` and push each one's summary (or future) onto ``stack`` in order."""
        ...

    def combine(self, a: Held, b: Held) -> Held:
        """Merge two subtrees of the fixed tree."""
        ...

    def result(self, item: Held) -> BlockSummary:
        """The summary ``item`` stands for."""
        ...

    def cancel(self, stack: MergeStack[Held]) -> None:
        """Cancel what is still running or held."""
        ...


@dataclass(frozen=True)
class Stopping:
    """Run in waves of ``wave`` blocks and stop once ``check(merged summary)`` says so.

    ``check`` returns ``(done, details)``; the details of the last check are kept in
    :attr:`SimulationResult.stopping`. The blocks already run are never discarded, and the result
    equals a plain run of the same number of blocks.
    """

    wave: int
    check: Callable[[BlockSummary], tuple[bool, dict[str, Any]]]


class _SyncRunner:
    """Blocks one after another in this process, each merged as soon as it is done."""

    def __init__(
        self, model: Model, plan: BlockPlan, entropy: int, reducer: Reducer, folder: str | None
    ) -> None:
        self.args = (model, entropy)
        self.size, self.reducer, self.folder = plan.block_size, reducer, folder

    def run(self, blocks: range, stack: MergeStack[Held], progress: Progress | None) -> None:
        model, entropy = self.args
        for block in blocks:
            try:
                summary = run_block(model, entropy, block, self.size, self.reducer, self.folder)
            except PASSED_THROUGH:
                raise
            except Exception as exc:
                detail = "".join(traceback.format_exception(exc))
                raise BlockError(block, entropy, detail) from exc
            stack.push(summary)
            if progress:
                progress(self.size)

    def combine(self, a: Any, b: Any) -> Any:
        return merge(a, b)

    def result(self, item: Held) -> BlockSummary:
        summary: BlockSummary = item  # in-process every held item is a BlockSummary
        return summary

    def cancel(self, stack: MergeStack[Held]) -> None:
        """Nothing to cancel in-process."""


class _ClientRunner:
    """Blocks as Dask tasks; merges run on the workers and only roots travel back.

    The merges of the fixed tree go to the workers in tasks of up to :data:`FUSED_INPUTS`
    subtrees, each submitted as soon as its last input is, with a higher priority than the
    blocks; the client keeps no future of a finished block: a merged block's summary is released
    on the worker, so a streamed run holds about ``log2(blocks)`` summaries, not one per block.

    The first draws a streamed run keeps (``reducer.keep``, tens of MB) leave the tree: a block
    that keeps some sends them to the client as soon as it is done, while the blocks after it
    still run, and enters the tree without them. The root that reaches the client after the
    last block is then only histograms and moments, and :meth:`result` puts the kept draws back
    in block order (the tree would have concatenated them in the same order: the same arrays).
    """

    def __init__(
        self,
        client: Any,
        model: Model,
        plan: BlockPlan,
        entropy: int,
        retries: int,
        reducer: Reducer,
        folder: str | None,
    ) -> None:
        self.client = client
        self.model = client.scatter(model, broadcast=True, hash=False)
        self.entropy, self.size, self.retries = entropy, plan.block_size, retries
        self.reducer, self.folder = reducer, folder
        # checkpoints are written by the workers where they see the client's folder; otherwise
        # the client saves each block as it arrives (and loads saved ones itself)
        self.local: str | None = None
        if folder is not None and not workers_share(client, folder):
            self.local, self.folder = folder, None
        self.block_of: dict[Any, int] = {}
        self.running: set[Any] = set()
        # the kept draws travel outside the tree (streamed runs only: a gathered run's draws are
        # the tree's whole content); block -> future of its draws, then block -> its draws
        self.split = reducer.mode == "stream" and reducer.keep > 0
        self.kept_futures: dict[int, Any] = {}
        self.kept: dict[int, dict[str, np.ndarray]] = {}

    def run(self, blocks: range, stack: MergeStack[Held], progress: Progress | None) -> None:
        from distributed import as_completed

        for block in blocks:
            saved = None if self.local is None else load_block(self.local, block)
            if saved is not None:
                if self.split and saved.draws is not None:
                    self.kept[block] = saved.draws
                    saved = dataclasses.replace(saved, draws=None)
                stack.push(saved)
                if progress:
                    progress(self.size)
                continue
            future = self.client.submit(
                run_block,
                self.model,
                self.entropy,
                block,
                self.size,
                self.reducer,
                self.folder,
                pure=False,
                retries=self.retries,
            )
            self.block_of[future.key] = block
            self.running.add(future)
            if self.split and kept_draws(block, self.size, self.reducer.keep):
                # at the merges' priority: both run as soon as the block is done, on its worker
                self.kept_futures[block] = self.client.submit(
                    _kept_of, future, pure=False, priority=1
                )
                future = self.client.submit(_without_draws, future, pure=False, priority=1)
            stack.push(future)
        finished = as_completed(list(self.running))
        for future in finished:
            self.running.discard(future)
            if future.status == "cancelled":  # from outside: the run's other view failed
                future.result()  # raises the cancellation here, not a missing block later
            if future.status == "error":
                exc = future.exception()
                if isinstance(exc, PASSED_THROUGH):
                    raise exc
                detail = "".join(traceback.format_tb(future.traceback()))
                raise BlockError(
                    self.block_of[future.key], self.entropy, f"{detail}{type(exc).__name__}: {exc}"
                )
            if self.local is not None:
                save_block(self.local, future.result())
            kept = self.kept_futures.pop(self.block_of[future.key], None)
            if kept is not None:  # fetched now, while later blocks run, not after the last
                draws = kept.result()
                if draws is not None:
                    self.kept[self.block_of[future.key]] = draws
            if progress:
                progress(self.size)

    def combine(self, a: Any, b: Any) -> Any:
        return _fused(a, b, self._submit)

    def _submit(self, pending: _Pending) -> Any:
        """One task that merges ``pending``'s inputs in its tree (at the merges' priority)."""
        return self.client.submit(
            merge_nested, pending.shape, *pending.inputs, pure=False, priority=1
        )

    def result(self, item: Held) -> BlockSummary:
        if isinstance(item, _Pending):
            item = self._submit(item)
        summary: BlockSummary = item if isinstance(item, BlockSummary) else item.result()
        return self._with_kept(summary)

    def _with_kept(self, summary: BlockSummary) -> BlockSummary:
        """``summary`` with the kept draws of the blocks it covers, as the tree would have them."""
        blocks = sorted(b for b in self.kept if summary.first <= b < summary.first + summary.n)
        if not blocks:
            return summary
        parts = [self.kept[b] for b in blocks]
        if len(parts) == 1:  # a merge with a draw-less neighbour passes the dict on as it is
            return dataclasses.replace(summary, draws=parts[0])
        draws = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
        return dataclasses.replace(summary, draws=draws)

    def cancel(self, stack: MergeStack[Held]) -> None:
        held = [
            future
            for _, item in stack.held
            for future in (item.inputs if isinstance(item, _Pending) else (item,))
            if not isinstance(future, BlockSummary)
        ]
        self.client.cancel([*self.running, *held, *self.kept_futures.values()])


#: Subtrees a merge task on a cluster joins at most: the merges of the fixed tree run in tasks of
#: two levels each (four inputs, three merges) instead of one task per merge. Every task costs
#: the scheduler's bookkeeping, a place in a worker's short queue and a round trip before the
#: worker hears of its next one, while a merge itself takes 0.2 ms; a 10^7-draw national run
#: (2 x 40 blocks of 250,000) had 78 merge tasks and now has 26. The merges, and so the
#: floating-point result, are the same: :func:`merge_nested` follows the tree. A merge task
#: waits for all its inputs, so a worker may hold up to three more summaries than before.
FUSED_INPUTS = 4


@dataclass(frozen=True)
class _Pending:
    """Merges of the tree not yet submitted: ``shape`` nests indices into ``inputs``.

    ``inputs`` are futures (or summaries loaded on the client) of subtrees already submitted;
    ``shape`` is an index into them, or a pair of shapes to merge, left before right.
    """

    shape: Any
    inputs: tuple[Any, ...]

    @classmethod
    def join(cls, a: Any, b: Any) -> _Pending:
        """The merge of ``a`` (a subtree or a pending merge) and ``b``, after it."""
        left = a if isinstance(a, _Pending) else cls(0, (a,))
        right = b if isinstance(b, _Pending) else cls(0, (b,))
        shift = len(left.inputs)
        return cls((left.shape, _shifted(right.shape, shift)), left.inputs + right.inputs)


def _shifted(shape: Any, by: int) -> Any:
    if isinstance(shape, int):
        return shape + by
    return (_shifted(shape[0], by), _shifted(shape[1], by))


def _fused(a: Any, b: Any, submit: Callable[[_Pending], Any]) -> Any:
    """The merge of ``a`` and ``b``: pending, or submitted once it joins :data:`FUSED_INPUTS`."""
    merged = _Pending.join(a, b)
    return merged if len(merged.inputs) < FUSED_INPUTS else submit(merged)


def merge_tasks(n_blocks: int) -> int:
    """Merge tasks a cluster run of ``n_blocks`` blocks submits, the root's included.

    Examples
    --------
    >>> merge_tasks(1), merge_tasks(4), merge_tasks(16), merge_tasks(1024)
    (0, 1, 5, 341)
    """
    tasks = 0

    def submit(pending: _Pending) -> str:
        nonlocal tasks
        tasks += 1
        return "subtree"

    stack: MergeStack[Any] = MergeStack(lambda a, b: _fused(a, b, submit))
    for _ in range(n_blocks):
        stack.push("block")
    if n_blocks and isinstance(stack.root(), _Pending):
        tasks += 1
    return tasks


def merge_nested(shape: Any, *summaries: BlockSummary) -> BlockSummary:
    """On a worker: merge ``summaries`` in the tree ``shape`` (see :class:`_Pending`)."""
    if isinstance(shape, int):
        return summaries[shape]
    return merge(merge_nested(shape[0], *summaries), merge_nested(shape[1], *summaries))


def _kept_of(summary: BlockSummary) -> dict[str, np.ndarray] | None:
    """On a worker: a block's kept draws, for the client."""
    return summary.draws


def _without_draws(summary: BlockSummary) -> BlockSummary:
    """On a worker: a block's summary without its kept draws, for the merge tree."""
    return dataclasses.replace(summary, draws=None)


def _sees(path: str, token: str) -> bool:
    """On a worker: whether it reads ``token`` from ``path``."""
    try:
        return Path(path).read_text(encoding="utf-8") == token
    except OSError:
        return False


def workers_share(client: Any, folder: str, wait: float = 60.0) -> bool:
    """Whether every worker of ``client`` sees the client's ``folder`` (a shared file system).

    The client writes a token into the folder and asks each worker to read it back. With no
    worker yet (batch jobs still queued) it waits up to ``wait`` seconds for one; if none comes,
    it assumes a shared file system, and a worker that finds no checkpoint folder does not save
    (see :func:`~mc.engine.blocks.run_block`).
    """
    token = secrets.token_hex(8)
    probe = Path(folder) / f".probe-{token}"
    probe.write_text(token, encoding="utf-8")
    try:
        if not client.scheduler_info().get("workers"):
            try:
                client.wait_for_workers(1, timeout=wait)
            except TimeoutError:
                return True
        seen = client.run(_sees, str(probe), token)
    finally:
        probe.unlink(missing_ok=True)
    return all(seen.values())


def _run_waves(
    runner: _Runner,
    plan: BlockPlan,
    entropy: int,
    progress: Progress | None,
    stopping: Stopping | None,
) -> tuple[BlockSummary, dict[str, Any] | None]:
    """Run blocks wave by wave, merging them into the fixed tree as they are submitted."""
    wave = plan.n_blocks if stopping is None else max(1, stopping.wave)
    stack: MergeStack[Held] = MergeStack(runner.combine)
    info = None
    try:
        for first in range(0, plan.n_blocks, wave):
            runner.run(range(first, min(first + wave, plan.n_blocks)), stack, progress)
            if stopping is not None:
                done, info = stopping.check(runner.result(stack.root()))
                info = {**info, "blocks": stack.n}
                if done:
                    break
        return runner.result(stack.root()), info
    except BaseException:
        runner.cancel(stack)
        raise


def _result(
    root: BlockSummary,
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
        hits=root.hits,
    )
