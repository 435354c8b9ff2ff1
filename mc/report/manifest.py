"""The run manifest: everything needed to reproduce a run and to tell two runs apart."""

from __future__ import annotations

import datetime as dt
import platform
import sys
from importlib import metadata
from typing import Any

from mc._files import file_sha256
from mc._version import __version__
from mc.report import layout

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
    """Assemble the manifest (JSON-ready); its keys are :data:`mc.report.layout.MANIFEST_KEYS`."""
    manifest: dict[str, Any] = {
        layout.KEY_TOOL: "tbu-mc",
        layout.KEY_VERSION: __version__,
        layout.KEY_CREATED: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        layout.KEY_MODE: mode,
        layout.KEY_COMMAND: command if command is not None else sys.argv,
        layout.KEY_CONFIG_PATH: config_path,
        layout.KEY_CONFIG_SHA256: config_sha256,
        layout.KEY_SEED: entropy,
        layout.KEY_BLOCK_SIZE: block_size,
        layout.KEY_BLOCKS: blocks,
        layout.KEY_DRAWS: draws,
        layout.KEY_SCHEDULER: scheduler,
        layout.KEY_WALL_SECONDS: None if wall_seconds is None else round(wall_seconds, 3),
        layout.KEY_BLOCK_SECONDS: None
        if not block_seconds
        else {
            "min": round(min(block_seconds), 4),
            "max": round(max(block_seconds), 4),
            "sum": round(sum(block_seconds), 4),
        },
        layout.KEY_DATA: [{"path": str(p), "sha256": file_sha256(p)} for p in (data_files or [])],
        layout.KEY_PACKAGES: package_versions(),
        layout.KEY_PLATFORM: platform.platform(),
        layout.KEY_CONFIG: config,
    }
    late = late_inputs(config)
    if late:
        manifest[layout.KEY_LATE_INPUTS] = late
    return manifest


def late_inputs(config: dict[str, Any]) -> list[dict[str, str]]:
    """The economy rows of a resolved configuration published after its ``as_of``.

    Only a configuration with ``flag_late_inputs: true`` loads with such rows; the manifest
    lists them so that the run's reader sees what it used that was not yet public.
    """
    as_of, economy = config.get("as_of"), config.get("economy")
    if not as_of or not isinstance(economy, dict):
        return []
    rows = [("economy.accounts.published", economy.get("accounts", {}).get("published"))]
    rows += [
        (f"economy.plan.{year}.published", plan.get("published"))
        for year, plan in economy.get("plan", {}).items()
    ]
    ndr = economy.get("net_operating_result", {})
    rows.append(("economy.net_operating_result.published", ndr.get("published")))
    return [
        {"field": f, "published": str(d), "as_of": str(as_of)}
        for f, d in rows
        if d is not None and str(d) > str(as_of)
    ]
