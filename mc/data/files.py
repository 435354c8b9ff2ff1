"""Read the tabular files a user gives (CSV, gzip-compressed CSV, Parquet) into data frames.

Every failure becomes one :class:`~mc.errors.DataError` line naming the file, never quoting its
content. What the columns must hold is checked by the callers (:mod:`mc.data.population`).
"""

from __future__ import annotations

import gzip
import importlib.util
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from mc.errors import DataError

PARQUET_SUFFIXES = (".parquet", ".pq")
#: Columns read as text: codes keep their leading zeros, ``sex`` stays a word.
TEXT_COLUMNS = {"municipality": str, "county": str, "region": str, "sex": str}


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


def _parquet_engine() -> str | None:
    for engine in ("pyarrow", "fastparquet"):
        if importlib.util.find_spec(engine) is not None:
            return engine
    return None


def read_tidy(path: str | Path) -> pd.DataFrame:
    """Read a tidy file: CSV (optionally gzip-compressed) or Parquet, by its suffix.

    Text columns (:data:`TEXT_COLUMNS`) stay text. Rows are numbered for error messages as in
    the file: CSV lines (the header is line 1), Parquet rows from 1.

    Parameters
    ----------
    path : str or Path
        The file; ``.parquet`` or ``.pq`` means Parquet, anything else CSV.

    Returns
    -------
    pandas.DataFrame
        At least one data row; the index plus 2 is the row number reported in errors.

    Raises
    ------
    DataError
        If the file is missing or unreadable (see :func:`read_csv_file`), or is Parquet and
        neither pyarrow nor fastparquet is installed.
    """
    path = Path(path)
    if path.suffix.lower() not in PARQUET_SUFFIXES:
        return read_csv_file(path, TEXT_COLUMNS)
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
        raise DataError(source, f"cannot be read as Parquet ({_one_line(exc)})") from None
    for column in TEXT_COLUMNS:
        if column in frame and not pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].astype(str)
    if frame.empty:
        raise DataError(source, "has no data rows")
    frame.index = np.arange(len(frame)) - 1  # the checks report index + 2: row 1 is the first
    return frame


def file_columns(path: str | Path) -> tuple[str, ...] | None:
    """The column names of a tidy file from its header alone, or ``None`` if it cannot be read.

    Used to tell what kind of file a user gave before reading it in full; a file that cannot be
    read gives ``None``, and :func:`read_tidy` then says what is wrong with it.

    Parameters
    ----------
    path : str or Path
        CSV (optionally gzip-compressed) or Parquet, by its suffix as in :func:`read_tidy`.

    Returns
    -------
    tuple of str or None
    """
    path = Path(path)
    try:
        if path.suffix.lower() in PARQUET_SUFFIXES:
            if importlib.util.find_spec("pyarrow") is None:
                return None
            import pyarrow.parquet as pq

            return tuple(pq.read_schema(path).names)
        return tuple(str(c) for c in pd.read_csv(path, nrows=0).columns)
    except (OSError, ValueError, EOFError, zlib.error):  # read_tidy names the problem
        return None


def read_text_file(path: str | Path) -> str:
    """The UTF-8 text of a file tbu-mc wrote earlier (a projection fit, a run's token).

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    str

    Raises
    ------
    FileNotFoundError
        If there is no such file (callers name the setting that points to it).
    OSError, UnicodeDecodeError
        If it cannot be read as UTF-8 text.
    """
    return Path(path).read_text(encoding="utf-8")
