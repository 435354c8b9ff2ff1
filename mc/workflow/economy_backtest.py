"""Backtests of the economy's bands: what a run as of each budget would have said, and the outcome.

Three parts, each using only what was public on its information date:

- **Forecast errors** (deflator, taxes): for every year with a budget-time forecast, the
  predictive of the errors known on the day that forecast was published (the configuration's
  ``surprises`` samples as of that day) gives the band a run would have drawn the year's surprise
  from; the outcome is the row's latest published outcome. Nothing is fitted on the year itself.
- **Net operating result, sector**: for every year from :data:`NDR_FIRST`, the AR(1) of the
  post-2014 regime fitted on the years before it (what a March meeting knew), its one-year
  Student-t band against the outcome (``ndr_sector_1990_2020_pct.csv``, NOU 2024:23,
  ``ndr_by_level_recent.csv``).
- **Net operating result by level, with and without KS's budget survey**: for every year whose
  survey figure for a level was public by March of the year, the band ``budgeted + gap`` with the
  gap fitted on the survey pairs known then (:func:`mc.model.economy.budget_gap_fit`); beside
  it, for the years whose previous-year level results were known in March, the band without
  the survey: the sector's regime AR(1) band moved by last year's level-minus-sector offset and
  widened by the level's share of the shipped difference spread (``levels.difference_sd_pct``).
- **A configuration's own years** (optional): the bands of every planned year of one
  configuration (e.g. ``configs/tbu-2025.yaml`` as of March 2024) by level, with P(result below
  TBU's norm) and each known outcome placed at its percentile.

Coverage per variable and band comes with the two-sided exact binomial p-value of the count
inside; with a handful of years that is what can be said, and nothing here is tuned on them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from mc.data.economy_facts import ndr_by_level, ndr_history
from mc.data.forecast_errors import load_forecast_errors
from mc.errors import ConfigError
from mc.model.config import Config
from mc.model.economy import (
    REGIME_START,
    SURVEY_VARIABLES,
    EconomyModel,
    fit_ndr_regime,
)
from mc.model.economy_spec import LEVEL_OUTPUTS
from mc.model.forecast_errors import PRIORS, ForecastErrorTable, fit_errors
from mc.summary.population import interval_score
from mc.workflow.build import build_cost_model

#: Central bands checked, in percent.
LEVELS = (50, 80, 90)
#: The samples backtested: variable and horizons, as the shipped configurations draw them.
ERROR_SAMPLES = {"deflator_pct": ("budget",), "tax_revenue_bn": ("budget", "late")}
#: The first year whose regime fit has at least five year-on-year pairs (df = pairs - 2 > 2).
NDR_FIRST = REGIME_START + 6
#: Variable of each level's net operating result in a run.
NDR_VARIABLES = {
    "sector": "net_operating_result_pct",
    "municipalities": LEVEL_OUTPUTS[0],
    "counties": LEVEL_OUTPUTS[1],
}
ROW_COLUMNS = (
    "variable",
    "year",
    "as_of",
    "n_known",
    "space",
    "forecast",
    "outcome",
    "q05",
    "q10",
    "q25",
    "q50",
    "q75",
    "q90",
    "q95",
    "pit",
    *(f"in_{level}" for level in LEVELS),
    *(f"interval_score_{level}" for level in LEVELS),
)


@dataclass(frozen=True)
class EconomyBacktest:
    """``rows`` (one per variable and year, :data:`ROW_COLUMNS`), ``coverage`` and ``levels``."""

    rows: pd.DataFrame
    coverage: pd.DataFrame
    levels: pd.DataFrame


def _band_row(
    variable: str,
    year: int,
    as_of: dt.date,
    n_known: int,
    forecast: float,
    outcome: float,
    dist: stats.rv_continuous,
) -> dict[str, object]:
    """One row: the band of ``forecast + dist`` against ``outcome``.

    A NaN ``forecast`` (a source that states only the miss) puts the row in error space: the band
    of the error against the error.
    """
    space = "level"
    if math.isnan(forecast):
        space, forecast = "error", 0.0
    row: dict[str, object] = {
        "variable": variable,
        "year": year,
        "as_of": as_of.isoformat(),
        "n_known": n_known,
        "space": space,
        "forecast": forecast if space == "level" else math.nan,
        "outcome": outcome,
    }
    for q in (5, 10, 25, 50, 75, 90, 95):
        row[f"q{q:02d}"] = forecast + float(dist.ppf(q / 100))
    row["pit"] = float(dist.cdf(outcome - forecast))
    for level in LEVELS:
        lo = forecast + float(dist.ppf(0.5 - level / 200))
        hi = forecast + float(dist.ppf(0.5 + level / 200))
        row[f"in_{level}"] = bool(lo <= outcome <= hi)
        score = interval_score(np.array([lo]), np.array([hi]), np.array([outcome]), 1 - level / 100)
        row[f"interval_score_{level}"] = float(score[0])
    return row


def error_rows(table: ForecastErrorTable, first: int, last: int) -> list[dict[str, object]]:
    """Forecast-error part: each year's band as of the day its budget-time forecast appeared."""
    rows = []
    for variable, horizons in ERROR_SAMPLES.items():
        latest = table.sample(variable, "9999-12-31", horizons=horizons)
        for target in latest.rows:
            if not first <= target.year <= last:
                continue
            as_of = target.published  # the budget (or estimate) the run would have started from
            fit = table.sample(variable, as_of, horizons=horizons, late="drop").fit()
            p = fit.predictive
            if target.forecast is None:  # the source states only the miss: error space
                forecast, outcome = math.nan, target.error
            else:
                forecast, outcome = target.forecast, target.forecast + target.error
            dist = stats.t(p.df, p.loc, p.scale)
            rows.append(_band_row(variable, target.year, as_of, fit.n, forecast, outcome, dist))
    return rows


