"""The run configuration: frozen, validated objects built from YAML (or a dict) and back.

One module per section, each a frozen dataclass whose fields are declared once with
:func:`~mc.model.schema.setting`; parsing, defaults, messages and the written form
(:meth:`Config.to_dict`, whose checksum identifies a run) are derived from the declarations.
``allow_implausible: true`` at the top of a configuration lifts the judgement bounds described in
:mod:`mc.model.config.common`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

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
from mc.model.config.population import Population, PopulationKind
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
    "Population",
    "PopulationKind",
    "RunDefaults",
    "Scenario",
    "Sector",
    "Spread",
    "Uncertainty",
    "UnitCosts",
    "baseline_to_dict",
    "load_config",
    "parse_profile",
    "price_factor",
    "unit_costs_to_dict",
]


def load_config(path: str | Path) -> Config:
    """Read and validate a YAML configuration file.

    Parameters
    ----------
    path : str or Path
        The configuration file; table paths inside it are relative to its folder.

    Returns
    -------
    Config

    Raises
    ------
    ConfigError
        If the file is missing, is not YAML, or any field is invalid.

    Examples
    --------
    >>> cfg = load_config("configs/tbu-2025.yaml")  # doctest: +SKIP
    >>> cfg.scenario_names  # doctest: +SKIP
    ('main', 'high', 'low')
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
    return Config.from_dict(data, base_dir=path.resolve().parent, source=str(path))
