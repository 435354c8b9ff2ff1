"""Read the national component series (HMD deaths and rates, HMD births, HFD fertility rates).

This is the only module that reads ``components/`` in the data folder. Files and columns (see the
``*.source.txt`` beside each):

* ``nor_hmd_deaths_1x1.csv``: ``year, age, open_ended, deaths_female, deaths_male`` (ages 0-110);
* ``nor_hmd_mx_1x1.csv``: ``year, age, open_ended, mx_female, mx_male`` (empty = no exposure);
* ``nor_hmd_births.csv``: ``year, births_female, births_male``;
* ``nor_hfd_asfr.csv``: ``year, age, asfr`` (ages 12-55, 12 = 12-, 55 = 55+).

Deaths at 105 and over are summed into the open age 105 of the population tables.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mc.domain.ages import N_AGES, SEXES
from mc.domain.components import ASFR_AGES, ComponentHistory
from mc.errors import DataError

FILES = {
    "deaths": "nor_hmd_deaths_1x1.csv",
    "mx": "nor_hmd_mx_1x1.csv",
    "births": "nor_hmd_births.csv",
    "asfr": "nor_hfd_asfr.csv",
}
MX_AGES = 111  # HMD ages 0-109 and 110+


def _read(path: Path, columns: list[str]) -> pd.DataFrame:
    source = str(path)
    if not path.is_file():
        raise DataError(source, "file not found")
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        raise DataError(source, f"cannot be read as CSV ({exc})") from exc
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(source, f"missing column(s) {missing}; required: {columns}")
    return frame


def _years(frame: pd.DataFrame, source: str) -> tuple[int, np.ndarray]:
    """First year and each row's year index; years must be whole and contiguous."""
    years = pd.to_numeric(frame["year"], errors="coerce")
    bad = years.isna() | (years != years.round())
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise DataError(
            source, f"column 'year' = {frame['year'].iloc[i]!r}: expected a whole number", i + 2
        )
    years = years.to_numpy(dtype=np.int64)
    unique = np.unique(years)
    gaps = np.flatnonzero(np.diff(unique) != 1)
    if gaps.size:
        raise DataError(
            source,
            f"years must be contiguous; {unique[gaps[0]]} is followed by {unique[gaps[0] + 1]}",
        )
    return int(unique[0]), years - int(unique[0])


def _grid(
    frame: pd.DataFrame, source: str, columns: list[str], ages: int, age_offset: int, nan_ok: bool
) -> tuple[int, np.ndarray]:
    """Values ``[year, column, age]`` from a long file; every cell present once."""
    first, year = _years(frame, source)
    age = pd.to_numeric(frame["age"], errors="coerce")
    bad_age = age.isna() | (age - age_offset < 0) | (age - age_offset >= ages)
    if bad_age.any():
        i = int(np.argmax(bad_age.to_numpy()))
        raise DataError(
            source,
            f"column 'age' = {frame['age'].iloc[i]!r}: ages must be "
            f"{age_offset}-{age_offset + ages - 1}",
            i + 2,
        )
    age = age.to_numpy(dtype=np.int64) - age_offset
    out = np.full((int(year.max()) + 1, len(columns), ages), np.nan)
    seen = np.zeros(out.shape, dtype=np.int64)
    for c, column in enumerate(columns):
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
        bad = (values < 0) | (np.isnan(values) & (not nan_ok))
        if bad.any():
            i = int(np.argmax(bad))
            raise DataError(
                source,
                f"column '{column}' = {frame[column].iloc[i]!r}: expected a number >= 0",
                i + 2,
            )
        out[year, c, age] = values
        np.add.at(seen[:, c, :], (year, age), 1)
    if (seen != 1).any():
        y, _, a = np.argwhere(seen != 1)[0]
        raise DataError(
            source,
            f"year {first + y}, age {a + age_offset} appears {seen[y, 0, a]} times: "
            "every age must appear exactly once a year",
        )
    return first, out


def read_components(folder: str | Path) -> ComponentHistory:
    """Read deaths, death rates, births and fertility rates from ``folder``.

    Parameters
    ----------
    folder : str or Path
        The ``components`` folder (or the data folder holding it).

    Returns
    -------
    ComponentHistory

    Raises
    ------
    DataError
        Naming the file, the line and the rule when a file or column is missing, a value is
        negative or not a number, an age repeats or is missing, or the years have a gap.

    Examples
    --------
    >>> history = read_components("../shared/data")  # doctest: +SKIP
    >>> history.last_year
    {'deaths': 2023, 'births': 2023, 'asfr': 2022}
    """
    folder = Path(folder)
    if (folder / "components").is_dir():
        folder = folder / "components"
    sex_columns = [f"deaths_{s}" for s in SEXES]
    path = folder / FILES["deaths"]
    deaths_first, deaths110 = _grid(
        _read(path, ["year", "age", *sex_columns]), str(path), sex_columns, MX_AGES, 0, False
    )
    deaths = deaths110[:, :, :N_AGES].copy()
    deaths[:, :, N_AGES - 1] = deaths110[:, :, N_AGES - 1 :].sum(axis=2)

    mx_columns = [f"mx_{s}" for s in SEXES]
    path = folder / FILES["mx"]
    mx_first, mx = _grid(
        _read(path, ["year", "age", *mx_columns]), str(path), mx_columns, MX_AGES, 0, True
    )
    if mx_first != deaths_first or mx.shape[0] != deaths.shape[0]:
        raise DataError(str(path), "death rates must cover the same years as the deaths")

    path = folder / FILES["births"]
    birth_columns = [f"births_{s}" for s in SEXES]
    frame = _read(path, ["year", *birth_columns])
    births_first, index = _years(frame, str(path))
    births = np.full((int(index.max()) + 1, 2), np.nan)
    for c, column in enumerate(birth_columns):
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
        if (np.isnan(values) | (values < 0)).any():
            i = int(np.argmax(np.isnan(values) | (values < 0)))
            raise DataError(
                str(path), f"column '{column}' = {frame[column].iloc[i]!r}: expected >= 0", i + 2
            )
        births[index, c] = values
    if np.isnan(births).any():
        raise DataError(str(path), "every year must appear once")

    path = folder / FILES["asfr"]
    n_ages = ASFR_AGES[1] - ASFR_AGES[0] + 1
    asfr_first, asfr = _grid(
        _read(path, ["year", "age", "asfr"]), str(path), ["asfr"], n_ages, ASFR_AGES[0], False
    )
    return ComponentHistory(
        deaths_first, deaths, mx, births_first, births, asfr_first, asfr[:, 0, :], str(folder)
    )
