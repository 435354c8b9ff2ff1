"""What several commands share: argument types, the scheduler flags, the command line itself."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from mc.engine import SchedulerSpec
from mc.engine.schedulers import CONNECT_TIMEOUT
from mc.errors import ConfigError


class DefaultsHelpFormatter(argparse.HelpFormatter):
    """``--help`` that states every option's default.

    An option whose help does not already say its default in words gets ``(default: VALUE)``
    appended when it has a value to show; ``None``, ``False`` (a switch that is off) and an
    empty list (a repeatable option not given) have none, so their help says in words what
    happens without the option.
    """

    def _get_help_string(self, action: argparse.Action) -> str | None:
        help_text = action.help
        if help_text is None or not action.option_strings or "default" in help_text:
            return help_text
        value = action.default
        if value is None or value is False or value is argparse.SUPPRESS or value == []:
            return help_text
        return f"{help_text} (default: %(default)s)"


def use_defaults_help(parser: argparse.ArgumentParser) -> None:
    """Give ``parser`` and every subcommand under it :class:`DefaultsHelpFormatter`."""
    parser.formatter_class = DefaultsHelpFormatter
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                use_defaults_help(sub)


def positive_int(text: str) -> int:
    """A whole number >= 1 (``_`` separators allowed)."""
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be >= 1")
    return value


def count(text: str) -> int:
    """A whole number >= 0 (``_`` separators allowed)."""
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} must be >= 0")
    return value


def seed(text: str) -> int:
    """Seed entropy: a whole number >= 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"seed {value} must be >= 0")
    return value


def nonnegative(text: str) -> float:
    """A number >= 0, such as a count of inhabitants (``_`` separators allowed)."""
    try:
        value = float(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value >= 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"{text} must be >= 0")
    return value


def origins(text: str) -> list[int]:
    """A year or a range ``Y1-Y2``."""
    try:
        if "-" in text:
            first, last = (int(part) for part in text.split("-", 1))
        else:
            first = last = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year or a range Y1-Y2") from None
    if first > last:
        raise argparse.ArgumentTypeError(f"{text!r}: the first year is after the last")
    return list(range(first, last + 1))


def years(text: str) -> list[int]:
    """Years as ``2025,2027``, a range ``2026-2030``, or both (``2025,2027-2030``), sorted."""
    chosen: set[int] = set()
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            chosen.update(origins(part))
        except argparse.ArgumentTypeError as exc:
            # a range written backwards says so; anything else is not a year at all
            why = (
                "is backwards: the first year is after the last"
                if "after the last" in str(exc)
                else "is not a year or a range Y1-Y2"
            )
            raise argparse.ArgumentTypeError(
                f"{text!r}: {part!r} {why} (e.g. 2025,2027 or 2026-2030)"
            ) from None
    if not chosen:
        raise argparse.ArgumentTypeError(f"{text!r} names no year")
    return sorted(chosen)


def age_groups(text: str) -> tuple[str, ...]:
    """Comma-separated age groups such as ``0-5,6-15,90+``."""
    from mc.model.ages import parse_age_group

    groups = tuple(part.strip() for part in text.split(",") if part.strip())
    for group in groups:
        try:
            parse_age_group(group)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return groups


def add_scheduler_flags(
    parser: argparse.ArgumentParser, *, batch: bool = False, default: str = "processes"
) -> None:
    """The flags that choose where blocks run (at most one), defined once for every command.

    ``batch`` adds ``--cluster`` (SLURM/PBS from the configuration) and ``--connect-timeout``.
    ``default`` is what :func:`scheduler_from_args` does without a flag (``"processes"``,
    ``"sync"`` or ``"auto"``; pass the command's own), said in the help of ``--sync``.
    """
    unset = {
        "auto": "default, without any scheduler flag: a run of a few seconds stays in this "
        "process, a longer one starts a LocalCluster",
        "sync": "default: also without any scheduler flag",
    }.get(default, "default, without any scheduler flag: a LocalCluster with one process per core")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--sync",
        action="store_true",
        help=f"run blocks in this process, in order ({unset})",
    )
    where.add_argument(
        "--workers",
        type=positive_int,
        help="LocalCluster with this many processes (default: "
        + ("not used)" if default == "sync" else "one per core, when a LocalCluster is started)"),
    )
    where.add_argument(
        "--threads",
        type=positive_int,
        help="in-process Dask cluster with this many threads (default: not used)",
    )
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="connect to a running Dask scheduler, e.g. tcp://host:8786 (default: not used)",
    )
    if batch:
        where.add_argument(
            "--cluster",
            choices=("slurm", "pbs"),
            help="start workers as batch jobs (dask-jobqueue) from the config's cluster: section "
            "(default: not used)",
        )
        parser.add_argument(
            "--connect-timeout",
            type=float,
            metavar="SECONDS",
            help=f"how long to wait for the --scheduler to answer (default {CONNECT_TIMEOUT:g})",
        )


def scheduler_from_args(
    args: argparse.Namespace, *, default: str = "processes", cluster: Any = None
) -> SchedulerSpec | None:
    """The :class:`SchedulerSpec` the flags of :func:`add_scheduler_flags` ask for.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed flags.
    default : {"processes", "sync", "auto"}
        What runs blocks when no flag is given; ``auto`` returns ``None``, leaving the choice to
        :func:`mc.workflow.analysis.analyse`, which sizes the work first.
    cluster : ClusterSpec, optional
        The configuration's ``cluster:`` section, for ``--cluster``.

    Raises
    ------
    ConfigError
        If ``--cluster`` is given and the configuration describes no cluster, or another kind.
    """
    kind = getattr(args, "cluster", None)
    if kind:
        if cluster is None:
            raise ConfigError(
                "cluster",
                None,
                f"--cluster {kind} needs a cluster: section in the configuration "
                "(cores, memory, walltime, queue, account, jobs)",
            )
        if cluster.kind != kind:
            raise ConfigError(
                "cluster.kind",
                cluster.kind,
                f"the config describes a {cluster.kind} cluster, not {kind}",
            )
        return SchedulerSpec(kind, jobqueue=tuple(cluster.options().items()), jobs=cluster.jobs)
    if args.sync:
        return SchedulerSpec("sync")
    if args.threads:
        return SchedulerSpec("threads", workers=args.threads)
    if args.scheduler:
        timeout = getattr(args, "connect_timeout", None)
        wait = CONNECT_TIMEOUT if timeout is None else timeout
        return SchedulerSpec("address", address=args.scheduler, timeout=wait)
    if args.workers or default == "processes":
        return SchedulerSpec("processes", workers=args.workers)
    if default == "auto":
        return None
    return SchedulerSpec(default)


def command_line(argv: Sequence[str] | None) -> list[str]:
    """The command as typed (for manifests and the ``--resume`` hint)."""
    args = list(sys.argv[1:] if argv is None else argv)
    return [os.path.basename(sys.argv[0]) or "tbu-mc", *args]
