"""The ``economy`` and ``exceedance`` sections of a configuration.

See :mod:`mc.kernels.economy` for what the numbers drive. Every number in a shipped config carries
its source there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mc.kernels.economy import DRIVERS, OUTPUTS
from mc.model.fields import Section
from mc.sampling.dependence import METHODS, check_correlation
from mc.sampling.marginals import KINDS, PARAMS, Marginal, marginal_to_dict

PLAN_FIELDS = (
    "deflator_pct",
    "tax_growth_pct",
    "real_growth_free_revenues_bn",
    "pension_bn",
    "demographic_free_bn",
)
DIRECTIONS = ("above", "below")


@dataclass(frozen=True)
class YearPlan:
    """What the budget assumed for one year."""

    deflator_pct: float
    tax_growth_pct: float
    real_growth_free_revenues_bn: float
    pension_bn: float
    demographic_free_bn: float


@dataclass(frozen=True)
class EconomySpec:
    """Base-year accounts, the plan, the drivers and their dependence."""

    base_year: int
    free_revenues_bn: float
    tax_revenues_bn: float
    operating_revenues_bn: float
    net_operating_result_pct: float
    net_debt_share: float
    wage_weight: float
    plan: tuple[tuple[int, YearPlan], ...]
    ndr_equilibrium_pct: float
    ndr_persistence: float
    ndr_sd_pct: float
    drivers: tuple[Marginal, ...]  # in the order of DRIVERS
    method: str
    spearman: tuple[tuple[float, ...], ...]

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

    variable: str
    threshold: float
    direction: str
    note: str = ""


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


def parse_economy(sec: Section, cost_year: int) -> EconomySpec:
    """Validate the ``economy`` section.

    Raises
    ------
    ConfigError
        Naming the field: a missing plan year between the base year and the cost year (later
        years may be given and are not used), a driver
        or distribution that does not exist, a weight or share outside [0, 1], a correlation
        outside [-1, 1] or a correlation matrix that is not positive semi-definite.
    """
    base_year = int(sec.take_number("base_year", integer=True, low=1900, high=2200))
    acc = sec.section("accounts")
    accounts = {
        "free_revenues_bn": acc.take_number("free_revenues_bn", low=0.0, low_open=True),
        "tax_revenues_bn": acc.take_number("tax_revenues_bn", low=0.0, low_open=True),
        "operating_revenues_bn": acc.take_number("operating_revenues_bn", low=0.0, low_open=True),
        "net_operating_result_pct": acc.take_number("net_operating_result_pct", low=-50, high=50),
        "net_debt_share": acc.take_number("net_debt_share", low=0.0, high=5.0),
    }
    acc.done()
    wage_weight = sec.take_number("deflator_wage_weight", low=0.0, high=1.0)
    plan_sec = sec.section("plan")
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
        values = {f: p.take_number(f) for f in PLAN_FIELDS}
        p.done()
        plan.append((year, YearPlan(**values)))
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
    ndr = sec.section("net_operating_result")
    equilibrium = ndr.take_number("equilibrium_pct", low=-20, high=20)
    persistence = ndr.take_number("persistence", low=-1.0, high=1.0)
    sd = ndr.take_number("sd_pct", low=0.0)
    ndr.done()
    drv = sec.section("drivers")
    drivers = tuple(parse_marginal(drv.section(name)) for name in DRIVERS)
    drv.done()
    dep = sec.section("dependence", {"method": "iman-conover"})
    method = dep.take_str("method", choices=METHODS)
    matrix = dep.take("spearman", None)
    if matrix is None:
        spearman = np.eye(len(DRIVERS))
    else:
        spearman = _matrix(dep, matrix)
    dep.done()
    sec.done()
    return EconomySpec(
        base_year=base_year,
        **accounts,
        wage_weight=wage_weight,
        plan=tuple(plan),
        ndr_equilibrium_pct=equilibrium,
        ndr_persistence=persistence,
        ndr_sd_pct=sd,
        drivers=drivers,
        method=method,
        spearman=tuple(tuple(r) for r in spearman.tolist()),
    )


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
        threshold = sub.take_number("threshold")
        direction = sub.take_str("direction", choices=DIRECTIONS)
        note = str(sub.take("note", ""))
        sub.done()
        out.append(Threshold(variable, threshold, direction, note))
    return tuple(out)


def economy_to_dict(e: EconomySpec) -> dict[str, Any]:
    """The config form of an :class:`EconomySpec`."""
    return {
        "base_year": e.base_year,
        "accounts": {
            "free_revenues_bn": e.free_revenues_bn,
            "tax_revenues_bn": e.tax_revenues_bn,
            "operating_revenues_bn": e.operating_revenues_bn,
            "net_operating_result_pct": e.net_operating_result_pct,
            "net_debt_share": e.net_debt_share,
        },
        "deflator_wage_weight": e.wage_weight,
        "plan": {year: {f: getattr(p, f) for f in PLAN_FIELDS} for year, p in e.plan},
        "net_operating_result": {
            "equilibrium_pct": e.ndr_equilibrium_pct,
            "persistence": e.ndr_persistence,
            "sd_pct": e.ndr_sd_pct,
        },
        "drivers": {name: marginal_to_dict(m) for name, m in zip(DRIVERS, e.drivers, strict=True)},
        "dependence": {"method": e.method, "spearman": [list(r) for r in e.spearman]},
    }


def thresholds_to_list(thresholds: tuple[Threshold, ...]) -> list[dict[str, Any]]:
    """The config form of the exceedance thresholds."""
    return [
        {
            "variable": t.variable,
            "threshold": t.threshold,
            "direction": t.direction,
            **({"note": t.note} if t.note else {}),
        }
        for t in thresholds
    ]
