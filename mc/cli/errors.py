"""How a failed command ends: one ``tbu-mc: error:`` line on stderr and an exit code.

:func:`report_failure` turns an exception that reached :func:`mc.cli.main.main` into that line:
a tbu-mc error as it is, an interrupt with what was saved and the command that resumes, a file
system error with the path and what to do, anything else as an unexpected error. ``--debug`` (or
``TBU_MC_DEBUG=1``) shows the full traceback instead.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import shlex
import signal
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from mc.errors import BlockError, TbuMcError

#: Exit codes: a user's error (bad configuration or data, as argparse uses for bad arguments), an
#: environment or internal failure, and an interrupt (128 + SIGINT, what shells report).
EXIT_USAGE = 2
EXIT_FAILURE = 1
EXIT_INTERRUPTED = 130

DEBUG_FLAG = "--debug"
DEBUG_ENV = "TBU_MC_DEBUG"

#: Loggers that print tracebacks while a Dask cluster is torn down after Ctrl-C (cancelled tasks,
#: lost workers, never-retrieved task exceptions on the scheduler's event loop).
NOISY_LOGGERS = ("distributed", "asyncio", "tornado")

#: What to do about a file system error, by errno.
_ADVICE = {
    errno.ENOSPC: ("no space left on device", "free some space, or write elsewhere"),
    errno.EDQUOT: ("disk quota exceeded", "free some space, or write elsewhere"),
    errno.EACCES: ("permission denied", "choose a folder you may write to, or change its rights"),
    errno.EPERM: ("operation not permitted", "choose a folder you may write to"),
    errno.EROFS: ("read-only file system", "choose a folder on a writable disk"),
    errno.ENOTDIR: ("a part of the path is a file, not a folder", "choose another path"),
    errno.EISDIR: ("is a folder, not a file", "give a file's path"),
    errno.ENOENT: ("no such file or folder", "check the path"),
    errno.EEXIST: ("already exists", "remove it or choose another path"),
}


#: Errors of a write that had begun: its temporary file or staging folder has been removed.
_WRITE_FAILURES = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}


def split_debug(argv: Sequence[str]) -> tuple[list[str], bool]:
    """``argv`` without ``--debug`` (accepted anywhere before ``--``), and whether it was there.

    The environment variable ``TBU_MC_DEBUG`` set to anything but ``""`` or ``"0"`` also asks for
    the traceback.
    """
    args = list(argv)
    end = args.index("--") if "--" in args else len(args)
    debug = DEBUG_FLAG in args[:end]
    kept = [a for a in args[:end] if a != DEBUG_FLAG] + args[end:]
    return kept, debug or os.environ.get(DEBUG_ENV, "") not in ("", "0")


def quiet_dask_logs() -> None:
    """Silence the loggers that spill tracebacks while a cluster shuts down (for good).

    Dask's logging configuration gives some children their own level (``distributed.client`` is
    at WARNING), and a child's own level decides whether it logs, so every logger under the noisy
    names is silenced, not only the parents.
    """
    names = [
        name
        for name in list(logging.root.manager.loggerDict)
        if any(name == noisy or name.startswith(noisy + ".") for noisy in NOISY_LOGGERS)
    ]
    for name in {*NOISY_LOGGERS, *names}:
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


@contextlib.contextmanager
def quiet_interrupts() -> Iterator[None]:
    """On Ctrl-C, silence Dask's shutdown logs before ``KeyboardInterrupt`` unwinds the run.

    The handler is installed only in the main thread (where Python delivers signals) and the
    previous one is restored on exit.
    """

    def interrupted(signum: int, frame: object) -> None:
        quiet_dask_logs()
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGINT, interrupted)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def resume_command(argv: Sequence[str], entropy: int | None) -> str:
    """The command that continues an interrupted ``tbu-mc run``: the same one plus ``--resume``.

    A run without ``--seed`` gets the seed entropy recorded in its checkpoints, since a fresh seed
    would not match them.
    """
    args = list(argv)
    if "--resume" not in args:
        args.append("--resume")
    if entropy is not None and not any(a == "--seed" or a.startswith("--seed=") for a in args):
        args += ["--seed", str(entropy)]
    return shlex.join(["tbu-mc", *args])


def saved_blocks(checkpoints: Path | None) -> tuple[int, int | None] | None:
    """Finished blocks in a checkpoint folder and the run's seed entropy; ``None`` if no run."""
    if checkpoints is None or not (checkpoints / "run.json").is_file():
        return None
    try:
        entropy = json.loads((checkpoints / "run.json").read_text(encoding="utf-8"))["entropy"]
    except (OSError, ValueError, KeyError, TypeError):
        entropy = None
    return len(list(checkpoints.glob("block-*.npz"))), entropy


