"""Parse a forecast-error table (``configs/tables/forecast-errors.yaml``) into checked rows.

The layout is described at the top of the shipped file: ``variables`` (name to ``unit`` and
``description``) and ``rows``, each one forecast of one variable for one year against one vintage
of its outcome. Every row must name its sources and the dates its forecast and outcome were
published; a row whose forecast, outcome and error disagree beyond rounding is refused.

Nothing is read here: :func:`mc.data.forecast_errors.load_forecast_errors` reads the file, and a
configuration's economy section hands over the table it holds (``surprises.table``).
"""

from __future__ import annotations

import math
from typing import Any

from mc.errors import DataError
from mc.model.fields import Section
from mc.model.forecast_errors import (
    HORIZONS,
    STATUSES,
    ForecastErrorRow,
    ForecastErrorTable,
    parse_date,
)

ROUNDING = 0.051
"""How far ``outcome - forecast`` may be from ``error``: published figures carry one decimal, so
each is within 0.05 of the truth, and a stated miss is rounded the same way (0.001 of slack for
floating point)."""


def _text(sec: Section, key: str, default: Any = None) -> str:
    """Non-empty text (``default`` when absent and a default is given)."""
    value = sec.take(key) if default is None else sec.take(key, default)
    if not isinstance(value, str) or (default is None and not value.strip()):
        raise sec.error(key, value, "expected non-empty text")
    return value.strip()


def _optional_number(sec: Section, key: str) -> float | None:
    value = sec.take(key, None)
    return None if value is None else sec.take_number(key)


def parse_forecast_errors(
    data: Any, source: str, lines: list[int] | None = None
) -> ForecastErrorTable:
    """Check a parsed forecast-error table and build its rows.

    Parameters
    ----------
    data : Any
        The parsed YAML document.
    source : str
        Where it came from, for messages.
    lines : list of int, optional
        1-based line of each row in the file, for messages.

    Returns
    -------
    ForecastErrorTable

    Raises
    ------
    ConfigError
        A missing or malformed field (named as ``rows[i].field``), an unknown variable, horizon or
        status, a date that is not ``YYYY-MM-DD``.
    DataError
        A row whose outcome was published before its forecast, or whose forecast, outcome and
        error disagree by more than :data:`ROUNDING`; a row with neither an error nor both
        forecast and outcome.
    """
    top = Section(data, "", source)
    vsec = top.section("variables")
    units = []
    for name in list(vsec.data):
        var = vsec.section(name)
        units.append((str(name), _text(var, "unit")))
        _text(var, "description", "")
        var.done()
    vsec.done()
    if not units:
        raise vsec.error("", {}, "declare at least one variable")
    known = [name for name, _ in units]
    raw_rows = top.take_list("rows")
    top.done()
    rows = []
    for i, raw in enumerate(raw_rows):
        line = lines[i] if lines and i < len(lines) else None
        rows.append(_parse_row(Section(raw, f"rows[{i}]", source), known, source, line))
    return ForecastErrorTable(rows=tuple(rows), units=tuple(units), source=source)


def _parse_row(sec: Section, known: list[str], source: str, line: int | None) -> ForecastErrorRow:
    variable = sec.take_str("variable", choices=tuple(known))
    year = int(sec.take_number("year", integer=True, low=1900, high=2200))
    horizon = sec.take_str("horizon", choices=HORIZONS)
    forecast = _optional_number(sec, "forecast")
    outcome = _optional_number(sec, "outcome")
    error = _optional_number(sec, "error")
    published = parse_date(sec.take("published"), sec.field("published"), source)
    outcome_published = parse_date(
        sec.take("outcome_published"), sec.field("outcome_published"), source
    )
    row = ForecastErrorRow(
        variable=variable,
        year=year,
        horizon=horizon,
        vintage=_text(sec, "vintage"),
        published=published,
        outcome_vintage=_text(sec, "outcome_vintage"),
        outcome_published=outcome_published,
        error=math.nan,  # set below, once checked
        source=_text(sec, "source"),
        outcome_source=_text(sec, "outcome_source"),
        forecast=forecast,
        outcome=outcome,
        status=sec.take_str("status", "final", choices=STATUSES),
        note=str(sec.take("note", "")).strip(),
        line=line,
    )
    sec.done()
    where = f"row {row.label}"
    if outcome_published < published:
        raise DataError(
            source,
            f"{where}: outcome published {outcome_published.isoformat()} before the forecast "
            f"({published.isoformat()}); an outcome cannot be known before its forecast",
            line,
        )
    if forecast is not None and outcome is not None:
        implied = outcome - forecast
        if error is None:
            error = round(implied, 10)
        elif abs(implied - error) > ROUNDING:
            raise DataError(
                source,
                f"{where}: error {error:g} but outcome - forecast = {outcome:g} - {forecast:g} = "
                f"{implied:.3g}; they must agree within {ROUNDING:g} (rounding)",
                line,
            )
    elif error is None:
        raise DataError(source, f"{where}: give 'error', or both 'forecast' and 'outcome'", line)
    return ForecastErrorRow(**{**row.__dict__, "error": float(error)})
