"""The run manifest: everything needed to reproduce a run and to tell two runs apart."""

from __future__ import annotations

import datetime as dt
import platform
import sys
from importlib import metadata
from typing import Any

from mc._files import file_sha256
from mc._version import __version__

PACKAGES = (
    "numpy",
    "numba",
    "scipy",
    "pandas",
    "xarray",
    "arviz",
    "arviz-base",
    "arviz-stats",
    "dask",
    "distributed",
    "matplotlib",
    "h5netcdf",
)


def package_versions() -> dict[str, str]:
    """Versions of Python, tbu-mc and the numerical stack."""
    out = {"python": platform.python_version(), "tbu-mc": __version__}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def build_manifest(
    *,
    config: dict[str, Any],
    config_sha256: str,
    config_path: str | None,
    mode: str,
    entropy: int | None = None,
    block_size: int | None = None,
    blocks: int | None = None,
    draws: int | None = None,
    scheduler: str | None = None,
    wall_seconds: float | None = None,
    block_seconds: list[float] | None = None,
    data_files: list[str] | None = None,
    command: list[str] | None = None,
) -> dict[str, Any]:
    """Assemble the manifest dictionary (JSON-ready)."""
    manifest: dict[str, Any] = {
        "tool": "tbu-mc",
        "version": __version__,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "mode": mode,
        "command": command if command is not None else sys.argv,
        "config_path": config_path,
        "config_sha256": config_sha256,
        "seed_entropy": entropy,
        "block_size": block_size,
        "blocks": blocks,
        "draws": draws,
        "scheduler": scheduler,
        "wall_seconds": None if wall_seconds is None else round(wall_seconds, 3),
        "block_seconds": None
        if not block_seconds
        else {
            "min": round(min(block_seconds), 4),
            "max": round(max(block_seconds), 4),
            "sum": round(sum(block_seconds), 4),
        },
        "data": [{"path": str(p), "sha256": file_sha256(p)} for p in (data_files or [])],
        "packages": package_versions(),
        "platform": platform.platform(),
        "config": config,
    }
    return manifest
