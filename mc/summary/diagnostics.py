"""ArviZ's bulk ESS, rank R-hat and quantile MCSE, and exact quantiles, from one sort per cell.

ArviZ 1.x (``arviz_stats.base``) rank-normalises every cell three times for the summary table
(bulk ESS, bulk R-hat, tail R-hat), each through ``scipy.stats.rankdata`` (a stable merge sort)
and ``scipy.stats.norm.ppf``, and sorts it fully again for each quantile MCSE. On 100,000 draws
that was most of the time of a default run. :func:`diagnose` sorts the split draws of a cell once
(NumPy's default, unstable sort) and takes from that sort the normal scores, the median and the
order of the folded draws, the quantiles and the MCSE interval ends. ArviZ's own ESS and R-hat
formulas are then applied to the scores through its public array functions
``array_stats.ess(..., method="identity")`` and ``array_stats.rhat(..., method="identity")``.
The results are bit-identical to ArviZ's (``tests/summary/test_fast_diagnostics.py``):

* average ranks are half-integers, exact in float64 whatever the sort, so ties need no stable
  sort: every value of a tie group gets ``(first + last) / 2`` of its positions, as ``rankdata``
  gives it;
* ranks are back-transformed with ArviZ's expression ``(rank - c) / (size - 2 * c + 1)``,
  ``c = 3/8`` (Blom, 1958), and mapped through ``scipy.special.ndtri``, which is what
  ``norm.ppf`` evaluates for the standard normal once its argument checks pass (every rank
  lies strictly inside (0, 1)); ``+ 0.0`` reproduces its ``* scale + loc`` on a zero;
* chains are split before ranking and the tail R-hat folds the split draws around their median,
  in ArviZ's order;
* quantiles and order statistics depend on the values only, not on their order, so the sorted
  copy gives what ``np.quantile``, ``np.median`` and ArviZ's full sort give.

Draws with NaN, draws other than float64 (SciPy ranks float32 in float32) and fewer than 8 draws
per chain (ArviZ validates the unsplit chains, the ``identity`` methods would validate the halves)
are not handled here: :func:`fast_path_applies` says so and the caller uses ArviZ directly.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from arviz_base import rcParams
from arviz_stats.base.array import array_stats
from scipy import stats
from scipy.special import ndtri

#: Blom's (1958) fractional offset, ArviZ's default in ``_backtransform_ranks``.
BLOM_C = 3 / 8
#: Draws handled at once by :func:`diagnose` (cells x chains x draws): 16 MB per float64 array.
CHUNK_VALUES = 2**21
#: Fewest draws per chain for which the split halves pass ArviZ's minimum of 4 draws.
MIN_DRAWS = 8


def fast_path_applies(values: np.ndarray) -> bool:
    """Whether :func:`diagnose` reproduces ArviZ for ``values``.

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


def _scores(order: np.ndarray, ordered: np.ndarray) -> np.ndarray:
    """Normal scores of the values whose ascending order is ``order`` (``ordered`` = sorted)."""
    size = ordered.size
    starts = ordered[1:] != ordered[:-1]
    scores = np.empty(size, dtype=np.float64)
    if starts.all():
        scores[order] = _untied_scores(size)
        return scores
    new_group = np.concatenate(([True], starts))
    bounds = np.concatenate((np.flatnonzero(new_group), [size]))
    # sorted positions bounds[g]..bounds[g+1]-1 hold ranks bounds[g]+1..bounds[g+1]: their mean
    # is a half-integer, exact in float64, so it does not depend on how ties were ordered
    mean_rank = 0.5 * (bounds[:-1] + 1 + bounds[1:])
    group = np.cumsum(new_group) - 1
    scores[order] = _backtransform(mean_rank, size)[group]
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
    order = np.argsort(flat)
    return _scores(order, flat[order]).reshape(values.shape)


def _folded_scores(ordered: np.ndarray, order: np.ndarray, median: float) -> np.ndarray:
    """Scores of ``abs(x - median)`` from the sort of ``x`` (``ordered = x[order]``).

    Folding sorted draws gives a run that falls to the median and a run that rises after it;
    reversing the first and merging the two (a stable sort finds both runs and merges them in
    linear time) orders the folded draws without a second full sort.
    """
    folded = abs(ordered - median)
    below = int(np.searchsorted(ordered, median, side="left"))
    runs = np.concatenate((folded[:below][::-1], folded[below:]))
    merge = np.argsort(runs, kind="stable")
    positions = np.concatenate((np.arange(below - 1, -1, -1), np.arange(below, ordered.size)))
    return _scores(order[positions[merge]], runs[merge])


def split_chains(values: np.ndarray) -> np.ndarray:
    """Split every chain (last two axes: chain, draw) in two, as ArviZ's ``_split_chains``.

    The first halves come first, then the last halves; the middle draw of an odd count is dropped.
    """
    half = values.shape[-1] // 2
    return np.concatenate((values[..., :half], values[..., -half:]), axis=-2)


#: Normal probabilities of -1 and +1 sd, as ArviZ's ``_mcse_quantile`` writes them.
_ONE_SD = np.array([0.1586553, 0.8413447])


@dataclass(frozen=True)
class Diagnostics:
    """ArviZ's diagnostics of every cell of one variable (see :func:`diagnose`)."""

    #: Bulk ESS, shape (cells,).
    ess: np.ndarray
    #: Rank-normalised split R-hat, shape (cells,); None if not asked or one chain.
    rhat: np.ndarray | None
    #: Quantile MCSE per probability, each shape (cells,).
    mcse: dict[float, np.ndarray]
    #: ``np.quantile`` of each cell's draws (linear), shape (len(quantiles), cells).
    quantiles: np.ndarray


