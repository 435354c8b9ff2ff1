"""Exceedance probabilities: P(variable above or below a threshold), with their MCSE."""

from __future__ import annotations

from collections.abc import Sequence

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
