"""Population by single-year age and sex on 1 January, read from tidy CSV files.

The layout is that of SSB table 07459 as kept in ``../shared/data``: columns ``year, age, sex,
population`` (a ``municipality`` column, if present, is summed over). Ages run 0-105 (105 = 105 and
older), sex is ``female`` or ``male``.
"""

from __future__ import annotations

import dataclasses
import gzip
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import numpy as np
import pandas as pd

from mc.errors import DataError
from mc.model.ages import N_AGES, SEXES

REQUIRED_COLUMNS = ("year", "age", "sex", "population")
#: Most persons in one cell or in one year's total. A hard bound, several times Norway's
#: population (5.55 million on 1.1.2024): a larger count is a damaged file, not a population.
MAX_PERSONS = 20_000_000
#: Years a population file may hold. Hard bounds well outside SSB's data (1986 on).
YEAR_RANGE = (1800, 2200)


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


def read_csv_file(path: str | Path, dtype: dict[str, type] | type | None = None) -> pd.DataFrame:
    """Read a CSV a user gave (optionally gzip-compressed), turning every failure into a DataError.

    Parameters
    ----------
    path : str or Path
        The file; a ``.gz`` suffix means gzip.
    dtype : dict or type, optional
        Passed to :func:`pandas.read_csv` (text columns stay text).

    Returns
    -------
    pandas.DataFrame
        At least one data row.

    Raises
    ------
    DataError
        One line naming the file: missing, a folder, unreadable, empty, only a header, not UTF-8,
        a damaged or truncated gzip stream, or rows that do not split into the header's columns.
        The message never quotes the file's content.
    """
    path = Path(path)
    source = str(path)
    try:
        if path.is_dir():
            raise DataError(source, "is a folder; expected a CSV file")
        if path.exists() and not path.is_file():
            raise DataError(source, "is not a regular file; expected a CSV file")
        if not path.is_file():
            raise DataError(source, "file not found")
        frame = pd.read_csv(path, dtype=dtype)
    except pd.errors.EmptyDataError:
        raise DataError(source, "the file is empty; expected a header line and data rows") from None
    except UnicodeDecodeError as exc:
        raise DataError(
            source, f"not UTF-8 text (byte at offset {exc.start}); save the file as UTF-8 CSV"
        ) from None
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise DataError(
            source,
            f"the compressed file is damaged or cut short ({_one_line(exc)}); copy it again",
        ) from None
    except pd.errors.ParserError as exc:
        raise DataError(source, f"cannot be read as CSV ({_one_line(exc)})") from None
    except OSError as exc:
        raise DataError(source, f"cannot be read ({exc.strerror or _one_line(exc)})") from None
    if frame.empty:
        raise DataError(source, "has a header but no data rows")
    if not isinstance(frame.index, pd.RangeIndex):
        # pandas silently turns the leading columns into an index when every row is longer
        raise DataError(
            source,
            f"cannot be read as CSV (rows have more values than the {len(frame.columns)} "
            "columns of the header)",
        )
    return frame


