"""ArviZ's bulk ESS and rank R-hat, with the rank normalisation computed once per cell.

ArviZ 1.x (``arviz_stats.base``) rank-normalises every cell three times for the summary table:
for the bulk ESS, for the bulk R-hat and for the tail R-hat, each through
``scipy.stats.rankdata`` (a stable merge sort) and ``scipy.stats.norm.ppf``. On 100,000 draws
that is most of the time of a default run. This module computes the same z-scores once per cell,
from NumPy's default (unstable) sort, and hands them to ArviZ's public array functions
``array_stats.ess(..., method="identity")`` and ``array_stats.rhat(..., method="identity")``,
which apply ArviZ's own ESS and R-hat formulas to arrays as given. The results are bit-identical
to ``az.ess(method="bulk")`` and ``az.rhat()`` (``tests/summary/test_fast_diagnostics.py``):

* average ranks are half-integers, exact in float64 whatever the sort, so ties need no stable
  sort: every value of a tie group gets ``(first + last) / 2`` of its positions, as ``rankdata``
  gives it;
* ranks are back-transformed with ArviZ's expression ``(rank - c) / (size - 2 * c + 1)``,
  ``c = 3/8`` (Blom, 1958), and mapped through ``scipy.special.ndtri``, which is what
  ``norm.ppf`` evaluates for the standard normal once its argument checks pass (every rank
  lies strictly inside (0, 1)); ``+ 0.0`` reproduces its ``* scale + loc`` on a zero;
* chains are split before ranking and the tail R-hat folds the split draws around their median,
  in ArviZ's order.

Draws with NaN, draws other than float64 (SciPy ranks float32 in float32) and fewer than 8 draws
per chain (ArviZ validates the unsplit chains, the ``identity`` methods would validate the halves)
are not handled here: :func:`fast_path_applies` says so and the caller uses ArviZ directly.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
from arviz_base import rcParams
from arviz_stats.base import array_stats
from scipy import stats
from scipy.special import ndtri

#: Blom's (1958) fractional offset, ArviZ's default in ``_backtransform_ranks``.
BLOM_C = 3 / 8
#: Fewest draws per chain for which the split halves pass ArviZ's minimum of 4 draws.
MIN_DRAWS = 8


def fast_path_applies(values: np.ndarray) -> bool:
    """Whether :func:`bulk_diagnostics` reproduces ArviZ for ``values``.

    Parameters
    ----------
    values : ndarray, shape (cells, chain, draw)
        Draws of each cell, chains as blocks.

    Returns
    -------
    bool
        True when ArviZ's NumPy backend is the active one, the draws are float64 (SciPy ranks
        and scores float32 in float32), there are at least :data:`MIN_DRAWS` draws per chain
        and no draw is NaN.
    """
    return (
        rcParams["stats.module"] == "base"
        and values.dtype == np.float64
        and values.ndim == 3
        and values.shape[-1] >= MIN_DRAWS
        and not np.isnan(values).any()
    )


def _backtransform(ranks: np.ndarray, size: int) -> np.ndarray:
    """Normal scores of ``ranks`` among ``size`` values, in ArviZ's order of operations."""
    quantiles = (ranks - BLOM_C) / (size - 2 * BLOM_C + 1)
    scores: np.ndarray = ndtri(quantiles) + 0.0  # scipy ships no types
    return scores


@functools.lru_cache(maxsize=8)
def _untied_scores(size: int) -> np.ndarray:
    """Scores of the ranks 1..size, which without ties are every cell's scores in sorted order.

    They depend on ``size`` alone, so one table serves every cell of a run.
    """
    scores = _backtransform(np.arange(1, size + 1, dtype=np.float64), size)
    scores.flags.writeable = False
    return scores


def z_scale(values: np.ndarray) -> np.ndarray:
    """Rank-normalised ``values`` (normal scores of their average ranks), as ArviZ's ``_z_scale``.

    Parameters
    ----------
    values : ndarray
        Any shape, no NaN; ranked over all its elements.

    Returns
    -------
    ndarray of float64, the shape of ``values``
        Equal to ``norm.ppf(backtransform(rankdata(values, method="average")))``.
    """
    flat = values.ravel()
    size = flat.size
    order = np.argsort(flat)
    ordered = flat[order]
    starts = ordered[1:] != ordered[:-1]
    scores = np.empty(size, dtype=np.float64)
    if starts.all():
        scores[order] = _untied_scores(size)
        return scores.reshape(values.shape)
    new_group = np.concatenate(([True], starts))
    bounds = np.concatenate((np.flatnonzero(new_group), [size]))
    # sorted positions bounds[g]..bounds[g+1]-1 hold ranks bounds[g]+1..bounds[g+1]: their mean
    # is a half-integer, exact in float64, so it does not depend on how ties were ordered
    mean_rank = 0.5 * (bounds[:-1] + 1 + bounds[1:])
    group = np.cumsum(new_group) - 1
    scores[order] = _backtransform(mean_rank, size)[group]
    return scores.reshape(values.shape)


