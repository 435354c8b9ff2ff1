"""The tables of a configuration: age profiles, the baseline population change, the unit costs.

Each may be written inline or kept in a YAML file of its own (see
:func:`~mc.model.config.common.maybe_file`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from mc.model.ages import SEXES, AgeGroups, parse_age_group, spread_over_bands
from mc.model.config.common import (
    MAX_NET_IMMIGRATION,
    MAX_PERSONS,
    MAX_UNIT_COST,
    YEAR_RANGE,
    labels,
)
from mc.model.fields import Section, check_number, check_text, number_list
from mc.model.schema import OMIT, implausible, read, setting, table_file, write


@dataclass(frozen=True)
class AgeProfile:
    """Values per age band and sex (persons, or shares), spread evenly within each band."""

    bands: tuple[str, ...] = setting("custom")
    female: tuple[float, ...] = setting("custom")
    male: tuple[float, ...] = setting("custom")
    source: str = setting("text", "", omit="falsy")
    #: The day the table was public (``as_of`` checks it); omitted when not given.
    published: dt.date | None = setting("date", None)
    #: The file the table was read from (for messages; not written, not compared).
    file: str | None = setting("custom", None, key=None, parse=table_file, compare=False)

    def per_age(self) -> np.ndarray:
        """The profile on single-year ages, shape ``(2, 106)`` (female, male)."""
        return spread_over_bands(self.bands, np.array([self.female, self.male]))

    def total(self) -> float:
        """Sum over bands and sexes."""
        return float(sum(self.female) + sum(self.male))


def parse_profile(data: Any, path: str, source: str | None, *, shares: bool) -> AgeProfile:
    """Validate an age profile: persons (a baseline's change) or shares (any other profile).

    Raises
    ------
    ConfigError
        Naming the band or value at fault.
    """
    sec = Section(data, path, source)
    bands = sec.take_list("bands")
    for i, band in enumerate(bands):
        if not isinstance(band, (str, int)) or isinstance(band, bool) or len(str(band)) > 20:
            raise sec.error(f"bands[{i}]", band, "an age band such as '0', '1-2' or '90+'")
        try:
            parse_age_group(band)
        except ValueError as exc:
            raise sec.error(f"bands[{i}]", band, str(exc)) from None

    def check(v: Any, f: str) -> float:
        # shares are relative, persons are bounded by a country several times Norway's
        bound = None if shares else MAX_PERSONS
        return check_number(v, f, source, low=0.0 if shares else -MAX_PERSONS, high=bound)

    given: dict[str, Any] = {"bands": tuple(str(b) for b in bands)}
    for sex in SEXES:
        given[sex] = tuple(number_list(sec.take(sex), sec.field(sex), source, len(bands), check))
    profile = AgeProfile(**read(AgeProfile, sec, given=given))
    try:
        profile.per_age()
    except ValueError as exc:
        raise sec.error("bands", bands, str(exc)) from None
    if shares and not profile.total() > 0:
        raise sec.error("female", given["female"], "a profile needs a positive total")
    sec.done()
    return profile


def _profile(shares: bool) -> Any:
    def parse(sec: Section, key: str, values: dict[str, Any], allow: bool) -> AgeProfile:
        return parse_profile(sec.take(key), sec.field(key), sec.source, shares=shares)

    return parse


@dataclass(frozen=True)
class Baseline:
    """The baseline population change (a stand-in for SSB's middle alternative).

    ``change`` is the change in persons from 1 January ``from_year`` to 1 January ``to_year``;
    ``expected_deaths`` and ``regular_net_immigration_profile`` give the shape of the death and
    migration shocks drawn around it.
    """

    from_year: int = setting("integer", low=YEAR_RANGE[0], high=YEAR_RANGE[1] - 1)
    to_year: int = setting(
        "integer", low=lambda v: v["from_year"] + 1, high=lambda v: v["from_year"] + 1
    )
    change: AgeProfile = setting("custom", parse=_profile(shares=False))
    expected_deaths: AgeProfile = setting("custom", parse=_profile(shares=True))
    regular_net_immigration_profile: AgeProfile = setting("custom", parse=_profile(shares=True))
    source: str = setting("text", "", omit="never")
    #: The day the table was public (``as_of`` checks it); omitted when not given.
    published: dt.date | None = setting("date", None)
    #: The file the table was read from (for messages; not written, not compared).
    file: str | None = setting("custom", None, key=None, parse=table_file, compare=False)


def parse_baseline(data: Any, path: str, source: str | None, allow: bool = False) -> Baseline:
    """Validate a baseline table; its growth in one year is held to a judgement bound."""
    sec = Section(data, path, source)
    baseline = Baseline(**read(Baseline, sec, allow))
    what = (
        "the baseline's population growth in one year (persons; births minus deaths plus net "
        "immigration)"
    )
    implausible(sec, "change", baseline.change.total(), MAX_NET_IMMIGRATION, what, allow)
    _check_assumptions(sec)
    sec.done()
    return baseline


def _check_assumptions(sec: Section) -> None:
    """``assumptions`` documents how a table was made: a mapping of numbers and short texts."""
    notes = sec.take("assumptions", None)
    if notes is None:
        return
    sub = Section(notes, sec.field("assumptions"), sec.source)
    for key, value in sub.data.items():
        if isinstance(value, str):
            check_text(value, sub.field(str(key)), sub.source)
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            raise sub.error(str(key), value, "assumptions are documentation: a number or text")


def baseline_to_dict(b: Baseline) -> dict[str, Any]:
    """A baseline table as plain data, the form the config parser reads."""
    return write(b)


@dataclass(frozen=True)
class Sector:
    """A service sector with its unit costs per age group and its free-revenue share."""

    name: str = setting("custom", key=None)
    free_share: float = setting("number", low=0.0, high=1.0)
    # written by unit_costs_to_dict, which knows the age groups
    unit_costs: tuple[float, ...] = setting("custom", dump=lambda v, s: OMIT)
    label_nb: str = setting("custom", key="label.nb")
    label_en: str = setting("custom", key="label.en")
    level: str = setting("choice", "municipality", choices=("municipality", "county"))
    #: The day the sector's latest source was public (``as_of`` checks it).
    published: dt.date | None = setting("date", None)


def _unit_costs(costs: Section, groups: AgeGroups, allow: bool) -> tuple[float, ...]:
    values = []
    for label in groups.labels:
        if not costs.has(label):
            raise costs.error(label, None, f"missing unit cost for age group {label!r}")
        cost = costs.take_number(label, low=0.0)
        implausible(costs, label, cost, MAX_UNIT_COST, "a unit cost (kroner)", allow)
        values.append(cost)
    for label in costs.data:
        if label not in groups.labels:
            raise costs.error(
                str(label),
                costs.data[label],
                f"unknown age group; the config's age groups are {list(groups.labels)}",
            )
    costs.done()
    return tuple(values)


@dataclass(frozen=True)
class UnitCosts:
    """Unit costs (kroner per inhabitant of each age group) in kroner of ``price_year``."""

    price_year: int = setting("integer", low=YEAR_RANGE[0], high=YEAR_RANGE[1])
    sectors: tuple[Sector, ...] = setting("custom")
    source: str = setting("text", "", omit="never")
    #: The file the table was read from (for messages; not written, not compared).
    file: str | None = setting("custom", None, key=None, parse=table_file, compare=False)

    def matrix(self, groups: AgeGroups) -> np.ndarray:
        """Unit costs as an array ``(sector, age)`` over single-year ages."""
        return groups.expand(np.array([s.unit_costs for s in self.sectors]))

    @property
    def free_shares(self) -> np.ndarray:
        """Share of each sector's cost financed by the free revenues."""
        return np.array([s.free_share for s in self.sectors])

    @property
    def names(self) -> tuple[str, ...]:
        """Sector names in table order."""
        return tuple(s.name for s in self.sectors)


def parse_unit_costs(
    data: Any, path: str, source: str | None, groups: AgeGroups, allow: bool = False
) -> UnitCosts:
    """Validate a unit-cost table against the configuration's age groups."""
    sec = Section(data, path, source)
    table = sec.section("sectors")
    sectors = []
    for name in list(table.data):
        s = table.section(str(name))
        given = {"name": str(name), **labels(s, str(name))}
        given["unit_costs"] = _unit_costs(s.section("unit_costs"), groups, allow)
        sectors.append(Sector(**read(Sector, s, allow, given)))
        s.done()
    if not sectors:
        raise sec.error("sectors", {}, "at least one sector is required")
    costs = UnitCosts(**read(UnitCosts, sec, allow, given={"sectors": tuple(sectors)}))
    sec.done()
    return costs


def unit_costs_to_dict(costs: UnitCosts, groups: AgeGroups) -> dict[str, Any]:
    """A unit-cost table as plain data, the form the config parser reads."""
    sectors = {
        s.name: write(s, unit_costs=dict(zip(groups.labels, s.unit_costs, strict=True)))
        for s in costs.sectors
    }
    return write(costs, sectors=sectors)