def ndr_rows(facts: str | Path, first: int, last: int) -> list[dict[str, object]]:
    """Sector result: the regime AR(1) fitted on the years before each year, against the outcome."""
    history = ndr_history(facts)
    recent = ndr_by_level(facts)
    sector = recent[recent["level"] == "sector"].set_index("year")["pct"]
    for year, value in sector.items():
        history.loc[int(year)] = float(value)  # years after the history file (2024)
    history = history.sort_index()
    rows = []
    for year in range(max(first, NDR_FIRST), last + 1):
        if year not in history.index:
            continue
        fit = fit_ndr_regime(history, year - 1)
        mean = fit["mu"] + fit["phi"] * (history.loc[year - 1] - fit["mu"])
        df = fit["df"]
        scale = fit["sd_pct"] * math.sqrt((df - 2) / df)  # a t whose sd is sd_pct
        as_of = dt.date(year, 3, 31)  # the March meeting: last year's result is known
        dist = stats.t(df, 0.0, scale)
        outcome = float(history.loc[year])
        n = int(fit["pairs"])
        rows.append(_band_row("net_operating_result_pct", year, as_of, n, mean, outcome, dist))
    return rows


#: The without-survey level bands: the counties' share of operating revenues and the judged sd
#: of the counties-minus-municipalities difference, as shipped in economy-2024-03.yaml (fixed
#: there in March 2024 from 2023's figures; nothing here is fitted on the backtest years).
COUNTY_SHARE = 0.16
DIFFERENCE_SD = 1.0


def _survey_variable(level: str, with_survey: bool) -> str:
    return f"ndr_{level}_{'budget_survey' if with_survey else 'ar1'}_pct"


def _sector_band(history: pd.Series, year: int) -> tuple[float, float, float, int]:
    """The regime AR(1)'s one-year band for ``year``: mean, sd, df, pairs."""
    fit = fit_ndr_regime(history, year - 1)
    mean = fit["mu"] + fit["phi"] * (history.loc[year - 1] - fit["mu"])
    return mean, fit["sd_pct"], fit["df"], int(fit["pairs"])


