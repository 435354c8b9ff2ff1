"""Writing outputs without ever touching a file that tbu-mc did not write.

A folder tbu-mc writes into is *claimed* first (:class:`OutputFolder`): it must be new, empty, or
already tbu-mc's. tbu-mc's folders hold a small ledger, ``.tbu-mc.json``, naming the files tbu-mc
wrote there; only those files are ever replaced or removed, so a user's file placed in a run folder
survives any rerun. A claim also takes a lock (``.tbu-mc.lock``), so two runs cannot write into
one folder at once; the second is refused with the first one's process id.

:class:`OutputDir` stages a set of outputs in a hidden folder inside the claimed one and moves them
into place file by file when the ``with`` block ends without an error. ``manifest.json`` is removed
first and written last, so a folder without a manifest is an incomplete run, never a mix that looks
complete. An exception inside the block removes the staging folder and leaves the earlier outputs
as they were; a folder that this claim created and that holds nothing else is removed again.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import shutil
import socket
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

import pandas as pd

from mc._files import usual_permissions, write_atomic
from mc.errors import OutputError

LEDGER_FILE = ".tbu-mc.json"  # marks a folder as tbu-mc's and lists the files tbu-mc wrote
LOCK_FILE = ".tbu-mc.lock"  # held while a tbu-mc process writes into the folder
MARKER = "manifest.json"  # written last: a folder without it holds no complete output
CHECKPOINT_FOLDER = "checkpoints"
STAGING_PREFIX = ".staging-"
#: Files earlier tbu-mc versions wrote. They replaced a run folder as a whole, so in a folder they
#: made (it has their ``manifest.json`` and no ledger) files of these names are tbu-mc's.
LEGACY_OUTPUTS = frozenset(
    {
        "manifest.json",
        "summary.csv",
        "draws.nc",
        "deterministic.csv",
        "exceedance.csv",
        "sensitivity.csv",
        "sensitivity_indices.csv",
        "history.csv",
        "population_bands.csv",
        "backtest.csv",
        "coverage.csv",
        "scores.csv",
        "fan_demographic_cost.png",
        "fan_economy.png",
        "municipalities_ranked.png",
        "tornado_demographic_cost.png",
        "report.html",
        "tables.md",
        "tables.tex",
    }
)
_BOOKKEEPING = {LEDGER_FILE, LOCK_FILE}


def _plain_name(name: str) -> bool:
    return bool(name) and name not in (".", "..") and "/" not in name and "\0" not in name


def _is_tbu_mc_manifest(path: Path) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("tool") == "tbu-mc"


def _only_checkpoints(folder: Path) -> bool:
    """Whether ``folder`` holds nothing but an earlier tbu-mc run's checkpoints."""
    if not folder.is_dir() or not _is_checkpoint_identity(folder / "run.json"):
        return False
    return all(
        p.is_file()
        and (p.name == "run.json" or (p.name.startswith("block-") and p.suffix == ".npz"))
        for p in folder.iterdir()
    )


def _is_checkpoint_identity(path: Path) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and {"config", "entropy", "block_size"} <= set(data)


def _read_ledger(folder: Path) -> list[str] | None:
    """The files the ledger names, or ``None`` when the folder has no ledger."""
    path = folder / LEDGER_FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        files = data["files"]
        if data.get("tool") != "tbu-mc" or not isinstance(files, list):
            raise ValueError("not a tbu-mc ledger")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise OutputError(
            f"{path} is damaged ({exc}); tbu-mc will not guess which files in {folder} are its "
            "own. Move the files you want to keep and delete the folder, or choose another --out"
        ) from None
    return [str(name) for name in files if isinstance(name, str) and _plain_name(name)]


