"""``tbu-mc backtest costs``: the demographic-cost band of each past spring against the outcome."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from mc.cli.args import (
    add_scheduler_flags,
    command_line,
    origins,
    positive_int,
    scheduler_from_args,
)
from mc.cli.args import seed as seed_arg


def add_parser(subcommands: argparse._SubParsersAction) -> None:
    """Add ``costs`` and its flags to ``backtest``."""
    costs = subcommands.add_parser(
        "costs",
        help="one-year-ahead demographic-cost bands of past years vs the cost that came",
        description="For each cost year Y: fit the population model on data to 1 January Y-1, "
        "project 1 January Y, price the change 1.1.Y-1 -> 1.1.Y with the configuration's unit "
        "costs, and compare with the cost of the change that happened (as `tbu-mc history`).",
    )
    costs.add_argument(
        "--origins",
        type=origins,
        required=True,
        help="cost years Y, e.g. 2006-2023 (each forecast from data to 1 January Y-1)",
    )
    costs.add_argument("--data", required=True, help="folder with SSB's files and components/")
    costs.add_argument(
        "--config",
        help="configuration supplying unit costs and prices (default: the shipped tbu-2025.yaml)",
    )
    costs.add_argument(
        "--model",
        choices=("components", "ratios"),
        default="components",
        help="national population model: cohort-component or Hamilton-Perry ratios",
    )
    costs.add_argument("--draws", type=positive_int, default=1000, help="draws per cost year")
    costs.add_argument("--seed", type=seed_arg, default=0, help="seed entropy")
    costs.add_argument("--out", required=True, help="output folder")
    add_scheduler_flags(costs, default="sync")


def handle(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    """Run the cost backtest; write backtest_costs.csv, coverage.csv, scores.csv, manifest."""
    from mc.data.population import data_dir_files, read_data_dir
    from mc.model.config import load_config
    from mc.model.config.common import SHIPPED_CONFIGS
    from mc.report import layout
    from mc.report.io import check_ownership
    from mc.report.manifest import build_manifest
    from mc.report.writer import write_tables
    from mc.summary.backtest_costs import with_naive_columns
    from mc.workflow.backtest_costs import backtest_costs, check_years

    config = load_config(args.config or SHIPPED_CONFIGS / "tbu-2025.yaml")
    check_ownership(args.out)  # before any work: --out must be new, empty or tbu-mc's
    national, _ = read_data_dir(args.data)
    check_years(national, args.origins)
    history = None
    files = data_dir_files(args.data)
    if args.model == "components":
        from mc.data.components import FILES, read_components

        history = read_components(args.data)
        files += [str(Path(args.data) / "components" / name) for name in FILES.values()]
    scheduler = scheduler_from_args(args, default="sync")
    result = backtest_costs(
        config,
        national,
        args.origins,
        history=history,
        method=args.model,
        draws=args.draws,
        entropy=args.seed,
        scheduler=scheduler,
    )
    manifest = build_manifest(
        config=config.to_dict(),
        config_sha256=config.sha256(),
        config_path=config.source,
        mode=f"backtest costs ({args.model})",
        entropy=args.seed,
        draws=args.draws,
        data_files=files,
        command=command_line(argv),
    )
    write_tables(
        args.out,
        {
            layout.BACKTEST_COSTS: with_naive_columns(result.rows, result.naive),
            layout.COVERAGE: result.coverage,
            layout.SCORES: result.scores,
        },
        manifest,
    )
    unit = f"bn {config.price_year}-kr"
    for row in result.rows.itertuples():
        print(
            f"{row.year}: median {row.q50:5.2f}, 80 % band {row.q10:5.2f} - {row.q90:5.2f}, "
            f"actual {row.actual:5.2f} {unit}"
        )
    for row in result.coverage.itertuples():
        print(
            f"{row.method:<11} {row.band:>4}: coverage {row.empirical:.2f} "
            f"({row.inside} of {row.n}), binomial p = {row.p_value:.3f}"
        )
    for row in result.scores.itertuples():
        print(
            f"{row.method:<11} MAE {row.mae_bn:.2f}, interval score 50/80/90 "
            f"{row.interval_score_50_bn:.2f} / {row.interval_score_80_bn:.2f} / "
            f"{row.interval_score_90_bn:.2f} {unit} (n={row.n})"
        )
    print(f"wrote {args.out}")
    return 0
