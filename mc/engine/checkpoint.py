"""Checkpoints: every finished block is saved as it completes, so an interrupted run can resume.

A checkpoint folder holds ``run.json`` (what the run is: configuration, seed entropy, block size,
reducer) and one ``block-NNNNNN.npz`` per finished block, each written atomically (a temporary
file, then a rename). A block task that finds its file loads it instead of computing, so a resumed
run — or a retried task — redoes only what is missing, and the result is bit-identical to an
uninterrupted run. Resuming with a different identity is refused, naming what changed.
"""

from __future__ import annotations

import contextlib
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mc._files import write_atomic
from mc.engine.reduce import BlockSummary, summary_from_arrays, summary_to_arrays
from mc.errors import DataError, OutputError

IDENTITY_FILE = "run.json"

#: What reading a truncated or garbled ``.npz`` raises: NumPy's and zipfile's errors, a missing
#: array (KeyError) or one of the wrong shape or type (ValueError, IndexError, TypeError).
_DAMAGED = (OSError, EOFError, zipfile.BadZipFile, KeyError, ValueError, IndexError, TypeError)


def block_path(folder: str | Path, block: int) -> Path:
    """File of one block's summary."""
    return Path(folder) / f"block-{block:06d}.npz"


def save_block(folder: str | Path, summary: BlockSummary) -> Path:
    """Write one block's summary atomically."""
    arrays = summary_to_arrays(summary)
    return write_atomic(block_path(folder, summary.first), lambda s: np.savez(s, **arrays))


def load_block(folder: str | Path, block: int) -> BlockSummary | None:
    """A saved block summary, or ``None`` if the block has not finished.

    Raises
    ------
    DataError
        If the file is truncated, garbled or holds another block, naming the file and the two
        ways on: delete it (the block is then recomputed) or start the run over.
    """
    path = block_path(folder, block)
    if not path.is_file():
        return None
    if not zipfile.is_zipfile(path):  # truncated (no zip directory at the end) or not .npz at all
        raise DataError(str(path), damaged("not a complete .npz file", block=True))
    try:
        with np.load(path, allow_pickle=False) as data:
            summary = summary_from_arrays({key: data[key] for key in data.files})
    except _DAMAGED as exc:
        raise DataError(str(path), damaged(f"{type(exc).__name__}: {exc}", block=True)) from None
    if (summary.first, summary.n) != (block, 1):
        raise DataError(
            str(path), damaged(f"it holds blocks {summary.first}+{summary.n}", block=True)
        )
    return summary


def damaged(why: str, *, block: bool) -> str:
    """The rule a damaged checkpoint file breaks, with the ways to go on."""
    why = " ".join(why.split())  # one line, whatever the reader said
    fix = (
        "delete this file (its block is computed again on --resume) or run again with --restart"
        if block
        else "run again with --restart (the finished blocks are discarded)"
    )
    return f"damaged checkpoint ({why}); {fix}"


def differences(old: Any, new: Any, path: str = "") -> list[str]:
    """Dotted paths where two JSON-like values differ, with both values."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(set(old) | set(new), key=str):
            here = f"{path}.{key}" if path else str(key)
            if key not in old:
                out.append(f"{here}: added ({new[key]!r})")
            elif key not in new:
                out.append(f"{here}: removed (was {old[key]!r})")
            else:
                out.extend(differences(old[key], new[key], here))
        return out
    return [] if old == new else [f"{path}: {old!r} -> {new!r}"]


@dataclass(frozen=True)
class Checkpoints:
    """A checkpoint folder for one run identity."""

    folder: Path
    identity: dict[str, Any]

    def open(self, resume: bool, restart: bool = False) -> int:
        """Prepare the folder; returns the number of blocks already saved.

        Parameters
        ----------
        resume : bool
            Continue from the saved blocks (the run's identity must be unchanged).
        restart : bool
            Discard any saved blocks and start again.

        Raises
        ------
        OutputError
            If the folder holds another run's checkpoints and neither ``resume`` nor ``restart``
            is set, if ``resume`` is set and the identity changed (the message lists what
            changed), or if ``resume`` is set and there is nothing to resume.
        """
        if resume and restart:
            raise OutputError("--resume and --restart exclude each other; choose one")
        record = self.folder / IDENTITY_FILE
        canonical = json.loads(json.dumps(self.identity, default=str))
        run = self.folder.parent
        if restart:
            self.discard()
        elif record.is_file():
            try:
                saved = json.loads(record.read_text(encoding="utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise DataError(str(record), damaged(str(exc), block=False)) from None
            if not isinstance(saved, dict):
                raise DataError(str(record), damaged("not a JSON object", block=False))
            if not resume:
                raise OutputError(
                    f"{run} holds checkpoints of an interrupted run; add --resume to continue "
                    "it, --restart to discard them and start again, or choose another --out"
                )
            changed = differences(saved, canonical)
            if changed:
                shown = "; ".join(changed[:5]) + (
                    f" (and {len(changed) - 5} more)" if len(changed) > 5 else ""
                )
                raise OutputError(
                    f"cannot resume {run}: the run changed: {shown}. Run it as before to "
                    "resume, or add --restart (instead of --resume) to discard the checkpoints "
                    "and start again"
                )
            return len(list(self.folder.glob("block-*.npz")))
        elif resume:
            raise OutputError(
                f"--resume: no checkpoints in {self.folder} to resume from; run without --resume"
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps(canonical, indent=1, sort_keys=True).encode("utf-8")
        write_atomic(record, lambda stream: stream.write(text))
        return 0

    def discard(self) -> None:
        """Remove the saved blocks and the identity record (other files stay)."""
        if not self.folder.is_dir():
            return
        for pattern in (IDENTITY_FILE, "block-*.npz"):
            for path in self.folder.glob(pattern):
                if path.is_file():
                    path.unlink()

    def discard_if_empty(self) -> None:
        """Remove ``run.json`` (and the folder, if then empty) when no block has been saved.

        A run that fails or is interrupted before its first block then leaves nothing behind
        that a plain rerun would refuse as "an interrupted run".
        """
        if any(self.folder.glob("block-*.npz")):
            return
        (self.folder / IDENTITY_FILE).unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # not empty (someone's file) or already gone
            self.folder.rmdir()