def split_chains(values: np.ndarray) -> np.ndarray:
    """Split every chain (last two axes: chain, draw) in two, as ArviZ's ``_split_chains``.

    The first halves come first, then the last halves; the middle draw of an odd count is dropped.
    """
    half = values.shape[-1] // 2
    return np.concatenate((values[..., :half], values[..., -half:]), axis=-2)


def bulk_diagnostics(values: np.ndarray, rhat: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """Bulk ESS and rank-normalised split R-hat of every cell.

    Parameters
    ----------
    values : ndarray, shape (cells, chain, draw)
        Draws of each cell; :func:`fast_path_applies` must be true for it.
    rhat : bool
        Whether to compute R-hat; it is not computed for a single chain, where ArviZ has none.

    Returns
    -------
    ess : ndarray, shape (cells,)
        Equal to ``array_stats.ess(values, method="bulk")``.
    rhat : ndarray, shape (cells,) or None
        Equal to ``array_stats.rhat(values, method="rank")``; None if ``rhat`` is false or there is
        one chain.
    """
    rhat = rhat and values.shape[-2] >= 2  # ArviZ's R-hat needs two unsplit chains
    split = split_chains(values)
    bulk = np.empty(split.shape, dtype=np.float64)
    tail = np.empty(split.shape, dtype=np.float64) if rhat else None
    for cell in range(split.shape[0]):
        bulk[cell] = z_scale(split[cell])
        if tail is not None:
            folded = abs(split[cell] - np.median(split[cell]))
            tail[cell] = z_scale(folded)
    ess = np.asarray(array_stats.ess(bulk, method="identity"), dtype=np.float64)
    if tail is None:
        return ess, None
    rhat_bulk = np.asarray(array_stats.rhat(bulk, method="identity"), dtype=np.float64)
    rhat_tail = np.asarray(array_stats.rhat(tail, method="identity"), dtype=np.float64)
    # ArviZ takes the builtin max(bulk, tail): the bulk value unless the tail is larger
    return ess, np.where(rhat_tail > rhat_bulk, rhat_tail, rhat_bulk)


#: Normal probabilities of -1 and +1 sd, as ArviZ's ``_mcse_quantile`` writes them.
_ONE_SD = np.array([0.1586553, 0.8413447])


def quantile_mcse(values: np.ndarray, probs: Sequence[float]) -> dict[float, np.ndarray]:
    """ArviZ's quantile MCSE of every cell at each of ``probs``, one partial sort per cell.

    ArviZ (``_mcse_quantile``) takes the ESS of the indicator ``draw <= quantile`` over split
    chains, turns it into a beta interval around ``prob`` and reads the draws at the interval's
    ends from a full sort of the draws; per probability and cell. Here the quantiles of a cell
    come from one ``np.quantile`` call, the indicator ESS from ArviZ's public
    ``array_stats.ess(..., method="identity")`` on the split indicators, and the draws at the
    interval ends from one ``np.partition`` over every probability's two positions, which holds
    the same values a full sort would at those positions.

    Parameters
    ----------
    values : ndarray, shape (cells, chain, draw)
        Draws of each cell; :func:`fast_path_applies` must be true for it.
    probs : sequence of float
        Probabilities in (0, 1).

    Returns
    -------
    dict
        ``prob -> ndarray (cells,)``, each equal to
        ``array_stats.mcse(values, method="quantile", prob=prob)``.
    """
    cells = values.shape[0]
    size = values[0].size
    probs = [float(p) for p in probs]
    indicators = np.empty((len(probs), *split_chains(values).shape), dtype=np.float64)
    for cell in range(cells):
        quantiles = np.quantile(values[cell], probs, axis=None, method="linear")
        for k, q in enumerate(quantiles):
            indicators[k, cell] = split_chains(values[cell] <= q)
    result = {}
    bounds = []
    for k, prob in enumerate(probs):
        ess = np.asarray(array_stats.ess(indicators[k], method="identity"), dtype=np.float64)
        with np.errstate(invalid="ignore"):
            ppf = stats.beta.ppf(
                _ONE_SD, (ess * prob + 1)[:, None], (ess * (1 - prob) + 1)[:, None]
            )
        ppf_size = ppf * size - 1
        # ArviZ clips with nanmax/nanmin (a NaN end becomes the bound), as fmax/fmin do
        low = np.floor(np.fmax(ppf_size[:, 0], 0)).astype(np.intp)
        high = np.ceil(np.fmin(ppf_size[:, 1], size - 1)).astype(np.intp)
        bounds.append((low, high))
    ends = np.empty((len(probs), 2, cells), dtype=values.dtype)
    for cell in range(cells):
        kth = np.unique([b[cell] for pair in bounds for b in pair])
        part = np.partition(values[cell].ravel(), kth)
        for k, (low, high) in enumerate(bounds):
            ends[k, 0, cell] = part[low[cell]]
            ends[k, 1, cell] = part[high[cell]]
    for k, prob in enumerate(probs):
        result[prob] = (ends[k, 1] - ends[k, 0]) / 2
    return result