def check_ownership(target: str | Path) -> list[str]:
    """Decide, before anything is written, whether tbu-mc may write into ``target``.

    Parameters
    ----------
    target : str or Path
        The output folder.

    Returns
    -------
    list of str
        The files in ``target`` that tbu-mc wrote (empty for a new or empty folder).

    Raises
    ------
    OutputError
        If ``target`` is not a folder, or holds files and is not tbu-mc's (no ledger and no
        manifest of an earlier tbu-mc run).
    """
    target = Path(target)
    if not target.exists():
        return []
    if not target.is_dir():
        raise OutputError(f"--out {target} exists and is not a folder; choose a folder")
    ledger = _read_ledger(target)
    if ledger is not None:
        return ledger
    try:
        entries = sorted(p.name for p in target.iterdir())
    except OSError as exc:
        raise OutputError(f"--out {target} cannot be read: {exc.strerror}") from None
    entries = [name for name in entries if name not in _BOOKKEEPING]
    if not entries:
        return []
    if _is_tbu_mc_manifest(target / MARKER):  # a folder an earlier version wrote as a whole
        return [name for name in entries if name in LEGACY_OUTPUTS]
    if entries == [CHECKPOINT_FOLDER] and _only_checkpoints(target / CHECKPOINT_FOLDER):
        return []  # an earlier version's interrupted run
    shown = ", ".join(entries[:3]) + (f" and {len(entries) - 3} more" if len(entries) > 3 else "")
    raise OutputError(
        f"--out {target} already holds files tbu-mc did not write ({shown}); tbu-mc writes only "
        "into a new or empty folder or one of its own run folders. Choose another --out"
    )


# Locks this process holds, by folder: (file descriptor, depth), so that one process can claim a
# folder it already holds (the CLI claims it, then the writer stages into it).
_HELD: dict[Path, list[int]] = {}


def _lock_holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        return f"process {info['pid']} on {info['host']}, started {info['started']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"


def _acquire(folder: Path) -> None:
    key = folder.resolve()
    if key in _HELD:
        _HELD[key][1] += 1
        return
    path = key / LOCK_FILE
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            raise OutputError(
                f"--out {folder} is in use by another tbu-mc run ({_lock_holder(path)}); wait "
                "for it to finish or choose another --out"
            ) from None
        try:  # the holder before us may have removed the file after we opened it: lock anew
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    record = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    os.ftruncate(fd, 0)
    os.write(fd, (json.dumps(record) + "\n").encode("utf-8"))
    _HELD[key] = [fd, 1]


def _release(folder: Path) -> None:
    key = folder.resolve()
    held = _HELD.get(key)
    if held is None:
        return
    held[1] -= 1
    if held[1] > 0:
        return
    del _HELD[key]
    (key / LOCK_FILE).unlink(missing_ok=True)  # before unlocking, so no one locks a dead file
    os.close(held[0])


class OutputFolder:
    """A claim on an output folder: ownership checked, folder created, lock held.

    Parameters
    ----------
    target : str or Path
        The folder. Ownership is checked at once (see :func:`check_ownership`), before any work.

    Examples
    --------
    >>> with OutputFolder("results/run") as folder:  # doctest: +SKIP
    ...     ...  # checkpoints and outputs go into results/run; no other run can write there
    """

    def __init__(self, target: str | Path) -> None:
        self.target = Path(target)
        self.files = check_ownership(self.target)
        self.created = False

    def __enter__(self) -> OutputFolder:
        if not self.target.exists():
            try:
                self.target.mkdir(parents=True)
            except FileExistsError:
                pass  # made by someone else meanwhile: the ownership check below decides
            else:
                self.created = True
                usual_permissions(self.target)
        _acquire(self.target)
        try:
            self.files = check_ownership(self.target)  # again, now that the folder is locked
            if not (self.target / LEDGER_FILE).exists():
                self.write_ledger(self.files)
            for leftover in self.target.glob(f"{STAGING_PREFIX}*"):  # from a crashed writer
                if leftover.is_dir() and not leftover.is_symlink():
                    shutil.rmtree(leftover, ignore_errors=True)
        except BaseException:
            _release(self.target)
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        remove = kind is not None and self.created and self._only_bookkeeping()
        if remove:
            (self.target / LEDGER_FILE).unlink(missing_ok=True)
        _release(self.target)
        if remove and self.target.resolve() not in _HELD:
            try:
                self.target.rmdir()
            except OSError:
                pass

    def _only_bookkeeping(self) -> bool:
        try:
            return {p.name for p in self.target.iterdir()} <= _BOOKKEEPING
        except OSError:
            return False

    def write_ledger(self, files: list[str]) -> None:
        """Record ``files`` as the ones tbu-mc wrote in this folder."""
        self.files = sorted(set(files))
        data = {"tool": "tbu-mc", "note": "files tbu-mc wrote here", "files": self.files}
        text = (json.dumps(data, indent=1) + "\n").encode("utf-8")
        write_atomic(self.target / LEDGER_FILE, lambda stream: stream.write(text))

    def discard_checkpoints(self) -> None:
        """Remove the checkpoint files tbu-mc wrote (other files in ``checkpoints/`` stay)."""
        folder = self.target / CHECKPOINT_FOLDER
        if not folder.is_dir():
            return
        for pattern in ("run.json", "block-*.npz", ".probe-*", ".block-*.npz.*", ".run.json.*"):
            for path in folder.glob(pattern):
                if path.is_file():
                    path.unlink()
        try:
            folder.rmdir()
        except OSError:
            pass  # it holds something tbu-mc did not write: leave it