def survey_rows(
    table: ForecastErrorTable, facts: str | Path, first: int, last: int
) -> list[dict[str, object]]:
    """Level bands with the budget survey and, on the years it can be built, without it.

    Each year's information date is March 31 of the year (the first consultation meeting).
    A survey row enters only if the survey was public then; the gap is fitted on the pairs
    whose survey and outcome were both public then (none: the prior alone, a t1). The outcome
    is the latest in the table or, for 2024's municipalities, ``ndr_by_level_recent.csv``.
    """
    history = _sector_history(facts)
    recent = ndr_by_level(facts).set_index(["year", "level"])["pct"]
    latest = {
        level: {r.year: r for r in table.sample(v, "9999-12-31", horizons=("budget",)).rows}
        for level, v in SURVEY_VARIABLES.items()
        if v in table.variables
    }
    rows: list[dict[str, object]] = []
    for year in range(max(first, NDR_FIRST), last + 1):
        as_of = dt.date(year, 3, 31)
        gaps: list[float] = []
        known: dict[str, dict[int, float]] = {}
        for level, variable in SURVEY_VARIABLES.items():
            sample = table.sample(variable, as_of, horizons=("budget",), late="drop")
            gaps += sample.errors.tolist()
            known[level] = {r.year: r.outcome for r in sample.rows if r.outcome is not None}
        gap = fit_errors(gaps, PRIORS[SURVEY_VARIABLES["municipalities"]]).predictive
        for level in SURVEY_VARIABLES:
            target = latest.get(level, {}).get(year)
            outcome = (
                float(target.outcome)
                if target is not None and target.outcome is not None
                else float(recent.get((year, level), math.nan))
            )
            if math.isnan(outcome):
                continue
            if target is not None and target.forecast is not None and target.published <= as_of:
                dist = stats.t(gap.df, gap.loc, gap.scale)
                variable = _survey_variable(level, True)
                rows.append(
                    _band_row(variable, year, as_of, len(gaps), target.forecast, outcome, dist)
                )
            last_level = known[level].get(year - 1)
            if last_level is not None and year - 1 in history.index and year in history.index:
                mean, sd, df, pairs = _sector_band(history, year)
                share = COUNTY_SHARE if level == "municipalities" else 1 - COUNTY_SHARE
                sd = math.sqrt(sd**2 + (share * DIFFERENCE_SD) ** 2)
                offset = last_level - float(history.loc[year - 1])
                dist = stats.t(df, 0.0, sd * math.sqrt((df - 2) / df))
                variable = _survey_variable(level, False)
                rows.append(_band_row(variable, year, as_of, pairs, mean + offset, outcome, dist))
    return rows


def _sector_history(facts: str | Path) -> pd.Series:
    """The sector's history with the recent table's later years (2024) added."""
    history = ndr_history(facts)
    recent = ndr_by_level(facts)
    sector = recent[recent["level"] == "sector"].set_index("year")["pct"]
    for year, value in sector.items():
        if int(year) not in history.index:
            history.loc[int(year)] = float(value)
    return history.sort_index()


def coverage(rows: pd.DataFrame) -> pd.DataFrame:
    """Per variable and band: nominal, empirical, n, two-sided exact binomial p, mean score."""
    out = []
    for variable, part in rows.groupby("variable", sort=False):
        for level in LEVELS:
            inside = int(part[f"in_{level}"].sum())
            n = len(part)
            test = stats.binomtest(inside, n, level / 100, alternative="two-sided")
            out.append(
                {
                    "variable": variable,
                    "band": f"{level}%",
                    "nominal": level / 100,
                    "empirical": inside / n,
                    "n": n,
                    "p_value": float(test.pvalue),
                    "mean_interval_score": float(part[f"interval_score_{level}"].mean()),
                }
            )
    return pd.DataFrame(out)