def diagnose(
    values: np.ndarray,
    mcse_probs: Sequence[float],
    quantiles: Sequence[float] = (),
    rhat: bool = True,
) -> Diagnostics:
    """Bulk ESS, rank R-hat, quantile MCSEs and quantiles of every cell from one sort per cell.

    ArviZ sorts each cell once per statistic; here one sort of the split draws gives the bulk
    scores, the median and the order of the folded draws (tail R-hat) and, when every draw is in
    the split (an even number per chain), the order statistics the quantiles and the MCSE
    intervals read. The ESS and R-hat formulas are ArviZ's own, through its public
    ``array_stats.ess``/``array_stats.rhat`` with ``method="identity"``. The quantile MCSE
    follows ArviZ's ``_mcse_quantile``: the ESS of ``draw <= quantile`` over split chains, a
    beta interval around the probability, half the distance between the draws at its ends.

    Parameters
    ----------
    values : ndarray, shape (cells, chain, draw)
        Draws of each cell; :func:`fast_path_applies` must be true for it.
    mcse_probs : sequence of float
        Probabilities in (0, 1) of the quantile MCSEs.
    quantiles : sequence of float
        Probabilities of the quantiles to return, in [0, 1].
    rhat : bool
        Whether to compute R-hat; it is not computed for a single chain, where ArviZ has none.

    Returns
    -------
    Diagnostics
        ``ess`` equal to ``array_stats.ess(values, method="bulk")``, ``rhat`` to
        ``array_stats.rhat(values, method="rank")``, ``mcse[p]`` to
        ``array_stats.mcse(values, method="quantile", prob=p)`` and ``quantiles`` to
        ``np.quantile(draws, quantiles)`` of each cell, all to the bit.
    """
    cells, chains, draws = values.shape
    # cells are independent: a few at a time bounds the working arrays (about eight copies)
    step = max(1, CHUNK_VALUES // max(1, chains * draws))
    if cells > step:
        parts = [
            diagnose(values[i : i + step], mcse_probs, quantiles, rhat)
            for i in range(0, cells, step)
        ]
        rhats = [p.rhat for p in parts if p.rhat is not None] if parts[0].rhat is not None else None
        return Diagnostics(
            np.concatenate([p.ess for p in parts]),
            None if rhats is None else np.concatenate(rhats),
            {q: np.concatenate([p.mcse[q] for p in parts]) for q in parts[0].mcse},
            np.concatenate([p.quantiles for p in parts], axis=1),
        )
    rhat = rhat and chains >= 2  # ArviZ's R-hat needs two unsplit chains
    mcse_probs = [float(p) for p in mcse_probs]
    split = split_chains(values)
    size = values.shape[1] * values.shape[2]
    bulk = np.empty(split.shape, dtype=np.float64)
    tail = np.empty(split.shape, dtype=np.float64) if rhat else None
    indicators = np.empty((len(mcse_probs), *split.shape), dtype=np.float64)
    cell_sorted = np.empty((cells, size), dtype=values.dtype)
    for cell in range(cells):
        flat = split[cell].ravel()
        order = np.argsort(flat)
        ordered = flat[order]
        bulk[cell] = _scores(order, ordered).reshape(split.shape[1:])
        if tail is not None:
            # np.median depends on the values only, so the sorted copy gives ArviZ's median
            median = np.median(ordered)
            tail[cell] = _folded_scores(ordered, order, median).reshape(split.shape[1:])
        # an odd draw count leaves the middle draws out of the split: sort the cell itself
        cell_sorted[cell] = ordered if draws % 2 == 0 else np.sort(values[cell], axis=None)
        at = np.quantile(cell_sorted[cell], mcse_probs, method="linear")
        for k, q in enumerate(at):
            indicators[k, cell] = split_chains(values[cell] <= q)
    ess = np.asarray(array_stats.ess(bulk, method="identity"), dtype=np.float64)
    rhat_values = None
    if tail is not None:
        rhat_bulk = np.asarray(array_stats.rhat(bulk, method="identity"), dtype=np.float64)
        rhat_tail = np.asarray(array_stats.rhat(tail, method="identity"), dtype=np.float64)
        # ArviZ takes the builtin max(bulk, tail): the bulk value unless the tail is larger
        rhat_values = np.where(rhat_tail > rhat_bulk, rhat_tail, rhat_bulk)
    mcse = {}
    rows = np.arange(cells)
    for k, prob in enumerate(mcse_probs):
        q_ess = np.asarray(array_stats.ess(indicators[k], method="identity"), dtype=np.float64)
        with np.errstate(invalid="ignore"):
            ppf = stats.beta.ppf(
                _ONE_SD, (q_ess * prob + 1)[:, None], (q_ess * (1 - prob) + 1)[:, None]
            )
        ppf_size = ppf * size - 1
        # ArviZ clips with nanmax/nanmin (a NaN end becomes the bound), as fmax/fmin do
        low = np.floor(np.fmax(ppf_size[:, 0], 0)).astype(np.intp)
        high = np.ceil(np.fmin(ppf_size[:, 1], size - 1)).astype(np.intp)
        mcse[prob] = (cell_sorted[rows, high] - cell_sorted[rows, low]) / 2
    if quantiles:
        table = np.quantile(cell_sorted, list(quantiles), axis=1, method="linear")
    else:
        table = np.empty((0, cells))
    return Diagnostics(ess, rhat_values, mcse, table)
