"""Population by single-year age and sex on 1 January, read from tidy CSV files.

The layout is that of SSB table 07459 as kept in ``../shared/data``: columns ``year, age, sex,
population`` (a ``municipality`` column, if present, is summed over). Ages run 0-105 (105 = 105 and
older), sex is ``female`` or ``male``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mc.errors import DataError
from mc.model.ages import N_AGES, SEXES

REQUIRED_COLUMNS = ("year", "age", "sex", "population")


@dataclass(frozen=True)
class PopulationTable:
    """Population counts ``counts[year_index, sex, age]`` for contiguous years."""

    first_year: int
    counts: np.ndarray
    source: str = ""

    @property
    def years(self) -> range:
        """The years covered (1 January of each)."""
        return range(self.first_year, self.first_year + self.counts.shape[0])

    def at(self, year: int) -> np.ndarray:
        """Population on 1 January ``year``, shape ``(2, 106)``.

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

    def change(self, year: int) -> np.ndarray:
        """Change from 1 January ``year - 1`` to 1 January ``year``, shape ``(2, 106)``."""
        return self.at(year) - self.at(year - 1)


def read_population(path: str | Path) -> PopulationTable:
    """Read and check a national population file.

    Parameters
    ----------
    path : str or Path
        CSV (optionally gzip-compressed) with columns ``year, age, sex, population``.

    Returns
    -------
    PopulationTable

    Raises
    ------
    DataError
        Naming the file, the line and the rule when a column is missing, a value is not a whole
        non-negative number, a key repeats, an age is missing, or the years have a gap.
    """
    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise DataError(source, "file not found")
    try:
        frame = pd.read_csv(path, dtype={"municipality": str, "sex": str})
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        raise DataError(source, f"cannot be read as CSV ({exc})") from exc
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(source, f"missing column(s) {missing}; required: {list(REQUIRED_COLUMNS)}")
    return population_from_frame(frame, source)


def _show(value: object) -> str:
    """``repr`` of a cell, without NumPy's type wrapper."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def population_from_frame(frame: pd.DataFrame, source: str) -> PopulationTable:
    """Check a tidy frame (see :func:`read_population`) and pack it into a table."""
    line = frame.index.to_numpy() + 2  # header is line 1
    for column in ("year", "age", "population"):
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() | (values != values.round()) | (values < 0)
        if bad.any():
            i = int(np.argmax(bad.to_numpy()))
            raise DataError(
                source,
                f"column '{column}' = {_show(frame[column].iloc[i])}: expected a whole number >= 0",
                int(line[i]),
            )
    bad_sex = ~frame["sex"].isin(SEXES)
    if bad_sex.any():
        i = int(np.argmax(bad_sex.to_numpy()))
        raise DataError(
            source,
            f"column 'sex' = {_show(frame['sex'].iloc[i])}: expected one of {list(SEXES)}",
            int(line[i]),
        )
    bad_age = frame["age"].astype(int) >= N_AGES
    if bad_age.any():
        i = int(np.argmax(bad_age.to_numpy()))
        raise DataError(
            source,
            f"column 'age' = {_show(frame['age'].iloc[i])}: ages must be 0-{N_AGES - 1}",
            int(line[i]),
        )
    keys = ["year", "age", "sex"] + (["municipality"] if "municipality" in frame else [])
    duplicated = frame.duplicated(keys)
    if duplicated.any():
        i = int(np.argmax(duplicated.to_numpy()))
        raise DataError(source, f"duplicate row for {frame[keys].iloc[i].to_dict()}", int(line[i]))
    totals = frame.groupby(["year", "sex", "age"])["population"].sum()
    years = np.sort(frame["year"].astype(int).unique())
    gaps = np.flatnonzero(np.diff(years) != 1)
    if gaps.size:
        raise DataError(
            source,
            f"years must be contiguous; {years[gaps[0]]} is followed by {years[gaps[0] + 1]}",
        )
    counts = np.zeros((years.size, len(SEXES), N_AGES))
    for (year, sex, age), value in totals.items():
        counts[int(year) - years[0], SEXES.index(sex), int(age)] = value
    have = totals.groupby(level=["year", "sex"]).size()
    incomplete = have[have != N_AGES]
    if len(incomplete) or len(have) != years.size * len(SEXES):
        year, sex = incomplete.index[0] if len(incomplete) else (years[0], "?")
        raise DataError(source, f"year {year}, sex {sex}: every age 0-{N_AGES - 1} must be present")
    return PopulationTable(int(years[0]), counts, source)
