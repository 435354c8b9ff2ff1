"""``tbu-mc report``: report.html, tables.md and tables.tex beside a run's outputs."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from mc.cli.args import years


def add_parser(subcommands: argparse._SubParsersAction) -> None:
    """Add ``report`` and its flags."""
    rep = subcommands.add_parser(
        "report", help="write report.html, tables.md and tables.tex into a run's folder"
    )
    rep.add_argument("run_dir", metavar="RUN_DIR", help="output folder of `tbu-mc run`")
    rep.add_argument(
        "--lang",
        choices=("nb", "en"),
        help="label language (default: the run's, as given to tbu-mc run --lang)",
    )
    rep.add_argument(
        "--bands",
        default="norges-bank",
        metavar="PRESET|LEVELS",
        help="norges-bank (30/50/70/90, default), boe, cbo, obr, un, imf, "
        "or central levels in percent such as 50,80,95",
    )
    rep.add_argument(
        "--years",
        type=years,
        metavar="YEARS",
        help="years with a headline table, e.g. 2025,2027 or 2026-2030 (default: every year "
        "of the run)",
    )


def handle(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    """Write the report files and print their paths."""
    from mc.report.build import write_report
    from mc.report.labels import text
    from mc.report.reader import RunFolder

    paths = write_report(args.run_dir, lang=args.lang, bands=args.bands, years=args.years)
    lang = args.lang or RunFolder(args.run_dir).lang  # the report's language: the run's
    for path in paths:
        print(text(lang, "con_wrote", path=path))
    return 0
