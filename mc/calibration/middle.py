"""A reconstruction of SSB's July 2022 middle alternative (MMM) from its stated assumptions.

TBU's baseline is SSB's middle alternative; its single-age series is not in our data, only the
assumptions SSB published (``components/nor_ssb_projection_summary.csv``): net migration in 2022
and 2040, TFR and life expectancy at birth in 2022 and 2040, and the population on 1 January
2025. Nothing here looks at TBU's results.

A deterministic cohort-component step, one calendar year ``t``:

* **deaths**: the death rates of the last year SSB had (``rates_year``, HMD), all ages and both
  sexes shifted by one factor ``exp(delta)`` so that the mean of the women's and the men's period
  life expectancy equals SSB's e0 for ``t`` (linear between the published years). A cohort
  survives the year with ``exp(-(m(a) + m(a+1)) / 2)``, the open age 105+ with ``exp(-m(105))``,
  the newborn with ``exp(-m(0) / 2)``;
* **births**: SSB's TFR for ``t`` (linear between the published years) times the age shape of
  fertility in ``rates_year`` (HFD) times the mean number of women at each age on 1 January ``t``
  and ``t + 1``; boys a share ``boys`` (HMD births in the ten years to ``rates_year``);
* **net migration**: a level ``N(t)`` spread over ages by the average cohort residuals of
  ``profile_years`` (a period without refugee waves).

SSB's net migration is published for 2022 (37,251, with that year's refugees) and 2040 (11,672).
Between them it is taken as linear from an unknown 2023 level to the 2040 one; that 2023 level is
the one number solved for, so that the reconstruction, started from SSB's jump-off population on
1 January 2022, has SSB's published population on 1 January 2025. It is then checked against a
figure it was not solved for: TBU's statement that the middle alternative grew by 33,600 in 2023.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from mc.domain.ages import N_AGES
from mc.domain.components import ASFR_AGES, ComponentHistory
from mc.model.components import cohort_residuals
from mc.model.population import PopulationTable

SUMMARY_KEY = tuple[int, str, str, int]


def _interpolate(points: dict[int, float], year: int) -> float:
    """Linear between published years; constant beyond the last."""
    years = sorted(points)
    return float(np.interp(year, years, [points[y] for y in years]))


def life_expectancy(mx: np.ndarray) -> float:
    """Period life expectancy at birth from central death rates ``mx`` (ages 0..open age).

    Constant hazard within each year of age; the last age is open (``L = l / m``).
    """
    m = np.maximum(mx, 1e-12)
    survive = np.exp(-m[:-1])
    lx = np.concatenate([[1.0], np.cumprod(survive)])
    person_years = lx[:-1] * (1.0 - survive) / m[:-1]
    return float(person_years.sum() + lx[-1] / m[-1])


def _fill_old_ages(mx: np.ndarray) -> np.ndarray:
    """HMD leaves rates empty where nobody was exposed: carry the last rate forward."""
    out = mx.copy()
    for s in range(out.shape[0]):
        for a in range(1, out.shape[1]):
            if not np.isfinite(out[s, a]) or out[s, a] <= 0:
                out[s, a] = out[s, a - 1]
    return out


@dataclass(frozen=True)
class Assumptions:
    """SSB's published MMM assumptions and the rates that carry them."""

    mx: np.ndarray  # (2, 111) death rates of rates_year, HMD ages 0-110+
    asfr_shape: np.ndarray  # (106,) fertility by mother's age, sums to 1
    boys: float
    profile: np.ndarray  # (2, 106) net migration by sex and age at year end, sums to 1
    tfr: dict[int, float]
    e0: dict[int, float]
    net_migration: dict[int, float]
    rates_year: int
    profile_years: tuple[int, int]

    def delta(self, year: int) -> float:
        """Log shift of all death rates that gives SSB's e0 in ``year``."""
        target = _interpolate(self.e0, year)

        def gap(d: float) -> float:
            m = self.mx * np.exp(d)
            return 0.5 * (life_expectancy(m[0]) + life_expectancy(m[1])) - target

        return float(brentq(gap, -2.0, 2.0))

    def rates(self, year: int) -> np.ndarray:
        """Death rates by sex and age 0-105 in ``year``."""
        rates: np.ndarray = self.mx[:, :N_AGES] * np.exp(self.delta(year))
        return rates


