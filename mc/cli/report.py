"""``tbu-mc report``: report.html, tables.md and tables.tex beside a run's outputs."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from mc.cli.args import nonnegative, years


def add_parser(subcommands: argparse._SubParsersAction) -> None:
    """Add ``report`` and its flags."""
    rep = subcommands.add_parser(
        "report", help="write report.html, tables.md and tables.tex into a run's folder"
    )
    rep.add_argument(
        "run_dir",
        metavar="RUN_DIR",
        help="output folder of `tbu-mc run` (national or municipal) or of "
        "`tbu-mc population forecast`",
    )
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
        "--min-population",
        type=nonnegative,
        default=None,
        metavar="N",
        help="municipal runs: rank cost per inhabitant among municipalities with at least N "
        "inhabitants and show the smaller ones apart (default 5000, the lower limit of "
        "SSB's KOSTRA groups)",
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

    paths = write_report(
        args.run_dir,
        lang=args.lang,
        bands=args.bands,
        years=args.years,
        min_population=args.min_population,
    )
    lang = args.lang or _folder_lang(args.run_dir)  # the report's language: the run's
    for path in paths:
        print(text(lang, "con_wrote", path=path))
    return 0


def _folder_lang(run_dir: str) -> str:
    """The language a run folder was written in (``nb`` for folders that do not say)."""
    from mc.errors import TbuMcError
    from mc.report.reader import RunFolder

    try:
        return RunFolder(run_dir).lang
    except (TbuMcError, OSError):  # e.g. a population forecast's folder: no run manifest
        return "nb"
