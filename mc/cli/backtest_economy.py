"""``tbu-mc backtest economy --years Y1-Y2 --out DIR``: the economy's bands against outcomes."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

from mc.cli.args import command_line, positive_int
from mc.cli.args import seed as seed_arg

#: The shared fact tables, as the tests find them (``TBU_MC_DATA`` overrides the data folder).
DEFAULT_FACTS = Path(os.environ.get("TBU_MC_DATA", "../shared/data")) / "facts"


def year_range(text: str) -> tuple[int, int]:
    """``Y1-Y2`` (or one year) as two whole years, the first not after the second."""
    first, _, last = text.partition("-")
    try:
        years = (int(first), int(last or first))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a range of years such as 2016-2024"
        ) from None
    if years[0] > years[1] or not 1900 <= years[0] <= 2200:
        raise argparse.ArgumentTypeError(f"{text!r}: give Y1-Y2 with 1900 <= Y1 <= Y2")
    return years


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``economy`` to the ``backtest`` group."""
    p = subparsers.add_parser(
        "economy",
        help="deflator, tax and net-operating-result bands as of each budget, vs the outcome",
    )
    p.add_argument("--years", type=year_range, required=True, help="target years, e.g. 2016-2024")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument(
        "--facts",
        type=Path,
        default=DEFAULT_FACTS,
        help="folder of the shared fact tables (net operating results)",
    )
    p.add_argument(
        "--config",
        help="also place the outcomes in the bands of this configuration's own years "
        "(e.g. configs/tbu-2025.yaml, as of March 2024; default: none, only the budgets' bands)",
    )
    p.add_argument("--draws", type=positive_int, default=20_000, help="draws for --config")
    p.add_argument("--seed", type=seed_arg, default=None, help="entropy (default: the config's)")


def handle(args: argparse.Namespace, argv: Sequence[str] | None = None) -> int:
    """Backtest, write ``backtest_economy.csv``, ``coverage.csv`` (and ``levels.csv``)."""
    from mc.model.config import load_config
    from mc.report import layout
    from mc.report.manifest import build_manifest
    from mc.report.writer import write_tables
    from mc.workflow.economy_backtest import backtest_economy

    first, last = args.years
    config = load_config(args.config) if args.config else None
    entropy = args.seed if args.seed is not None else (config.run.seed if config else 20240321)
    result = backtest_economy(
        first, last, args.facts, config=config, draws=args.draws, entropy=entropy
    )
    tables = {layout.BACKTEST_ECONOMY: result.rows, layout.COVERAGE: result.coverage}
    if config is not None:
        tables[layout.ECONOMY_LEVELS] = result.levels
    manifest = build_manifest(
        config=config.to_dict() if config else {"years": [first, last]},
        config_sha256=config.sha256() if config else "",
        config_path=args.config,
        mode="backtest economy",
        entropy=entropy if config else None,
        draws=args.draws if config else None,
        command=command_line(None),
    )
    write_tables(args.out, tables, manifest)
    for row in result.coverage.itertuples():
        print(
            f"{row.variable:<26} {row.band:>4}: {row.empirical:.2f} of n={row.n} inside "
            f"(nominal {row.nominal:.2f}, exact binomial p = {row.p_value:.3f})"
        )
    for row in result.levels.itertuples():
        outcome = (
            f"; outcome {row.outcome:g} % at percentile {100 * row.outcome_percentile:.1f}"
            if row.outcome == row.outcome
            else ""
        )
        survey = " (budget survey)" if row.budget_survey else ""
        print(
            f"{row.level:<14} {row.year}{survey}: P(< {row.norm_pct:g} %) = "
            f"{row.p_below_norm:.3f}, 90 % band {row.q05:.1f} to {row.q95:.1f} %{outcome}"
        )
    print(f"wrote {args.out}")
    return 0
