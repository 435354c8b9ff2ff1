"""Read population data from the cache or from the user's CSV or Parquet files, and check them.

Every source ends in the same checks as ``../shared/data`` (:mod:`mc.model.population`): the
required columns, whole non-negative counts, ``female``/``male``, ages 0-105 all present, no
repeated key, contiguous years, 4-digit municipality codes kept as text. Municipal files can also
be held against the national total (:func:`check_totals`), which warns beyond a tolerance.
"""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from mc.data.sources import resolve_population_source
from mc.errors import DataError
from mc.model.population import (
    REQUIRED_COLUMNS,
    PopulationTable,
    RegionalPopulation,
    population_from_frame,
    read_csv_file,
    regional_population_from_frame,
)

# SSB's municipal sums differ from the national totals by a few persons from 2020 on and by up to
# 0.3 % before, where old municipalities were carried over to today's borders (data README).
# 0.5 % leaves room for that and still flags a file that lacks a county or mixes up years.
DEFAULT_TOLERANCE = 0.005
PARQUET_SUFFIXES = (".parquet", ".pq")
TEXT_COLUMNS = {"municipality": str, "county": str, "region": str, "sex": str}


class TotalsWarning(UserWarning):
    """Municipal totals differ from the national total by more than the tolerance."""


def _parquet_engine() -> str | None:
    for engine in ("pyarrow", "fastparquet"):
        if importlib.util.find_spec(engine) is not None:
            return engine
    return None


def read_tidy(path: str | Path) -> pd.DataFrame:
    """Read a tidy file: CSV (optionally gzip-compressed) or Parquet, by its suffix.

    Text columns (``municipality``, ``sex``) stay text. Rows are numbered for error messages as
    in the file: CSV lines (the header is line 1), Parquet rows from 1.

    Raises
    ------
    DataError
        If the file is missing or unreadable, or is Parquet and neither pyarrow nor fastparquet
        is installed.
    """
    path = Path(path)
    source = str(path)
    try:
        if path.is_dir():
            raise DataError(source, "is a folder; expected a CSV or Parquet file")
        if path.exists() and not path.is_file():
            raise DataError(source, "is not a regular file; expected a CSV or Parquet file")
        if not path.is_file():
            raise DataError(source, "file not found")
    except OSError as exc:  # e.g. a name too long for the file system
        raise DataError(source, f"cannot be read ({exc.strerror or exc})") from None
    if path.suffix.lower() in PARQUET_SUFFIXES:
        engine = _parquet_engine()
        if engine is None:
            raise DataError(
                source,
                "Parquet files need the pyarrow package (pip install pyarrow), which is not "
                "installed; install it or save the file as CSV",
            )
        try:
            frame = pd.read_parquet(path, engine=engine)
        except Exception as exc:  # the engines raise their own error types
            text = " ".join(str(exc).split())[:120]
            raise DataError(source, f"cannot be read as Parquet ({text})") from None
        for column in TEXT_COLUMNS:
            if column in frame and not pd.api.types.is_string_dtype(frame[column]):
                frame[column] = frame[column].astype(str)
        if frame.empty:
            raise DataError(source, "has no data rows")
        frame.index = np.arange(len(frame)) - 1  # the checks report index + 2: row 1 is the first
        return frame
    return read_csv_file(path, TEXT_COLUMNS)


def _require(frame: pd.DataFrame, source: str, required: list[str]) -> None:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise DataError(source, f"missing column(s) {missing}; required: {required}")


def _one_alternative(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    if "alternative" in frame and frame["alternative"].nunique() > 1:
        raise DataError(
            source,
            f"holds several projection alternatives {sorted(frame['alternative'].unique())}; "
            "keep one",
        )
    return frame


def load_population(
    source: str | Path,
    *,
    cache_dir: str | Path | None = None,
    allow_fetch: bool = False,
    base_dir: str | Path | None = None,
) -> PopulationTable:
    """National population from a file or an ``ssb:`` source.

    Parameters
    ----------
    source : str or Path
        CSV/Parquet path (``year, age, sex, population``; a ``municipality`` column is summed
        over) or ``ssb:07459`` and the like (read from the cache).
    cache_dir : str or Path, optional
        The cache folder for ``ssb:`` sources.
    allow_fetch : bool
        Fetch an ``ssb:`` source that is not cached (needs the network).
    base_dir : str or Path, optional
        Folder a relative path is relative to.

    Raises
    ------
    DataError
        Naming the file, the row and the rule broken.
    """
    path = resolve_population_source(source, cache_dir, allow_fetch=allow_fetch, base_dir=base_dir)
    frame = read_tidy(path)
    _require(frame, str(path), list(REQUIRED_COLUMNS))
    return population_from_frame(_one_alternative(frame, str(path)), str(path))


def load_regional(
    source: str | Path,
    municipalities: str | Path | None = None,
    *,
    trim_start: bool = False,
    national: PopulationTable | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    cache_dir: str | Path | None = None,
    allow_fetch: bool = False,
    base_dir: str | Path | None = None,
) -> RegionalPopulation:
    """Municipal population from a file or an ``ssb:`` source, optionally held against a total.

    Parameters
    ----------
    source : str or Path
        CSV/Parquet path (``year, municipality, age, sex, population``) or an ``ssb:`` source
        with ``regions=all``.
    municipalities : str or Path, optional
        The classification file; every code must be in it.
    trim_start : bool
        Drop leading years in which some municipality has no rows.
    national : PopulationTable, optional
        When given, :func:`check_totals` compares the years both cover.
    tolerance : float
        Relative difference allowed before a :class:`TotalsWarning`.
    cache_dir, allow_fetch, base_dir
        As for :func:`load_population`.

    Raises
    ------
    DataError
        Naming the file, the row and the rule broken.
    """
    path = resolve_population_source(source, cache_dir, allow_fetch=allow_fetch, base_dir=base_dir)
    frame = _one_alternative(read_tidy(path), str(path))
    regional = regional_population_from_frame(
        frame, str(path), municipalities, trim_start=trim_start
    )
    if national is not None:
        check_totals(regional, national, tolerance)
    return regional


def check_totals(
    regional: RegionalPopulation,
    national: PopulationTable,
    tolerance: float = DEFAULT_TOLERANCE,
) -> list[str]:
    """Compare the sum over municipalities with the national total, year by year.

    Parameters
    ----------
    regional, national
        The two tables; only years in both are compared.
    tolerance : float
        Largest relative difference ``|municipal - national| / national`` accepted, e.g. 0.005.

    Returns
    -------
    list of str
        One message per year beyond the tolerance; each is also issued as a
        :class:`TotalsWarning`.
    """
    if not 0 <= tolerance < 1:
        raise DataError("check_totals", f"tolerance = {tolerance!r}: must be in [0, 1)")
    messages = []
    for year in sorted(set(regional.years) & set(national.years)):
        local = float(regional.at(year).sum())
        total = float(national.at(year).sum())
        if total <= 0:
            continue
        gap = (local - total) / total
        if abs(gap) > tolerance:
            message = (
                f"{regional.source}: municipal total {local:,.0f} on 1 January {year} differs from "
                f"the national total {total:,.0f} in {national.source} by {local - total:+,.0f} "
                f"({gap:+.2%}); tolerance {tolerance:.1%}"
            )
            messages.append(message)
            warnings.warn(message, TotalsWarning, stacklevel=2)
    return messages
