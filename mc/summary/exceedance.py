"""Exceedance probabilities: P(variable above or below a threshold), with their MCSE."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import arviz as az
import numpy as np
import pandas as pd
import xarray as xr

from mc.model.economy_spec import Threshold

EXCEEDANCE_COLUMNS = (
    "variable",
    "scenario",
    "year",
    "threshold",
    "direction",
    "probability",
    "mcse",
)


def exceedance_table(tree: xr.DataTree, thresholds: Sequence[Threshold]) -> pd.DataFrame:
    """One row per threshold, scenario and year.

    The probability is the share of draws on the given side of the threshold (strictly above, or
    strictly below); its MCSE is ArviZ's MCSE of that indicator's mean, blocks as chains (0 when
    every draw falls on the same side). Thresholds on variables the run does not have are skipped.
    """
    post = tree["posterior"]
    rows = []
    for t in thresholds:
        if t.variable not in post.data_vars:
            continue
        values = post[t.variable]
        if "sector" in values.dims:
            continue
        hit = (values > t.threshold) if t.direction == "above" else (values < t.threshold)
        hit = hit.astype(float)
        probability = hit.mean(dim=("chain", "draw"))
        with np.errstate(invalid="ignore", divide="ignore"):
            mcse = az.mcse(hit, method="mean")
        mcse = xr.where(np.isfinite(mcse), mcse, 0.0)
        for scenario in probability.coords["scenario"].values:
            for year in probability.coords["year"].values:
                cell = {"scenario": scenario, "year": year}
                rows.append(
                    {
                        "variable": t.variable,
                        "scenario": str(scenario),
                        "year": int(year),
                        "threshold": t.threshold,
                        "direction": t.direction,
                        "probability": float(probability.sel(cell)),
                        "mcse": float(mcse.sel(cell)),
                    }
                )
    return pd.DataFrame(rows, columns=list(EXCEEDANCE_COLUMNS))


def exceedance_from_counts(
    hits: Mapping[str, np.ndarray],
    thresholds: Sequence[Threshold],
    dims: Mapping[str, tuple[str, ...]],
    coords: Mapping[str, list],
    draws: int,
) -> pd.DataFrame:
    """The rows of :func:`exceedance_table` from a streamed run's merged exceedance counts.

    ``hits[str(i)]`` counts the draws beyond ``thresholds[i]`` per cell of its variable, so the
    probability is exactly the share :func:`exceedance_table` computes from the draws. Its MCSE is
    the binomial ``sqrt(p (1 - p) / N)``: every draw comes from its own stream position, so the
    draws are independent and the effective sample size is ``N`` (the exact path's ArviZ MCSE
    estimates the same quantity from the draws' autocorrelation, with blocks as chains).
    Thresholds on variables the run does not have, or split by sector, are skipped, as there.
    """
    rows = []
    for i, t in enumerate(thresholds):
        counts = hits.get(str(i))
        names = dims.get(t.variable)
        if counts is None or names is None or "sector" in names:
            continue
        probability = np.asarray(counts, dtype=float) / draws
        mcse = np.sqrt(probability * (1 - probability) / draws)
        for position in np.ndindex(probability.shape):
            cell = {d: coords[d][k] for d, k in zip(names, position, strict=True)}
            rows.append(
                {
                    "variable": t.variable,
                    "scenario": str(cell.get("scenario", "all")),
                    "year": int(cell.get("year", 0)),
                    "threshold": t.threshold,
                    "direction": t.direction,
                    "probability": float(probability[position]),
                    "mcse": float(mcse[position]),
                }
            )
    return pd.DataFrame(rows, columns=list(EXCEEDANCE_COLUMNS))
