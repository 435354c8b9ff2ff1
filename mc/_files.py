"""Atomic writes with ordinary permissions, and file checksums (shared by every layer).

``tempfile`` creates private files (0600) and folders (0700); outputs meant for colleagues should
get the permissions a plain ``open`` or ``mkdir`` would give under the user's umask.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def usual_permissions(path: str | Path) -> None:
    """Give ``path`` the mode ``open``/``mkdir`` would have given it (0666/0777 minus umask)."""
    path = Path(path)
    base = 0o777 if path.is_dir() else 0o666
    os.chmod(path, base & ~_umask())


def write_atomic(path: str | Path, write: Callable[[IO[bytes]], object]) -> Path:
    """Write a file by ``write(stream)`` into a temporary sibling, then rename it into place."""
    path = Path(path)
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:  # it names the temporary file, whose random name means nothing
        exc.filename = str(path)
        raise
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
        usual_permissions(temp)
        os.replace(temp, path)
    except BaseException as exc:
        Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename is None:
            exc.filename = str(path)  # a failed write to the stream (disk full) names no file
        raise
    return path


def file_sha256(path: str | Path) -> str:
    """Checksum of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
