"""``tbu-mc history``: the costs year by year from the population changes that happened."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from mc.cli.args import command_line
from mc.errors import ConfigError, TbuMcError


def add_parser(subcommands: argparse._SubParsersAction) -> None:
    """Add ``history`` and its flags."""
    hist = subcommands.add_parser(
        "history", help="costs year by year from observed population change"
    )
    hist.add_argument("config", help="YAML configuration supplying unit costs")
    hist.add_argument(
        "--population",
        help="population CSV/Parquet (year, age, sex, population) or ssb:07459 "
        "(default: the configuration's population source)",
    )
    hist.add_argument("--from", dest="first", type=int, required=True, help="first cost year")
    hist.add_argument("--to", dest="last", type=int, required=True, help="last cost year")
    hist.add_argument("--out", required=True, help="output folder")


def handle(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    """Recompute the costs year by year and write ``history.csv``."""
    from mc.data.loaders import load_population_source
    from mc.model.config import load_config
    from mc.model.demographic import config_population
    from mc.model.history import history_costs
    from mc.report import write_history
    from mc.report.io import check_ownership
    from mc.report.manifest import build_manifest

    config = load_config(args.config)
    check_ownership(args.out)  # before any work: --out must be new, empty or tbu-mc's
    if args.population is not None:
        population = load_population_source(args.population, allow_fetch=True)
    else:
        population = config_population(config, allow_fetch=True)
        if population is None:
            raise ConfigError(
                "--population",
                None,
                f"{config.source} names no population file or data folder; give --population "
                "(a CSV/Parquet file or ssb:07459)",
            )
    try:
        frame = history_costs(config, population, args.first, args.last)
    except ValueError as exc:
        if isinstance(exc, TbuMcError):
            raise
        raise ConfigError("--from/--to", f"{args.first}-{args.last}", str(exc)) from None
    manifest = build_manifest(
        config=config.to_dict(),
        config_sha256=config.sha256(),
        config_path=config.source,
        mode="history",
        data_files=[population.source],
        command=command_line(argv),
    )
    write_history(args.out, frame, manifest)
    totals = frame[frame["variable"] == "demographic_cost_total_bn"]
    for year, value in zip(totals["year"], totals["value"], strict=True):
        print(f"{year}: {value:6.2f} bn {config.price_year}-kr")
    print(f"wrote {args.out}")
    return 0
