"""The ``economy`` and ``exceedance`` sections of a configuration.

See :mod:`mc.kernels.economy` and :mod:`mc.model.economy` for what the numbers drive. Every
number in a shipped config carries its source there, and every row the day it was published.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from mc.errors import ConfigError
from mc.kernels.economy import DRIVERS, OUTPUTS
from mc.model.fields import Section
from mc.model.schema import declared, read, setting, write
from mc.sampling.dependence import METHODS, check_correlation
from mc.sampling.marginals import KINDS, PARAMS, Marginal, marginal_to_dict

DIRECTIONS = ("above", "below")
#: The levels whose net operating result is reported beside the sector's.
LEVELS = ("municipalities", "counties")
#: The level outputs, one variable per level (the sector's is ``net_operating_result_pct``).
LEVEL_OUTPUTS = tuple(f"net_operating_result_{level}_pct" for level in LEVELS)
#: Every output of the economy model.
ECONOMY_OUTPUTS = (*OUTPUTS, *LEVEL_OUTPUTS)
#: The surprises drawn from the forecast-error record, and the config key naming each sample.
ERROR_DRIVERS = {"deflator_surprise_pp": "deflator", "tax_surprise_bn": "tax"}


@dataclass(frozen=True)
class YearPlan:
    """What the budget assumed for one year, and the day the latest of its figures was public."""

    published: dt.date = setting("date")
    deflator_pct: float = setting("number")
    tax_growth_pct: float = setting("number")
    real_growth_free_revenues_bn: float = setting("number")
    pension_bn: float = setting("number")
    demographic_free_bn: float = setting("number")
    #: The price year of ``demographic_free_bn``; TBU prices year t's costs in t - 1 kroner.
    demographic_price_year: int | None = setting("integer", None, low=1900, high=2200)


PLAN_FIELDS = tuple(
    f.name for f, _ in declared(YearPlan) if f.name not in ("published", "demographic_price_year")
)
_POSITIVE = {"low": 0.0, "low_open": True}


@dataclass(frozen=True)
class ErrorSource:
    """Which forecast-error sample a surprise is drawn from."""

    variable: str = setting("text")
    horizons: tuple[str, ...] = setting("list", ("budget",))


@dataclass(frozen=True)
class LevelSpec:
    """Municipalities and counties around the sector's net operating result.

    The sector's result is the revenue-weighted mean of the two levels, so with the counties'
    share ``w`` of operating revenues and the difference ``delta = counties - municipalities``:
    ``municipalities = sector - w delta`` and ``counties = sector + (1 - w) delta``.
    """

    published: dt.date = setting("date")
    county_share: float = setting("number", low=0.0, high=1.0)
    difference_pct: float = setting("number", low=-20, high=20)
    difference_sd_pct: float = setting("number", low=0.0)


#: The levels a budget survey may give, each with its key in ``budget_survey``.
SURVEY_LEVELS = {
    "sector": "sector_pct",
    "municipalities": "municipalities_pct",
    "counties": "counties_pct",
}


@dataclass(frozen=True)
class BudgetSurvey:
    """The budgeted net operating result of one year (KS's budget survey), by level.

    Any one or two of the three levels; not all three, because the sector's result is the
    revenue-weighted mean of the other two and three figures would fix it twice. A run draws
    each given level's result as ``budgeted + gap``, the gap from the record of past surveys
    against outcomes (:func:`mc.model.economy.budget_gap_fit`).
    """

    year: int = setting("integer", low=1900, high=2200)
    published: dt.date = setting("date")
    source: str = setting("text")
    sector_pct: float | None = setting("number", None, low=-50, high=50)
    municipalities_pct: float | None = setting("number", None, low=-50, high=50)
    counties_pct: float | None = setting("number", None, low=-50, high=50)

    def given(self) -> dict[str, float]:
        """The budgeted result of each level the survey gives, percent."""
        out = {level: getattr(self, key) for level, key in SURVEY_LEVELS.items()}
        return {level: value for level, value in out.items() if value is not None}


def _budget_survey(sec: Section, key: str, values: dict[str, Any], allow: bool) -> Any:
    if not sec.has(key) or sec.data[key] is None:
        return None
    sub = sec.section(key)
    survey = BudgetSurvey(**read(BudgetSurvey, sub))
    sub.done()
    given = survey.given()
    keys = list(SURVEY_LEVELS.values())
    if not given:
        raise sub.error(keys[0], None, f"at least one of {keys} (the budgeted result, percent)")
    if len(given) == len(SURVEY_LEVELS):
        raise sub.error(
            "sector_pct",
            survey.sector_pct,
            "at most two of the three levels: the sector's result is the revenue-weighted mean "
            "of the municipalities' and the counties', so leave one out",
        )
    first, last = values["base_year"] + 1, values["cost_year"]
    if not first <= survey.year <= last:
        raise sub.error("year", survey.year, f"a planned year, {first}-{last}")
    if not survey.source.strip():
        raise sub.error("source", survey.source, "the survey's source (a citation), not empty")
    return survey


def _plan(sec: Section, key: str, values: dict[str, Any], allow: bool) -> Any:
    return _parse_plan(sec.section(key), values["base_year"], values["cost_year"])


def _levels(sec: Section, key: str, values: dict[str, Any], allow: bool) -> Any:
    lev = sec.section(key)
    out = LevelSpec(**read(LevelSpec, lev))
    lev.done()
    return out


def _interest(sec: Section, key: str, values: dict[str, Any], allow: bool) -> Any:
    return parse_marginal(sec.section(key))


def _error_table(sec: Section, key: str, values: dict[str, Any], allow: bool) -> Any:
    # imported here: the table's types pull in pandas, which a config load must not need
    from mc.model.forecast_error_table import parse_forecast_errors

    raw = _plain_dates(sec.take(key))
    if not isinstance(raw, dict):
        raise sec.error(key, raw, "a forecast-error table (a path to a YAML file or a mapping)")
    parse_forecast_errors(raw, sec.source or sec.field(key))  # checked now, parsed again on use
    return raw


def _plain_dates(value: Any) -> Any:
    """Dates as ISO text, so that the table's written form is plain JSON."""
    if isinstance(value, dict):
        return {k: _plain_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_dates(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _spearman(dep: Section, key: str, values: dict[str, Any], allow: bool) -> Any:
    matrix = dep.take(key, None)
    spearman = np.eye(len(DRIVERS)) if matrix is None else _matrix(dep, matrix)
    return tuple(tuple(r) for r in spearman.tolist())


@dataclass(frozen=True, kw_only=True)  # keywords: a defaulted field (method) comes before others
class EconomySpec:
    """Base-year accounts, the plan, the surprises and their dependence, the net operating result.

    The deflator and tax surprises are drawn from the forecast-error record (``surprises.table``)
    as it stood on the configuration's ``as_of``; see :mod:`mc.model.economy`.
    """

    base_year: int = setting("integer", low=1900, high=2200)
    accounts_published: dt.date = setting("date", key="accounts.published")
    free_revenues_bn: float = setting("number", key="accounts.free_revenues_bn", **_POSITIVE)
    tax_revenues_bn: float = setting("number", key="accounts.tax_revenues_bn", **_POSITIVE)
    operating_revenues_bn: float = setting(
        "number", key="accounts.operating_revenues_bn", **_POSITIVE
    )
    net_operating_result_pct: float = setting(
        "number", key="accounts.net_operating_result_pct", low=-50, high=50
    )
    net_debt_share: float = setting("number", key="accounts.net_debt_share", low=0.0, high=5.0)
    plan: tuple[tuple[int, YearPlan], ...] = setting(
        "custom", parse=_plan, dump=lambda v, e: {year: write(p) for year, p in v}
    )
    ndr_published: dt.date = setting("date", key="net_operating_result.published")
    ndr_equilibrium_pct: float = setting(
        "number", key="net_operating_result.equilibrium_pct", low=-20, high=20
    )
    ndr_persistence: float = setting(
        "number", key="net_operating_result.persistence", low=-1.0, high=1.0
    )
    ndr_sd_pct: float = setting("number", key="net_operating_result.sd_pct", low=0.0)
    ndr_df: float = setting("number", key="net_operating_result.df", low=2.0, low_open=True)
    levels: LevelSpec = setting("custom", key="net_operating_result.levels", parse=_levels)
    #: KS's budget survey for one planned year, if the configuration gives it.
    budget_survey: BudgetSurvey | None = setting(
        "custom",
        None,
        key="net_operating_result.budget_survey",
        parse=_budget_survey,
        dump=lambda v, e: write(v),
    )
    error_table: dict[str, Any] = setting("custom", key="surprises.table", parse=_error_table)
    deflator_errors: ErrorSource = setting("section", key="surprises.deflator", schema=ErrorSource)
    tax_errors: ErrorSource = setting("section", key="surprises.tax", schema=ErrorSource)
    interest: Marginal = setting(
        "custom",
        key="surprises.interest_surprise_pp",
        parse=_interest,
        dump=lambda v, e: marginal_to_dict(v),
    )
    method: str = setting("choice", "iman-conover", key="dependence.method", choices=METHODS)
    spearman: tuple[tuple[float, ...], ...] = setting(
        "custom", key="dependence.spearman", parse=_spearman, dump=lambda v, e: [list(r) for r in v]
    )
    #: The configuration's information date (its top-level ``as_of``); not written here.
    as_of: dt.date | None = setting("custom", None, key=None)
    #: The file the section came from (for messages); not part of the written form.
    source: str | None = setting("custom", None, key=None, compare=False)

    def dated_rows(self) -> tuple[tuple[str, dt.date], ...]:
        """Every dated row of the section, ``(field, published)``, named from ``economy``."""
        rows = [("economy.accounts.published", self.accounts_published)]
        rows += [(f"economy.plan.{year}.published", p.published) for year, p in self.plan]
        rows.append(("economy.net_operating_result.published", self.ndr_published))
        rows.append(("economy.net_operating_result.levels.published", self.levels.published))
        if self.budget_survey is not None:
            field = "economy.net_operating_result.budget_survey.published"
            rows.append((field, self.budget_survey.published))
        return tuple(rows)

    @property
    def years(self) -> tuple[int, ...]:
        """Years from the one after the base year to the last planned year."""
        return tuple(year for year, _ in self.plan)

    def plan_array(self, field: str) -> np.ndarray:
        """One plan field as an array over :attr:`years`."""
        return np.array([getattr(p, field) for _, p in self.plan])

    def demographic_price_years(self) -> tuple[int, ...]:
        """The price year of each plan year's demographic costs (default: the year before)."""
        return tuple(
            year - 1 if p.demographic_price_year is None else p.demographic_price_year
            for year, p in self.plan
        )

    def error_sources(self) -> dict[str, ErrorSource]:
        """The sample behind each surprise drawn from the forecast-error record."""
        return {"deflator_surprise_pp": self.deflator_errors, "tax_surprise_bn": self.tax_errors}


@dataclass(frozen=True)
class Threshold:
    """An exceedance probability to report: P(variable above/below threshold)."""

    variable: str = setting("custom")  # the known outputs are listed by parse_exceedance
    threshold: float = setting("number")
    direction: str = setting("choice", choices=DIRECTIONS)
    note: str = setting("text", "", omit="falsy")


def parse_marginal(sec: Section) -> Marginal:
    """Read a marginal (``distribution`` and its parameters) from a config section."""
    kind = sec.take_str("distribution", choices=KINDS)
    values: dict[str, float] = {}
    for name in PARAMS[kind]:
        if name in ("sd", "scale", "log_sd"):
            values[name] = sec.take_number(name, low=0.0)
        elif name == "df":
            values[name] = sec.take_number(name, low=2.0, low_open=True)
        elif name == "median":
            values[name] = sec.take_number(name, low=0.0, low_open=True)
        else:
            values[name] = sec.take_number(name)
    if kind in ("uniform", "triangular") and values["high"] < values["low"]:
        raise sec.error("high", values["high"], f"must be >= low={values['low']}")
    if kind == "triangular" and not values["low"] <= values["mode"] <= values["high"]:
        raise sec.error("mode", values["mode"], "must lie between low and high")
    source = str(sec.take("source", ""))
    sec.done()
    return Marginal(kind, tuple(values.items()), source)


def parse_economy(
    sec: Section, cost_year: int, source: str | None = None, as_of: dt.date | None = None
) -> EconomySpec:
    """Validate the ``economy`` section.

    Raises
    ------
    ConfigError
        Naming the field: a missing plan year between the base year and the cost year (later
        years may be given and are not used), a distribution that does not exist, a share
        outside its range, a forecast-error table that does not parse, a correlation outside
        [-1, 1] or a correlation matrix that is not positive semi-definite.
    """
    # the cost year is not part of the section; the plan's reader needs it
    given = {"cost_year": cost_year, "source": source, "as_of": as_of}
    values = read(EconomySpec, sec, given=given)
    del values["cost_year"]
    sec.done()
    spec = EconomySpec(**values)
    for year, price_year in zip(spec.years, spec.demographic_price_years(), strict=True):
        if not spec.base_year <= price_year <= year:
            raise ConfigError(
                f"economy.plan.{year}.demographic_price_year",
                price_year,
                f"a year from the base year {spec.base_year} to {year}",
                source,
            )
    return spec


def _parse_plan(
    plan_sec: Section, base_year: int, cost_year: int
) -> tuple[tuple[int, YearPlan], ...]:
    """Every year from the one after the base year to the cost year; later years are ignored."""
    plan = []
    for year in range(base_year + 1, cost_year + 1):
        key = year if year in plan_sec.data else str(year)
        if not plan_sec.has(key):
            raise plan_sec.error(
                str(year),
                None,
                f"the plan needs every year {base_year + 1}-"
                f"{cost_year} (base year + 1 to the cost year)",
            )
        p = plan_sec.section(key)
        plan.append((year, YearPlan(**read(YearPlan, p))))
        p.done()
    for key in list(plan_sec.data):
        if key in ("source", "note"):
            continue
        try:
            year = int(key)
        except (TypeError, ValueError):
            raise plan_sec.error(str(key), plan_sec.data[key], "plan keys must be years") from None
        if year <= base_year:
            raise plan_sec.error(
                str(key),
                plan_sec.data[key],
                f"plan years must come after the base year {base_year}",
            )
        plan_sec.has(key)  # years after the cost year are allowed and not used
    plan_sec.done()
    return tuple(plan)


def _matrix(dep: Section, matrix: Any) -> np.ndarray:
    """A Spearman matrix given as rows in the order of :data:`DRIVERS`."""
    field = dep.field("spearman")
    if not isinstance(matrix, list) or not all(isinstance(r, list) for r in matrix):
        raise dep.error(
            "spearman",
            matrix,
            f"a {len(DRIVERS)} x {len(DRIVERS)} list of rows in the order {list(DRIVERS)}",
        )
    try:
        array = np.array(matrix, dtype=float)
    except (TypeError, ValueError):
        raise dep.error("spearman", matrix, "entries must be numbers") from None
    check_correlation(array, DRIVERS, field)
    return array


def parse_exceedance(value: Any, section: Section) -> tuple[Threshold, ...]:
    """Validate the ``exceedance`` list; variables must be outputs of the model."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise section.error("exceedance", value, "expected a list of thresholds")
    known = (
        *ECONOMY_OUTPUTS,
        "demographic_cost_total_bn",
        "demographic_cost_free_bn",
        "population_growth",
    )
    out = []
    for i, item in enumerate(value):
        sub = Section(item, f"exceedance[{i}]", section.source)
        variable = sub.take_str("variable", choices=known)
        out.append(Threshold(**read(Threshold, sub, given={"variable": variable})))
        sub.done()
    return tuple(out)


def economy_to_dict(e: EconomySpec) -> dict[str, Any]:
    """The config form of an :class:`EconomySpec`."""
    return write(e)


def thresholds_to_list(thresholds: tuple[Threshold, ...]) -> list[dict[str, Any]]:
    """The config form of the exceedance thresholds."""
    return [write(t) for t in thresholds]
