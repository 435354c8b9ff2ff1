"""Where a scenario falls in the main scenario's distribution ("the 83rd percentile").

One way of placing, shared by the report's scenario table and the console line after a run: a
scenario's point estimate (every driver at its central value, ``deterministic.csv``) is placed
among the reference scenario's draws with :func:`mc.summary.bands.share_at_or_below`.
"""

from __future__ import annotations

import pandas as pd
import xarray as xr

from mc.summary.bands import share_at_or_below

#: The variables placed: the demographic costs, total and free income.
PLACED = ("demographic_cost_total_bn", "demographic_cost_free_bn")


def scenario_percentiles(
    tree: xr.DataTree, deterministic: pd.DataFrame, reference: str, year: int
) -> dict[tuple[str, str], float]:
    """Share of ``reference``'s draws at or below each scenario's point estimate.

    Parameters
    ----------
    tree : DataTree
        The run's draws (group ``posterior``).
    deterministic : DataFrame
        The point estimates (``deterministic.csv`` rows).
    reference : str
        The scenario whose distribution the others are placed in (the configuration's first).
    year : int
        The year placed.

    Returns
    -------
    dict
        ``(scenario, variable) -> share`` in [0, 1] for the variables of :data:`PLACED` that the
        draws hold; the reference itself is included.
    """
    out: dict[tuple[str, str], float] = {}
    post = tree["posterior"]
    for variable in PLACED:
        if variable not in post.data_vars:
            continue
        points = deterministic[
            (deterministic["variable"] == variable)
            & (deterministic["year"] == year)
            & (deterministic["sector"] == "all")
        ]
        for row in points.itertuples(index=False):
            out[(str(row.scenario), variable)] = share_at_or_below(
                tree, variable, float(row.value), scenario=reference, year=year
            )
    return out
