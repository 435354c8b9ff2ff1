"""Fixed-grid histograms: a mergeable quantile sketch for outputs too large to gather.

Each output cell gets ``bins`` equal bins on ``[lo, hi]`` plus an underflow and an overflow bin.
Counts add exactly, so merging is associative and order-free. A quantile read from the merged
counts (linear within its bin) is off by at most one bin width from the exact sample quantile.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _bin_into(  # pragma: no cover - compiled
    values_by_cell: np.ndarray, lo: np.ndarray, hi: np.ndarray, counts: np.ndarray
) -> None:
    cells, n = values_by_cell.shape
    bins = counts.shape[1] - 2
    for c in range(cells):  # one cell's histogram at a time: it stays in cache
        low, high = lo[c], hi[c]
        for i in range(n):
            v = values_by_cell[c, i]
            if v < low:
                counts[c, 0] += 1
            elif v >= high:
                counts[c, bins + 1] += 1
            else:
                k = int((v - low) / (high - low) * bins)
                counts[c, 1 + min(k, bins - 1)] += 1


def bin_into(values: np.ndarray, lo: np.ndarray, hi: np.ndarray, counts: np.ndarray) -> None:
    """Add ``values`` (n x cells) to ``counts`` (cells x (bins + 2)), in place."""
    _bin_into(np.ascontiguousarray(np.asarray(values, dtype=np.float64).T), lo, hi, counts)


@njit(cache=True, nogil=True)
def _moments_and_bins(  # pragma: no cover - compiled
    values: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    counts: np.ndarray,
    mean: np.ndarray,
    m2: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
) -> None:
    n, cells = values.shape
    bins = counts.shape[1] - 2
    for c in range(cells):
        mean[c], low[c], high[c] = 0.0, np.inf, -np.inf
    for i in range(n):  # draw by draw in memory order: no transposed copy of the block
        for c in range(cells):
            v = values[i, c]
            mean[c] += v
            if v < low[c]:
                low[c] = v
            if v > high[c]:
                high[c] = v
            g_lo, g_hi = lo[c], hi[c]
            if v < g_lo:
                counts[c, 0] += 1
            elif v >= g_hi:
                counts[c, bins + 1] += 1
            else:
                k = int((v - g_lo) / (g_hi - g_lo) * bins)
                counts[c, 1 + min(k, bins - 1)] += 1
    for c in range(cells):
        mean[c] /= n
        m2[c] = 0.0
    for i in range(n):
        for c in range(cells):
            d = values[i, c] - mean[c]
            m2[c] += d * d


def moments_and_bins(
    values: np.ndarray, lo: np.ndarray, hi: np.ndarray, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`bin_into` and :func:`mc.kernels.moments.column_moments` in one compiled pass.

    A streamed block needs both of every output cell; this reads the block once for the sums,
    extremes and histograms and once more for the squared deviations, in memory order, instead
    of the two passes of the moments plus a transposed copy and a pass for the bins. Each cell's
    sums run over the draws in the same order as :func:`~mc.kernels.moments.column_moments`, so
    the results are the same to the bit (a test checks both against the separate kernels).

    Parameters
    ----------
    values : ndarray, shape (n, cells)
        Draws on axis 0; ``n >= 1``.
    lo, hi : ndarray, shape (cells,)
        Each cell's grid.
    counts : ndarray, shape (cells, bins + 2)
        Histogram counts, added to in place.

    Returns
    -------
    mean, m2, low, high : ndarray, shape (cells,)
        Mean, sum of squared deviations, min and max of each cell.
    """
    by_draw = np.ascontiguousarray(values, dtype=np.float64)  # a no-op for a block's outputs
    cells = by_draw.shape[1]
    mean, m2 = np.empty(cells), np.empty(cells)
    low, high = np.empty(cells), np.empty(cells)
    _moments_and_bins(by_draw, lo, hi, counts, mean, m2, low, high)
    return mean, m2, low, high


@njit(cache=True, nogil=True)
def _count_beyond(  # pragma: no cover - compiled
    values: np.ndarray, threshold: float, above: bool, counts: np.ndarray
) -> None:
    n, cells = values.shape
    for i in range(n):  # in memory order, like _moments_and_bins
        for c in range(cells):
            v = values[i, c]
            if (v > threshold) if above else (v < threshold):
                counts[c] += 1


def count_beyond(values: np.ndarray, threshold: float, direction: str) -> np.ndarray:
    """Draws strictly above (``direction="above"``) or below ``threshold``, per cell.

    The compiled twin of :func:`count_beyond_numpy`, reading the block once without the boolean
    temporary and the widening sum of the reference (exact counts, so the same numbers).

    Parameters
    ----------
    values : ndarray, shape (n, ...)
        Draws on axis 0.
    threshold : float
        The level; a NaN draw is beyond no threshold.
    direction : str
        ``"above"`` or ``"below"``.

    Returns
    -------
    ndarray of int64, shape ``values.shape[1:]``
    """
    flat = np.ascontiguousarray(values, dtype=np.float64).reshape(values.shape[0], -1)
    counts = np.zeros(flat.shape[1], dtype=np.int64)
    _count_beyond(flat, float(threshold), direction == "above", counts)
    return counts.reshape(values.shape[1:])


