"""The SSB tables tbu-mc reads, and how their codes become tidy columns.

- ``population``, table 07459: population on 1 January by region, sex and single-year age.
  Variables ``Region`` (``"0"`` is the whole country, 2 digits a county, 4 a municipality),
  ``Kjonn`` (``"1"`` men, ``"2"`` women), ``Alder`` (``"000"`` ... ``"104"``, ``"105+"``),
  ``ContentsCode`` (``"Personer1"``, persons) and ``Tid`` (the year). Tidy columns:
  ``year, [municipality,] age, sex, population``, the layout of ``../shared/data``.
- ``projection``, e.g. table 13599: SSB's population projections by alternative (four letters for
  fertility, life expectancy, internal migration and immigration: ``MMMM`` is the main one). The
  alternative is found in whichever variable lists it, code or label, so the table's layout need
  not be known in advance. Tidy columns as for ``population`` plus ``alternative``.
- ``kostra``, e.g. tables 12362/12364 (municipalities) and 12361/12163 (counties): accounts by
  function and type. Kept generic: ``year, region``, one text column per other variable (its code
  in lower case, e.g. ``funksjonkostra``) and ``value``.

Every selection is checked against the table's metadata first, so an unknown year or region is
named before anything is downloaded.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from mc.data.population import MAX_PERSONS
from mc.data.pxweb import TableMetadata, Variable
from mc.data.request import DEFAULT_ALTERNATIVE, Kind
from mc.domain.ages import N_AGES
from mc.errors import DataError

REGION, SEX, AGE, CONTENTS = "Region", "Kjonn", "Alder", "ContentsCode"
PERSONS = "Personer1"
_AGE = re.compile(r"^(\d{1,3})\+?$")
# "Hele landet" (07459), "Landet" (KOSTRA; not "Landet uten Oslo"), "The whole country"
_NATIONAL_TEXT = re.compile(r"^\s*((hele\s+)?landet|the\s+whole\s+country)\s*$", re.IGNORECASE)
_MALE_TEXT = re.compile(r"^\s*(menn|mann|males?|men)\b", re.IGNORECASE)
_FEMALE_TEXT = re.compile(r"^\s*(kvinner|kvinne|females?|women)\b", re.IGNORECASE)
_SEX_BY_CODE = {"1": "male", "2": "female"}  # SSB's standard code list for sex

# what --regions accepts besides a list of codes
ALL, NATIONAL, COUNTIES = "all", "national", "counties"


def _need(meta: TableMetadata, code: str) -> Variable:
    found = meta.variable(code)
    if found is None:
        raise DataError(
            f"SSB table {meta.table}",
            f"has no variable '{code}' (it has {[v.code for v in meta.variables]})",
        )
    return found


def _check_values(meta: TableMetadata, var: Variable, wanted: Sequence[str], what: str) -> None:
    unknown = [v for v in wanted if v not in var.values]
    if unknown:
        shown = list(var.values[:12]) + (["..."] if len(var.values) > 12 else [])
        raise DataError(
            f"SSB table {meta.table}",
            f"{what} {unknown[:10]} not in variable '{var.code}' (allowed: {shown})",
        )


def year_values(meta: TableMetadata, years: Sequence[int] | None) -> list[str]:
    """The time codes for ``years`` (all of the table's years when ``None``)."""
    tid = meta.time
    if years is None:
        return list(tid.values)
    wanted = [str(y) for y in years]
    missing = [w for w in wanted if w not in tid.values]
    if missing:
        raise DataError(
            f"SSB table {meta.table}",
            f"year(s) {missing} not in the table (it covers {tid.values[0]}-{tid.values[-1]})",
        )
    return wanted


def region_values(meta: TableMetadata, regions: str | Sequence[str]) -> list[str]:
    """Region codes for ``"all"`` (municipalities), ``"national"``, ``"counties"`` or a list."""
    var = _need(meta, REGION)
    if isinstance(regions, str):
        if regions == NATIONAL:
            found = [
                c for c, t in zip(var.values, var.texts, strict=False) if _NATIONAL_TEXT.match(t)
            ]
            if found:
                return found[:1]
            if "0" in var.values:
                return ["0"]
            raise DataError(f"SSB table {meta.table}", "no region for the whole country found")
        pattern = r"^\d{2}$" if regions == COUNTIES else r"^\d{4}$"
        if regions not in (ALL, COUNTIES):
            raise DataError(
                f"SSB table {meta.table}",
                f"regions = {regions!r}: expected 'all', 'national', 'counties' or a list of codes",
            )
        codes = [c for c in var.values if re.match(pattern, c)]
        if not codes and regions == ALL:  # a county-level table: its regions are counties
            codes = [c for c in var.values if re.match(r"^\d{2}$", c)]
        if not codes:
            raise DataError(f"SSB table {meta.table}", f"no {regions} regions in the table")
        return codes
    wanted = list(regions)
    _check_values(meta, var, wanted, "region code(s)")
    return wanted


def _ages(var: Variable) -> list[str]:
    """The single-year age codes 0-105 (totals and ranges left out)."""
    ages = [c for c in var.values if (m := _AGE.match(c)) and int(m.group(1)) < N_AGES]
    if len(ages) != N_AGES:
        raise DataError(
            f"variable '{var.code}'",
            f"expected the {N_AGES} single-year ages 0-{N_AGES - 1}, found {len(ages)}",
        )
    return ages


def _sexes(var: Variable) -> list[str]:
    return [c for c in var.values if c in _SEX_BY_CODE]


def _alternative(meta: TableMetadata, alternative: str) -> tuple[str, str]:
    """The variable and value code that stand for a projection alternative, e.g. ``MMMM``."""
    token = re.compile(rf"(^|[^A-Z0-9]){re.escape(alternative)}([^A-Z0-9]|$)")
    for var in meta.variables:
        if var.code in (REGION, SEX, AGE) or var.time:
            continue
        for code, text in zip(var.values, var.texts, strict=False):
            if code == alternative or token.search(code) or token.search(text):
                return var.code, code
    offered = {v.code: list(v.texts[:6]) for v in meta.variables if v.code not in (SEX, AGE)}
    raise DataError(
        f"SSB table {meta.table}",
        f"alternative {alternative!r} not found in any variable ({offered})",
    )


def build_selection(
    kind: Kind,
    meta: TableMetadata,
    *,
    years: Sequence[int] | None = None,
    regions: str | Sequence[str] = NATIONAL,
    alternative: str = DEFAULT_ALTERNATIVE,
) -> dict[str, list[str]]:
    """The values to ask for, variable by variable, checked against the metadata.

    Parameters
    ----------
    kind : Kind
        What the table holds.
    meta : TableMetadata
        The table's variables (from :meth:`PxWebClient.metadata`).
    years : sequence of int, optional
        Years to fetch; all when omitted.
    regions : str or sequence of str
        ``"national"``, ``"all"`` (every municipality), ``"counties"`` or codes. Ignored by tables
        without a ``Region`` variable (national-only tables).
    alternative : str
        The projection alternative (``projection`` only).

    Raises
    ------
    DataError
        Naming the table, the variable and the value that is not in it.
    """
    selection: dict[str, list[str]] = {}
    alt: tuple[str, str] | None = None
    if kind is Kind.PROJECTION:
        alt = _alternative(meta, alternative)
    time_code = meta.time.code
    for var in meta.variables:
        if var.code == time_code:
            selection[var.code] = year_values(meta, years)
        elif var.code == REGION:
            selection[var.code] = region_values(meta, regions)
        elif kind is Kind.KOSTRA:
            selection[var.code] = list(var.values)
        elif var.code == SEX:
            selection[var.code] = _sexes(var)
        elif var.code == AGE:
            selection[var.code] = _ages(var)
        elif alt is not None and var.code == alt[0]:
            selection[var.code] = [alt[1]]
        elif var.code == CONTENTS and PERSONS in var.values:
            selection[var.code] = [PERSONS]
        elif len(var.values) == 1:
            selection[var.code] = list(var.values)
        elif var.elimination:
            continue  # SSB sums over a variable left out of the query
        else:
            raise DataError(
                f"SSB table {meta.table}",
                f"does not know which of variable '{var.code}' to take "
                f"(values {list(var.values[:8])}); this table is not a {kind.value} table",
            )
    if kind is not Kind.KOSTRA:
        for code in (SEX, AGE):
            _need(meta, code)
    return selection


def _sex_names(meta: TableMetadata) -> dict[str, str]:
    """Sex codes to ``male``/``female``, by label when the label says so."""
    var = _need(meta, SEX)
    names = {}
    for code in _sexes(var):
        text = var.text_of(code)
        if _MALE_TEXT.match(text):
            names[code] = "male"
        elif _FEMALE_TEXT.match(text):
            names[code] = "female"
        else:
            names[code] = _SEX_BY_CODE[code]
    return names


def _region_column(codes: pd.Series) -> str:
    if codes.str.fullmatch(r"\d{4}").all():
        return "municipality"
    if codes.str.fullmatch(r"\d{2}").all():
        return "county"
    return "region"


def tidy(
    kind: Kind,
    frame: pd.DataFrame,
    meta: TableMetadata,
    *,
    national: bool = False,
    alternative: str | None = None,
) -> pd.DataFrame:
    """SSB's long frame (one column per variable, ``value``) in tbu-mc's tidy layout.

    Population and projection counts: rows without a number are dropped, and so are region-years
    whose total is zero (SSB lists former and future municipalities with empty rows). Counts
    must be whole numbers. ``national`` drops the region column; ``alternative`` fills the
    projection's ``alternative`` column.

    Raises
    ------
    DataError
        If a count is not a whole number.
    """
    source = f"SSB table {meta.table}"
    tid = meta.time.code
    frame = frame[frame["value"].notna()].copy()
    year = pd.to_numeric(frame[tid], errors="coerce")
    if year.isna().any():
        bad = frame[tid][year.isna()].iloc[0]
        raise DataError(source, f"time code {bad!r} of variable '{tid}' is not a year")
    year = year.astype(int)
    if kind is Kind.KOSTRA:
        out = pd.DataFrame({"year": year})
        if REGION in frame:
            out["region"] = frame[REGION].astype(str)
        for var in meta.variables:
            if var.code in frame and var.code not in (tid, REGION):
                out[var.code.lower()] = frame[var.code].astype(str)
        out["value"] = frame["value"].astype(float)
        return out.reset_index(drop=True)
    out = pd.DataFrame({"year": year})
    if REGION in frame and not national:
        codes = frame[REGION].astype(str)
        out[_region_column(codes)] = codes
    out["age"] = frame[AGE].str.extract(_AGE, expand=False).astype(int)
    out["sex"] = frame[SEX].map(_sex_names(meta))
    values = frame["value"].to_numpy(dtype=float)
    # inf passes the whole-number test (inf == round(inf)) and would become garbage as int64
    rules = (
        (~np.isfinite(values), "is not a finite number"),
        (values != np.round(values), "is not a whole number"),
        (values < 0, "is negative"),
        (
            values > MAX_PERSONS,
            f"is above {MAX_PERSONS:,} (a hard bound, several times Norway's population)",
        ),
    )
    for broken, rule in rules:
        if broken.any():
            i = int(np.argmax(broken))
            cell = {v.code: frame[v.code].iloc[i] for v in meta.variables if v.code in frame}
            raise DataError(source, f"count {values[i]} for {cell} {rule}")
    out["population"] = values.astype(np.int64)
    if kind is Kind.PROJECTION:
        out["alternative"] = alternative or ""
    region = next((c for c in ("municipality", "county", "region") if c in out), None)
    if region is not None:
        totals = out.groupby([region, "year"])["population"].transform("sum")
        out = out[totals > 0]
    keys = ["year", *([region] if region else []), "sex", "age"]
    return out.sort_values(keys, kind="stable").reset_index(drop=True)
