"""Fetch a table from SSB, check it, and store it in the cache as a tidy CSV with a manifest."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from mc._files import file_sha256
from mc._version import __version__
from mc.data.borders import harmonize, read_border_mapping
from mc.data.cache import entry_paths, read_manifest, write_entry
from mc.data.jsonstat import parse_jsonstat2
from mc.data.population import population_from_frame
from mc.data.pxweb import PxWebClient
from mc.data.request import FetchRequest, Kind
from mc.data.tables import build_selection, tidy
from mc.errors import DataError


@dataclass(frozen=True)
class FetchResult:
    """A fetched and cached table.

    Attributes
    ----------
    path : Path
        The tidy CSV in the cache.
    manifest : dict
        What was asked, when, SSB's ``updated`` stamp, rows, checksum.
    frame : pandas.DataFrame
        The tidy rows as written.
    """

    path: Path
    manifest: dict[str, Any]
    frame: pd.DataFrame


def _validate(kind: Kind, frame: pd.DataFrame, source: str) -> None:
    """The population rules before anything is cached (KOSTRA: unique keys only)."""
    if frame.empty:
        raise DataError(source, "SSB returned no numbers for this selection")
    if kind is Kind.KOSTRA:
        keys = [c for c in frame.columns if c != "value"]
        duplicated = frame.duplicated(keys)
        if duplicated.any():
            row = frame[keys][duplicated].iloc[0].to_dict()
            raise DataError(source, f"duplicate row for {row}")
        return
    counts = frame.drop(columns=["alternative"], errors="ignore")
    region = next((c for c in ("county", "region") if c in counts), None)
    if region is None:  # national, or municipalities (summed to the national table)
        population_from_frame(counts, source)
        return
    for code, part in counts.groupby(region):
        population_from_frame(part.drop(columns=region), f"{source}, region {code}")


def fetch_table(
    request: FetchRequest,
    *,
    cache_dir: str | Path | None = None,
    client: PxWebClient | None = None,
    borders: str | Path | None = None,
    target_year: int | None = None,
) -> FetchResult:
    """Fetch ``request`` from SSB's PxWebApi and store it in the cache.

    Parameters
    ----------
    request : FetchRequest
        Table, years, regions.
    cache_dir : str or Path, optional
        The cache folder (default: ``$TBU_MC_CACHE`` or the user cache folder).
    client : PxWebClient, optional
        The API client (tests pass one with a fake transport).
    borders : str or Path, optional
        A border-change mapping (see :mod:`mc.data.borders`); municipal rows are carried over to
        the borders of ``target_year``.
    target_year : int, optional
        Whose borders; default the last year fetched.

    Returns
    -------
    FetchResult

    Raises
    ------
    DataError
        If SSB cannot be reached (the message says how to use files instead), refuses the
        query, or returns data that break the population rules.
    """
    client = client or PxWebClient()
    table = request.table_id
    source = f"SSB table {table}"
    meta = client.metadata(table)
    regions = request.region_choice
    selection = build_selection(
        request.kind, meta, years=request.years, regions=regions, alternative=request.alternative
    )
    answers = client.query(table, selection)
    datasets = [
        parse_jsonstat2(doc, f"{client.url(table)} (query {i + 1})")
        for i, (_, doc) in enumerate(answers)
    ]
    frame = pd.concat([d.frame for d in datasets], ignore_index=True)
    alternative = request.alternative if request.kind is Kind.PROJECTION else None
    rows = tidy(request.kind, frame, meta, national=regions == "national", alternative=alternative)
    extra: list[str] = []
    border_info = None
    if borders is not None:
        code_column = "region" if request.kind is Kind.KOSTRA else "municipality"
        if code_column not in rows:
            raise DataError(str(borders), "border changes apply to municipal rows only")
        mapping = read_border_mapping(borders)
        year = target_year if target_year is not None else int(rows["year"].max())
        value = "value" if request.kind is Kind.KOSTRA else "population"
        rows = harmonize(rows, mapping, year, code_column=code_column, value_columns=[value])
        digest = file_sha256(borders)
        border_info = {"file": str(borders), "sha256": digest, "target_year": year}
        extra.append(f"borders{year}-{digest[:8]}")
    _validate(request.kind, rows, source)
    updated = sorted({d.updated for d in datasets if d.updated})
    csv_path, manifest_path = entry_paths(cache_dir, table, request.key(*extra))
    manifest: dict[str, Any] = {
        "tool": "tbu-mc",
        "version": __version__,
        "source": f"Statistics Norway (SSB), table {table}",
        "title": meta.title,
        "label": datasets[0].label if datasets else "",
        "license": "CC BY 4.0 (SSB's API terms)",
        "request": request.describe(),
        "url": client.url(table),
        "queries": [body for body, _ in answers],
        "retrieved": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "updated": updated[-1] if updated else None,
        "updated_all": updated,
        "rows": len(rows),
        "years": [int(rows["year"].min()), int(rows["year"].max())],
        "columns": {c: str(t) for c, t in rows.dtypes.items()},
        "borders": border_info,
    }
    text = rows.to_csv(index=False, lineterminator="\n")
    path = write_entry(text, csv_path, manifest_path, manifest)
    return FetchResult(path, read_manifest(path) or manifest, rows)
