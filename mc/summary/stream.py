"""The summary table of a streamed run: moments merged exactly, quantiles from histograms.

A streamed run never gathers its draws, so ArviZ cannot see them. Instead:

- quantiles come from the merged fixed-grid histograms (off by at most one bin width, which is
  recorded per variable in ``sketch_error``);
- the MCSE of a quantile is ``sqrt(p (1 - p) / N) * dQ/dp``, with the slope of the quantile
  function read from the histogram between ``p - 0.01`` and ``p + 0.01``;
- R-hat is the classic Gelman-Rubin statistic from the blocks' own means and variances (blocks are
  the chains), 1 for a cell that does not vary, and empty (NaN) when the run has one block: with
  nothing to compare, a value near 1 would look like a passed check that never ran;
- ESS is the number of draws: every draw is independent by construction (its own stream position),
  which R-hat near 1 corroborates.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from mc.engine import SimulationResult
from mc.engine.reduce import BlockSummary, sketch_quantiles
from mc.summary.table import MCSE_QUANTILES, ONE_BLOCK_EMPTY, QUANTILES, finish

_SLOPE_STEP = 0.01


def _rhat(mean: np.ndarray, m2: np.ndarray, per_block: int) -> np.ndarray:
    """Gelman-Rubin R-hat from per-block means and sums of squared deviations (blocks x cells).

    NaN for every cell when there is only one block (R-hat is undefined without a second chain).
    """
    if mean.shape[0] < 2:
        return np.full(mean.shape[1], np.nan)
    n = per_block
    within = (m2 / (n - 1)).mean(axis=0)
    between_over_n = mean.var(axis=0, ddof=1)
    pooled = (n - 1) / n * within + between_over_n
    with np.errstate(invalid="ignore", divide="ignore"):
        rhat = np.sqrt(pooled / within)
    return np.where(within > 0, rhat, 1.0)


def stream_summary_table(
    sim: SimulationResult,
    dims: Mapping[str, tuple[str, ...]],
    coords: Mapping[str, list],
    cost_year: int,
) -> pd.DataFrame:
    """Rows ``variable, scenario, year, sector, region`` + the statistics of ``summary.csv``.

    Raises
    ------
    FloatingPointError
        If a statistic is not finite (``rhat`` of a one-block run excepted: it is NaN), or a
        reported quantile fell outside its histogram's grid.
    """
    assert sim.counts is not None and sim.grids is not None
    summary = BlockSummary(
        0, sim.plan.n_blocks, sim.moments, sim.block_seconds, counts=sim.counts, shapes=sim.shapes
    )
    probs = sorted(
        {*QUANTILES, *(p + d for p in MCSE_QUANTILES for d in (-_SLOPE_STEP, _SLOPE_STEP))}
    )
    quantiles = sketch_quantiles(summary, sim.grids, probs)
    n = sim.plan.draws
    frames = []
    for name, (values, outside) in quantiles.items():
        keep = [probs.index(q) for q in QUANTILES]
        if outside[keep].any():
            raise FloatingPointError(f"{name}: a reported quantile fell outside its sketch grid")
        index = pd.MultiIndex.from_product([coords[d] for d in dims[name]], names=list(dims[name]))
        keys = index.to_frame(index=False)
        m = sim.moments[name]
        # the statistics go in as one frame: a column at a time cost pandas more than the
        # statistics themselves (this table is built after a run's last block)
        columns = {"mean": np.ravel(m.mean), "sd": np.ravel(m.sd)}
        for q in QUANTILES:
            columns[f"q{round(100 * q):02d}"] = np.ravel(values[probs.index(q)])
        for q in MCSE_QUANTILES:
            lo = values[probs.index(q - _SLOPE_STEP)]
            hi = values[probs.index(q + _SLOPE_STEP)]
            slope = (hi - lo) / (2 * _SLOPE_STEP)
            columns[f"mcse_q{round(100 * q):02d}"] = np.ravel(np.sqrt(q * (1 - q) / n) * slope)
        columns["ess"] = np.full(len(keys), float(n))
        assert sim.block_mean is not None and sim.block_m2 is not None
        columns["rhat"] = _rhat(sim.block_mean[name], sim.block_m2[name], sim.plan.block_size)
        columns["sketch_error"] = np.ravel(sim.grids[name].width)
        frame = pd.concat([keys, pd.DataFrame(columns, index=keys.index)], axis=1)
        frame.insert(0, "variable", name)
        frames.append(frame)
    empty = ONE_BLOCK_EMPTY if sim.plan.n_blocks < 2 else ()
    return finish(pd.concat(frames, ignore_index=True), cost_year, empty)
