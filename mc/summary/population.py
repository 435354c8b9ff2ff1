"""Population forecasts as probability bands, and backtests of those bands against history."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import binom

from mc.engine import BlockPlan, SchedulerSpec, simulate
from mc.kernels.projection import group_sums
from mc.model.population import PopulationTable, RegionalPopulation
from mc.model.projection import (
    BROAD_GROUPS,
    ProjectionModel,
    ProjectionSettings,
    fit_projection,
    output_groups,
)

BAND_QUANTILES = (0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95)
BAND_COLUMNS = (
    "region",
    "year",
    "age_group",
    "mean",
    *(f"q{round(100 * q):02d}" for q in BAND_QUANTILES),
)
#: Central bands checked in backtests, by nominal level, as (lower, upper) quantile columns.
BANDS = {50: ("q25", "q75"), 80: ("q10", "q90"), 90: ("q05", "q95")}


def population_bands(draws: np.ndarray, model: ProjectionModel) -> pd.DataFrame:
    """Bands per region, year and age group from draws shaped ``(..., regions, years, groups)``.

    Returns
    -------
    DataFrame
        Columns :data:`BAND_COLUMNS`; ``region`` is text (``0000`` for Norway).
    """
    flat = draws.reshape(-1, *draws.shape[-3:])
    quantiles = np.quantile(flat, BAND_QUANTILES, axis=0)  # (Q, R, H, G)
    mean = flat.mean(axis=0)
    regions, years, groups = model.regions, model.years, model.group_names
    index = pd.MultiIndex.from_product(
        [regions, years, groups], names=["region", "year", "age_group"]
    )
    frame = index.to_frame(index=False)
    frame["mean"] = mean.ravel()
    for q, values in zip(BAND_QUANTILES, quantiles, strict=True):
        frame[f"q{round(100 * q):02d}"] = values.ravel()
    if not np.isfinite(frame[list(BAND_COLUMNS[3:])].to_numpy()).all():
        raise FloatingPointError("non-finite population bands")
    return frame[list(BAND_COLUMNS)]


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
) -> tuple[pd.DataFrame, ProjectionModel, object]:
    """Fit on data up to 1 January ``origin`` and project ``horizon`` years.

    Returns
    -------
    bands : DataFrame
        :func:`population_bands` of the draws.
    model : ProjectionModel
        The fitted model.
    simulation : SimulationResult
        Timings and the plan.
    """
    fit = fit_projection(national, origin, regional, settings)
    model = ProjectionModel(
        fit, horizon, tuple(groups), tuple(extra), profile, municipal=regional is not None
    )
    plan = BlockPlan(draws, block_size or _default_block(draws, regional is not None))
    sim = simulate(model, plan, entropy, scheduler or SchedulerSpec("sync"), progress=progress)
    return population_bands(sim.draws["population"], model), model, sim


def _default_block(draws: int, municipal: bool) -> int:
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
    table = _naive_intervals(table)
    return Backtest(table, coverage_table(table, level), score_table(table, level))


def _naive_intervals(table: pd.DataFrame) -> pd.DataFrame:
    """80 % intervals for the naive methods from their own past relative errors.

    For origin ``o`` and horizon ``h``, the 10th and 90th percentiles of ``log(actual/naive)``
    over rows with origin + horizon <= o (errors known at ``o``) of the same horizon, pooled over
    regions and age groups. Rows without such history get no interval.
    """
    out = table.copy()
    for method in ("naive_growth", "naive_no_change"):
        lower = np.full(len(out), np.nan)
        upper = np.full(len(out), np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            err = np.log(out["actual"] / out[method])
        for (origin, h), idx in out.groupby(["origin", "horizon"]).groups.items():
            known = (out["origin"] + out["horizon"] <= origin) & (out["horizon"] == h)
            past = err[known & np.isfinite(err)]
            if len(past) >= 10:
                q10, q90 = np.quantile(past, [0.10, 0.90])
                lower[idx] = out.loc[idx, method] * np.exp(q10)
                upper[idx] = out.loc[idx, method] * np.exp(q90)
        out[f"{method}_q10"] = lower
        out[f"{method}_q90"] = upper
    return out


def coverage_table(table: pd.DataFrame, level: str) -> pd.DataFrame:
    """Empirical coverage per horizon, band and age group (plus ``all`` groups pooled).

    Two columns say how much a cell's miss means. When its ``n`` outcomes come from distinct
    origins (one region, one group: national single-group cells), a calibrated forecast's count
    inside the band is binomial at one-year horizons (one-step-ahead PITs are independent), and

    * ``p_value`` is the probability that such a forecast lands at least as far from nominal as
      observed (two-sided, exact binomial);
    * ``miss_prob_if_calibrated`` is the probability that it lands more than
      :data:`TOLERANCE` from nominal. Summed over cells it is the number of misses to expect from
      a calibrated forecast, whatever the dependence between cells.

    At longer horizons overlapping origins share outcome years, which widens the spread of a
    calibrated forecast's coverage: both figures then understate what chance alone does. Rows
    whose outcomes share origins (``all`` groups pooled, municipalities) get NaN.
    """
    rows = []
    for (h, group), part in list(table.groupby(["horizon", "age_group"])) + [
        ((h, "all"), part) for h, part in table.groupby("horizon")
    ]:
        distinct = part["origin"].is_unique
        for nominal, (lo, hi) in BANDS.items():
            inside = (part[lo] <= part["actual"]) & (part["actual"] <= part[hi])
            p_value, miss = (np.nan, np.nan)
            if distinct:
                p_value, miss = _binomial_calibration(int(inside.sum()), len(part), nominal / 100)
            rows.append(
                {
                    "level": level,
                    "horizon": h,
                    "band": f"{nominal}%",
                    "nominal": nominal / 100,
                    "empirical": float(inside.mean()),
                    "n": len(part),
                    "age_group": group,
                    "p_value": p_value,
                    "miss_prob_if_calibrated": miss,
                }
            )
    return pd.DataFrame(rows, columns=COVERAGE_COLUMNS)


#: How far from nominal a cell's coverage may be (the issue's +-10 percentage points).
TOLERANCE = 0.10
COVERAGE_COLUMNS = (
    "level",
    "horizon",
    "band",
    "nominal",
    "empirical",
    "n",
    "age_group",
    "p_value",
    "miss_prob_if_calibrated",
)


def _binomial_calibration(inside: int, n: int, nominal: float) -> tuple[float, float]:
    """(two-sided p-value of ``inside`` of ``n``, P(miss beyond TOLERANCE)) for Bin(n, nominal)."""
    counts = np.arange(n + 1)
    pmf = binom.pmf(counts, n, nominal)
    distance = np.abs(counts / n - nominal)
    eps = 1e-9
    p_value = float(pmf[distance >= abs(inside / n - nominal) - eps].sum())
    miss = float(pmf[distance > TOLERANCE + eps].sum())
    return min(p_value, 1.0), miss


def calibration_summary(coverage: pd.DataFrame) -> dict[str, float]:
    """Cells outside :data:`TOLERANCE`, beside the number a calibrated forecast would miss.

    Only cells with a ``miss_prob_if_calibrated`` (independent outcomes) count.
    """
    cells = coverage.dropna(subset=["miss_prob_if_calibrated"])
    outside = (cells["empirical"] - cells["nominal"]).abs() > TOLERANCE + 1e-9
    return {
        "cells": len(cells),
        "outside": int(outside.sum()),
        "expected_if_calibrated": float(cells["miss_prob_if_calibrated"].sum()),
    }


def interval_score(
    lower: np.ndarray, upper: np.ndarray, actual: np.ndarray, alpha: float
) -> np.ndarray:
    """Gneiting-Raftery interval score of central ``(1 - alpha)`` intervals (lower is better)."""
    return (upper - lower) + (2 / alpha) * (
        np.maximum(lower - actual, 0) + np.maximum(actual - upper, 0)
    )


def score_table(table: pd.DataFrame, level: str) -> pd.DataFrame:
    """MAE, MAPE and relative 80 % interval score of the model's median and of the naive methods.

    Scores use only rows where every method has an interval, so the comparison is like for like.
    """
    usable = table.dropna(subset=["naive_growth_q10", "naive_no_change_q10"])
    rows = []
    methods = {
        "model": ("q50", "q10", "q90"),
        "naive_growth": ("naive_growth", "naive_growth_q10", "naive_growth_q90"),
        "naive_no_change": ("naive_no_change", "naive_no_change_q10", "naive_no_change_q90"),
    }
    for (h, group), part in list(usable.groupby(["horizon", "age_group"])):
        actual = part["actual"].to_numpy()
        scale = np.maximum(actual, 1.0)
        for method, (point, lo, hi) in methods.items():
            error = np.abs(part[point].to_numpy() - actual)
            score = interval_score(part[lo].to_numpy(), part[hi].to_numpy(), actual, 0.2)
            rows.append(
                {
                    "level": level,
                    "horizon": h,
                    "age_group": group,
                    "method": method,
                    "mae": error.mean(),
                    "mape_pct": 100 * (error / scale).mean(),
                    "interval_score_80_pct": 100 * (score / scale).mean(),
                    "n": len(part),
                }
            )
    return pd.DataFrame(rows)