def level_bands(config: Config, facts: str | Path, draws: int, entropy: int) -> pd.DataFrame:
    """Every planned year of ``config``, by level: band, P(below norm) and the known outcome.

    A configuration with a budget survey gets two sets of rows, ``budget_survey`` True (as
    configured) and False (the survey left out, the same seed).

    Raises
    ------
    ConfigError
        If the configuration has no economy section.
    """
    if config.economy is not None and config.economy.budget_survey is not None:
        # the same run without the survey, beside it: what conditioning on it changed
        plain = dataclasses.replace(
            config, economy=dataclasses.replace(config.economy, budget_survey=None)
        )
        without = _level_bands(plain, facts, draws, entropy).assign(budget_survey=False)
        return pd.concat(
            [_level_bands(config, facts, draws, entropy).assign(budget_survey=True), without],
            ignore_index=True,
        )
    return _level_bands(config, facts, draws, entropy).assign(budget_survey=False)


def _level_bands(config: Config, facts: str | Path, draws: int, entropy: int) -> pd.DataFrame:
    model = build_cost_model(config)
    if not isinstance(model, EconomyModel):
        raise ConfigError("economy", None, "the configuration needs an economy section")
    rng = np.random.default_rng(np.random.SeedSequence(entropy))
    out = model.simulate(rng, draws, every_year=True)
    known = ndr_by_level(facts).set_index(["year", "level"])
    norms = {"sector": 2.0, "municipalities": 1.75, "counties": 4.0}  # TBU's recommended levels
    rows = []
    first_scenario = 0  # the economy's levels do not differ much by scenario; the first is shown
    for level, variable in NDR_VARIABLES.items():
        for j, year in enumerate(model.spec.years):
            x = out[variable][:, first_scenario, j]
            p = float(np.mean(x < norms[level]))
            q = np.percentile(x, [5, 25, 50, 75, 95])
            outcome = known["pct"].get((year, level), np.nan)
            rows.append(
                {
                    "as_of": config.as_of.isoformat() if config.as_of else "",
                    "scenario": config.scenarios[first_scenario].name,
                    "variable": variable,
                    "level": level,
                    "year": year,
                    "norm_pct": norms[level],
                    "p_below_norm": p,
                    "p_below_norm_mcse": math.sqrt(p * (1 - p) / draws),
                    "q05": q[0],
                    "q25": q[1],
                    "q50": q[2],
                    "q75": q[3],
                    "q95": q[4],
                    "outcome": outcome,
                    "outcome_percentile": float(np.mean(x <= outcome))
                    if np.isfinite(outcome)
                    else np.nan,
                    "draws": draws,
                }
            )
    return pd.DataFrame(rows)


def backtest_economy(
    first: int,
    last: int,
    facts: str | Path,
    *,
    table: ForecastErrorTable | None = None,
    config: Config | None = None,
    draws: int = 20_000,
    entropy: int = 20240321,
) -> EconomyBacktest:
    """Backtest the economy's bands over ``first..last`` (see the module docstring).

    Parameters
    ----------
    first, last : int
        The target years.
    facts : str or Path
        The fact-table folder (``../shared/data/facts``).
    table : ForecastErrorTable, optional
        The forecast-error table (default: the shipped one).
    config : Config, optional
        A configuration whose own planned years are simulated and placed (``levels``).
    draws, entropy : int
        Draws and seed entropy of that simulation.

    Returns
    -------
    EconomyBacktest

    Raises
    ------
    ConfigError
        If ``first > last`` or no year in the window has a forecast or an outcome.
    """
    if first > last:
        raise ConfigError("--years", f"{first}-{last}", "a range Y1-Y2 with Y1 <= Y2")
    table = load_forecast_errors() if table is None else table
    records = (
        error_rows(table, first, last)
        + ndr_rows(facts, first, last)
        + survey_rows(table, facts, first, last)
    )
    if not records:
        raise ConfigError(
            "--years",
            f"{first}-{last}",
            f"years with a budget-time forecast in the table or a net operating result from "
            f"{NDR_FIRST}",
        )
    rows = pd.DataFrame.from_records(records, columns=ROW_COLUMNS)
    levels = pd.DataFrame() if config is None else level_bands(config, facts, draws, entropy)
    return EconomyBacktest(rows=rows, coverage=coverage(rows), levels=levels)
