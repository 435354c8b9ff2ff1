"""Municipal border changes: carry counts in old municipality codes over to a later year's borders.

Municipality codes change with reforms (many on 1 January 2020, again with the county split on 1
January 2024). A mapping file lists each change, one row per old code and new code:

.. code-block:: text

    old_code,new_code,from_year[,share]
    1001,4204,2020
    1017,4204,2020
    1018,4204,2020

``from_year`` is the first year (1 January) in which ``new_code`` holds. ``share`` (default 1)
is the part of the old municipality that went to the new one, for the rare split: the shares of
one old code in one year must add up to 1. Codes are 4-digit text.

:func:`harmonize` applies every change that took effect up to the target year, oldest first (so
0101 -> 3001 in 2020 -> 3101 in 2024 chains), and sums rows that end up with the same key. A split
leaves fractional counts; they are rounded to whole persons, so a split municipality's parts may
differ from the whole by a person or two.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mc.errors import DataError

_CODE = re.compile(r"^\d{4}$")
REQUIRED = ("old_code", "new_code", "from_year")
SHARE_TOLERANCE = 1e-6  # shares are typed by hand as decimals; allow for rounding in the file


@dataclass(frozen=True)
class BorderChange:
    """One old code's (part) move to a new code from 1 January ``from_year``."""

    old_code: str
    new_code: str
    from_year: int
    share: float = 1.0


@dataclass(frozen=True)
class BorderMapping:
    """The changes of a mapping file, checked."""

    changes: tuple[BorderChange, ...]
    source: str = ""

    def years(self) -> list[int]:
        """The years in which borders changed."""
        return sorted({c.from_year for c in self.changes})


def read_border_mapping(path: str | Path) -> BorderMapping:
    """Read and check a mapping file (``old_code, new_code, from_year[, share]``).

    Raises
    ------
    DataError
        Naming the file, the line and the rule: a missing column, a code that is not 4 digits,
        a year or share that is not a number, a repeated pair, or shares that do not add to 1.
    """
    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise DataError(source, "file not found")
    try:
        frame = pd.read_csv(path, dtype=str, skipinitialspace=True)
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        raise DataError(source, f"cannot be read as CSV ({exc})") from exc
    return border_mapping_from_frame(frame, source)


def border_mapping_from_frame(frame: pd.DataFrame, source: str) -> BorderMapping:
    """Check a mapping frame (text columns, see :func:`read_border_mapping`)."""
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise DataError(source, f"missing column(s) {missing}; required: {list(REQUIRED)}")
    changes = []
    seen: dict[tuple[str, str, int], int] = {}
    for i, row in enumerate(frame.itertuples(index=False)):
        line = i + 2
        record = row._asdict()
        for column in ("old_code", "new_code"):
            code = str(record[column]).strip() if pd.notna(record[column]) else ""
            if not _CODE.match(code):
                raise DataError(
                    source,
                    f"column '{column}' = {code!r}: expected a 4-digit code as text "
                    "(keep leading zeros, e.g. '0301')",
                    line,
                )
        try:
            year = int(str(record["from_year"]).strip())
        except ValueError:
            raise DataError(
                source, f"column 'from_year' = {record['from_year']!r}: expected a year", line
            ) from None
        share_text = record.get("share")
        try:
            share = 1.0 if pd.isna(share_text) or share_text == "" else float(share_text)
        except ValueError:
            share = float("nan")
        if not 0 < share <= 1:
            raise DataError(
                source, f"column 'share' = {share_text!r}: expected a number in (0, 1]", line
            )
        change = BorderChange(
            str(record["old_code"]).strip(), str(record["new_code"]).strip(), year, share
        )
        key = (change.old_code, change.new_code, year)
        if key in seen:
            raise DataError(
                source,
                f"{change.old_code} -> {change.new_code} in {year} repeats line {seen[key]}",
                line,
            )
        seen[key] = line
        changes.append(change)
    totals: dict[tuple[str, int], float] = {}
    for change in changes:
        totals[change.old_code, change.from_year] = (
            totals.get((change.old_code, change.from_year), 0.0) + change.share
        )
    for (code, year), total in totals.items():
        if abs(total - 1.0) > SHARE_TOLERANCE:
            raise DataError(
                source,
                f"the shares of {code} in {year} add up to {total:g}, not 1 (a code that moves "
                "to several new codes needs a share for each)",
            )
    return BorderMapping(tuple(changes), source)


def harmonize(
    frame: pd.DataFrame,
    mapping: BorderMapping,
    target_year: int,
    *,
    code_column: str = "municipality",
    value_columns: Sequence[str] = ("population",),
) -> pd.DataFrame:
    """Express every row in the municipality codes valid on 1 January ``target_year``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Tidy rows with a text code column and count columns; every other column is a key.
    mapping : BorderMapping
        The border changes (see :func:`read_border_mapping`).
    target_year : int
        Changes with ``from_year <= target_year`` are applied, oldest first.
    code_column : str
        The column holding the municipality codes.
    value_columns : sequence of str
        Columns that are summed when codes merge (and split by share).

    Returns
    -------
    pandas.DataFrame
        Same columns, rows summed per key; counts stay whole numbers.

    Examples
    --------
    >>> mapping = BorderMapping((BorderChange("1001", "4204", 2020),
    ...                          BorderChange("1018", "4204", 2020)))
    >>> rows = pd.DataFrame({"year": [2019, 2019], "municipality": ["1001", "1018"],
    ...                      "population": [100, 20]})
    >>> harmonize(rows, mapping, 2024).to_dict("records")
    [{'year': 2019, 'municipality': '4204', 'population': 120}]
    """
    if code_column not in frame:
        raise DataError(mapping.source or "border mapping", f"the data have no '{code_column}'")
    keys = [c for c in frame.columns if c not in value_columns]
    out = frame.copy()
    was_whole = {c: pd.api.types.is_integer_dtype(frame[c]) for c in value_columns}
    for year in mapping.years():
        if year > target_year:
            break
        step = pd.DataFrame(
            [(c.old_code, c.new_code, c.share) for c in mapping.changes if c.from_year == year],
            columns=[code_column, "_new", "_share"],
        )
        out = out.merge(step, on=code_column, how="left")
        moved = out["_new"].notna()
        out.loc[moved, code_column] = out.loc[moved, "_new"]
        share = out["_share"].fillna(1.0).to_numpy()
        for column in value_columns:
            out[column] = out[column].to_numpy(dtype=float) * share
        out = out.drop(columns=["_new", "_share"])
        out = out.groupby(keys, as_index=False, sort=False)[list(value_columns)].sum()
    for column in value_columns:
        if was_whole[column]:
            out[column] = np.round(out[column].to_numpy(dtype=float)).astype(np.int64)
    return out[list(frame.columns)].sort_values(keys, kind="stable").reset_index(drop=True)
