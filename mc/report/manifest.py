"""The run manifest: everything needed to reproduce a run and to tell two runs apart."""

from __future__ import annotations

import datetime as dt
import platform
import sys
import warnings
from importlib import metadata
from typing import Any

from mc._files import file_sha256
from mc._version import __version__
from mc.model.config import Config
from mc.model.config.top import LateInputWarning
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
    surprises = economy_surprises(config)
    if surprises:
        manifest[layout.KEY_ECONOMY_SURPRISES] = surprises
    return manifest


def economy_surprises(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The samples behind the economy's surprises, from a resolved configuration.

    Per surprise: the variable and horizons, the years and size of the sample as of ``as_of``,
    how many rows were left out for being published later, and the fitted Student t.
    """
    economy = config.get("economy")
    if not isinstance(economy, dict) or "surprises" not in economy:
        return {}
    from mc.model.economy import error_fits
    from mc.model.economy_spec import parse_economy
    from mc.model.fields import Section
    from mc.model.schema import read_date

    # only the economy section is rebuilt: the rest of the configuration may name files that
    # are relative to a folder this function does not know
    as_of = read_date(config["as_of"], "as_of") if config.get("as_of") else None
    spec = parse_economy(Section(economy, "economy"), int(config["cost_year"]), None, as_of)
    out = {}
    for driver, fit in error_fits(spec, real_growth=True).items():
        sample, p = fit.origin, fit.predictive
        out[driver] = {
            "variable": sample.variable,
            "horizons": list(sample.horizons),
            "as_of": sample.as_of.isoformat(),
            "years": list(sample.years),
            "n": fit.n,
            "left_out_as_later": len(sample.dropped),
            "errors": [float(e) for e in fit.errors],
            "t_df": p.df,
            "t_loc": p.loc,
            "t_scale": p.scale,
            "drawn": driver in spec.error_sources(),
        }
    return out


def late_inputs(config: dict[str, Any]) -> list[dict[str, str]]:
    """The inputs of a resolved configuration published after its ``as_of``.

    Only a configuration with ``flag_late_inputs: true`` loads with such inputs; the manifest
    lists them so that the run's reader sees what it used that was not yet public. The rows are
    :meth:`Config.late_inputs` of the configuration read back (every table is inlined in it).
    """
    if not config.get("as_of"):
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LateInputWarning)
        parsed = Config.from_dict(config)
    as_of = str(parsed.as_of)
    return [
        {"field": f, "published": d.isoformat(), "as_of": as_of} for f, d in parsed.late_inputs()
    ]
