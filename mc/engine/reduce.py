"""What a block leaves behind, and how block summaries merge.

A :class:`BlockSummary` covers a run of consecutive blocks: their moments, and either their draws
(``gather``: kept for exact quantiles and the DataTree) or fixed-grid histograms per output cell
(``stream``: memory independent of the number of draws; quantiles within one bin width). A streamed
summary also counts, per configured threshold, the draws beyond it (exceedance), keeps each block's
mean and sum of squared deviations (blocks as chains, for R-hat), and may carry the draws of the
run's first ``keep`` draws (the leading blocks only), so ``draws.nc`` can be written without the
client ever holding the rest.

Summaries are merged in a fixed balanced tree over block indices (``tree_merge``), the same tree
under every scheduler, so even the floating-point moments come out bit-identical however the
blocks were scheduled. On a cluster the merges run on the workers and only the root reaches the
client.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mc.engine.moments import Moments
from mc.kernels.sketch import (
    count_beyond,
    expand_counts,
    moments_and_bins,
    quantiles_from_counts,
    trim_counts,
)

PILOT_KEY = 2**31 - 1  # spawn key of the pilot stream that places sketch grids (never a block)


@dataclass(frozen=True)
class Grid:
    """Histogram grid of one variable: ``bins`` equal bins per cell on ``[lo, hi]``."""

    lo: np.ndarray  # (cells,)
    hi: np.ndarray  # (cells,)
    bins: int

    @property
    def width(self) -> np.ndarray:
        """Bin width per cell: the bound on a quantile's sketch error."""
        width: np.ndarray = (self.hi - self.lo) / self.bins  # numpy's stubs say Any here
        return width


@dataclass
class BlockSummary:
    """Blocks ``first .. first + n - 1`` reduced."""

    first: int
    n: int
    moments: dict[str, Moments]
    seconds: list[float]
    draws: dict[str, np.ndarray] | None = None  # (blocks, draws, ...) in block order
    counts: dict[str, np.ndarray] | None = None  # (cells, bins + 2) per variable
    shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)
    block_mean: dict[str, np.ndarray] | None = None  # (blocks, cells) when streaming: for R-hat
    block_m2: dict[str, np.ndarray] | None = None
    #: Draws beyond each threshold of :attr:`Reducer.thresholds`, keyed by its position
    #: (``"0"``, ``"1"``, ...), shaped like the variable's cells (exact counts: they add).
    hits: dict[str, np.ndarray] | None = None


def kept_draws(block: int, size: int, keep: int) -> int:
    """How many of block ``block``'s draws a streamed run with ``keep`` returns as draws.

    The kept draws are the first ones of the stream in whole blocks (so that ``draws.nc`` keeps
    its blocks as ArviZ chains): the first ``keep // size`` blocks; a ``keep`` smaller than one
    block keeps the first ``keep`` draws of block 0.
    """
    if keep >= size:
        return size if (block + 1) * size <= keep else 0
    return keep if block == 0 else 0


