"""Population files: the checks every population source passes, and the readers of files.

One set of rules for a national or municipal table, whatever it came from (a user's CSV or
Parquet file, SSB's files in ``../shared/data``, a cached ``ssb:`` table): the required columns,
whole non-negative counts within hard bounds, ``female``/``male``, ages 0-105 all present, no
repeated key, contiguous years, 4-digit municipality codes kept as text. A broken rule raises a
:class:`~mc.errors.DataError` naming the file, the line and the rule.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pandas as pd

from mc.data.files import read_csv_file, read_tidy
from mc.domain.ages import N_AGES, SEXES
from mc.domain.population import PopulationTable, RegionalPopulation
from mc.errors import DataError

REQUIRED_COLUMNS = ("year", "age", "sex", "population")
#: Most persons in one cell or in one year's total. A hard bound, several times Norway's
#: population (5.55 million on 1.1.2024): a larger count is a damaged file, not a population.
MAX_PERSONS = 20_000_000
#: Years a population file may hold. Hard bounds well outside SSB's data (1986 on).
YEAR_RANGE = (1800, 2200)

#: SSB's files in a data folder laid out like ``../shared/data``.
NATIONAL_FILE = "population_norway_by_age_sex.csv"
MUNICIPAL_FILE = "population_municipalities_by_age_sex.csv.gz"
CLASSIFICATION_FILE = "municipalities_2024.csv"


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
    """Check a tidy frame (see :func:`read_population_file`) and pack it into a table.

    A ``municipality`` column, if present, is summed over.
    """
    keys = ["year", "age", "sex"] + (["municipality"] if "municipality" in frame else [])
    _check_tidy(frame, source, keys)
    if "municipality" in frame:
        frame = frame.groupby(["year", "sex", "age"], as_index=False)["population"].sum()
    first, counts = _pack(frame, source, None)
    return PopulationTable(first, counts, source)


_CODE = re.compile(r"^\d{4}$")


def regional_population_from_frame(
    frame: pd.DataFrame,
    source: str,
    municipalities: str | Path | None = None,
    *,
    trim_start: bool = False,
) -> RegionalPopulation:
    """Check a tidy municipal frame (see :func:`read_regional_file`) and pack it.

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
        first = int(present.index.min())
        if first_complete > first:
            absent = sorted(set(regions) - set(frame.loc[frame["year"] == first, "municipality"]))
            last = int(present.index.max())
            notes.append(incomplete_years_note(first, first_complete, last, absent))
            frame = frame[frame["year"] >= first_complete]
    first, counts = _pack(frame, source, regions)
    counties = tuple(county_of.get(code, code[:2]) for code in regions)
    return RegionalPopulation(first, tuple(regions), counties, counts, source, tuple(notes))


def incomplete_years_note(first: int, first_complete: int, last: int, absent: list[str]) -> str:
    """The one line every command prints when a municipal file's first years are incomplete.

    The rule (docs/population.md, "Incomplete first years"): leading years in which some of
    today's municipalities have no rows at all are left out, and the file is used from the
    first year that has every municipality. A row missing anywhere else is an error.

    Examples
    --------
    >>> incomplete_years_note(2005, 2006, 2024, ["1160", "1576"])
    'year 2005 is incomplete (no rows for municipalities 1160, 1576): left out; used: 2006-2024'
    """
    one = first_complete - 1 == first
    years = f"year {first}" if one else f"years {first}-{first_complete - 1}"
    verb = "is" if one else "are"
    shown = ", ".join(absent[:10]) + (f" and {len(absent) - 10} more" if len(absent) > 10 else "")
    kind = "municipality" if len(absent) == 1 else "municipalities"
    return (
        f"{years} {verb} incomplete (no rows for {kind} {shown}): left out; "
        f"used: {first_complete}-{last}"
    )


def _require(frame: pd.DataFrame, source: str, required: list[str]) -> None:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise DataError(source, f"missing column(s) {missing}; required: {required}")


