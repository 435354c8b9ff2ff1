"""A stand-in for data.ssb.no: answers metadata GETs and data POSTs in SSB's own layouts.

The layouts copy what SSB's PxWebApi v0 returns (checked against a recorded answer of table 05300 in
statisticsnorway/dapla-statbank-client, tests/test_apidata.py): metadata ``{"title", "variables":
[{"code", "text", "values", "valueTexts", "elimination"?, "time"?}]}``, data as a JSON-stat2
``dataset`` with ``label, source, updated, id, size, dimension{label, category{index, label,
unit?}}, value, status?, role{time, metric}, version "2.0", extension.px``. Dimensions come in the
table's variable order; values row-major, ``null`` with status ``".."`` where SSB has no number.
"""

from __future__ import annotations

import json
import math
import urllib.error
from collections.abc import Callable, Mapping, Sequence
from itertools import product
from pathlib import Path

import pandas as pd

from mc.data.pxweb import Response

FIXTURES = Path(__file__).resolve().parent / "fixtures"
UPDATED = "2024-02-21T07:00:00Z"
AGE_CODES = [f"{a:03d}" for a in range(105)] + ["105+"]


def load_fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def population_metadata(regions: Mapping[str, str], years: Sequence[int]) -> dict:
    """Metadata of table 07459 restricted to some regions and years (real codes and texts)."""
    return {
        "title": "07459: Befolkning, etter region, kjønn, alder, statistikkvariabel og år",
        "variables": [
            {
                "code": "Region",
                "text": "region",
                "values": list(regions),
                "valueTexts": list(regions.values()),
                "elimination": True,
            },
            {
                "code": "Kjonn",
                "text": "kjønn",
                "values": ["1", "2"],
                "valueTexts": ["Menn", "Kvinner"],
                "elimination": True,
            },
            {
                "code": "Alder",
                "text": "alder",
                "values": AGE_CODES,
                "valueTexts": [f"{a} år" for a in range(105)] + ["105 år eller eldre"],
                "elimination": True,
            },
            {
                "code": "ContentsCode",
                "text": "statistikkvariabel",
                "values": ["Personer1"],
                "valueTexts": ["Personer"],
            },
            {
                "code": "Tid",
                "text": "år",
                "values": [str(y) for y in years],
                "valueTexts": [str(y) for y in years],
                "time": True,
            },
        ],
    }


def population_cells(frame: pd.DataFrame, region: str | None = None) -> dict[tuple, float]:
    """Cells ``(Region, Kjonn, Alder, ContentsCode, Tid) -> persons`` from a tidy frame.

    Without a ``municipality`` column the rows are the whole country (``region``, default "0").
    """
    sex_code = {"male": "1", "female": "2"}
    regions = frame["municipality"] if "municipality" in frame else [region or "0"] * len(frame)
    return {
        (str(r), sex_code[s], AGE_CODES[int(a)], "Personer1", str(int(y))): float(v)
        for r, s, a, y, v in zip(
            regions, frame["sex"], frame["age"], frame["year"], frame["population"], strict=True
        )
    }


def jsonstat2(
    table: str,
    metadata: dict,
    selection: Mapping[str, Sequence[str]],
    cells: Mapping[tuple, float] | Callable[[tuple], float | None],
    updated: str = UPDATED,
) -> dict:
    """The JSON-stat2 document SSB would send for ``selection`` (table variable order)."""
    variables = [v for v in metadata["variables"] if v["code"] in selection]
    ids = [v["code"] for v in variables]
    chosen = [list(selection[c]) for c in ids]
    lookup = cells if callable(cells) else cells.get
    values, status = [], {}
    for i, key in enumerate(product(*chosen)):
        value = lookup(key)
        if value is None:
            status[str(i)] = ".."
            values.append(None)
        else:
            values.append(int(value) if float(value).is_integer() else value)
    dimension = {}
    for var, codes in zip(variables, chosen, strict=True):
        texts = dict(zip(var["values"], var["valueTexts"], strict=True))
        category = {
            "index": {c: j for j, c in enumerate(codes)},
            "label": {c: texts[c] for c in codes},
        }
        if var["code"] == "ContentsCode":
            category["unit"] = {c: {"base": "personer", "decimals": 0} for c in codes}
        dimension[var["code"]] = {"label": var["text"], "category": category}
    document = {
        "class": "dataset",
        "label": metadata["title"],
        "source": "Statistisk sentralbyrå",
        "updated": updated,
        "id": ids,
        "size": [len(c) for c in chosen],
        "dimension": dimension,
        "value": values,
    }
    if status:
        document["status"] = status
    document["role"] = {
        "time": [v["code"] for v in variables if v.get("time")],
        "metric": [c for c in ids if c == "ContentsCode"],
    }
    document["version"] = "2.0"
    document["extension"] = {"px": {"infofile": "None", "tableid": table, "decimals": 0}}
    return document


class FakeSsb:
    """A transport that plays data.ssb.no for the tables it is given.

    Parameters
    ----------
    tables : mapping
        ``{table id: (metadata, cells)}``.
    script : sequence, optional
        What to do for the next requests before answering normally: an int is an HTTP status to
        send back (e.g. 429, 503), an exception instance is raised (e.g. ``URLError``).
    max_cells : int
        Refuse larger queries with HTTP 403, as SSB does.
    """

    def __init__(self, tables, script=(), max_cells: int = 800_000, headers=None) -> None:
        self.tables = dict(tables)
        self.script = list(script)
        self.max_cells = max_cells
        self.headers = headers or {}
        self.calls: list[tuple[str, str, dict | None]] = []

    @property
    def posts(self) -> list[dict]:
        return [body for method, _, body in self.calls if method == "POST"]

    def __call__(self, method: str, url: str, body: bytes | None) -> Response:
        decoded = json.loads(body) if body else None
        self.calls.append((method, url, decoded))
        if self.script:
            step = self.script.pop(0)
            if isinstance(step, BaseException):
                raise step
            return Response(step, b'{"error": "scripted"}', self.headers)
        table = url.rstrip("/").rsplit("/", 1)[-1]
        if table not in self.tables:
            return Response(404, b"", {})
        metadata, cells = self.tables[table]
        if method == "GET":
            return Response(200, json.dumps(metadata).encode(), {})
        selection = {q["code"]: q["selection"]["values"] for q in decoded["query"]}
        if math.prod(len(v) for v in selection.values()) > self.max_cells:
            return Response(403, b'{"error": "Too many values selected"}', {})
        known = {v["code"]: set(v["values"]) for v in metadata["variables"]}
        for code, values in selection.items():
            if code not in known or not set(values) <= known[code]:
                return Response(400, b'{"error": "Parameter error"}', {})
        document = jsonstat2(table, metadata, selection, cells)
        return Response(200, json.dumps(document, ensure_ascii=False).encode(), {})


def offline_error() -> urllib.error.URLError:
    """What urllib raises when the name data.ssb.no cannot be resolved."""
    import socket

    return urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution"))
