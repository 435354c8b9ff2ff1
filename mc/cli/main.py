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
from importlib import import_module
from types import ModuleType

from mc._version import __version__
from mc.cli.errors import DEBUG_ENV, DEBUG_FLAG, quiet_interrupts, report_failure, split_debug
from mc.errors import TbuMcWarning

#: The commands in the order ``--help`` lists them, by module. They are imported when the parser
#: is built, inside :func:`main`'s handling of failures: their imports (numpy, Dask) take a few
#: tenths of a second, and a Ctrl-C then ends in one line, not in a traceback of an import.
COMMANDS: dict[str, str] = {
    "run": "mc.cli.run",
    "history": "mc.cli.history",
    "population": "mc.cli.population",
    "backtest": "mc.cli.backtest",
    "data": "mc.cli.data",
    "report": "mc.cli.report",
    "calibrate": "mc.cli.calibrate",
}


def command(name: str) -> ModuleType:
    """The module of command ``name`` (imported on first use)."""
    return import_module(COMMANDS[name])


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``tbu-mc`` and its subcommands."""
    from mc.cli.args import use_defaults_help

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
    for name in COMMANDS:
        command(name).add_parser(subcommands)
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
    args = None
    try:
        with quiet_interrupts():
            # a wrong flag or value ends here with argparse's usage line and exit code 2
            args = build_parser().parse_args(argv)
            args.started = started
            with notes(getattr(args, "lang", None) or "en"):
                return command(args.command).handle(args, argv)
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
