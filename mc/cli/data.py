"""``tbu-mc data fetch | check | list``: SSB tables into the cache, user files checked."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence

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


def add_parser(subcommands: argparse._SubParsersAction) -> None:
    """Add ``data`` with its steps fetch, check and list."""
    data = subcommands.add_parser("data", help="fetch SSB tables into the cache; check data files")
    dsub = data.add_subparsers(dest="data_command", required=True, metavar="STEP")

    fetch = dsub.add_parser("fetch", help="fetch a table from SSB's API into the cache")
    fetch.add_argument("what", choices=("population", "projection", "kostra"))
    fetch.add_argument("--years", type=years_arg, help="'all' (default), 2020-2024 or 2020,2022")
    fetch.add_argument(
        "--regions",
        type=regions_arg,
        help="all (municipalities) | national | counties | codes 0301,4204 "
        "(default: national; kostra: all)",
    )
    fetch.add_argument("--cache", help="cache folder (default: $TBU_MC_CACHE or the user cache)")
    fetch.add_argument("--table", help="SSB table id (default: 07459, 13599 or 12362), e.g. 12364")
    fetch.add_argument("--alternative", help="projection alternative (default: MMMM)")
    fetch.add_argument(
        "--borders",
        help="CSV of border changes (old_code,new_code,from_year[,share]) (default: none, "
        "codes as SSB gives them)",
    )
    fetch.add_argument(
        "--target-year", type=int, help="harmonize to this year's borders (default: last year)"
    )

    check = dsub.add_parser("check", help="check a population file (CSV or Parquet)")
    check.add_argument("file", help="tidy file: year, [municipality,] age, sex, population")
    check.add_argument(
        "--municipal",
        action="store_true",
        help="a municipal file (default: decided from the file: municipal if it has a "
        "municipality column)",
    )
    check.add_argument(
        "--municipalities",
        help="classification: every code must be in it (default: none; a code's county is its "
        "first two digits)",
    )
    check.add_argument(
        "--strict",
        action="store_true",
        help="refuse a municipal file whose first years lack some municipalities (by default "
        "those years are left out with a note, as forecasts and runs do)",
    )
    # the default since the rule was made one for every command; kept so old scripts still run
    check.add_argument("--trim-start", action="store_true", help=argparse.SUPPRESS)
    check.add_argument(
        "--national",
        help="national file to hold the municipal totals against (default: none, not compared)",
    )
    check.add_argument(
        "--tolerance",
        type=tolerance_arg,
        help="warn when municipal and national totals differ by more (default 0.5%%)",
    )

    listing = dsub.add_parser("list", help="list the cached SSB tables")
    listing.add_argument("--cache", help="cache folder (default: $TBU_MC_CACHE or the user cache)")


def handle(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
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
        population_level,
    )

    # a municipal file read as national is summed over its municipalities and would pass as
    # "national": the header decides, so the file gets the municipal checks it needs
    detected = not (args.municipal or args.municipalities) and (
        population_level(args.file) == "municipal"
    )
    national = load_population_source(args.national) if args.national else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TotalsWarning)
        if args.municipal or args.municipalities or detected:
            table = load_regional(
                args.file,
                args.municipalities,
                trim_start=not args.strict,
                national=national,
                tolerance=DEFAULT_TOLERANCE if args.tolerance is None else args.tolerance,
            )
            where = f"{len(table.codes)} municipalities"
            if detected:
                where += " (a municipal file: it has a municipality column)"
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
