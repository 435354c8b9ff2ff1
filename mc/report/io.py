"""Writing a run's outputs so that a folder is either complete or absent.

Files are written into a hidden staging folder beside the target; :meth:`OutputDir.commit` swaps
it into place with renames. An exception inside the ``with`` block removes the staging folder and
leaves any earlier output untouched.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

import pandas as pd

from mc._files import usual_permissions, write_atomic
from mc.errors import OutputError

MARKER = "manifest.json"  # a folder holding this file is a tbu-mc output and may be replaced
CHECKPOINT_MARKER = "checkpoints/run.json"  # ... and so is one holding a run's checkpoints


class OutputDir:
    """A staging folder that becomes ``target`` on success.

    Parameters
    ----------
    target : str or Path
        Final folder. If it exists it must be empty or an earlier tbu-mc output (it holds
        ``manifest.json``); it is then replaced as a whole.

    Examples
    --------
    >>> with OutputDir("results/run") as out:  # doctest: +SKIP
    ...     out.write_text("hello.txt", "hi")
    """

    def __init__(self, target: str | Path) -> None:
        self.target = Path(target)
        if self.target.exists():
            if not self.target.is_dir():
                raise OutputError(f"--out {self.target} exists and is not a folder")
            ours = (self.target / MARKER).exists() or (self.target / CHECKPOINT_MARKER).exists()
            if any(self.target.iterdir()) and not ours:
                raise OutputError(
                    f"--out {self.target} exists, is not empty and holds no {MARKER}; refusing to "
                    "replace a folder that is not a tbu-mc output"
                )
        self.path: Path | None = None

    def __enter__(self) -> OutputDir:
        parent = self.target.resolve().parent
        parent.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.partial-", dir=parent))
        usual_permissions(self.path)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.path is None:
            return
        if kind is None:
            self.commit()
        else:
            shutil.rmtree(self.path, ignore_errors=True)
            self.path = None

    def file(self, name: str) -> Path:
        """Path of ``name`` inside the staging folder."""
        if self.path is None:
            raise OutputError("the output folder is not open")
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
        """Move the staging folder into place (replacing an earlier output) and return it."""
        if self.path is None:
            raise OutputError("the output folder is not open")
        old = None
        if self.target.exists():
            old = self.target.with_name(f".{self.target.name}.old-{os.getpid()}")
            self.target.rename(old)
        os.replace(self.path, self.target)
        self.path = None
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return self.target


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write one text file atomically (temporary file in the same folder, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(path, lambda stream: stream.write(text.encode("utf-8")))