def kept_total(n_blocks: int, size: int, keep: int) -> int:
    """Draws a run of ``n_blocks`` blocks of ``size`` keeps (see :func:`kept_draws`)."""
    if keep >= size:
        return min(n_blocks, keep // size) * size
    return keep if n_blocks else 0


@dataclass(frozen=True)
class Reducer:
    """How blocks are summarised: ``mode`` is ``"gather"`` or ``"stream"`` (with ``grids``).

    A ``stream`` reducer also keeps the run's first ``keep`` draws (:func:`kept_draws`) and
    counts, per entry ``(variable, threshold, direction)`` of ``thresholds``, the draws strictly
    above or below the threshold.
    """

    mode: str = "gather"
    grids: dict[str, Grid] | None = None
    keep: int = 0
    thresholds: tuple[tuple[str, float, str], ...] = ()

    def summarize(self, block: int, draws: dict[str, np.ndarray], seconds: float) -> BlockSummary:
        """Reduce one block's draws (runs where the block ran)."""
        shapes = {name: values.shape[1:] for name, values in draws.items()}
        if self.mode == "gather":
            moments = {name: Moments.of(values) for name, values in draws.items()}
            kept = {name: values[None] for name, values in draws.items()}
            return BlockSummary(block, 1, moments, [seconds], draws=kept, shapes=shapes)
        assert self.grids is not None
        size = next(iter(draws.values())).shape[0] if draws else 0
        n_kept = kept_draws(block, size, self.keep)
        leading = None
        if n_kept:
            # a copy: the block's full arrays must not stay alive behind a view
            leading = {name: values[None, :n_kept].copy() for name, values in draws.items()}
        hits = {}
        for i, (name, threshold, direction) in enumerate(self.thresholds):
            if name in draws:
                hits[str(i)] = count_beyond(draws[name], threshold, direction)
        counts, moments = {}, {}
        for name, values in draws.items():
            # moments and histogram in one pass over each cell (the same numbers as
            # Moments.of and bin_into, which read the block twice more)
            grid = self.grids[name]
            flat = values.reshape(values.shape[0], -1)
            c = np.zeros((flat.shape[1], grid.bins + 2), dtype=_count_dtype(flat.shape[0]))
            parts = moments_and_bins(flat, grid.lo, grid.hi, c)
            mean, m2, low, high = (p.reshape(shapes[name]) for p in parts)
            moments[name] = Moments(flat.shape[0], mean, m2, low, high)
            counts[name] = c
        return BlockSummary(
            block,
            1,
            moments,
            [seconds],
            draws=leading,
            counts=counts,
            shapes=shapes,
            block_mean={name: np.ravel(m.mean)[None] for name, m in moments.items()},
            block_m2={name: np.ravel(m.m2)[None] for name, m in moments.items()},
            hits=hits or None,
        )


def _count_dtype(draws: int) -> type[np.integer]:
    """The narrowest histogram count type that cannot overflow with ``draws`` draws.

    The counts are most of what a streamed block sends to its merge (cells x 2,002 bins): a block
    of up to 65,535 draws fits in 16 bits (a quarter of 64), and the merges widen the type only
    when the merged draws need it.
    """
    for dtype in (np.uint16, np.uint32):
        if draws <= np.iinfo(dtype).max:
            return dtype
    return np.int64


def merge(a: BlockSummary, b: BlockSummary) -> BlockSummary:
    """Merge two adjacent summaries (``a`` directly before ``b``)."""
    if a.first + a.n != b.first:
        raise ValueError(f"summaries of blocks {a.first}+{a.n} and {b.first} are not adjacent")
    moments = {name: a.moments[name].merge(b.moments[name]) for name in a.moments}
    draws = counts = means = m2s = hits = None
    if a.draws is not None and b.draws is not None:
        draws = {name: np.concatenate([a.draws[name], b.draws[name]]) for name in a.draws}
    elif a.draws is not None or b.draws is not None:  # the kept draws end inside this merge
        draws = a.draws if a.draws is not None else b.draws
    if a.counts is not None and b.counts is not None:
        dtype = _count_dtype(next(iter(moments.values())).count) if moments else np.int64
        counts = {name: np.add(a.counts[name], b.counts[name], dtype=dtype) for name in a.counts}
    if a.block_mean is not None and b.block_mean is not None:
        means = {k: np.concatenate([a.block_mean[k], b.block_mean[k]]) for k in a.block_mean}
        assert a.block_m2 is not None and b.block_m2 is not None
        m2s = {k: np.concatenate([a.block_m2[k], b.block_m2[k]]) for k in a.block_m2}
    if a.hits is not None and b.hits is not None:
        hits = {k: a.hits[k] + b.hits[k] for k in a.hits}
    return BlockSummary(
        a.first,
        a.n + b.n,
        moments,
        a.seconds + b.seconds,
        draws,
        counts,
        a.shapes,
        means,
        m2s,
        hits,
    )


def tree_merge[T](items: Sequence[T], combine: Callable[[T, T], T]) -> T:
    """Combine in a fixed balanced tree: pairs (0, 1), (2, 3), ... then pairs of those."""
    level = list(items)
    if not level:
        raise ValueError("nothing to merge")
    while len(level) > 1:
        nxt = [combine(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


class MergeStack[T]:
    """Build :func:`tree_merge`'s tree while the items arrive, holding only ``log2(n)`` of them.

    Push items in index order. Two subtrees of the same size are combined as soon as the second
    arrives (a binary counter), so at most one subtree per bit of ``n`` is held; :meth:`root`
    combines what is held from the right. The tree, and so the floating-point result, is exactly
    the one :func:`tree_merge` builds over the same items (a test checks every ``n`` to 300).
    """

    def __init__(self, combine: Callable[[T, T], T]) -> None:
        self.combine = combine
        self.held: list[tuple[int, T]] = []  # (number of items, subtree), largest first
        self.n = 0

    def push(self, item: T) -> None:
        """Add the next item (the one after every item pushed so far)."""
        size = 1
        while self.held and self.held[-1][0] == size:
            _, left = self.held.pop()
            item = self.combine(left, item)
            size *= 2
        self.held.append((size, item))
        self.n += 1

    def root(self) -> T:
        """The tree over every item pushed so far; the held subtrees are kept for more pushes."""
        if not self.held:
            raise ValueError("nothing to merge")
        out = self.held[-1][1]
        for _, left in reversed(self.held[:-1]):
            out = self.combine(left, out)
        return out


def sketch_quantiles(
    summary: BlockSummary, grids: dict[str, Grid], probs: Sequence[float]
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Quantiles (and the out-of-grid flags) of every variable of a streamed summary."""
    assert summary.counts is not None
    out = {}
    for name, counts in summary.counts.items():
        grid = grids[name]
        values, outside = quantiles_from_counts(counts, grid.lo, grid.hi, np.asarray(probs))
        shape = (len(probs), *summary.shapes[name])
        out[name] = (values.reshape(shape), outside.reshape(shape))
    return out


def pilot_grids(
    pilot: dict[str, np.ndarray], bins: int = 2000, spread: float = 3.0
) -> dict[str, Grid]:
    """Grids from a pilot sample: the pilot's 0.5-99.5 % range widened ``spread`` times each way.

    Cells that do not vary get a narrow grid around their value.
    """
    grids = {}
    for name, values in pilot.items():
        flat = values.reshape(values.shape[0], -1)
        lo_q, hi_q = np.quantile(flat, [0.005, 0.995], axis=0)
        span = hi_q - lo_q
        pad = np.where(span > 0, spread * span, np.maximum(np.abs(lo_q) * 1e-6, 1e-9))
        grids[name] = Grid(lo_q - pad, hi_q + pad, bins)
    return grids


#: A summary's histograms are stored whole, as 32-bit counts, when that takes at most this many
#: bytes: their size then depends on the grid alone, never on the block's draws (a national
#: run's block: 5.3 MB whether it drew 25,000 draws or 250,000). Larger tables are trimmed.
WHOLE_COUNTS_BYTES = 16 * 2**20


def summary_to_arrays(s: BlockSummary) -> dict[str, Any]:
    """Flatten a summary into named arrays (for ``np.savez``).

    Histograms of at most :data:`WHOLE_COUNTS_BYTES` are stored whole as 32-bit counts (the
    national runs' grids). Larger ones are stored trimmed to each cell's non-empty bins
    (:func:`trim_counts`): a municipal block of 500 draws fills about a quarter of its 26 MB
    grid, which whole 32-bit counts would make 52 MB.
    """
    out: dict[str, Any] = {"_meta": np.array([s.first, s.n]), "_seconds": np.array(s.seconds)}
    for name, m in s.moments.items():
        out[f"m/{name}/count"] = np.array(m.count)
        for part in ("mean", "m2", "min", "max"):
            out[f"m/{name}/{part}"] = getattr(m, part)
        out[f"shape/{name}"] = np.array(s.shapes.get(name, ()), dtype=np.int64)
    tables = (("d", s.draws), ("bm", s.block_mean), ("bv", s.block_m2), ("x", s.hits))
    for kind, table in tables:
        for name, values in (table or {}).items():
            out[f"{kind}/{name}"] = values
    histograms = s.counts or {}
    whole = sum(c.shape[0] * c.shape[1] for c in histograms.values()) * 4 <= WHOLE_COUNTS_BYTES
    for name, counts in histograms.items():
        if whole:  # wider only for a summary of over 4.29e9 draws
            out[f"c/{name}"] = counts.astype(np.promote_types(counts.dtype, np.uint32))
            continue
        first, used, data = trim_counts(counts)
        out[f"t/{name}/width"] = np.array(counts.shape[1])
        out[f"t/{name}/first"], out[f"t/{name}/used"], out[f"t/{name}/data"] = first, used, data
    return out


def _counts_from_arrays(data: Any) -> dict[str, np.ndarray] | None:
    """Histograms of :func:`summary_from_arrays`: trimmed, or whole (older checkpoints)."""
    counts = {k[2:]: data[k] for k in data if k.startswith("c/")}
    for name in sorted({k.split("/")[1] for k in data if k.startswith("t/")}):
        part = {p: data[f"t/{name}/{p}"] for p in ("width", "first", "used", "data")}
        counts[name] = expand_counts(part["first"], part["used"], part["data"], int(part["width"]))
    return counts or None


def summary_from_arrays(data: Any) -> BlockSummary:
    """Inverse of :func:`summary_to_arrays`."""
    first, n = (int(v) for v in data["_meta"])
    names = sorted({key.split("/")[1] for key in data if key.startswith("m/")})
    moments = {
        name: Moments(
            int(data[f"m/{name}/count"]),
            data[f"m/{name}/mean"],
            data[f"m/{name}/m2"],
            data[f"m/{name}/min"],
            data[f"m/{name}/max"],
        )
        for name in names
    }

    def table(prefix: str) -> dict[str, np.ndarray] | None:
        return {k[len(prefix) :]: data[k] for k in data if k.startswith(prefix)} or None

    shapes = {name: tuple(int(v) for v in data[f"shape/{name}"]) for name in names}
    counts = _counts_from_arrays(data)
    if counts is not None:  # back to the type the summary had (whole tables are stored 32-bit)
        counts = {
            k: v.astype(_count_dtype(moments[k].count), copy=False) for k, v in counts.items()
        }
    return BlockSummary(
        first,
        n,
        moments,
        [float(v) for v in data["_seconds"]],
        table("d/"),
        counts,
        shapes,
        table("bm/"),
        table("bv/"),
        table("x/"),
    )
