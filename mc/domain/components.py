"""The national component series a cohort-component projection is fitted on.

Held as plain arrays so that fitting (:mod:`mc.model.components`) needs no file access; the
reader is :func:`mc.data.components.read_components`. Sexes are ``(female, male)`` on the axis
before age, as in :mod:`mc.domain.population`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from mc.errors import DataError

#: Ages the fertility rates cover (HFD: 12 stands for 12 and under, 55 for 55 and over).
ASFR_AGES = (12, 55)


@dataclass(frozen=True)
class ComponentHistory:
    """Deaths, death rates, births and fertility rates by calendar year.

    Parameters
    ----------
    deaths_first : int
        First calendar year of ``deaths`` and ``mx``.
    deaths : ndarray, shape (Y, 2, 106)
        Deaths in the calendar year by age at death (105 = 105 and over).
    mx : ndarray, shape (Y, 2, 111)
        Central death rates by age 0-110 (110 = 110+); NaN where HMD has no exposure.
    births_first : int
        First calendar year of ``births``.
    births : ndarray, shape (B, 2)
        Live births by sex of the child.
    asfr_first : int
        First calendar year of ``asfr``.
    asfr : ndarray, shape (F, 44)
        Age-specific fertility rates at mother's ages 12-55.
    source : str
        The folder the series were read from (for error messages).
    """

    deaths_first: int
    deaths: np.ndarray
    mx: np.ndarray
    births_first: int
    births: np.ndarray
    asfr_first: int
    asfr: np.ndarray
    source: str = ""

    def _last(self, first: int, array: np.ndarray) -> int:
        return first + array.shape[0] - 1

    @property
    def last_year(self) -> dict[str, int]:
        """The last calendar year of each series."""
        return {
            "deaths": self._last(self.deaths_first, self.deaths),
            "births": self._last(self.births_first, self.births),
            "asfr": self._last(self.asfr_first, self.asfr),
        }

    def deaths_in(self, year: int) -> np.ndarray:
        """Deaths by sex and age in calendar ``year``, shape ``(2, 106)``."""
        return self.deaths[self._index(year, self.deaths_first, self.deaths, "deaths")]

    def mx_in(self, year: int) -> np.ndarray:
        """Death rates by sex and age 0-110 in calendar ``year``, shape ``(2, 111)``."""
        return self.mx[self._index(year, self.deaths_first, self.mx, "death rates")]

    def births_in(self, year: int) -> np.ndarray:
        """Births by sex in calendar ``year``, shape ``(2,)``."""
        return self.births[self._index(year, self.births_first, self.births, "births")]

    def _index(self, year: int, first: int, array: np.ndarray, what: str) -> int:
        if not first <= year < first + array.shape[0]:
            raise DataError(
                self.source,
                f"{what} for {year} are not in the data "
                f"(they cover {first}-{first + array.shape[0] - 1})",
            )
        return year - first

    def until(self, year: int) -> ComponentHistory:
        """Only the calendar years before ``year``: what was known on 1 January ``year``."""

        def cut(first: int, array: np.ndarray) -> np.ndarray:
            return array[: max(0, min(array.shape[0], year - first))]

        return dataclasses.replace(
            self,
            deaths=cut(self.deaths_first, self.deaths),
            mx=cut(self.deaths_first, self.mx),
            births=cut(self.births_first, self.births),
            asfr=cut(self.asfr_first, self.asfr),
        )
