"""Scores of backtested cost bands: naive baselines, coverage with binomial p, interval scores.

A cost backtest row is one cost year ``Y``: the forecast made with data to 1 January ``Y - 1`` and
the cost of the change that happened (:func:`mc.model.history.history_costs`). No engine, no I/O:
:mod:`mc.workflow.backtest_costs` produces the rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mc.summary.population import BANDS, _binomial_calibration, interval_score

#: Quantiles reported for each cost year, as ``q05 ... q95``.
COST_QUANTILES = (0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95)
QUANTILE_COLUMNS = tuple(f"q{round(100 * q):02d}" for q in COST_QUANTILES)
ROW_COLUMNS = ("year", "origin", *QUANTILE_COLUMNS, "mean", "actual")
#: The naive baselines: the last realised cost, and the mean of the last three.
NAIVE_METHODS = {"naive_last": 1, "naive_mean3": 3}
#: Past errors a naive method needs before it gets intervals (as for the population's naive
#: intervals: fewer make a 5 % / 95 % quantile little more than the extreme error).
MIN_PAST_ERRORS = 10


def naive_forecasts(realised: pd.Series, method: str) -> pd.Series:
    """Naive point forecast of each cost year from the realised costs of the years before it.

    Parameters
    ----------
    realised : Series
        Realised cost by consecutive cost year (index the year).
    method : str
        A key of :data:`NAIVE_METHODS`: the mean of the last ``k`` realised costs.

    Returns
    -------
    Series
        Index the years with ``k`` realised years before them.
    """
    k = NAIVE_METHODS[method]
    return realised.rolling(k).mean().shift(1).dropna()


def naive_bands(realised: pd.Series, years: list[int]) -> pd.DataFrame:
    """Point forecasts and quantiles of each naive method for ``years``, from its own past errors.

    For cost year ``Y`` (forecast in the spring of ``Y - 1``) the errors ``actual - forecast`` of
    every earlier cost year up to ``Y - 1`` are known; the method's quantile ``q`` is its point
    forecast plus the empirical ``q``-quantile of those errors (additive, in bn kr: costs can be
    near zero, so relative errors would not do). Years with fewer than :data:`MIN_PAST_ERRORS`
    past errors get no quantiles.

    Returns
    -------
    DataFrame
        Columns ``year, method, point`` and :data:`QUANTILE_COLUMNS`.
    """
    rows = []
    for method in NAIVE_METHODS:
        point = naive_forecasts(realised, method)
        errors = (realised - point).dropna()
        for year in years:
            row: dict[str, object] = {"year": year, "method": method}
            row["point"] = float(point[year]) if year in point.index else np.nan
            past = errors[errors.index <= year - 1].to_numpy()
            enough = len(past) >= MIN_PAST_ERRORS and np.isfinite(row["point"])
            quantiles = np.quantile(past, COST_QUANTILES) if enough else [np.nan] * 7
            for name, value in zip(QUANTILE_COLUMNS, quantiles, strict=True):
                row[name] = float(row["point"]) + float(value) if enough else np.nan
            rows.append(row)
    return pd.DataFrame(rows, columns=["year", "method", "point", *QUANTILE_COLUMNS])


def with_naive_columns(rows: pd.DataFrame, naive: pd.DataFrame) -> pd.DataFrame:
    """``rows`` followed by each naive method's point and quantiles, e.g. ``naive_last_q10``.

    What ``backtest_costs.csv`` holds, so every score can be recomputed from the file.
    """
    out = rows.copy()
    for method, part in naive.groupby("method", sort=False):
        part = part.set_index("year")
        out[str(method)] = out["year"].map(part["point"])
        for column in QUANTILE_COLUMNS:
            out[f"{method}_{column}"] = out["year"].map(part[column])
    return out


def _methods(rows: pd.DataFrame, naive: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per method: ``year, point, q05..q95, actual`` (the model's point is its median)."""
    actual = rows.set_index("year")["actual"]
    out = {"model": rows.assign(point=rows["q50"])[["year", "point", *QUANTILE_COLUMNS, "actual"]]}
    for method, part in naive.groupby("method", sort=False):
        part = part.drop(columns="method").copy()
        part["actual"] = part["year"].map(actual)
        out[str(method)] = part
    return out


def cost_coverage(rows: pd.DataFrame, naive: pd.DataFrame) -> pd.DataFrame:
    """Empirical coverage of the 50/80/90 % bands, with the exact two-sided binomial p-value.

    One outcome per cost year, each forecast one year ahead from its own origin: for a calibrated
    forecast the hits are independent Bernoulli(nominal), so the count is binomial. Naive methods
    are scored on the years where they have intervals.

    Returns
    -------
    DataFrame
        Columns ``method, band, nominal, empirical, n, inside, p_value``.
    """
    out = []
    for method, part in _methods(rows, naive).items():
        part = part.dropna()
        for nominal, (lo, hi) in BANDS.items():
            inside = int(((part[lo] <= part["actual"]) & (part["actual"] <= part[hi])).sum())
            n = len(part)
            p = _binomial_calibration(inside, n, nominal / 100)[0] if n else np.nan
            out.append(
                {
                    "method": method,
                    "band": f"{nominal}%",
                    "nominal": nominal / 100,
                    "empirical": inside / n if n else np.nan,
                    "n": n,
                    "inside": inside,
                    "p_value": p,
                }
            )
    return pd.DataFrame(out)


def cost_scores(rows: pd.DataFrame, naive: pd.DataFrame) -> pd.DataFrame:
    """Mean interval score of each band and MAE of the point forecast, per method (bn kr).

    Only years where every method has intervals are scored, so the comparison is like for like.
    The model's point forecast is its median; a naive method's is its own point forecast.

    Returns
    -------
    DataFrame
        Columns ``method, n, mae_bn, interval_score_50_bn, interval_score_80_bn,
        interval_score_90_bn``.
    """
    methods = _methods(rows, naive)
    usable = set(rows["year"])
    for part in methods.values():
        usable &= set(part.dropna()["year"])
    out = []
    for method, part in methods.items():
        part = part[part["year"].isin(usable)]
        actual = part["actual"].to_numpy()
        row: dict[str, object] = {"method": method, "n": len(part)}
        row["mae_bn"] = float(np.abs(part["point"].to_numpy() - actual).mean())
        for nominal, (lo, hi) in BANDS.items():
            score = interval_score(
                part[lo].to_numpy(), part[hi].to_numpy(), actual, 1 - nominal / 100
            )
            row[f"interval_score_{nominal}_bn"] = float(score.mean())
        out.append(row)
    return pd.DataFrame(out)
