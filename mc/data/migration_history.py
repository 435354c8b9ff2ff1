"""Read the national net-migration history and SSB's published net-migration assumptions.

The only reader of two files in ``components/`` (see the ``*.source.txt`` beside each):

* ``nor_hmd_balancing_equation.csv``: ``year, pop_jan1, births, deaths, pop_jan1_next,
  net_migration_residual``; net migration is the residual of the balancing equation (it holds
  register corrections too);
* ``nor_ssb_projection_summary.csv``: ``projection_round, variant, indicator, year, value`` of
  SSB's national projections; the main alternative's (``MMM``) ``net_migration`` rows are read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mc.errors import DataError

BALANCING_FILE = "nor_hmd_balancing_equation.csv"
SSB_SUMMARY_FILE = "nor_ssb_projection_summary.csv"


@dataclass(frozen=True)
class NetMigrationHistory:
    """Net migration by calendar year, contiguous years."""

    years: np.ndarray  # (T,) int
    net_migration: np.ndarray  # (T,) persons
    source: str

    def between(self, first: int, last: int) -> np.ndarray:
        """Net migration in ``first..last`` (both included)."""
        keep = (self.years >= first) & (self.years <= last)
        if keep.sum() != last - first + 1:
            raise DataError(
                self.source,
                f"net migration for {first}-{last} is needed; the file has "
                f"{int(self.years[0])}-{int(self.years[-1])}",
            )
        return self.net_migration[keep]


@dataclass(frozen=True)
class SsbAssumption:
    """SSB's main-alternative net migration for one year, as published in one round."""

    projection_round: int
    year: int
    net_migration: float


def _folder(folder: str | Path) -> Path:
    folder = Path(folder)
    return folder / "components" if (folder / "components").is_dir() else folder


def _read(path: Path, columns: list[str]) -> pd.DataFrame:
    if not path.is_file():
        raise DataError(str(path), "file not found")
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        raise DataError(str(path), f"cannot be read as CSV ({exc})") from exc
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(str(path), f"missing column(s) {missing}; required: {columns}")
    return frame


def read_net_migration(folder: str | Path) -> NetMigrationHistory:
    """Net migration by year from the balancing-equation file.

    Parameters
    ----------
    folder : str or Path
        The data folder or its ``components`` folder.

    Returns
    -------
    NetMigrationHistory

    Raises
    ------
    DataError
        If the file or a column is missing, a value is not a number, or the years have a gap.
    """
    path = _folder(folder) / BALANCING_FILE
    frame = _read(path, ["year", "net_migration_residual"])
    years = pd.to_numeric(frame["year"], errors="coerce").to_numpy(dtype=float)
    values = pd.to_numeric(frame["net_migration_residual"], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(years) | ~np.isfinite(values) | (years != np.round(years))
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(str(path), "year and net_migration_residual must be numbers", i + 2)
    order = np.argsort(years)
    years, values = years[order].astype(np.int64), values[order]
    if (np.diff(years) != 1).any():
        i = int(np.argmax(np.diff(years) != 1))
        raise DataError(
            str(path), f"years must be contiguous; {years[i]} is followed by {years[i + 1]}"
        )
    return NetMigrationHistory(years, values, str(path))


def read_ssb_net_migration(folder: str | Path) -> list[SsbAssumption]:
    """SSB's main-alternative (``MMM``) net-migration assumptions, every round and year given.

    Raises
    ------
    DataError
        If the file or a column is missing or a value is not a number.
    """
    path = _folder(folder) / SSB_SUMMARY_FILE
    frame = _read(path, ["projection_round", "variant", "indicator", "year", "value"])
    rows = frame[(frame["variant"] == "MMM") & (frame["indicator"] == "net_migration")]
    out = []
    for i, row in rows.iterrows():
        try:
            out.append(
                SsbAssumption(int(row["projection_round"]), int(row["year"]), float(row["value"]))
            )
        except (TypeError, ValueError):
            raise DataError(
                str(path), "round, year and value must be numbers", int(i) + 2
            ) from None
    return out
