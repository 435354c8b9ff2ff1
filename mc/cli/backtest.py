"""``tbu-mc backtest <what>``: one group, each subcommand in a module of its own.

A subcommand module has ``add_parser(subparsers)`` and ``handle(args) -> exit code``; adding one
is a line in :data:`SUBCOMMANDS`.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from types import ModuleType

from mc.cli import backtest_economy

#: The subcommands in the order ``--help`` lists them.
SUBCOMMANDS: dict[str, ModuleType] = {
    "economy": backtest_economy,
}


def add_parser(subcommands: argparse._SubParsersAction) -> None:
    """Add ``backtest`` and its subcommands."""
    group = subcommands.add_parser(
        "backtest", help="bands a past run would have printed vs outcomes"
    )
    sub = group.add_subparsers(dest="backtest_command", required=True, metavar="WHAT")
    for module in SUBCOMMANDS.values():
        module.add_parser(sub)


def handle(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    """Run the chosen subcommand."""
    return int(SUBCOMMANDS[args.backtest_command].handle(args))
