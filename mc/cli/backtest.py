"""``tbu-mc backtest``: forecasts made in past springs against what happened.

Each subcommand is its own module with ``add_parser(subcommands)`` and ``handle(args, argv)``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from types import ModuleType

from mc.cli import backtest_costs, backtest_economy

#: What can be backtested, by subcommand name.
SUBCOMMANDS: dict[str, ModuleType] = {"costs": backtest_costs, "economy": backtest_economy}


def add_parser(subcommands: argparse._SubParsersAction) -> None:
    """Add ``backtest`` and its subcommands."""
    parser = subcommands.add_parser("backtest", help="past forecasts against what happened")
    sub = parser.add_subparsers(dest="backtest_command", required=True, metavar="WHAT")
    for module in SUBCOMMANDS.values():
        module.add_parser(sub)


def handle(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    """Run the chosen backtest; returns the exit code."""
    return SUBCOMMANDS[args.backtest_command].handle(args, argv)