def count_beyond_numpy(values: np.ndarray, threshold: float, direction: str) -> np.ndarray:
    """NumPy reference of :func:`count_beyond`."""
    beyond = values > threshold if direction == "above" else values < threshold
    counts: np.ndarray = np.count_nonzero(beyond, axis=0).astype(np.int64)
    return counts


def bin_into_numpy(values: np.ndarray, lo: np.ndarray, hi: np.ndarray, counts: np.ndarray) -> None:
    """NumPy reference of :func:`bin_into`."""
    bins = counts.shape[1] - 2
    position = np.floor((values - lo) / (hi - lo) * bins)
    # a value just below ``hi`` can compute to position ``bins``: it is in the last bin, as in
    # the compiled kernel; only ``values >= hi`` overflow. Infinities are clipped before the cast.
    index = np.clip(np.nan_to_num(position, posinf=bins, neginf=-1), -1, bins - 1).astype(np.int64)
    index = np.where(values >= hi, bins + 1, index + 1)
    for c in range(values.shape[1]):
        counts[c] += np.bincount(index[:, c], minlength=bins + 2)


def quantiles_from_counts(
    counts: np.ndarray, lo: np.ndarray, hi: np.ndarray, probs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Quantiles per cell from histogram counts, linear within bins.

    Returns
    -------
    values : ndarray, shape (len(probs), cells)
        Estimated quantiles.
    outside : ndarray of bool, same shape
        True where the quantile fell in the underflow or overflow bin (the estimate is then the
        grid's edge and not to be trusted).
    """
    cells, width = counts.shape
    bins = width - 2
    total = counts.sum(axis=1)
    cumulative = np.cumsum(counts, axis=1)
    out = np.empty((len(probs), cells))
    outside = np.zeros((len(probs), cells), dtype=bool)
    step = (hi - lo) / bins
    for j, p in enumerate(probs):
        target = p * total
        k = np.array([np.searchsorted(cumulative[c], target[c], side="left") for c in range(cells)])
        before = np.where(k > 0, cumulative[np.arange(cells), np.maximum(k - 1, 0)], 0)
        inside = counts[np.arange(cells), k]
        fraction = np.where(inside > 0, (target - before) / np.maximum(inside, 1), 0.5)
        out[j] = lo + (k - 1 + fraction) * step
        outside[j] = (k == 0) | (k == bins + 1)
        out[j] = np.where(k == 0, lo, np.where(k == bins + 1, hi, out[j]))
    return out, outside


@njit(cache=True, nogil=True)
def _trim(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover
    cells, width = counts.shape
    first = np.zeros(cells, dtype=np.int64)
    used = np.zeros(cells, dtype=np.int64)
    for c in range(cells):
        lo = 0
        while lo < width and counts[c, lo] == 0:
            lo += 1
        hi = width - 1
        while hi >= lo and counts[c, hi] == 0:
            hi -= 1
        if hi >= lo:
            first[c] = lo
            used[c] = hi - lo + 1
    data = np.empty(used.sum(), dtype=counts.dtype)
    at = 0
    for c in range(cells):
        for k in range(used[c]):
            data[at + k] = counts[c, first[c] + k]
        at += used[c]
    return first, used, data


@njit(cache=True, nogil=True)
def _expand(  # pragma: no cover - compiled
    first: np.ndarray, used: np.ndarray, data: np.ndarray, counts: np.ndarray
) -> None:
    at = 0
    for c in range(first.shape[0]):
        for k in range(used[c]):
            counts[c, first[c] + k] = data[at + k]
        at += used[c]


def trim_counts(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each cell's histogram cut to the bins from its first to its last non-empty one.

    Grids leave room for draws the pilot did not see, so a block's draws fill only part of each
    (a municipal block of 500 draws keeps about a quarter of its bins). Returns
    ``(first, used, data)``: per cell the first kept bin and the number of bins kept, and the
    kept counts of all cells one after another (in the counts' own type).
    """
    return _trim(np.ascontiguousarray(counts))


def expand_counts(first: np.ndarray, used: np.ndarray, data: np.ndarray, width: int) -> np.ndarray:
    """Inverse of :func:`trim_counts`: the ``(cells, width)`` counts, in ``data``'s type.

    Raises
    ------
    ValueError
        If the parts do not fit together (a damaged file): the compiled copy does not check
        its indices, so they are checked here.
    """
    first, used = np.asarray(first, dtype=np.int64), np.asarray(used, dtype=np.int64)
    if (
        first.shape != used.shape
        or first.ndim != 1
        or int(used.sum()) != data.size
        or np.any(first < 0)
        or np.any(used < 0)
        or np.any(first + used > width)
    ):
        raise ValueError(
            f"trimmed histograms do not fit a width of {width} bins: {first.size} cells, "
            f"{int(used.sum())} kept bins, {data.size} counts"
        )
    counts = np.zeros((first.shape[0], width), dtype=data.dtype)
    _expand(first, used, data, counts)
    return counts
