"""The local cache of tables fetched from SSB: tidy CSV files with a manifest beside each.

Layout: ``{cache}/ssb/{table}/{key}.csv`` and ``{key}.json``. The manifest records the table,
the queries sent, when they were sent, SSB's ``updated`` stamp, the row count, the column types
and the CSV's sha256; a cached file is used only while its checksum still matches. Both files are
written atomically (a temporary file, then a rename), the CSV first, so a manifest always
describes a complete file.

The cache folder is ``$TBU_MC_CACHE`` if set, else the platform's user cache folder
(``$XDG_CACHE_HOME/tbu-mc`` or ``~/.cache/tbu-mc`` on Linux, ``~/Library/Caches/tbu-mc`` on
macOS, ``%LOCALAPPDATA%/tbu-mc/Cache`` on Windows). Copying it to an offline machine and setting
``TBU_MC_CACHE`` there makes the same data available without a network.

Only the standard library is imported at module level: the config layer may use this module.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from mc._files import file_sha256, write_atomic
from mc.errors import DataError

ENV = "TBU_MC_CACHE"
APP = "tbu-mc"
MANIFEST_VERSION = 1


def default_cache_dir() -> Path:
    """``$TBU_MC_CACHE``, else the platform's user cache folder for tbu-mc."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV]).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / APP / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / APP
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / APP


def cache_dir(folder: str | Path | None = None) -> Path:
    """``folder`` if given, else :func:`default_cache_dir`."""
    return Path(folder).expanduser() if folder is not None else default_cache_dir()


def entry_key(table: str, *parts: str) -> str:
    """A file-name-safe key from the table id and the request's parts (``07459-national-all``)."""
    text = "-".join([table, *parts])
    return re.sub(r"[^A-Za-z0-9_.+-]+", "_", text)


def entry_paths(folder: str | Path | None, table: str, key: str) -> tuple[Path, Path]:
    """The CSV and manifest paths of one cache entry."""
    base = cache_dir(folder) / "ssb" / table
    return base / f"{key}.csv", base / f"{key}.json"


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    """Write a file so that readers see the old one or the new one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(path, lambda stream: stream.write(data))


def write_entry(
    csv_text: str, csv_path: Path, manifest_path: Path, manifest: dict[str, Any]
) -> Path:
    """Store a tidy CSV and its manifest (checksum and row count filled in here)."""
    data = csv_text.encode("utf-8")
    write_bytes_atomic(csv_path, data)
    manifest = {
        **manifest,
        "manifest_version": MANIFEST_VERSION,
        "file": csv_path.name,
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    write_bytes_atomic(manifest_path, text.encode("utf-8"))
    return csv_path


def read_manifest(csv_path: str | Path) -> dict[str, Any] | None:
    """The manifest beside a cached CSV, or ``None`` if there is none."""
    path = Path(csv_path).with_suffix(".json")
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(str(path), f"cache manifest cannot be read ({exc})") from exc


def cached(csv_path: Path) -> Path | None:
    """The cached CSV if it is there, has a manifest and still matches its checksum.

    Raises
    ------
    DataError
        If the file changed since it was fetched (delete it or fetch again).
    """
    manifest = read_manifest(csv_path)
    if manifest is None or not csv_path.is_file():
        return None
    actual = file_sha256(csv_path)
    if actual != manifest.get("sha256"):
        raise DataError(
            str(csv_path),
            f"cached file changed since it was fetched (sha256 {actual[:12]}..., manifest says "
            f"{str(manifest.get('sha256'))[:12]}...); delete it or fetch the table again",
        )
    return csv_path


def entries(folder: str | Path | None = None) -> list[dict[str, Any]]:
    """The manifests of every cached table, with ``path`` added.

    Raises
    ------
    DataError
        If the cache folder given is a file (a folder not there yet holds no tables).
    """
    root = cache_dir(folder)
    if root.exists() and not root.is_dir():
        raise DataError(str(root), "is a file, not a cache folder; give a folder")
    base = root / "ssb"
    found = []
    for path in sorted(base.glob("*/*.json")):
        manifest = read_manifest(path.with_suffix(".csv"))
        if manifest is not None:
            found.append({**manifest, "path": str(path.with_suffix(".csv"))})
    return found
