"""Population by single-year age and sex on 1 January: the tables data and model share.

:class:`PopulationTable` holds the nation, :class:`RegionalPopulation` every municipality. Both
are built and checked by :mod:`mc.data.population` and consumed by :mod:`mc.model`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Self

import numpy as np

from mc.errors import DataError


class _ByYear:
    """Counts with the year (1 January) on the first axis.

    Shared by the national and the regional table, which add their own fields.
    """

    first_year: int
    counts: np.ndarray
    source: str

    @property
    def years(self) -> range:
        """The years covered (1 January of each)."""
        return range(self.first_year, self.first_year + self.counts.shape[0])

    def at(self, year: int) -> np.ndarray:
        """Population on 1 January ``year`` (the year axis removed).

        Raises
        ------
        DataError
            If the year is not in the table.
        """
        if year not in self.years:
            raise DataError(
                self.source,
                f"year {year} is not in the data "
                f"(it covers {self.years.start}-{self.years.stop - 1})",
            )
        return self.counts[year - self.first_year]

    def until(self, year: int) -> Self:
        """Only the years up to 1 January ``year`` (what was known then)."""
        self.at(year)
        keep = year - self.first_year + 1
        return dataclasses.replace(self, counts=self.counts[:keep])  # type: ignore[type-var]


@dataclass(frozen=True)
class PopulationTable(_ByYear):
    """Population counts ``counts[year_index, sex, age]`` for contiguous years."""

    first_year: int
    counts: np.ndarray
    source: str = ""

    def change(self, year: int) -> np.ndarray:
        """Change from 1 January ``year - 1`` to 1 January ``year``, shape ``(2, 106)``."""
        return self.at(year) - self.at(year - 1)


@dataclass(frozen=True)
class RegionalPopulation(_ByYear):
    """Population by municipality: ``counts[year_index, region, sex, age]``.

    ``codes`` are 4-digit municipality codes (text, leading zeros kept) and ``counties`` the
    2-digit county of each.
    """

    first_year: int
    codes: tuple[str, ...]
    counties: tuple[str, ...]
    counts: np.ndarray
    source: str = ""
    notes: tuple[str, ...] = ()

    def national(self) -> PopulationTable:
        """The sum over regions."""
        return PopulationTable(self.first_year, self.counts.sum(axis=1), self.source)
