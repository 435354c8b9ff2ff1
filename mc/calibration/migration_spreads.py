"""How wrong a one-year-ahead forecast of net immigration has been, and the spreads it implies.

TBU prices next year's population change in the spring, when net migration is known to the end
of the year before. Its error is therefore a one-step-ahead forecast error. This module backtests
the forecast rules one can rerun on the history an analyst had in March 2024 (net migration
1986-2023, the balancing-equation residual):

* ``last_level``: next year's net migration equals this year's;
* ``ar1``: the AR(1) ``N(t) = c + phi N(t-1) + e(t)`` of ``docs/components.md``, refitted by least
  squares on every year from 1986 to the year before the one forecast;

and, where SSB's published rounds give a net-migration assumption for a year whose outcome is in
the history, SSB's own error (a handful of points, reported beside the rules, not fitted).

The errors (outcome minus forecast) are summarised by mean, sd, skewness and quantiles, and a
*split normal* is fitted: the forecast is the median, the sd below it is ``sd_low`` and above it
``sd_high`` (maximum likelihood with the median fixed at zero: each side's root mean square). With
one or two dozen points per side the sd is itself uncertain; a Student-t style factor widens it so
that the 90 % interval of a new error matches a t predictive with the side's sample size.

The history does not say which part of net migration was refugees, so one combined error is
estimated and divided between the two config entries: ``regular_net_immigration`` (every year's
ordinary variation, normal) gets the sd of the errors in the years without a refugee wave, and
``extra_net_immigration`` (the refugee flow on top, with the immigrant profile) gets a split
normal chosen so that the sum of the two has the fitted split normal's mean and variance: with
``d = sd_high - sd_low`` of the fit (which sets the mean, ``d / sqrt(2 pi)``) the refugee entry
keeps ``d`` and its ``sd_low * sd_high`` is the fit's minus the other sd squared (which sets the
variance). All of the skew sits in the refugee entry; the sum's skewness is lower than the fit's
because the normal part dilutes it (docs/migration-spreads.md shows both).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from mc.data.migration_history import NetMigrationHistory, SsbAssumption

RULES = ("ar1", "last_level")
#: Years whose error is a refugee wave, kept out of the ordinary ("other") spread: 2022, the year
#: of the arrivals from Ukraine (UDI: 35,920 in 2022; facts/ukraine_refugees_norway_counts.csv).
#: 2015-16's asylum arrivals did not show as a positive error in net migration (it fell in 2015).
REFUGEE_WAVE_YEARS = (2022,)
#: The first year forecast: the AR(1) then has 1986-1989, three pairs, the fewest it can fit.
FIRST_YEAR = 1990
#: The last year with an outcome an analyst had in March 2024.
LAST_YEAR = 2023
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass(frozen=True)
class ErrorSummary:
    """Moments and quantiles of a sample of forecast errors (persons)."""

    n: int
    first: int
    last: int
    mean: float
    sd: float
    skewness: float
    skewness_se: float
    quantiles: tuple[float, ...]

    @classmethod
    def of(cls, years: np.ndarray, errors: np.ndarray) -> ErrorSummary:
        """Summarise ``errors`` of ``years`` (sample sd, bias-corrected skewness)."""
        n = errors.size
        # standard error of the sample skewness of a normal sample of size n
        se = math.sqrt(6.0 * n * (n - 1) / ((n - 2) * (n + 1) * (n + 3)))
        return cls(
            n=n,
            first=int(years.min()),
            last=int(years.max()),
            mean=float(errors.mean()),
            sd=float(errors.std(ddof=1)),
            skewness=float(stats.skew(errors, bias=False)),
            skewness_se=se,
            quantiles=tuple(float(q) for q in np.quantile(errors, QUANTILES)),
        )


def ar1_fit(series: np.ndarray) -> tuple[float, float]:
    """Least-squares ``(c, phi)`` of ``N(t) = c + phi N(t-1) + e(t)``."""
    x = np.column_stack([np.ones(series.size - 1), series[:-1]])
    beta = np.linalg.lstsq(x, series[1:], rcond=None)[0]
    return float(beta[0]), float(beta[1])


def backtest_errors(
    history: NetMigrationHistory, rule: str, first: int = FIRST_YEAR, last: int = LAST_YEAR
) -> tuple[np.ndarray, np.ndarray]:
    """One-year-ahead errors (outcome minus forecast) of ``rule`` for the years ``first..last``.

    The forecast of year ``Y`` uses the history up to ``Y - 1`` only.

    Returns
    -------
    years, errors : ndarray
    """
    if rule not in RULES:
        raise ValueError(f"rule={rule!r}, but it must be one of {list(RULES)}")
    start = int(history.years[0])
    errors = []
    for year in range(first, last + 1):
        past = history.between(start, year - 1)
        outcome = float(history.between(year, year)[0])
        if rule == "last_level":
            forecast = float(past[-1])
        else:
            c, phi = ar1_fit(past)
            forecast = c + phi * float(past[-1])
        errors.append(outcome - forecast)
    return np.arange(first, last + 1), np.array(errors)


def fit_split_normal(errors: np.ndarray) -> tuple[float, float, int, int]:
    """Maximum-likelihood ``sd_low, sd_high`` of a median-zero split normal, and each side's n.

    With the median fixed at zero each side is a half-normal carrying half the mass, so each sd
    is the root mean square of the errors on its side.
    """
    low, high = errors[errors < 0], errors[errors >= 0]
    return (
        float(np.sqrt(np.mean(low**2))),
        float(np.sqrt(np.mean(high**2))),
        int(low.size),
        int(high.size),
    )


def widening(n: int) -> float:
    """Factor on an sd estimated from ``n`` points so a new error's 90 % interval is a t's.

    ``sqrt(1 + 1/n) * t_0.95(n - 1) / z_0.95``: the predictive of a new draw from a normal whose
    mean and sd are estimated from ``n`` points, matched at the 90 % interval (1.044 at n = 34,
    1.11 at n = 15).
    """
    return float(math.sqrt(1 + 1 / n) * stats.t.ppf(0.95, n - 1) / stats.norm.ppf(0.95))


@dataclass(frozen=True)
class SsbCheck:
    """SSB's published main-alternative net migration for a year against what happened."""

    projection_round: int
    year: int
    assumed: float
    outcome: float

    @property
    def error(self) -> float:
        """Outcome minus assumption."""
        return self.outcome - self.assumed


