"""The run configuration: frozen, validated objects built from YAML (or a dict) and back.

One module per section, each a frozen dataclass whose fields are declared once with
:func:`~mc.model.schema.setting`; parsing, defaults, messages and the written form
(:meth:`Config.to_dict`, whose checksum identifies a run) are derived from the declarations.
``allow_implausible: true`` at the top of a configuration lifts the judgement bounds described in
:mod:`mc.model.config.common`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mc.data.yamlio import read_yaml_file
from mc.errors import ConfigError
from mc.model.config.cluster import ClusterSpec
from mc.model.config.common import (
    MAX_NET_IMMIGRATION,
    MAX_PERSONS,
    MAX_UNIT_COST,
    YEAR_RANGE,
    kind_of,
)
from mc.model.config.overrides import apply_overrides, parse_assignment
from mc.model.config.population import NationalModel, Population, PopulationKind
from mc.model.config.run import RunDefaults
from mc.model.config.scenarios import Scenario
from mc.model.config.tables import (
    AgeProfile,
    Baseline,
    Sector,
    UnitCosts,
    baseline_to_dict,
    parse_profile,
    unit_costs_to_dict,
)
from mc.model.config.top import Config, price_factor
from mc.model.config.uncertainty import LevelSpread, Spread, Uncertainty

__all__ = [
    "MAX_NET_IMMIGRATION",
    "MAX_PERSONS",
    "MAX_UNIT_COST",
    "YEAR_RANGE",
    "AgeProfile",
    "Baseline",
    "ClusterSpec",
    "Config",
    "LevelSpread",
    "NationalModel",
    "Population",
    "PopulationKind",
    "RunDefaults",
    "Scenario",
    "Sector",
    "Spread",
    "Uncertainty",
    "UnitCosts",
    "apply_overrides",
    "baseline_to_dict",
    "load_config",
    "parse_assignment",
    "parse_profile",
    "price_factor",
    "unit_costs_to_dict",
]


def load_config(
    path: str | Path,
    *,
    sets: Iterable[str] = (),
    scenarios: Mapping[str, Any] | None = None,
) -> Config:
    """Read and validate a YAML configuration file, with run-time changes if given.

    Parameters
    ----------
    path : str or Path
        The configuration file. A relative table path inside it is looked up in the file's folder,
        then among the shipped tables (:data:`~mc.model.config.common.SHIPPED_CONFIGS`).
    sets : iterable of str, optional
        ``key.path=value`` changes (``--set``), applied to the file's mapping before validation,
        so they meet the same checks; see :func:`~mc.model.config.overrides.apply_overrides`.
    scenarios : mapping, optional
        Scenarios to add beside the file's (``--scenario``): name to extra net immigration a year.
        They share the other scenarios' random numbers, so differences between them are exact.

    Returns
    -------
    Config

    Raises
    ------
    ConfigError
        If the file is missing, is not YAML, or any field is invalid; if a change names a path
        that is not in the configuration, or adds a scenario the file has.

    Examples
    --------
    >>> cfg = load_config("configs/tbu-2025.yaml")  # doctest: +SKIP
    >>> cfg.scenario_names  # doctest: +SKIP
    ('main', 'high', 'low')
    >>> what_if = {"refugees_30k": 30_000}
    >>> cfg = load_config("configs/tbu-2025.yaml", scenarios=what_if)  # doctest: +SKIP
    >>> cfg.scenario_names  # doctest: +SKIP
    ('main', 'high', 'low', 'refugees_30k')
    """
    path = Path(path)
    data = read_yaml_file(path, "config")
    if data is None:
        raise ConfigError("config", str(path), "the file is empty; expected a YAML mapping")
    if not isinstance(data, Mapping):
        raise ConfigError(
            "config",
            str(path),
            f"the file holds a {kind_of(data)}; expected a YAML mapping of fields (name, "
            "cost_year, ...)",
        )
    base_dir = path.resolve().parent
    changes: tuple[str, ...] = ()
    if sets or scenarios:
        data, changes = apply_overrides(data, sets, scenarios, base_dir=base_dir, source=str(path))
    config = Config.from_dict(data, base_dir=base_dir, source=str(path))
    return dataclasses.replace(config, overrides=changes) if changes else config
