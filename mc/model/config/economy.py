"""The ``economy`` and ``exceedance`` hooks of a configuration.

Both are read and written by :mod:`mc.model.economy_spec`; this module adapts them to the
declared schema of the top level.
"""

from __future__ import annotations

from typing import Any

from mc.model.config.common import maybe_file
from mc.model.economy_spec import (
    EconomySpec,
    Threshold,
    economy_to_dict,
    parse_economy,
    parse_exceedance,
    thresholds_to_list,
)
from mc.model.fields import Section


def read_economy(sec: Section, key: str, values: dict[str, Any], allow: bool) -> EconomySpec | None:
    """The ``economy`` section, inline or in a file; it needs the cost year."""
    if not sec.has(key):
        return None
    data, source = maybe_file(sec, key)
    surprises = data.get("surprises") if isinstance(data, dict) else None
    if isinstance(surprises, dict) and isinstance(surprises.get("table"), str):
        # the forecast-error table may live in its own file; like every table path, it is
        # relative to the configuration (a copied configuration finds the shipped one)
        sub = Section(dict(surprises), f"{key}.surprises", sec.source)
        table, _ = maybe_file(sub, "table")
        data = {**data, "surprises": {**surprises, "table": table}}
    return parse_economy(Section(data, key, source), values["cost_year"], source, values["as_of"])


def read_exceedance(
    sec: Section, key: str, values: dict[str, Any], allow: bool
) -> tuple[Threshold, ...]:
    """The ``exceedance`` list of thresholds."""
    return parse_exceedance(sec.take(key, None), sec)


def write_economy(economy: EconomySpec, owner: Any) -> dict[str, Any]:
    """The written form of the ``economy`` section."""
    return economy_to_dict(economy)


def write_exceedance(thresholds: tuple[Threshold, ...], owner: Any) -> list[dict[str, Any]]:
    """The written form of the ``exceedance`` list."""
    return thresholds_to_list(thresholds)
