"""The ``economy`` and ``exceedance`` sections of a configuration.

See :mod:`mc.kernels.economy` for what the numbers drive. Every number in a shipped config carries
its source there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from mc.kernels.economy import DRIVERS, OUTPUTS
from mc.model.fields import Section
from mc.model.schema import declared, read, setting, write
from mc.sampling.dependence import METHODS, check_correlation
from mc.sampling.marginals import KINDS, PARAMS, Marginal, marginal_to_dict

DIRECTIONS = ("above", "below")


@dataclass(frozen=True)
class YearPlan:
    """What the budget assumed for one year, and the day the latest of its figures was public."""

    published: dt.date = setting("date")
    deflator_pct: float = setting("number")
    tax_growth_pct: float = setting("number")
    real_growth_free_revenues_bn: float = setting("number")
    pension_bn: float = setting("number")
    demographic_free_bn: float = setting("number")


PLAN_FIELDS = tuple(f.name for f, _ in declared(YearPlan) if f.name != "published")
_POSITIVE = {"low": 0.0, "low_open": True}


def _plan(sec: Section, key: str, values: dict[str, Any], allow: bool) -> Any:
    return _parse_plan(sec.section(key), values["base_year"], values["cost_year"])


def _drivers(sec: Section, key: str, values: dict[str, Any], allow: bool) -> Any:
    drv = sec.section(key)
    drivers = tuple(parse_marginal(drv.section(name)) for name in DRIVERS)
    drv.done()
    return drivers


def _spearman(dep: Section, key: str, values: dict[str, Any], allow: bool) -> Any:
    matrix = dep.take(key, None)
    spearman = np.eye(len(DRIVERS)) if matrix is None else _matrix(dep, matrix)
    return tuple(tuple(r) for r in spearman.tolist())


@dataclass(frozen=True, kw_only=True)  # keywords: a defaulted field (method) comes before others
class EconomySpec:
    """Base-year accounts, the plan, the drivers and their dependence."""

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
    wage_weight: float = setting("number", key="deflator_wage_weight", low=0.0, high=1.0)
    plan: tuple[tuple[int, YearPlan], ...] = setting(
        "custom", parse=_plan, dump=lambda v, e: {year: write(p) for year, p in v}
    )
    ndr_equilibrium_pct: float = setting(
        "number", key="net_operating_result.equilibrium_pct", low=-20, high=20
    )
    ndr_persistence: float = setting(
        "number", key="net_operating_result.persistence", low=-1.0, high=1.0
    )
    ndr_sd_pct: float = setting("number", key="net_operating_result.sd_pct", low=0.0)
    ndr_published: dt.date = setting("date", key="net_operating_result.published")
    drivers: tuple[Marginal, ...] = setting(  # in the order of DRIVERS
        "custom",
        parse=_drivers,
        dump=lambda v, e: {n: marginal_to_dict(m) for n, m in zip(DRIVERS, v, strict=True)},
    )
    method: str = setting("choice", "iman-conover", key="dependence.method", choices=METHODS)
    spearman: tuple[tuple[float, ...], ...] = setting(
        "custom", key="dependence.spearman", parse=_spearman, dump=lambda v, e: [list(r) for r in v]
    )

    #: The file the section came from (for messages); not part of the written form.
    source: str | None = setting("custom", None, key=None, compare=False)

    def dated_rows(self) -> tuple[tuple[str, dt.date], ...]:
        """Every dated row of the section, ``(field, published)``, named from ``economy``."""
        rows = [("economy.accounts.published", self.accounts_published)]
        rows += [(f"economy.plan.{year}.published", p.published) for year, p in self.plan]
        rows.append(("economy.net_operating_result.published", self.ndr_published))
        return tuple(rows)

    @property
    def years(self) -> tuple[int, ...]:
        """Years from the one after the base year to the last planned year."""
        return tuple(year for year, _ in self.plan)

    def plan_array(self, field: str) -> np.ndarray:
        """One plan field as an array over :attr:`years`."""
        return np.array([getattr(p, field) for _, p in self.plan])


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


def parse_economy(sec: Section, cost_year: int, source: str | None = None) -> EconomySpec:
    """Validate the ``economy`` section.

    Raises
    ------
    ConfigError
        Naming the field: a missing plan year between the base year and the cost year (later
        years may be given and are not used), a driver
        or distribution that does not exist, a weight or share outside [0, 1], a correlation
        outside [-1, 1] or a correlation matrix that is not positive semi-definite.
    """
    # the cost year is not part of the section; the plan's reader needs it
    values = read(EconomySpec, sec, given={"cost_year": cost_year, "source": source})
    del values["cost_year"]
    sec.done()
    return EconomySpec(**values)


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
    known = (*OUTPUTS, "demographic_cost_total_bn", "demographic_cost_free_bn", "population_growth")
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
