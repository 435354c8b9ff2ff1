"""Backtest of the demographic-cost bands: what TBU would have forecast each spring, and what came.

Cost year ``Y`` is priced from the population change 1 January ``Y - 1`` -> 1 January ``Y`` (the
convention of the shipped configurations: 2025's costs follow from 1.1.2024 -> 1.1.2025). In the
spring of ``Y - 1`` TBU knows the population on 1 January ``Y - 1`` (SSB publishes it in
February) and deaths, births and migration up to ``Y - 2``; so the forecast is a one-year-ahead
projection from origin ``Y - 1`` of the population on 1 January ``Y``, and its change from the
known 1 January ``Y - 1`` is priced with the configuration's unit costs. The outcome is the cost
of the change that happened, priced the same way (:func:`mc.model.history.history_costs`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from mc.domain.components import ComponentHistory
from mc.engine import BlockPlan, SchedulerSpec, simulate
from mc.errors import ConfigError
from mc.model.components import ComponentModel, fit_components
from mc.model.config import Config
from mc.model.history import SINGLE_AGES, PopulationDraws, history_costs, priced_change
from mc.model.population import PopulationTable
from mc.model.projection import ProjectionModel, fit_projection
from mc.summary.backtest_costs import (
    COST_QUANTILES,
    QUANTILE_COLUMNS,
    ROW_COLUMNS,
    cost_coverage,
    cost_scores,
    naive_bands,
)
from mc.workflow.population import default_block


class PopulationMethod(StrEnum):
    """The national population model a cost backtest draws from."""

    COMPONENTS = "components"  # cohort-component (mc.model.components)
    RATIOS = "ratios"  # Hamilton-Perry cohort-change ratios (mc.model.projection)


@dataclass
class CostBacktest:
    """One-year-ahead cost forecasts beside the outcomes, and their scores.

    Attributes
    ----------
    rows : DataFrame
        :data:`~mc.summary.backtest_costs.ROW_COLUMNS`, bn kr of the config's price year.
    naive : DataFrame
        The naive baselines' point forecasts and quantiles for the same years.
    coverage, scores : DataFrame
        :func:`~mc.summary.backtest_costs.cost_coverage` and
        :func:`~mc.summary.backtest_costs.cost_scores`.
    realised : Series
        The realised cost of every cost year the data allow (the naive methods' history).
    """

    rows: pd.DataFrame
    naive: pd.DataFrame
    coverage: pd.DataFrame
    scores: pd.DataFrame
    realised: pd.Series


def origin_seed(entropy: int, origin: int) -> int:
    """The engine entropy of one origin, as the population backtest derives it."""
    return int(np.random.SeedSequence([entropy, origin]).generate_state(1)[0])


def _population_model(
    method: PopulationMethod,
    national: PopulationTable,
    history: ComponentHistory | None,
    origin: int,
) -> PopulationDraws:
    if method is PopulationMethod.COMPONENTS:
        if history is None:
            raise ConfigError("--model", method.value, "needs the component files (components/)")
        return ComponentModel(fit_components(national, history, origin), 1, SINGLE_AGES)
    return ProjectionModel(fit_projection(national, origin), 1, SINGLE_AGES)


def check_years(national: PopulationTable, years: Sequence[int]) -> None:
    """Refuse cost years whose outcome or naive history the population data do not cover.

    Raises
    ------
    ConfigError
        Naming the range given and the range the data allow.
    """
    first = national.years.start + 1 + 3  # three realised years before it for the naive mean
    last = national.years.stop - 1
    if not years or min(years) < first or max(years) > last:
        given = f"{min(years)}-{max(years)}" if years else "none"
        raise ConfigError(
            "--origins",
            given,
            f"cost years in [{first}, {last}]: the population data ({national.source or 'given'}) "
            f"cover 1 January {national.years.start}-{last}",
        )


def backtest_costs(
    config: Config,
    national: PopulationTable,
    years: Sequence[int],
    *,
    history: ComponentHistory | None = None,
    method: PopulationMethod | str = PopulationMethod.COMPONENTS,
    draws: int = 1000,
    entropy: int = 0,
    scheduler: SchedulerSpec | None = None,
) -> CostBacktest:
    """Forecast the demographic cost of each cost year from the spring before, and score it.

    Parameters
    ----------
    config : Config
        Supplies the unit costs, free shares, age groups and price year (whatever it gives).
    national : PopulationTable
        Observed population by age and sex (each fit sees only years up to its origin).
    years : sequence of int
        Cost years ``Y``; each is forecast from origin ``Y - 1``.
    history : ComponentHistory, optional
        Deaths, births and rates; required for ``method="components"``.
    method : PopulationMethod or str
        ``components`` (default) or ``ratios`` (Hamilton-Perry).
    draws : int
        Draws per cost year.
    entropy : int
        Seed entropy; origin ``o`` draws from ``SeedSequence([entropy, o])``'s first word, as
        :func:`mc.workflow.population.backtest` does, and block ``k`` from
        ``SeedSequence(that, spawn_key=(k,))`` through the engine.
    scheduler : SchedulerSpec, optional
        Where the blocks run (default in this process).

    Returns
    -------
    CostBacktest

    Raises
    ------
    ConfigError
        If a cost year lies outside the data or ``method`` is unknown.
    DataError
        If a component series does not cover an origin.
    """
    try:
        method = PopulationMethod(method)
    except ValueError:
        allowed = [m.value for m in PopulationMethod]
        raise ConfigError("--model", method, f"one of {allowed}") from None
    years = sorted(set(years))
    check_years(national, years)
    realised_frame = history_costs(
        config, national, national.years.start + 1, national.years.stop - 1
    )
    total = realised_frame[realised_frame["variable"] == "demographic_cost_total_bn"]
    realised = pd.Series(total["value"].to_numpy(), index=total["year"].to_numpy())
    plan = BlockPlan(draws, default_block(draws, False))
    rows = []
    for year in years:
        origin = year - 1
        population = _population_model(method, national, history, origin)
        model = priced_change(config, population, national.at(origin))
        sim = simulate(
            model, plan, origin_seed(entropy, origin), scheduler or SchedulerSpec("sync")
        )
        cost = np.asarray(sim.gathered()["demographic_cost_total_bn"]).reshape(-1)
        if not np.isfinite(cost).all():
            raise FloatingPointError(f"non-finite cost draws for cost year {year}")
        row: dict[str, float] = {"year": year, "origin": origin}
        row.update(zip(QUANTILE_COLUMNS, np.quantile(cost, COST_QUANTILES), strict=True))
        row["mean"] = float(cost.mean())
        row["actual"] = float(realised[year])
        rows.append(row)
    table = pd.DataFrame(rows, columns=list(ROW_COLUMNS))
    naive = naive_bands(realised, years)
    return CostBacktest(
        table, naive, cost_coverage(table, naive), cost_scores(table, naive), realised
    )
