"""Demographic costs of population changes at fixed unit costs: observed, or drawn for a backtest.

:func:`history_costs` prices the changes that happened; :class:`PricedChange` prices a one-year
projected change the same way, so a cost backtest compares like with like.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from mc.model.ages import N_AGES
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


#: Single-year age groups ``0, 1, ..., 104, 105+``: a population model reporting these gives the
#: change by age that any unit-cost matrix over single ages can price (as :func:`history_costs`).
SINGLE_AGES: tuple[str, ...] = (*(str(a) for a in range(N_AGES - 1)), f"{N_AGES - 1}+")


class PopulationDraws(Protocol):
    """A national population model drawing ``population (n, 1, H, 1 + groups)`` (total first)."""

    @property
    def groups(self) -> tuple[str, ...]:
        """The reported age groups, without the total."""
        ...

    def simulate(self, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
        """Draw ``n`` projected populations."""
        ...


@dataclass(frozen=True)
class PricedChange:
    """Draws of next year's demographic cost: a projected population change at fixed unit costs.

    The cost of drawn change is priced exactly as :func:`history_costs` prices an observed one
    (same unit-cost matrix, price factor and free shares), so a forecast and the outcome differ
    only by the population. Unit costs carry no uncertainty here on purpose: the outcome they
    are compared with is priced with the same fixed costs.

    Parameters
    ----------
    population : PopulationDraws
        A one-year projection reporting :data:`SINGLE_AGES` (e.g.
        :class:`~mc.model.components.ComponentModel` or
        :class:`~mc.model.projection.ProjectionModel`).
    start : ndarray, shape (106,)
        The population by single age (sexes summed) on 1 January of the origin.
    costs : ndarray, shape (K, 106)
        Kroner per person by sector and age, in the configuration's price year.
    free_shares : ndarray, shape (K,)
        Share of each sector financed by the free revenues.
    """

    population: PopulationDraws
    start: np.ndarray
    costs: np.ndarray
    free_shares: np.ndarray

    def __post_init__(self) -> None:
        if tuple(self.population.groups) != SINGLE_AGES:
            raise ValueError("the population model must report single-year ages (SINGLE_AGES)")

    def simulate(self, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
        """Draw ``n`` costs: totals, free-revenue part and population growth, each ``(n,)``."""
        drawn = self.population.simulate(rng, n)["population"][:, 0, 0, 1:]  # (n, 106)
        change = drawn - self.start
        out = derive_outputs(
            change @ self.costs.T, change.sum(axis=1), np.zeros(n), self.free_shares
        )
        return {
            "demographic_cost_total_bn": out["demographic_cost_total_bn"],
            "demographic_cost_free_bn": out["demographic_cost_free_bn"],
            "population_growth": out["population_growth"],
        }


def priced_change(config: Config, population: PopulationDraws, start: np.ndarray) -> PricedChange:
    """A :class:`PricedChange` with the configuration's unit costs, prices and free shares.

    Parameters
    ----------
    config : Config
        Supplies unit costs, free shares, age groups and price year.
    population : PopulationDraws
        A one-year national projection reporting :data:`SINGLE_AGES`.
    start : ndarray, shape (2, 106) or (106,)
        The observed population on 1 January of the projection's origin.
    """
    costs = config.unit_costs.matrix(config.age_groups) * config.price_factor()
    start = np.asarray(start, dtype=float)
    by_age = start.sum(axis=0) if start.ndim == 2 else start
    return PricedChange(population, by_age, costs, config.unit_costs.free_shares)
