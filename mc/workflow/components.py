"""Bands and backtests of the cohort-component projection, beside the Hamilton-Perry ones.

The component model (:mod:`mc.model.components`) projects the nation only; municipalities keep
Hamilton-Perry. Backtests run through :func:`mc.workflow.population.backtest` with the same
origins, groups, per-origin seeds and tables, so the two models compare like for like.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from mc.domain.components import ComponentHistory
from mc.engine import BlockPlan, SchedulerSpec, simulate
from mc.model.components import ComponentModel, ComponentSettings, fit_components
from mc.model.population import PopulationTable
from mc.model.projection import BROAD_GROUPS
from mc.summary.population import interval_score, population_bands
from mc.workflow.population import Backtest, backtest, default_block


def forecast_components(
    national: PopulationTable,
    history: ComponentHistory,
    origin: int,
    horizon: int,
    *,
    draws: int = 1000,
    block_size: int | None = None,
    entropy: int = 0,
    scheduler: SchedulerSpec | None = None,
    groups: Sequence[str] = BROAD_GROUPS,
    settings: ComponentSettings | None = None,
    extra: Sequence[float] = (),
    profile: np.ndarray | None = None,
) -> tuple[pd.DataFrame, ComponentModel, object]:
    """Fit the component model on data known on 1 January ``origin`` and project.

    Returns
    -------
    bands : DataFrame
        :func:`mc.summary.population.population_bands` of the draws (region ``0000``).
    model : ComponentModel
        The fitted model (its ``fit.estimates`` hold the estimated figures).
    simulation : SimulationResult
        The engine's result; ``draws["clipped"]`` counts cells clipped at zero per draw.
    """
    fit = fit_components(national, history, origin, settings)
    model = ComponentModel(fit, horizon, tuple(groups), tuple(extra), profile)
    plan = BlockPlan(draws, block_size or default_block(draws, False))
    sim = simulate(model, plan, entropy, scheduler or SchedulerSpec("sync"))
    return population_bands(sim.gathered()["population"], model), model, sim


def backtest_components(
    national: PopulationTable,
    history: ComponentHistory,
    origins: Sequence[int],
    horizon: int,
    *,
    draws: int = 1000,
    entropy: int = 0,
    scheduler: SchedulerSpec | None = None,
    groups: Sequence[str] = BROAD_GROUPS,
    settings: ComponentSettings | None = None,
) -> tuple[Backtest, dict[int, dict[str, Any]]]:
    """Rolling-origin backtest of the component model (national level).

    Returns
    -------
    backtest : Backtest
        Rows, coverage and scores as :func:`mc.workflow.population.backtest` gives them.
    fits : dict
        Per origin: the fit's estimates and ``clipped_share``, the share of draws in which any
        cell was clipped at zero.
    """
    fits: dict[int, dict[str, Any]] = {}

    def forecaster(origin: int, steps: int, seed: int) -> tuple[pd.DataFrame, ComponentModel]:
        bands, model, sim = forecast_components(
            national,
            history,
            origin,
            steps,
            draws=draws,
            entropy=seed,
            scheduler=scheduler,
            groups=groups,
            settings=settings,
        )
        clipped = np.asarray(sim.draws["clipped"])  # type: ignore[attr-defined]
        fits[origin] = {**model.fit.estimates, "clipped_share": float((clipped > 0).mean())}
        return bands, model

    result = backtest(
        national,
        origins,
        horizon,
        draws=draws,
        entropy=entropy,
        groups=groups,
        forecaster=forecaster,
    )
    return result, fits


def compare_scores(*tables: tuple[str, Backtest]) -> pd.DataFrame:
    """Mean relative 80 % interval score per model: all groups and horizons, and the total.

    The mean runs over every row of the backtest (origin x horizon x group), in percent of the
    outcome: the figure issue 14 quotes for Hamilton-Perry (2.64 % and 1.63 % for the total at
    the CLI's defaults). ``scores`` tables keep only rows where the naive methods have intervals
    too, so their means differ.

    Parameters
    ----------
    *tables : (name, Backtest)
        Backtests on the same origins.

    Returns
    -------
    DataFrame
        Index the model names; columns ``all_groups`` and ``total`` (percent of the outcome).
    """
    out = {}
    for name, result in tables:
        rows = result.rows
        actual = rows["actual"].to_numpy()
        score = interval_score(rows["q10"].to_numpy(), rows["q90"].to_numpy(), actual, 0.2)
        relative = 100 * score / np.maximum(actual, 1.0)
        total = (rows["age_group"] == "total").to_numpy()
        out[name] = {"all_groups": float(relative.mean()), "total": float(relative[total].mean())}
    return pd.DataFrame.from_dict(out, orient="index")