def _saved(argv: Sequence[str], checkpoints: Path | None) -> str | None:
    found = saved_blocks(checkpoints)
    if found is None or found[0] == 0:
        return None
    count, entropy = found
    return (
        f"{count} finished block(s) are saved in {checkpoints}; continue with: "
        f"{resume_command(argv, entropy)}"
    )


def interrupted_message(argv: Sequence[str], checkpoints: Path | None) -> str:
    """The line printed after Ctrl-C: what is saved and how to go on."""
    saved = _saved(argv, checkpoints)
    if saved is not None:
        return f"interrupted; {saved}"
    if checkpoints is not None:
        return "interrupted before any block finished; nothing is saved, run the command again"
    return "interrupted"


def os_error_message(exc: OSError, argv: Sequence[str], out: Path | None) -> str:
    """One line for a file system error: what happened, to which path, and what to do."""
    path = exc.filename if exc.filename is not None else out
    what, advice = _ADVICE.get(exc.errno or 0, (exc.strerror or str(exc), "check the path"))
    where = f": {path}" if path is not None else ""
    if exc.filename2 is not None:
        where += f" -> {exc.filename2}"
    message = f"{what}{where}; {advice}"
    if out is not None and _within_output(exc.filename, out):
        if exc.errno in _WRITE_FAILURES:
            checkpoint = exc.filename is not None and _within(exc.filename, out / "checkpoints")
            message += (
                "; that checkpoint was not saved"
                if checkpoint
                else "; the outputs were not written"
            ) + " and nothing half-written is left"
        saved = _saved(argv, out / "checkpoints")
        if saved is not None:
            message += f"; {saved}"
    return message


def _within_output(path: str | os.PathLike[str] | None, out: Path) -> bool:
    """Whether ``path`` is the output folder, inside it, or its staging sibling (``.NAME.*``)."""
    if path is None:
        return True
    if _within(path, out):
        return True
    target, here = out.resolve(), Path(path).resolve()
    staging = [p for p in (here, *here.parents) if p.parent == target.parent]
    return bool(staging) and staging[0].name.startswith(f".{target.name}.")


def _within(path: str | os.PathLike[str], folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or inside it."""
    here, there = Path(path).resolve(), folder.resolve()
    return here == there or there in here.parents


def block_error_message(exc: BlockError) -> str:
    """A failed block in one line: which block, and the last line of its traceback."""
    lines = [line.strip() for line in exc.detail.splitlines() if line.strip()]
    cause = lines[-1] if lines else "no detail"
    return (
        f"block {exc.block} (seed entropy {exc.entropy}) failed: {cause} "
        f"(run again with {DEBUG_FLAG} for the traceback)"
    )


def report_failure(
    exc: BaseException,
    argv: Sequence[str],
    *,
    out: Path | None = None,
    stream: TextIO | None = None,
) -> int:
    """Print the one ``tbu-mc: error:`` line for ``exc`` and return the exit code.

    Parameters
    ----------
    exc : BaseException
        What ended the command.
    argv : sequence of str
        The command's arguments (without the program name), to rebuild a ``--resume`` command.
    out : Path, optional
        Output folder of a ``run``: its ``checkpoints`` say what is saved.
    stream : file, optional
        Where to print (default ``sys.stderr``).

    Returns
    -------
    int
        ``2`` for a tbu-mc error, ``130`` for an interrupt, ``1`` otherwise.
    """
    if isinstance(exc, BlockError):
        message, code = block_error_message(exc), EXIT_USAGE
    elif isinstance(exc, TbuMcError):
        message, code = str(exc), EXIT_USAGE
    elif isinstance(exc, KeyboardInterrupt):
        checkpoints = None if out is None else out / "checkpoints"
        message, code = interrupted_message(argv, checkpoints), EXIT_INTERRUPTED
    elif isinstance(exc, OSError):
        message, code = os_error_message(exc, argv, out), EXIT_FAILURE
    else:
        detail = " ".join(str(exc).split())
        message = (
            f"unexpected {type(exc).__name__}: {detail} "
            f"(run again with {DEBUG_FLAG} for the traceback)"
        )
        code = EXIT_FAILURE
    print(f"tbu-mc: error: {message}", file=stream or sys.stderr)
    return code
