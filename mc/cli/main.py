"""The ``tbu-mc`` command: parse, call, print. No arithmetic here.

Each command is one module of this package with ``add_parser(subcommands)`` and
``handle(args, argv) -> exit code``; this module only assembles them and turns every failure into
one line (:mod:`mc.cli.errors`).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
import warnings
from collections.abc import Iterator, Sequence
from types import ModuleType

from mc._version import __version__
from mc.cli import backtest, calibrate, data, history, population, report, run
from mc.cli.args import use_defaults_help
from mc.cli.errors import DEBUG_ENV, DEBUG_FLAG, quiet_interrupts, report_failure, split_debug
from mc.errors import TbuMcWarning

#: The commands in the order ``--help`` lists them.
COMMANDS: dict[str, ModuleType] = {
    "run": run,
    "history": history,
    "population": population,
    "backtest": backtest,
    "data": data,
    "report": report,
    "calibrate": calibrate,
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``tbu-mc`` and its subcommands."""
    parser = argparse.ArgumentParser(
        prog="tbu-mc",
        description="Monte Carlo uncertainty for TBU's municipal-sector figures.",
    )
    parser.add_argument("--version", action="version", version=f"tbu-mc {__version__}")
    parser.add_argument(
        DEBUG_FLAG,
        action="store_true",
        help=f"show the full traceback of a failure (anywhere on the line; or {DEBUG_ENV}=1)",
    )
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS.values():
        module.add_parser(subcommands)
    use_defaults_help(parser)  # every subcommand's --help states its defaults
    return parser


@contextlib.contextmanager
def notes(lang: str = "en") -> Iterator[None]:
    """Print tbu-mc's own warnings as ``note:`` lines on standard output, after the command.

    A warning with a label key (``key`` and ``values`` attributes) is said in ``lang``.
    """
    from mc.report.labels import note_text, text

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TbuMcWarning)
        yield
    for w in caught:
        if issubclass(w.category, TbuMcWarning):
            print(f"{text(lang, 'con_note')}: {note_text(w.message, lang)}")
        else:  # everyone else's warnings as Python would have shown them
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tbu-mc`` console script."""
    # a command's time includes its imports: from the process's start when run as tbu-mc
    started = process_started() if argv is None else time.perf_counter()
    argv, debug = split_debug(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    args.started = started
    try:
        with quiet_interrupts(), notes(getattr(args, "lang", None) or "en"):
            return COMMANDS[args.command].handle(args, argv)
    except (Exception, KeyboardInterrupt) as exc:
        if debug:
            raise
        return report_failure(exc, argv, out=getattr(args, "out_dir", None))


def process_started() -> float:
    """When this process started, on the :func:`time.perf_counter` clock (now if unknown)."""
    now = time.perf_counter()
    try:
        import psutil  # installed with dask.distributed

        return now - max(0.0, time.time() - psutil.Process().create_time())
    except Exception:  # no psutil, or a platform without process times: count from here
        return now


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