@dataclass(frozen=True)
class MigrationSpreads:
    """The estimated error of next year's net immigration and how the config carries it."""

    rule: str
    summary: ErrorSummary
    others: dict[str, ErrorSummary]  # the other rules, for comparison
    sd_low: float  # fitted split normal, before widening
    sd_high: float
    n_low: int
    n_high: int
    regular: ErrorSummary  # errors without the refugee-wave years
    wave_years: tuple[int, ...]
    ssb: tuple[SsbCheck, ...] = field(default_factory=tuple)

    @property
    def regular_sd(self) -> float:
        """``regular_net_immigration.sd``: the no-wave years' sd, widened."""
        return self.regular.sd * widening(self.regular.n)

    @property
    def widened(self) -> tuple[float, float]:
        """The fitted ``sd_low, sd_high``, each widened for its side's sample size."""
        return self.sd_low * widening(self.n_low), self.sd_high * widening(self.n_high)

    @property
    def extra_sds(self) -> tuple[float, float]:
        """``extra_net_immigration``'s ``sd_low, sd_high``: see the module docstring.

        Keeps the widened fit's ``d = sd_high - sd_low`` and sets ``sd_low * sd_high`` to the
        fit's minus ``regular_sd ** 2`` (floored at 0: then the sum's variance is too large).
        """
        low, high = self.widened
        d = high - low
        product = max(low * high - self.regular_sd**2, 0.0)
        upper = 0.5 * (d + math.sqrt(d * d + 4.0 * product))
        return upper - d, upper

    def table_entries(self) -> dict[str, Any]:
        """The two entries of ``configs/tables/uncertainty-*.yaml``, rounded to 100 persons."""
        s = self.summary
        sample = (
            f"one-year-ahead errors of net migration (outcome minus forecast) {s.first}-{s.last}, "
            f"n = {s.n}, forecast by the {_RULE_WORDS[self.rule]} on data to the year before "
            "(net migration 1986-2023 as the balancing-equation residual, HMD/SSB; what an "
            "analyst had in March 2024)"
        )
        waves = ", ".join(str(y) for y in self.wave_years)
        return {
            "extra_net_immigration": {
                "distribution": "split_normal",
                "sd_low": _round(self.extra_sds[0]),
                "sd_high": _round(self.extra_sds[1]),
                "source": (
                    "Estimated by tbu-mc calibrate (mc/calibration/migration_spreads.py): "
                    f"{sample}; "
                    f"mean {s.mean:,.0f}, sd {s.sd:,.0f}, skewness {s.skewness:.2f} "
                    f"(s.e. {s.skewness_se:.2f}). A split normal with the median at the forecast "
                    f"fits sd {self.sd_low:,.0f} below and {self.sd_high:,.0f} above "
                    f"({self.n_low} and {self.n_high} points), each widened by "
                    "sqrt(1+1/n) t_0.95(n-1)/z_0.95 for its sample size. The history does not "
                    "separate refugees: this entry carries the skew, sized so that it plus the "
                    "normal other-migration spread has the fit's mean and variance. See "
                    "docs/migration-spreads.md for the range tried and its effect on the band."
                ),
            },
            "regular_net_immigration": {
                "sd": _round(self.regular_sd),
                "source": (
                    f"Estimated by tbu-mc calibrate: sd {self.regular.sd:,.0f} of the same errors "
                    f"without the refugee-wave year(s) {waves} (n = {self.regular.n}, skewness "
                    f"{self.regular.skewness:.2f}: no skew, so normal), widened by "
                    f"{widening(self.regular.n):.3f} for the sample size. Sample: {sample}."
                ),
            },
        }


