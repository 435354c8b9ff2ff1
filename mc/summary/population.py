"""Population draws as probability bands, and the scores of backtested bands (no engine, no I/O).

The forecasts and backtests that produce them run in :mod:`mc.workflow.population`.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pandas as pd
from scipy.stats import binom

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


class BandAxes(Protocol):
    """The axes of a population model's draws: what :func:`population_bands` reads.

    :class:`mc.model.projection.ProjectionModel`, :class:`mc.model.components.ComponentModel`
    and :class:`mc.model.municipal.MunicipalProjection` have them.
    """

    @property
    def regions(self) -> tuple[str, ...]: ...  # noqa: D102

    @property
    def years(self) -> tuple[int, ...]: ...  # noqa: D102

    @property
    def group_names(self) -> tuple[str, ...]: ...  # noqa: D102


def population_bands(draws: np.ndarray, model: BandAxes) -> pd.DataFrame:
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


def naive_intervals(table: pd.DataFrame) -> pd.DataFrame:
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
