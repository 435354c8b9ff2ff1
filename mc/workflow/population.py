"""Population forecasts and rolling-origin backtests: fit, draw through the engine, score.

The statistics (bands, coverage, interval scores) are :mod:`mc.summary.population`'s; this module
combines them with the projection model and the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mc.domain.components import ComponentHistory
from mc.engine import BlockPlan, SchedulerSpec, simulate
from mc.kernels.projection import group_sums
from mc.model.components import ComponentModel, ComponentSettings, fit_components
from mc.model.municipal import MunicipalProjection
from mc.model.population import PopulationTable, RegionalPopulation
from mc.model.projection import (
    BROAD_GROUPS,
    ProjectionModel,
    ProjectionSettings,
    fit_projection,
    output_groups,
)
from mc.summary.population import coverage_table, naive_intervals, population_bands, score_table


def forecast(
    national: PopulationTable,
    origin: int,
    horizon: int,
    *,
    regional: RegionalPopulation | None = None,
    draws: int = 1000,
    block_size: int | None = None,
    entropy: int = 0,
    scheduler: SchedulerSpec | None = None,
    groups: Sequence[str] = BROAD_GROUPS,
    settings: ProjectionSettings | None = None,
    extra: Sequence[float] = (),
    profile: np.ndarray | None = None,
    progress: Callable[[int], None] | None = None,
    components: ComponentHistory | None = None,
    component_settings: ComponentSettings | None = None,
) -> tuple[pd.DataFrame, ProjectionModel | MunicipalProjection, object]:
    """Fit on data up to 1 January ``origin`` and project ``horizon`` years.

    Parameters
    ----------
    components : ComponentHistory, optional
        With ``regional``: reconcile the municipalities to the cohort-component projection of
        the nation, fitted on this history up to the origin, instead of the fit's own
        Hamilton-Perry walk (``population.national_model: components`` of a municipal run; the
        same model, :class:`mc.model.municipal.MunicipalProjection`). The extra immigration
        then enters the national draw.
    component_settings : ComponentSettings, optional
        Settings of that component fit (default its defaults, as a run uses).

    Returns
    -------
    bands : DataFrame
        :func:`population_bands` of the draws.
    model : ProjectionModel or MunicipalProjection
        The fitted model (a :class:`MunicipalProjection` when ``components`` is given).
    simulation : SimulationResult
        Timings and the plan.

    Raises
    ------
    ValueError
        If ``components`` is given without ``regional`` (the national component projection is
        :func:`mc.workflow.components.forecast_components`).
    """
    if components is not None and regional is None:
        raise ValueError("components without regional: use forecast_components for the nation")
    fit = fit_projection(national, origin, regional, settings)
    model: ProjectionModel | MunicipalProjection
    if components is None:
        model = ProjectionModel(
            fit, horizon, tuple(groups), tuple(extra), profile, municipal=regional is not None
        )
    else:
        # the component fit sees the same years as the ratios' fit: data up to the origin
        nation = ComponentModel(
            fit_components(national, components, origin, component_settings),
            horizon,
            tuple(groups),
            tuple(extra),
            profile,
        )
        model = MunicipalProjection(
            ProjectionModel(fit, horizon, tuple(groups), municipal=True), nation
        )
    plan = BlockPlan(draws, block_size or default_block(draws, regional is not None))
    sim = simulate(model, plan, entropy, scheduler or SchedulerSpec("sync"), progress=progress)
    return population_bands(sim.gathered()["population"], model), model, sim


def default_block(draws: int, municipal: bool) -> int:
    """Blocks of roughly a second of work (municipal draws cost ~3 ms, national ~0.03 ms)."""
    target = 250 if municipal else 10_000
    size = min(draws, target)
    while draws % size:
        size -= 1
    return size


# ---------------------------------------------------------------------------------------------
# backtests


def _actual(
    table: PopulationTable | RegionalPopulation, year: int, lo: np.ndarray, hi: np.ndarray
) -> np.ndarray:
    population = table.at(year)
    return group_sums(population[None] if population.ndim == 2 else population, lo, hi)


#: ``forecaster(origin, horizon, entropy) -> (bands, model)`` for :func:`backtest`.
Forecaster = Callable[[int, int, int], tuple[pd.DataFrame, Any]]


@dataclass
class Backtest:
    """Rolling-origin forecasts beside the outcomes, and their scores."""

    rows: pd.DataFrame
    coverage: pd.DataFrame
    scores: pd.DataFrame


def backtest(
    national: PopulationTable,
    origins: Sequence[int],
    horizon: int,
    *,
    regional: RegionalPopulation | None = None,
    draws: int = 1000,
    entropy: int = 0,
    scheduler: SchedulerSpec | None = None,
    groups: Sequence[str] = BROAD_GROUPS,
    settings: ProjectionSettings | None = None,
    forecaster: Forecaster | None = None,
    components: ComponentHistory | None = None,
) -> Backtest:
    """Forecast from each origin with data before it and compare with what happened.

    Origin ``o`` draws with the entropy ``SeedSequence([entropy, o])`` generates, so origins are
    independent and a rerun is identical. Horizons beyond the last year of data are skipped.
    Another model can be backtested on the same origins, groups and seeds by passing its
    ``forecaster`` (national level only).

    Parameters
    ----------
    national : PopulationTable
        National data (all years; each fit sees only years up to its origin).
    origins : sequence of int
        Forecast origins (1 January).
    horizon : int
        Longest horizon.
    regional : RegionalPopulation, optional
        Municipal data: backtest the municipal level (municipalities only in the scores).
    forecaster : callable, optional
        ``forecaster(origin, horizon, entropy) -> (bands, model)`` fitting on data up to the
        origin (bands as :func:`population_bands` gives them); default the Hamilton-Perry
        :func:`forecast` with the other arguments.
    components : ComponentHistory, optional
        With ``regional``: the municipalities reconcile to the component projection of the
        nation, fitted at each origin on this history up to the origin (:func:`forecast`'s
        ``components``); the per-origin seeds are the same as without.
    """
    if forecaster is not None and regional is not None:
        raise ValueError("a forecaster replaces the national model only; leave regional out")
    level = "national" if regional is None else "municipality"
    names, lo, hi = output_groups(tuple(groups))
    source = national if regional is None else regional
    last_year = source.years.stop - 1
    rows = []
    for origin in origins:
        steps = min(horizon, last_year - origin)
        if steps < 1:
            continue
        seed = int(np.random.SeedSequence([entropy, origin]).generate_state(1)[0])
        if forecaster is not None:
            bands, model = forecaster(origin, steps, seed)
        else:
            bands, model, _ = forecast(
                national,
                origin,
                steps,
                regional=regional,
                draws=draws,
                entropy=seed,
                scheduler=scheduler,
                groups=groups,
                settings=settings,
                components=components,
            )
        known = source.until(origin)
        for h in range(1, steps + 1):
            actual = _actual(source, origin + h, lo, hi)
            current = _actual(known, origin, lo, hi)
            previous = _actual(known, origin - 1, lo, hi)
            regions = model.regions if regional is None else model.regions[1:]
            part = bands[bands["year"] == origin + h]
            if regional is not None:
                part = part[part["region"] != "0000"]
            part = part.copy()
            part.insert(0, "origin", origin)
            part.insert(1, "horizon", h)
            part["actual"] = actual.reshape(-1)
            with np.errstate(divide="ignore", invalid="ignore"):
                growth = np.where(previous > 0, current / previous, 1.0)
            part["naive_growth"] = (current * growth**h).reshape(-1)
            part["naive_no_change"] = current.reshape(-1)
            assert len(part) == len(regions) * len(names)
            rows.append(part)
    table = pd.concat(rows, ignore_index=True)
    table = naive_intervals(table)
    return Backtest(table, coverage_table(table, level), score_table(table, level))
