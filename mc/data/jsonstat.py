"""JSON-stat 2.0 datasets, as SSB's PxWebApi returns them, into long pandas frames.

A dataset lists its dimensions in ``id`` with their lengths in ``size``; ``value`` holds the cells
in row-major order (the last dimension varies fastest), ``null`` where a cell has no number, and
``status`` may mark cells (SSB: ``".."`` not available, ``"."`` cannot occur, ``":"``
confidential). Categories come as ``dimension[d].category.index``, a ``{code: position}`` object or
a list of codes. See https://json-stat.org/format/ and SSB's API guide.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mc.errors import DataError


@dataclass(frozen=True)
class Dataset:
    """One parsed JSON-stat2 dataset.

    Attributes
    ----------
    frame : pandas.DataFrame
        One text column per dimension (the category codes, named by the dimension id), ``value``
        (float, NaN where the cell is null) and ``status`` (text, or ``None``).
    dimensions : tuple of str
        The dimension ids in the order of ``id``.
    labels : dict
        ``{dimension id: {code: label}}``.
    label : str
        The dataset's title.
    updated : str or None
        When SSB last changed the table (ISO 8601), from ``updated``.
    table : str or None
        SSB's table id, from ``extension.px.tableid`` when present.
    """

    frame: pd.DataFrame
    dimensions: tuple[str, ...]
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    label: str = ""
    updated: str | None = None
    table: str | None = None


def _categories(dim_id: str, dim: Mapping[str, Any], size: int, source: str) -> list[str]:
    """Category codes of one dimension in index order."""
    category = dim.get("category")
    if not isinstance(category, Mapping):
        raise DataError(source, f"dimension '{dim_id}' has no category object")
    index = category.get("index")
    if index is None:  # allowed for a single category: the label names it
        codes = list((category.get("label") or {}).keys())
    elif isinstance(index, Mapping):
        codes = [""] * len(index)
        for code, position in index.items():
            if not isinstance(position, int) or not 0 <= position < len(index):
                raise DataError(
                    source, f"dimension '{dim_id}': index of {code!r} = {position!r} is not valid"
                )
            codes[position] = str(code)
    elif isinstance(index, Sequence) and not isinstance(index, str):
        codes = [str(code) for code in index]
    else:
        raise DataError(source, f"dimension '{dim_id}': category.index must be an object or list")
    if len(codes) != size:
        raise DataError(
            source, f"dimension '{dim_id}' has {len(codes)} categories but size says {size}"
        )
    return codes


def _cells(raw: Any, n: int, what: str, source: str, fill: Any) -> list[Any]:
    """``value`` or ``status`` as a dense list of ``n`` cells."""
    if raw is None:
        return [fill] * n
    if isinstance(raw, Mapping):  # sparse: {"position": cell}
        dense = [fill] * n
        for key, cell in raw.items():
            try:
                position = int(key)
            except ValueError:
                raise DataError(source, f"'{what}' key {key!r} is not a cell position") from None
            if not 0 <= position < n:
                raise DataError(source, f"'{what}' position {position} is outside 0-{n - 1}")
            dense[position] = cell
        return dense
    if isinstance(raw, str):  # one status for every cell
        return [raw] * n
    if isinstance(raw, Sequence):
        if len(raw) != n:
            raise DataError(source, f"'{what}' has {len(raw)} cells but the sizes multiply to {n}")
        return list(raw)
    raise DataError(source, f"'{what}' must be a list or an object")


def parse_jsonstat2(data: Mapping[str, Any], source: str = "JSON-stat2") -> Dataset:
    """Turn one JSON-stat2 dataset into a long frame, one row per cell.

    Parameters
    ----------
    data : mapping
        The decoded JSON (``class`` ``"dataset"``).
    source : str
        Named in errors (e.g. the URL or fixture file).

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        If the document is not a JSON-stat2 dataset or its parts disagree (sizes vs categories vs
        number of values).

    Examples
    --------
    >>> doc = {"class": "dataset", "id": ["Tid"], "size": [2],
    ...        "dimension": {"Tid": {"category": {"index": {"2023": 0, "2024": 1}}}},
    ...        "value": [5, None]}
    >>> parse_jsonstat2(doc).frame["value"].tolist()
    [5.0, nan]
    """
    if not isinstance(data, Mapping):
        raise DataError(source, "not a JSON object")
    kind = data.get("class", "dataset")
    if kind != "dataset":
        raise DataError(source, f"JSON-stat class = {kind!r}: expected 'dataset'")
    ids, sizes, dims = data.get("id"), data.get("size"), data.get("dimension")
    if not isinstance(ids, list) or not isinstance(sizes, list) or not isinstance(dims, Mapping):
        raise DataError(source, "not JSON-stat2: 'id', 'size' and 'dimension' are required")
    if not ids:
        raise DataError(source, "the dataset has no dimensions")
    if len(ids) != len(sizes):
        raise DataError(source, f"'id' has {len(ids)} dimensions but 'size' has {len(sizes)}")
    codes: list[list[str]] = []
    labels: dict[str, dict[str, str]] = {}
    for dim_id, size in zip(ids, sizes, strict=True):
        if dim_id not in dims:
            raise DataError(source, f"dimension '{dim_id}' is listed in 'id' but not described")
        dim = dims[dim_id]
        codes.append(_categories(dim_id, dim, int(size), source))
        labels[dim_id] = {str(k): str(v) for k, v in (dim["category"].get("label") or {}).items()}
    n = math.prod(int(s) for s in sizes)
    values = _cells(data.get("value"), n, "value", source, None)
    statuses = _cells(data.get("status"), n, "status", source, None)
    positions = np.indices([int(s) for s in sizes]).reshape(len(sizes), -1)
    columns: dict[str, Any] = {
        dim_id: np.asarray(dim_codes, dtype=object)[positions[d]]
        for d, (dim_id, dim_codes) in enumerate(zip(ids, codes, strict=True))
    }
    try:
        columns["value"] = np.array([np.nan if v is None else v for v in values], dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError(source, f"'value' holds a cell that is not a number ({exc})") from None
    columns["status"] = np.asarray(statuses, dtype=object)
    px = (data.get("extension") or {}).get("px") or {}
    return Dataset(
        frame=pd.DataFrame(columns),
        dimensions=tuple(ids),
        labels=labels,
        label=str(data.get("label", "")),
        updated=data.get("updated"),
        table=px.get("tableid"),
    )