def read_assumptions(
    summary: dict[SUMMARY_KEY, float],
    history: ComponentHistory,
    population: PopulationTable,
    *,
    projection_round: int,
    rates_year: int,
    profile_years: tuple[int, int],
) -> Assumptions:
    """Collect the round's MMM assumptions and the rates and profile that carry them."""
    picked: dict[str, dict[int, float]] = {"tfr": {}, "e0_both": {}, "net_migration": {}}
    for (rnd, variant, indicator, year), value in summary.items():
        if rnd == projection_round and variant == "MMM" and indicator in picked:
            picked[indicator][year] = value
    mx = _fill_old_ages(history.mx_in(rates_year))
    asfr = np.zeros(N_AGES)
    row = history.asfr[rates_year - history.asfr_first]
    asfr[ASFR_AGES[0] : ASFR_AGES[1] + 1] = row
    births = np.array([history.births_in(y) for y in range(rates_year - 9, rates_year + 1)])
    first, last = profile_years
    cells = sum(
        cohort_residuals(
            population.at(t), population.at(t + 1), history.deaths_in(t), history.births_in(t)
        )
        for t in range(first, last + 1)
    )
    profile = np.asarray(cells, dtype=float)
    return Assumptions(
        mx=mx,
        asfr_shape=asfr / asfr.sum(),
        boys=float(births[:, 1].sum() / births.sum()),
        profile=profile / profile.sum(),
        tfr=picked["tfr"],
        e0=picked["e0_both"],
        net_migration=picked["net_migration"],
        rates_year=rates_year,
        profile_years=(first, last),
    )


@dataclass(frozen=True)
class Step:
    """One year of the reconstruction: the population a year on and its components."""

    population: np.ndarray  # (2, 106) on 1 January t + 1
    births: float
    deaths: np.ndarray  # (2, 106) deaths by age on 1 January t (cohort deaths)
    net_migration: float
    tfr: float
    e0: float


def step(assumptions: Assumptions, population: np.ndarray, year: int, net_migration: float) -> Step:
    """Project ``population`` (1 January ``year``) one year with the MMM assumptions."""
    m = assumptions.rates(year)
    survival = np.empty_like(population)
    survival[:, :-1] = np.exp(-(m[:, :-1] + m[:, 1:]) / 2)
    survival[:, -1] = np.exp(-m[:, -1])
    survivors = population * survival
    after = np.zeros_like(population)
    after[:, 1:] = survivors[:, :-1]
    after[:, -1] += survivors[:, -1]
    after += net_migration * assumptions.profile
    tfr = _interpolate(assumptions.tfr, year)
    # the newborn are not women of childbearing age, so age 0 of ``after`` does not matter here
    women = 0.5 * (population[0] + after[0])
    births = tfr * float(assumptions.asfr_shape @ women)
    newborn = births * np.array([1.0 - assumptions.boys, assumptions.boys]) * np.exp(-m[:, 0] / 2)
    after[:, 0] += newborn
    return Step(
        population=after,
        births=births,
        deaths=population - survivors,
        net_migration=net_migration,
        tfr=tfr,
        e0=_interpolate(assumptions.e0, year),
    )


@dataclass(frozen=True)
class Reconstruction:
    """The MMM path from SSB's jump-off, its migration levels and how it compares."""

    jump_off: int
    totals: dict[int, float]  # population on 1 January of each year
    net_migration: dict[int, float]  # level used in each calendar year
    target_year: int
    target_population: float

    def growth(self, year: int) -> float:
        """Growth during calendar ``year``."""
        return self.totals[year + 1] - self.totals[year]


def solve_migration(
    assumptions: Assumptions,
    population: PopulationTable,
    jump_off: int,
    target_year: int,
    target_population: float,
    until: int,
) -> Reconstruction:
    """The 2023-onwards migration level that lands on SSB's published population.

    Net migration is SSB's published value in ``jump_off``; from ``jump_off + 1`` it runs
    linearly from the unknown level ``x`` to SSB's next published value (held beyond it). ``x``
    solves: population on 1 January ``target_year`` = ``target_population``.
    """
    published = dict(assumptions.net_migration)
    later = min(y for y in published if y > jump_off)

    def levels(x: float) -> dict[int, float]:
        points = {jump_off + 1: x, later: published[later]}
        out = {jump_off: published[jump_off]}
        for year in range(jump_off + 1, until):
            out[year] = _interpolate(points, year)
        return out

    def path(x: float) -> dict[int, float]:
        current = population.at(jump_off).astype(float)
        totals = {jump_off: float(current.sum())}
        for year, level in levels(x).items():
            current = step(assumptions, current, year, level).population
            totals[year + 1] = float(current.sum())
        return totals

    def gap(x: float) -> float:
        return path(x)[target_year] - target_population

    x = float(brentq(gap, -50_000.0, 150_000.0, xtol=0.5))
    return Reconstruction(jump_off, path(x), levels(x), target_year, target_population)