def one_alternative(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """The frame unchanged, unless it mixes SSB's projection alternatives.

    Parameters
    ----------
    frame : pandas.DataFrame
        A tidy population frame, possibly with an ``alternative`` column (SSB's projections).
    source : str
        The file, for the error message.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    DataError
        If the ``alternative`` column holds more than one value.
    """
    if "alternative" in frame and frame["alternative"].nunique() > 1:
        raise DataError(
            source,
            f"holds several projection alternatives {sorted(frame['alternative'].unique())}; "
            "keep one",
        )
    return frame


def read_population_file(path: str | Path) -> PopulationTable:
    """Read and check a national population file.

    Parameters
    ----------
    path : str or Path
        CSV (optionally gzip-compressed) or Parquet with columns ``year, age, sex,
        population``; a ``municipality`` column, if present, is summed over.

    Returns
    -------
    PopulationTable

    Raises
    ------
    DataError
        Naming the file, the line and the rule when a column is missing, a value is not a whole
        non-negative number, a key repeats, an age is missing, or the years have a gap.

    Examples
    --------
    >>> table = read_population_file("population_norway_by_age_sex.csv")  # doctest: +SKIP
    >>> table.at(2024).sum()  # doctest: +SKIP
    """
    frame = read_tidy(path)
    source = str(path)
    _require(frame, source, list(REQUIRED_COLUMNS))
    return population_from_frame(one_alternative(frame, source), source)


def read_regional_file(
    path: str | Path, municipalities: str | Path | None = None, *, trim_start: bool = False
) -> RegionalPopulation:
    """Read and check a municipal population file.

    Parameters
    ----------
    path : str or Path
        CSV (optionally gzip-compressed) or Parquet with columns ``year, municipality, age, sex,
        population``; municipality codes are 4-digit text.
    municipalities : str or Path, optional
        The classification (``municipality, name, county, county_name``). When given, every code
        must be in it; without it the county is the code's first two digits.
    trim_start : bool
        Drop leading years in which some municipality has no rows at all (a municipality that
        did not exist yet within today's borders) instead of failing; the dropped years are named
        in ``notes``. Gaps after the first complete year still fail.

    Returns
    -------
    RegionalPopulation

    Raises
    ------
    DataError
        Naming the file, the line and the rule: a malformed or unknown municipality code, a
        missing column, a negative or fractional count, a repeated key, a missing age, sex,
        year or municipality, or a gap in the years.
    """
    source = str(path)
    frame = one_alternative(read_tidy(path), source)
    return regional_population_from_frame(frame, source, municipalities, trim_start=trim_start)


def read_data_dir(
    folder: str | Path, municipal: bool = False
) -> tuple[PopulationTable, RegionalPopulation | None]:
    """Read SSB's files from a data folder laid out like ``../shared/data``.

    Parameters
    ----------
    folder : str or Path
        Holds :data:`NATIONAL_FILE` and, for municipalities, :data:`MUNICIPAL_FILE` and
        :data:`CLASSIFICATION_FILE`.
    municipal : bool
        Also read the municipal file (leading years in which some of today's municipalities have
        no rows are dropped; see :func:`read_regional_file`).

    Returns
    -------
    tuple
        The national table, and the municipal one or ``None``.

    Raises
    ------
    DataError
        If the folder or a file is missing, or a file breaks a rule.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(str(folder), "data folder not found")
    national = read_population_file(folder / NATIONAL_FILE)
    if not municipal:
        return national, None
    classification = folder / CLASSIFICATION_FILE
    if not classification.is_file():
        raise DataError(str(classification), "file not found")
    regional = read_regional_file(folder / MUNICIPAL_FILE, classification, trim_start=True)
    return national, regional


def data_dir_files(folder: str | Path) -> list[str]:
    """The population and classification files in a data folder, sorted (for a run manifest).

    Parameters
    ----------
    folder : str or Path
        A data folder laid out like ``../shared/data``.

    Returns
    -------
    list of str
        Paths of the files whose names start with ``population_`` or ``municipalities_``.

    Raises
    ------
    DataError
        If the folder cannot be listed.
    """
    try:
        entries = list(Path(folder).iterdir())
    except OSError as exc:
        raise DataError(
            str(folder), f"cannot list the data folder ({exc.strerror or exc})"
        ) from None
    return sorted(str(p) for p in entries if p.name.startswith(("population_", "municipalities_")))


def municipality_names(folder: str | Path, codes: tuple[str, ...]) -> tuple[str, ...]:
    """Names of ``codes`` from a data folder's classification file (the code where it has none).

    Parameters
    ----------
    folder : str or Path
        Holds :data:`CLASSIFICATION_FILE` (``municipality, name, county, county_name``).
    codes : tuple of str
        4-digit municipality codes.

    Returns
    -------
    tuple of str
        One name per code, in the same order.

    Raises
    ------
    DataError
        If the classification file is missing or has no ``municipality`` and ``name`` columns.
    """
    return _classification_names(folder, codes, "municipality", "name")


def county_names(folder: str | Path, codes: tuple[str, ...]) -> tuple[str, ...]:
    """Names of county ``codes`` from a data folder's classification file (the code if none).

    Parameters
    ----------
    folder : str or Path
        Holds :data:`CLASSIFICATION_FILE` (``municipality, name, county, county_name``).
    codes : tuple of str
        2-digit county codes.

    Returns
    -------
    tuple of str
        One name per code, in the same order.

    Raises
    ------
    DataError
        If the classification file is missing or has no ``county`` and ``county_name`` columns.
    """
    return _classification_names(folder, codes, "county", "county_name")


def _classification_names(
    folder: str | Path, codes: tuple[str, ...], key: str, value: str
) -> tuple[str, ...]:
    """The ``value`` column for each of ``codes`` in the ``key`` column (the code where none)."""
    path = Path(folder) / CLASSIFICATION_FILE
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            known = {row[key]: row[value] for row in csv.DictReader(handle)}
    except OSError as exc:
        raise DataError(str(path), f"cannot be read ({exc.strerror or exc})") from None
    except KeyError:
        raise DataError(str(path), f"missing column(s); required: {key}, {value}") from None
    return tuple(known.get(code, code) for code in codes)