def _one_line(exc: BaseException) -> str:
    """An exception's text on one line, cut to 120 characters."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def _read_csv(path: str | Path) -> tuple[pd.DataFrame, str]:
    """A population CSV as read, codes and sex as text; the path is the source in errors."""
    frame = read_csv_file(path, {"municipality": str, "sex": str})
    return frame, str(path)


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
    frame, source = _read_csv(path)
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(source, f"missing column(s) {missing}; required: {list(REQUIRED_COLUMNS)}")
    return population_from_frame(frame, source)


def _show(value: object) -> str:
    """``repr`` of a cell, without NumPy's type wrapper."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _check_tidy(frame: pd.DataFrame, source: str, keys: list[str]) -> None:
    """Rules shared by national and regional files; raise at the first broken row."""
    line = frame.index.to_numpy() + 2  # header is line 1
    if frame.empty:
        raise DataError(source, "has no data rows")
    limits = {"year": YEAR_RANGE, "age": (0, np.inf), "population": (0, MAX_PERSONS)}
    for column in ("year", "age", "population"):
        values = pd.to_numeric(frame[column], errors="coerce")
        finite = np.isfinite(values.to_numpy(dtype=float))
        bad = ~finite | (values != values.round()) | (values < 0)
        if bad.any():
            i = int(np.argmax(bad.to_numpy()))
            raise DataError(
                source,
                f"column '{column}' = {_show(frame[column].iloc[i])}: expected a whole number >= 0",
                int(line[i]),
            )
        low, high = limits[column]
        outside = (values < low) | (values > high)
        if outside.any():
            i = int(np.argmax(outside.to_numpy()))
            rule = (
                f"at most {MAX_PERSONS:,} persons in one cell (a hard bound, several times "
                "Norway's population)"
                if column == "population"
                else f"years must be in {low}-{high}"
            )
            raise DataError(
                source, f"column '{column}' = {_show(frame[column].iloc[i])}: {rule}", int(line[i])
            )
    totals = pd.to_numeric(frame["population"]).groupby(frame["year"]).sum()
    if (totals > MAX_PERSONS).any():
        year = totals.index[int(np.argmax((totals > MAX_PERSONS).to_numpy()))]
        raise DataError(
            source,
            f"the population on 1 January {_show(year)} adds up to {totals[year]:,.0f}; at most "
            f"{MAX_PERSONS:,} (a hard bound, several times Norway's population) - a damaged file "
            "or a table counted twice?",
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
    duplicated = frame.duplicated(keys)
    if duplicated.any():
        i = int(np.argmax(duplicated.to_numpy()))
        raise DataError(source, f"duplicate row for {frame[keys].iloc[i].to_dict()}", int(line[i]))
    years = np.sort(frame["year"].astype(int).unique())
    gaps = np.flatnonzero(np.diff(years) != 1)
    if gaps.size:
        raise DataError(
            source,
            f"years must be contiguous; {years[gaps[0]]} is followed by {years[gaps[0] + 1]}",
        )


def _pack(frame: pd.DataFrame, source: str, regions: pd.Index | None) -> tuple[int, np.ndarray]:
    """Counts ``[year, (region,) sex, age]``; every cell must be present exactly once."""
    years = frame["year"].to_numpy(dtype=np.int64)
    first = int(years.min())
    n_years = int(years.max()) - first + 1
    sex = (frame["sex"].to_numpy() == SEXES[1]).astype(np.int64)
    age = frame["age"].to_numpy(dtype=np.int64)
    value = frame["population"].to_numpy(dtype=float)
    if regions is None:
        shape: tuple[int, ...] = (n_years, len(SEXES), N_AGES)
        index: tuple[np.ndarray, ...] = (years - first, sex, age)
    else:
        region = regions.get_indexer(frame["municipality"])
        shape = (n_years, len(regions), len(SEXES), N_AGES)
        index = (years - first, region, sex, age)
    counts = np.zeros(shape)
    seen = np.zeros(shape, dtype=np.int64)
    np.add.at(counts, index, value)
    np.add.at(seen, index, 1)
    if (seen == 0).any():
        where = np.argwhere(seen == 0)[0]
        year = first + int(where[0])
        cell = f"year {year}"
        if regions is not None:
            cell += f", municipality {regions[where[1]]}"
        cell += f", sex {SEXES[where[-2]]}, age {where[-1]}"
        raise DataError(source, f"{cell} is missing: every age 0-{N_AGES - 1} must be present")
    return first, counts


def population_from_frame(frame: pd.DataFrame, source: str) -> PopulationTable:
    """Check a tidy frame (see :func:`read_population`) and pack it into a table.

    A ``municipality`` column, if present, is summed over.
    """
    keys = ["year", "age", "sex"] + (["municipality"] if "municipality" in frame else [])
    _check_tidy(frame, source, keys)
    if "municipality" in frame:
        frame = frame.groupby(["year", "sex", "age"], as_index=False)["population"].sum()
    first, counts = _pack(frame, source, None)
    return PopulationTable(first, counts, source)


_CODE = re.compile(r"^\d{4}$")


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


def read_regional_population(
    path: str | Path, municipalities: str | Path | None = None, *, trim_start: bool = False
) -> RegionalPopulation:
    """Read and check a municipal population file.

    Parameters
    ----------
    path : str or Path
        CSV (optionally gzip-compressed) with columns ``year, municipality, age, sex,
        population``; municipality codes are 4-digit text.
    municipalities : str or Path, optional
        The classification (``municipality, name, county, county_name``). When given, every code
        must be in it; without it the county is the code's first two digits.
    trim_start : bool
        Drop leading years in which some municipality has no rows at all (a municipality that
        did not exist yet within today's borders) instead of failing; the dropped years are named
        in ``notes``. Gaps after the first complete year still fail.

    Raises
    ------
    DataError
        Naming the file, the line and the rule: a malformed or unknown municipality code, a
        missing column, a negative or fractional count, a repeated key, a missing age, sex,
        year or municipality, or a gap in the years.
    """
    frame, source = _read_csv(path)
    return regional_population_from_frame(frame, source, municipalities, trim_start=trim_start)


def regional_population_from_frame(
    frame: pd.DataFrame,
    source: str,
    municipalities: str | Path | None = None,
    *,
    trim_start: bool = False,
) -> RegionalPopulation:
    """Check a tidy municipal frame (see :func:`read_regional_population`) and pack it.

    The frame's index gives the reported line numbers (index 0 is line 2, after a header), so
    readers of other formats can number rows their own way.
    """
    required = ["municipality", *REQUIRED_COLUMNS]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise DataError(source, f"missing column(s) {missing}; required: {required}")
    line = frame.index.to_numpy() + 2
    codes = frame["municipality"].fillna("").astype(str)
    bad = ~codes.str.match(_CODE)
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise DataError(
            source,
            f"column 'municipality' = {codes.iloc[i]!r}: expected a 4-digit code as text "
            "(keep leading zeros, e.g. '0301')",
            int(line[i]),
        )
    if municipalities is not None:
        classes = read_csv_file(municipalities, dtype=str)
        lacking = [c for c in ("municipality", "county") if c not in classes.columns]
        if lacking:
            raise DataError(
                str(municipalities), f"missing column(s) {lacking}; required: municipality, county"
            )
        known = pd.Index(classes["municipality"])
        unknown = ~codes.isin(known)
        if unknown.any():
            i = int(np.argmax(unknown.to_numpy()))
            raise DataError(
                source,
                f"unknown municipality code {codes.iloc[i]!r}: not in {municipalities}",
                int(line[i]),
            )
        county_of = dict(zip(classes["municipality"], classes["county"], strict=True))
    else:
        county_of = {}
    _check_tidy(frame, source, ["year", "municipality", "age", "sex"])
    regions = pd.Index(np.sort(codes.unique()))
    notes: list[str] = []
    if trim_start:
        present = frame.groupby("year")["municipality"].nunique()
        complete = present[present == len(regions)].index
        if len(complete) == 0:
            raise DataError(source, "no year has rows for every municipality")
        first_complete = int(complete.min())
        if first_complete > int(present.index.min()):
            absent = sorted(
                set(regions) - set(frame.loc[frame["year"] == present.index.min(), "municipality"])
            )
            notes.append(
                f"years {int(present.index.min())}-{first_complete - 1} dropped: no rows for "
                f"municipalities {absent[:10]}"
            )
            frame = frame[frame["year"] >= first_complete]
    first, counts = _pack(frame, source, regions)
    counties = tuple(county_of.get(code, code[:2]) for code in regions)
    return RegionalPopulation(first, tuple(regions), counties, counts, source, tuple(notes))


NATIONAL_FILE = "population_norway_by_age_sex.csv"
MUNICIPAL_FILE = "population_municipalities_by_age_sex.csv.gz"
CLASSIFICATION_FILE = "municipalities_2024.csv"


def read_data_dir(
    folder: str | Path, municipal: bool = False
) -> tuple[PopulationTable, RegionalPopulation | None]:
    """Read SSB's files from a data folder laid out like ``../shared/data``.

    Parameters
    ----------
    folder : str or Path
        Holds ``population_norway_by_age_sex.csv`` and, for municipalities,
        ``population_municipalities_by_age_sex.csv.gz`` and ``municipalities_2024.csv``.
    municipal : bool
        Also read the municipal file (leading years in which some of today's municipalities have
        no rows are dropped; see :func:`read_regional_population`).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(str(folder), "data folder not found")
    national = read_population(folder / NATIONAL_FILE)
    if not municipal:
        return national, None
    classification = folder / CLASSIFICATION_FILE
    if not classification.is_file():
        raise DataError(str(classification), "file not found")
    regional = read_regional_population(folder / MUNICIPAL_FILE, classification, trim_start=True)
    return national, regional