class OutputDir:
    """A set of outputs staged in a hidden folder and moved into ``target`` on success.

    Parameters
    ----------
    target : str or Path
        Final folder: new, empty or tbu-mc's own (see :func:`check_ownership`; checked at once).
    replace : bool
        The outputs replace the previous set: files tbu-mc wrote there earlier and not written
        now are removed (``True``, a new run), or they are added to them (``False``, a report).
    discard_checkpoints : bool
        Remove the folder's checkpoints once the outputs are in place (the run they belong to
        is complete).

    Examples
    --------
    >>> with OutputDir("results/run") as out:  # doctest: +SKIP
    ...     out.write_text("hello.txt", "hi")
    """

    def __init__(
        self, target: str | Path, *, replace: bool = True, discard_checkpoints: bool = False
    ) -> None:
        self.owner = OutputFolder(target)
        self.target = self.owner.target
        self.replace = replace
        self.discard = discard_checkpoints
        self.path: Path | None = None

    def __enter__(self) -> OutputDir:
        self.owner.__enter__()
        try:
            self.path = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.target))
            usual_permissions(self.path)
        except BaseException as exc:
            self.owner.__exit__(type(exc), exc, exc.__traceback__)
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if kind is None and self.path is not None:
                self.commit()
        except BaseException as error:
            self._drop_staging()
            self.owner.__exit__(type(error), error, error.__traceback__)
            raise
        self._drop_staging()
        self.owner.__exit__(kind, exc, tb)

    def _drop_staging(self) -> None:
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            self.path = None

    def file(self, name: str) -> Path:
        """Path of ``name`` inside the staging folder."""
        if self.path is None:
            raise OutputError("the output folder is not open")
        if not _plain_name(name) or name in _BOOKKEEPING:
            raise OutputError(f"output name {name!r} must be a plain file name")
        return self.path / name

    def write_text(self, name: str, text: str) -> Path:
        """Write a text file."""
        path = self.file(name)
        path.write_text(text, encoding="utf-8")
        return path

    def write_json(self, name: str, data: Any) -> Path:
        """Write JSON (indented, keys in insertion order)."""
        return self.write_text(name, json.dumps(data, indent=2, ensure_ascii=False) + "\n")

    def write_csv(self, name: str, frame: pd.DataFrame) -> Path:
        """Write a CSV without the index, floats with full precision."""
        path = self.file(name)
        frame.to_csv(path, index=False, float_format="%.10g")
        return path

    def commit(self) -> Path:
        """Move the staged files into place, drop tbu-mc's stale ones, and return the folder."""
        if self.path is None:
            raise OutputError("the output folder is not open")
        new = sorted(p.name for p in self.path.iterdir())
        previous = set(self.owner.files)
        stale = sorted(previous - set(new)) if self.replace else []
        # the manifest goes first and comes back last: until then the folder reads as incomplete
        order = [n for n in new if n != MARKER] + ([MARKER] if MARKER in new else [])
        if MARKER in new or (self.replace and MARKER in previous):
            (self.target / MARKER).unlink(missing_ok=True)
        self.owner.write_ledger(sorted(previous | set(new)))  # before a crash could orphan them
        for name in order:
            destination = self.target / name
            if destination.is_dir() and not destination.is_symlink():
                raise OutputError(f"{destination} is a folder; tbu-mc will not replace it")
            os.replace(self.path / name, destination)
        for name in stale:
            path = self.target / name
            if path.is_file() or path.is_symlink():
                path.unlink()
        self.owner.write_ledger(sorted((previous - set(stale)) | set(new)))
        shutil.rmtree(self.path, ignore_errors=True)
        self.path = None
        if self.discard:
            self.owner.discard_checkpoints()
        return self.target


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write one text file atomically (temporary file in the same folder, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(path, lambda stream: stream.write(text.encode("utf-8")))
