"""A one-year cohort step of the national population, and what history says about its spread.

Only population stocks by age and sex are in our data, so deaths and migration are separated with
a Gompertz mortality schedule ``q(age) = A exp(B age)`` (males ``male_ratio`` times higher):
``A`` and ``B`` are chosen so that the schedule gives the year's published number of deaths and
explains the year's fall in cohorts aged 80 and over, where migration is negligible. Whatever the
stock change leaves after births and deaths is net migration.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq, fsolve

from mc.model.ages import N_AGES
from mc.model.population import PopulationTable

OLD_AGE = 80
_AGES = np.arange(N_AGES)
_MAX_Q = 0.7  # cap on annual death probability at the oldest ages (the Gompertz curve overshoots)


@dataclass(frozen=True)
class MortalityFit:
    """Gompertz death probabilities ``A exp(B age)`` for females, ``male_ratio`` times for males."""

    a: float
    b: float
    male_ratio: float

    def probabilities(self) -> np.ndarray:
        """Annual death probability by sex and age, shape ``(2, 106)``."""
        female = np.minimum(self.a * np.exp(self.b * _AGES), _MAX_Q)
        return np.stack([female, np.minimum(female * self.male_ratio, _MAX_Q)])

    def deaths(self, population: np.ndarray) -> np.ndarray:
        """Expected deaths during the year of a population on 1 January, shape ``(2, 106)``."""
        return population * self.probabilities()

    def survivors(self, population: np.ndarray) -> np.ndarray:
        """The population a year later without births or migration (everyone one year older)."""
        alive = population - self.deaths(population)
        out = np.zeros_like(alive)
        out[:, 1:] = alive[:, :-1]
        out[:, -1] += alive[:, -1]
        return out


def _old_age_gap(table: PopulationTable, year: int, fit: MortalityFit) -> float:
    predicted = fit.survivors(table.at(year))[:, OLD_AGE:].sum()
    return float(predicted - table.at(year + 1)[:, OLD_AGE:].sum())


def fit_mortality(
    table: PopulationTable,
    year: int,
    deaths: float | None = None,
    male_ratio: float = 1.35,
    b: float | None = None,
) -> MortalityFit:
    """Fit the Gompertz schedule for ``year`` (1.1.year to 1.1.year+1).

    Parameters
    ----------
    table : PopulationTable
        Must hold ``year`` and ``year + 1``.
    year : int
        The year of deaths.
    deaths : float, optional
        Published deaths in the year. With it, ``A`` and ``B`` are both fitted; without it ``b``
        must be given and only ``A`` is fitted to old-age survival.
    male_ratio : float
        Ratio of male to female death probabilities.
    b : float, optional
        Fixed slope when ``deaths`` is not given.
    """
    if deaths is None:
        if b is None:
            raise ValueError("give either deaths or a fixed slope b")
        a = brentq(lambda a: _old_age_gap(table, year, MortalityFit(a, b, male_ratio)), 1e-9, 1e-2)
        return MortalityFit(float(a), float(b), male_ratio)
    population = table.at(year)

    def equations(x: np.ndarray) -> list[float]:
        fit = MortalityFit(float(np.exp(x[0])), float(x[1]), male_ratio)
        return [
            (fit.deaths(population).sum() - deaths) / 1000.0,
            _old_age_gap(table, year, fit) / 1000.0,
        ]

    solution, _, ok, message = fsolve(equations, [np.log(1e-5), 0.1], full_output=True)
    if ok != 1:
        raise RuntimeError(f"mortality fit for {year} did not converge: {message}")
    return MortalityFit(float(np.exp(solution[0])), float(solution[1]), male_ratio)


def net_migration(table: PopulationTable, year: int, fit: MortalityFit) -> np.ndarray:
    """Net migration by sex and age (age on 1 January ``year + 1``) during ``year``.

    Age 0 is left at zero: births and infant migration cannot be told apart in stock data.
    """
    residual = table.at(year + 1) - fit.survivors(table.at(year))
    residual[:, 0] = 0.0
    return residual


def net_migration_profile(
    table: PopulationTable, first: int, last: int, b: float, male_ratio: float
) -> np.ndarray:
    """Average age/sex shape of net migration over ``first..last``, as shares summing to 1.

    Each year's mortality level is refitted to its own old-age survival (slope ``b`` fixed);
    ages 80+ and negative residuals are set to zero, as they reflect mortality error rather than
    migration.
    """
    total = np.zeros((2, N_AGES))
    for year in range(first, last + 1):
        fit = fit_mortality(table, year, b=b, male_ratio=male_ratio)
        total += net_migration(table, year, fit)
    total[:, OLD_AGE:] = 0.0
    total = np.maximum(total, 0.0)
    return total / total.sum()


def project_one_year(
    population: np.ndarray,
    fit: MortalityFit,
    births: float,
    net_immigration: float,
    migration_profile: np.ndarray,
    female_birth_share: float = 0.487,
) -> np.ndarray:
    """Population one year on: survivors, births at age 0, net immigration by the profile.

    ``female_birth_share`` 0.487 is the usual 105-106 boys per 100 girls.
    """
    out = fit.survivors(population)
    out[:, 0] = births * np.array([female_birth_share, 1.0 - female_birth_share])
    return out + net_immigration * migration_profile


@dataclass(frozen=True)
class HistorySpreads:
    """One-year-ahead spreads of births, deaths and net migration estimated from history."""

    births_sd: float
    deaths_relative_sd: float
    net_migration_sd: float
    first: int
    last: int


def history_spreads(
    table: PopulationTable, first: int, last: int, b: float, male_ratio: float
) -> HistorySpreads:
    """How far each component moved from one year to the next, ``first..last``.

    A forecast that carries last year's number forward misses by the year-on-year change, so the
    standard deviation of those changes is a fair one-year-ahead spread for each driver:

    - births: the number of children aged 0 on 1 January of the next year;
    - deaths: expected deaths from each year's refitted mortality level, as relative changes
      with the average trend removed;
    - net migration: the residual of the stock change (ages 1+), summed.
    """
    years = range(first, last + 1)
    births = np.array([table.at(y + 1)[:, 0].sum() for y in years])
    deaths = []
    migration = []
    for year in years:
        fit = fit_mortality(table, year, b=b, male_ratio=male_ratio)
        deaths.append(fit.deaths(table.at(year)).sum())
        migration.append(net_migration(table, year, fit).sum())
    log_deaths = np.diff(np.log(deaths))
    return HistorySpreads(
        births_sd=float(np.std(np.diff(births), ddof=1)),
        deaths_relative_sd=float(np.std(log_deaths - log_deaths.mean(), ddof=1)),
        net_migration_sd=float(np.std(np.diff(migration), ddof=1)),
        first=first,
        last=last,
    )
