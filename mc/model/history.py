"""Demographic costs recomputed year by year from observed population changes."""

from __future__ import annotations

import pandas as pd

from mc.model.config import Config
from mc.model.demographic import derive_outputs
from mc.model.population import PopulationTable


def history_costs(
    config: Config, population: PopulationTable, first: int, last: int
) -> pd.DataFrame:
    """Costs of each year's actual population change, in the config's unit costs and prices.

    What TBU does when SSB publishes new population figures: cost year ``t`` uses the change from
    1 January ``t - 1`` to 1 January ``t``, valued at constant unit costs (kroner of the config's
    price year), so the years differ only by the population change.

    Parameters
    ----------
    config : Config
        Supplies unit costs, free shares, age groups and price year.
    population : PopulationTable
        Observed population covering ``first - 1`` to ``last``.
    first, last : int
        First and last cost year.

    Returns
    -------
    DataFrame
        Columns ``year, variable, value``; variables are the totals, the free-revenue part, each
        sector as ``demographic_cost_<sector>_bn``, and ``population_growth``.

    Raises
    ------
    DataError
        If a needed year is missing from the population data.
    ValueError
        If ``first > last``.
    """
    if first > last:
        raise ValueError(f"--from {first} is after --to {last}")
    costs = config.unit_costs.matrix(config.age_groups) * config.price_factor()
    rows = []
    for year in range(first, last + 1):
        change = population.change(year)
        out = derive_outputs(
            (costs @ change.sum(axis=0))[None, :],
            change.sum()[None],
            change.sum()[None] * 0,
            config.unit_costs.free_shares,
        )
        rows.append((year, "demographic_cost_total_bn", float(out["demographic_cost_total_bn"][0])))
        rows.append((year, "demographic_cost_free_bn", float(out["demographic_cost_free_bn"][0])))
        for name, value in zip(
            config.unit_costs.names, out["demographic_cost_sector_bn"][0], strict=True
        ):
            rows.append((year, f"demographic_cost_{name}_bn", float(value)))
        rows.append((year, "population_growth", float(out["population_growth"][0])))
    return pd.DataFrame(rows, columns=["year", "variable", "value"])