_RULE_WORDS = {
    "ar1": "AR(1) of docs/components.md refitted each year",
    "last_level": "last year's level",
}


def _round(value: float) -> float:
    return float(np.round(value, -2))


def ssb_checks(history: NetMigrationHistory, ssb: list[SsbAssumption]) -> tuple[SsbCheck, ...]:
    """SSB's assumption for the year its round was published, where the outcome is known."""
    last = int(history.years[-1])
    return tuple(
        SsbCheck(
            a.projection_round, a.year, a.net_migration, float(history.between(a.year, a.year)[0])
        )
        for a in ssb
        if a.year == a.projection_round and a.year <= last
    )


def estimate_migration_spreads(
    history: NetMigrationHistory,
    ssb: list[SsbAssumption] | None = None,
    rule: str = "ar1",
    first: int = FIRST_YEAR,
    last: int = LAST_YEAR,
    wave_years: tuple[int, ...] = REFUGEE_WAVE_YEARS,
) -> MigrationSpreads:
    """Backtest the forecast rules and fit the spreads; see the module docstring.

    Parameters
    ----------
    history : NetMigrationHistory
        Net migration by year (``mc.data.migration_history.read_net_migration``).
    ssb : list of SsbAssumption, optional
        SSB's published assumptions, for the comparison only.
    rule : {"ar1", "last_level"}
        The forecast whose errors set the spreads.
    first, last : int
        The years forecast.
    wave_years : tuple of int
        Years left out of the ordinary ("other") migration's spread.

    Returns
    -------
    MigrationSpreads
    """
    years, errors = backtest_errors(history, rule, first, last)
    others = {
        r: ErrorSummary.of(*backtest_errors(history, r, first, last)) for r in RULES if r != rule
    }
    sd_low, sd_high, n_low, n_high = fit_split_normal(errors)
    calm = ~np.isin(years, wave_years)
    return MigrationSpreads(
        rule=rule,
        summary=ErrorSummary.of(years, errors),
        others=others,
        sd_low=sd_low,
        sd_high=sd_high,
        n_low=n_low,
        n_high=n_high,
        regular=ErrorSummary.of(years[calm], errors[calm]),
        wave_years=tuple(int(y) for y in wave_years if first <= y <= last),
        ssb=ssb_checks(history, ssb or []),
    )
