"""Read the forecast-error table (``configs/tables/forecast-errors.yaml``) from its file.

The parsing and the rules on each row are the model's (:mod:`mc.model.forecast_error_table`),
so that a configuration holding the table inline is checked the same way.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from mc.data import yamlio
from mc.errors import DataError
from mc.model.forecast_error_table import ROUNDING, parse_forecast_errors
from mc.model.forecast_errors import ForecastErrorTable

__all__ = ["DEFAULT_TABLE", "ROUNDING", "load_forecast_errors", "parse_forecast_errors"]

DEFAULT_TABLE = Path(__file__).resolve().parents[2] / "configs" / "tables" / "forecast-errors.yaml"
"""The shipped table, in a source checkout (the repository's ``configs/tables``)."""


def _row_lines(text: str) -> list[int]:
    """1-based line numbers of the items of the top-level ``rows`` list (empty if absent)."""
    node = yaml.compose(text)
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if getattr(key, "value", None) == "rows" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def load_forecast_errors(path: str | Path = DEFAULT_TABLE) -> ForecastErrorTable:
    """Read and check a forecast-error table.

    Parameters
    ----------
    path : str or Path
        The YAML file; defaults to the shipped ``configs/tables/forecast-errors.yaml``.

    Returns
    -------
    ForecastErrorTable

    Raises
    ------
    DataError
        If the file cannot be read or parsed, or breaks a rule of :func:`parse_forecast_errors`.
    ConfigError
        If a field is missing or malformed (see :func:`parse_forecast_errors`).

    Examples
    --------
    >>> table = load_forecast_errors()  # doctest: +SKIP
    >>> table.sample("deflator_pct", "2026-06-01").fit().predictive  # doctest: +SKIP
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = yamlio.loads(text)  # the strict reader: no duplicate keys, no alias bombs
        lines = _row_lines(text)
    except OSError as exc:
        raise DataError(str(path), f"cannot read the forecast-error table: {exc}") from exc
    except yaml.YAMLError as exc:
        raise DataError(str(path), f"not valid YAML: {exc}") from exc
    return parse_forecast_errors(data, str(path), lines)
