"""Population from a source: a user's CSV or Parquet file or a cached ``ssb:`` table.

The source is resolved to a file (:func:`mc.data.sources.resolve_population_source`, which
fetches an ``ssb:`` table when allowed) and read and checked by :mod:`mc.data.population`.
Municipal files can also be held against the national total (:func:`check_totals`), which warns
beyond a tolerance.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from mc.data.files import file_columns
from mc.data.population import read_population_file, read_regional_file
from mc.data.sources import resolve_population_source
from mc.domain.population import PopulationTable, RegionalPopulation
from mc.errors import DataError

# SSB's municipal sums differ from the national totals by a few persons from 2020 on and by up to
# 0.3 % before, where old municipalities were carried over to today's borders (data README).
# 0.5 % leaves room for that and still flags a file that lacks a county or mixes up years.
DEFAULT_TOLERANCE = 0.005


class TotalsWarning(UserWarning):
    """Municipal totals differ from the national total by more than the tolerance."""


def load_population_source(
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
    return read_population_file(path)


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
        As for :func:`load_population_source`.

    Raises
    ------
    DataError
        Naming the file, the row and the rule broken.
    """
    path = resolve_population_source(source, cache_dir, allow_fetch=allow_fetch, base_dir=base_dir)
    regional = read_regional_file(path, municipalities, trim_start=trim_start)
    if national is not None:
        check_totals(regional, national, tolerance)
    return regional


#: Columns that make a population file municipal (one row per region and cell).
REGION_COLUMNS = ("municipality", "region")


def population_level(
    source: str | Path,
    *,
    cache_dir: str | Path | None = None,
    base_dir: str | Path | None = None,
) -> str | None:
    """Whether a population file is ``"municipal"`` or ``"national"``, from its header.

    A file with a municipality (or region) column is municipal: read as national, its rows would
    be summed over the municipalities without a word.

    Parameters
    ----------
    source : str or Path
        As for :func:`load_population_source` (nothing is fetched).
    cache_dir, base_dir
        As for :func:`load_population_source`.

    Returns
    -------
    str or None
        ``None`` if the header cannot be read; the loaders then say what is wrong.
    """
    path = resolve_population_source(source, cache_dir, allow_fetch=False, base_dir=base_dir)
    columns = file_columns(path)
    if columns is None:
        return None
    return "municipal" if any(c in columns for c in REGION_COLUMNS) else "national"


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
