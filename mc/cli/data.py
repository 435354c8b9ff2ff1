"""``tbu-mc data fetch | check | list``: SSB tables into the cache, user files checked."""

from __future__ import annotations

import argparse
import sys
import warnings

from mc.data.request import parse_regions, parse_years


def years_arg(text: str) -> tuple[int, ...] | None:
    """``--years``: ``all``, ``2020-2024``, ``2020,2022``."""
    try:
        return parse_years(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def regions_arg(text: str) -> str | tuple[str, ...]:
    """``--regions``: ``all``, ``national``, ``counties`` or codes ``0301,4204``."""
    try:
        return parse_regions(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def tolerance_arg(text: str) -> float:
    """``--tolerance``: a fraction in [0, 1), e.g. 0.005, or a percentage such as 0.5%."""
    try:
        value = float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"tolerance {text} must be in [0, 1), e.g. 0.005 or 0.5%")
    return value


def data_command(args: argparse.Namespace) -> int:
    """Dispatch a data step; returns the exit code."""
    step = {"fetch": _fetch, "check": _check, "list": _list}[args.data_command]
    return step(args)


def _fetch(args: argparse.Namespace) -> int:
    from mc.data.fetch import fetch_table
    from mc.data.request import DEFAULT_ALTERNATIVE, FetchRequest, Kind

    request = FetchRequest(
        Kind(args.what),
        table=args.table,
        years=args.years,
        regions=args.regions,
        alternative=(args.alternative or DEFAULT_ALTERNATIVE).upper(),
    )
    result = fetch_table(
        request, cache_dir=args.cache, borders=args.borders, target_year=args.target_year
    )
    m = result.manifest
    first, last = m["years"]
    print(
        f"SSB table {request.table_id} ({request.kind.value}): {len(m['queries'])} "
        f"quer{'y' if len(m['queries']) == 1 else 'ies'}, years {first}-{last}, "
        f"{m['rows']:,} rows; SSB updated {m['updated'] or 'unknown'}"
    )
    print(f"wrote {result.path}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from mc.data.loaders import (
        DEFAULT_TOLERANCE,
        TotalsWarning,
        load_population_source,
        load_regional,
    )

    national = load_population_source(args.national) if args.national else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TotalsWarning)
        if args.municipal or args.municipalities:
            table = load_regional(
                args.file,
                args.municipalities,
                trim_start=args.trim_start,
                national=national,
                tolerance=DEFAULT_TOLERANCE if args.tolerance is None else args.tolerance,
            )
            where = f"{len(table.codes)} municipalities"
            for note in table.notes:
                print(f"note: {note}", file=sys.stderr)
        else:
            table = load_population_source(args.file)
            where = "national"
    for warning in caught:
        print(f"warning: {warning.message}", file=sys.stderr)
    last = table.years.stop - 1
    print(
        f"ok: {args.file}: {where}, years {table.years.start}-{last}, "
        f"{table.at(last).sum():,.0f} persons on 1 January {last}"
    )
    return 0


def _list(args: argparse.Namespace) -> int:
    from mc.data.cache import cache_dir, entries

    found = entries(args.cache)
    if not found:
        print(f"no SSB tables cached in {cache_dir(args.cache)}")
        return 0
    for entry in found:
        request = entry.get("request", {})
        print(
            f"{request.get('table', '?')} {request.get('kind', '?'):<10} "
            f"years {entry.get('years')} rows {entry.get('rows')} "
            f"retrieved {entry.get('retrieved')} updated {entry.get('updated')}  {entry['path']}"
        )
    return 0
