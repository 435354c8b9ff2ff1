"""What to fetch from SSB: the table, the years, the regions; and the ``ssb:`` source notation.

A configuration or a command line can name SSB data instead of a file::

    ssb:07459                                   population, whole country, every year
    ssb:07459?regions=all&years=2005-2024       every municipality, 2005-2024
    ssb:13599?alternative=MMMM&years=2024-2030  SSB's main projection alternative

Only the standard library is imported here, so the config layer can parse these cheaply.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qsl

from mc.data.cache import entry_key
from mc.errors import DataError

PREFIX = "ssb:"


class Kind(StrEnum):
    """What a table holds; decides the selection and the tidy layout."""

    POPULATION = "population"
    PROJECTION = "projection"
    KOSTRA = "kostra"


DEFAULT_TABLES = {Kind.POPULATION: "07459", Kind.PROJECTION: "13599", Kind.KOSTRA: "12362"}
DEFAULT_REGIONS = {Kind.POPULATION: "national", Kind.PROJECTION: "national", Kind.KOSTRA: "all"}
DEFAULT_ALTERNATIVE = "MMMM"
REGION_WORDS = ("all", "national", "counties")
_TABLE = re.compile(r"^\d{5}$")
_REGION_CODE = re.compile(r"^[A-Za-z0-9-]{1,12}$")


def parse_years(text: str) -> tuple[int, ...] | None:
    """``"all"`` -> ``None``; ``"2020-2024"``, ``"2020,2022"`` or both mixed -> the years.

    Raises
    ------
    ValueError
        With the offending part, if a part is not a year or a range ``Y1-Y2`` with Y1 <= Y2.
    """
    text = text.strip()
    if text.lower() == "all":
        return None
    years: list[int] = []
    for part in (p.strip() for p in text.split(",")):
        match = re.fullmatch(r"(\d{4})(?:\s*-\s*(\d{4}))?", part)
        if not match:
            raise ValueError(f"years = {part!r}: expected 'all', a year, or a range like 2020-2024")
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if first > last:
            raise ValueError(f"years = {part!r}: the first year is after the last")
        years.extend(range(first, last + 1))
    return tuple(sorted(set(years)))


def parse_regions(text: str) -> str | tuple[str, ...]:
    """``"all"``, ``"national"``, ``"counties"`` or comma-separated region codes (kept as text).

    Raises
    ------
    ValueError
        If a code holds characters no SSB region code has.
    """
    text = text.strip()
    if text.lower() in REGION_WORDS:
        return text.lower()
    codes = tuple(c.strip() for c in text.split(",") if c.strip())
    bad = [c for c in codes if not _REGION_CODE.match(c)]
    if bad or not codes:
        raise ValueError(
            f"regions = {text!r}: expected one of {list(REGION_WORDS)} or codes like 0301,4204"
        )
    return codes


def _years_label(years: tuple[int, ...] | None) -> str:
    if years is None:
        return "all"
    if years == tuple(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0])
    return "_".join(map(str, years))


def _regions_label(regions: str | tuple[str, ...]) -> str:
    if isinstance(regions, str):
        return regions
    if len(regions) <= 4:
        return "r" + "_".join(regions)
    digest = hashlib.sha256(",".join(regions).encode()).hexdigest()[:10]
    return f"{len(regions)}regions-{digest}"


@dataclass(frozen=True)
class FetchRequest:
    """One table to fetch and how much of it.

    Parameters
    ----------
    kind : Kind
        Population, projection or KOSTRA accounts.
    table : str, optional
        SSB's 5-digit table id (default: 07459, 13599 or 12362 by kind).
    years : tuple of int, optional
        Years to fetch; ``None`` for all.
    regions : str or tuple of str, optional
        ``"national"``, ``"all"`` (every municipality), ``"counties"`` or codes; default national
        for population and projection, all for KOSTRA.
    alternative : str
        Projection alternative (``projection`` only), e.g. ``MMMM``.
    """

    kind: Kind
    table: str | None = None
    years: tuple[int, ...] | None = None
    regions: str | tuple[str, ...] | None = None
    alternative: str = DEFAULT_ALTERNATIVE

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", Kind(self.kind))
        if self.table is not None and not _TABLE.match(self.table):
            raise DataError("request", f"table = {self.table!r}: expected SSB's 5-digit table id")

    @property
    def table_id(self) -> str:
        """The table id, the kind's default if none was given."""
        return self.table or DEFAULT_TABLES[self.kind]

    @property
    def region_choice(self) -> str | tuple[str, ...]:
        """The regions, the kind's default if none were given."""
        return self.regions if self.regions is not None else DEFAULT_REGIONS[self.kind]

    def key(self, *extra: str) -> str:
        """The cache key of this request (file-name safe)."""
        parts = [self.kind.value, _regions_label(self.region_choice), _years_label(self.years)]
        if self.kind is Kind.PROJECTION:
            parts.append(self.alternative)
        return entry_key(self.table_id, *parts, *extra)

    def describe(self) -> dict[str, object]:
        """The request as JSON-ready data (for manifests)."""
        return {
            "kind": self.kind.value,
            "table": self.table_id,
            "years": "all" if self.years is None else list(self.years),
            "regions": self.region_choice
            if isinstance(self.region_choice, str)
            else list(self.region_choice),
            **({"alternative": self.alternative} if self.kind is Kind.PROJECTION else {}),
        }


def is_ssb_spec(spec: object) -> bool:
    """Whether ``spec`` is an ``ssb:`` source rather than a file path."""
    return isinstance(spec, str) and spec.strip().lower().startswith(PREFIX)


def parse_ssb_spec(spec: str) -> FetchRequest:
    """Parse ``ssb:TABLE[?regions=...&years=...&alternative=...&kind=...]``.

    The kind follows from the table (07459 population, 13599 projection, 12362 KOSTRA) or from
    ``alternative=``; ``kind=`` overrides.

    Raises
    ------
    DataError
        Naming the spec and the part that does not parse.

    Examples
    --------
    >>> parse_ssb_spec("ssb:07459?years=2023-2024").years
    (2023, 2024)
    """
    if not is_ssb_spec(spec):
        raise DataError(str(spec), f"expected a source starting with '{PREFIX}'")
    body = spec.strip()[len(PREFIX) :]
    table, _, query = body.partition("?")
    table = table.strip()
    if not _TABLE.match(table):
        raise DataError(spec, f"table = {table!r}: expected SSB's 5-digit table id, e.g. ssb:07459")
    allowed = ("regions", "years", "alternative", "kind")
    options = dict(parse_qsl(query, keep_blank_values=True, strict_parsing=False))
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise DataError(spec, f"unknown option(s) {unknown}; allowed: {list(allowed)}")
    by_table = {v: k for k, v in DEFAULT_TABLES.items()}
    try:
        if "kind" in options:
            if options["kind"] not in {k.value for k in Kind}:
                raise ValueError(
                    f"kind = {options['kind']!r}: expected one of {[k.value for k in Kind]}"
                )
            kind = Kind(options["kind"])
        elif "alternative" in options:
            kind = Kind.PROJECTION
        else:
            kind = by_table.get(table, Kind.POPULATION)
        years = parse_years(options["years"]) if "years" in options else None
        regions = parse_regions(options["regions"]) if "regions" in options else None
    except ValueError as exc:
        raise DataError(spec, str(exc)) from None
    alternative = options.get("alternative", DEFAULT_ALTERNATIVE).strip().upper()
    return FetchRequest(kind, table, years, regions, alternative or DEFAULT_ALTERNATIVE)
