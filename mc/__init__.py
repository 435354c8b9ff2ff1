"""tbu-mc: Monte Carlo uncertainty for TBU's Norwegian municipal-sector figures.

The public API, loaded on first use so that ``import mc.kernels`` stays light:

>>> import mc  # doctest: +SKIP
>>> config = mc.load_config("configs/tbu-2025.yaml")  # doctest: +SKIP
>>> options = mc.RunOptions(draws=20_000, block_size=10_000, seed=1)  # doctest: +SKIP
>>> analysis = mc.analyse(config, options)  # doctest: +SKIP
>>> mc.write_run("results/demo", analysis)  # doctest: +SKIP
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from mc._version import __version__

_EXPORTS = {
    "Config": "mc.model.config",
    "load_config": "mc.model.config",
    "read_population_file": "mc.data.population",
    "build_model": "mc.model.demographic",
    "deterministic_outputs": "mc.model.demographic",
    "history_costs": "mc.model.history",
    "read_data_dir": "mc.data.population",
    "fit_projection": "mc.model.projection",
    "ProjectionModel": "mc.model.projection",
    "BlockPlan": "mc.engine",
    "SchedulerSpec": "mc.engine",
    "simulate": "mc.engine",
    "Analysis": "mc.workflow.analysis",
    "analyse": "mc.workflow.analysis",
    "RunOptions": "mc.workflow.options",
    "build_cost_model": "mc.workflow.build",
    "forecast": "mc.workflow.population",
    "write_report": "mc.report.build",
    "write_run": "mc.report",
    "TbuMcError": "mc.errors",
    "ConfigError": "mc.errors",
    "DataError": "mc.errors",
    "BlockError": "mc.errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mc' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
