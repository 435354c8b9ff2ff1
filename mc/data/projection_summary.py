"""Read SSB's published projection assumptions (``components/nor_ssb_projection_summary.csv``).

The file holds, for each projection round, the few years SSB's summary tables show: population on
1 January, net migration, TFR and life expectancy by alternative. Columns: ``projection_round,
variant, indicator, year, value[, note]``. It is the source of the baseline that
``tbu-mc calibrate`` reconstructs (see :mod:`mc.calibration.middle`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mc.errors import DataError

SUMMARY_FILE = "nor_ssb_projection_summary.csv"
_COLUMNS = ["projection_round", "variant", "indicator", "year", "value"]


def read_projection_summary(folder: str | Path) -> dict[tuple[int, str, str, int], float]:
    """Published projection figures keyed by ``(round, variant, indicator, year)``.

    Parameters
    ----------
    folder : str or Path
        The data folder (or its ``components`` subfolder).

    Returns
    -------
    dict
        E.g. ``{(2022, "MMM", "net_migration", 2040): 11672.0, ...}``.

    Raises
    ------
    DataError
        If the file is missing, lacks a column, has a value that is not a number or repeats a key.
    """
    folder = Path(folder)
    if (folder / "components").is_dir():
        folder = folder / "components"
    path = folder / SUMMARY_FILE
    source = str(path)
    if not path.is_file():
        raise DataError(source, "file not found")
    try:
        frame = pd.read_csv(path, dtype={"variant": str, "indicator": str})
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        raise DataError(source, f"cannot be read as CSV ({exc})") from exc
    missing = [c for c in _COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(source, f"missing column(s) {missing}; required: {_COLUMNS}")
    out: dict[tuple[int, str, str, int], float] = {}
    for i, row in enumerate(frame[_COLUMNS].itertuples(index=False), start=2):
        try:
            key = (int(row[0]), str(row[1]), str(row[2]), int(row[3]))
            value = float(row[4])
        except (TypeError, ValueError):
            raise DataError(source, "round, year and value must be numbers", i) from None
        if key in out:
            raise DataError(source, f"{key} appears twice", i)
        out[key] = value
    return out
