"""The run configuration: frozen, validated objects built from YAML (or a dict) and back.

A configuration names the cost year and price year, the age groups, the unit costs per sector, the
population change (a baseline projection or observed figures), the scenarios and the uncertainty
of every driver. Tables may be inline or in separate YAML files referenced by a path relative to
the configuration file; :meth:`Config.to_dict` always gives the resolved, self-contained form.

Values are checked against two kinds of bound. Hard bounds (:data:`MAX_PERSONS`, the year range,
:data:`mc.model.fields.MAX_MAGNITUDE`) mark values that cannot be meant. Judgement bounds
(:data:`MAX_NET_IMMIGRATION`, :data:`MAX_UNIT_COST`) mark values far beyond anything observed;
the message says so, and ``allow_implausible: true`` at the top of the configuration accepts them
(``to_dict`` then records it, so the manifest shows that the bound was lifted).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np

from mc.errors import ConfigError
from mc.model.ages import SEXES, AgeGroups, parse_age_group, spread_over_bands
from mc.model.economy_spec import (
    EconomySpec,
    Threshold,
    economy_to_dict,
    parse_economy,
    parse_exceedance,
    thresholds_to_list,
)
from mc.model.fields import Section, check_number, check_text, number_list
from mc.model.yamlio import read_yaml_file

#: Most persons in one band of a baseline's population change, either way. A hard bound, several
#: times Norway's population (5.55 million on 1.1.2024): a larger number is a typing error.
MAX_PERSONS = 20_000_000
#: Largest net immigration, or change in it, accepted in one year without ``allow_implausible``.
#: A judgement bound: about 3.4 times the largest net immigration Norway has recorded, 58,000 in
#: 2022 (../shared/data/components/nor_hmd_balancing_equation.csv, 1986-2023).
MAX_NET_IMMIGRATION = 200_000
#: Largest unit cost, kroner per inhabitant of an age group and year, accepted without
#: ``allow_implausible``. A judgement bound: the dearest band in the shipped tables costs about
#: 0.47 million kroner (configs/tables/unit-costs-2023.yaml); ten times that is no longer a
#: plausible average over an age group.
MAX_UNIT_COST = 5_000_000
#: Years a configuration may name (cost year, price years, baseline). Hard bounds: the data begin
#: in 1986 and the model projects at most a few decades.
YEAR_RANGE = (1950, 2100)
# a run or scenario name: it names the output folder, so no separators, no leading dot, no spaces
_NAME = re.compile(r"\w[\w.-]{0,79}")


class Spread(StrEnum):
    """Shape of the uncertainty around a scenario's immigration level."""

    FIXED = "fixed"
    NORMAL = "normal"
    UNIFORM = "uniform"
    TRIANGULAR = "triangular"


class PopulationKind(StrEnum):
    """Where the population change comes from.

    ``projected``: a fixed baseline table plus the simple population drivers; ``observed``: SSB's
    figures; ``stochastic``: the fitted stochastic projection (``tbu-mc population fit``).
    """

    PROJECTED = "projected"
    OBSERVED = "observed"
    STOCHASTIC = "stochastic"


@dataclass(frozen=True)
class Sector:
    """A service sector with its unit costs per age group and its free-revenue share."""

    name: str
    free_share: float
    unit_costs: tuple[float, ...]
    label_nb: str
    label_en: str
    level: str = "municipality"  # who provides the service: municipalities or counties


@dataclass(frozen=True)
class UnitCosts:
    """Unit costs (kroner per inhabitant of each age group) in kroner of ``price_year``."""

    price_year: int
    sectors: tuple[Sector, ...]
    source: str = ""

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


@dataclass(frozen=True)
class AgeProfile:
    """Values per age band and sex (persons, or shares), spread evenly within each band."""

    bands: tuple[str, ...]
    female: tuple[float, ...]
    male: tuple[float, ...]
    source: str = ""

    def per_age(self) -> np.ndarray:
        """The profile on single-year ages, shape ``(2, 106)`` (female, male)."""
        return spread_over_bands(self.bands, np.array([self.female, self.male]))

    def total(self) -> float:
        """Sum over bands and sexes."""
        return float(sum(self.female) + sum(self.male))


@dataclass(frozen=True)
class Baseline:
    """The baseline population change (a stand-in for SSB's middle alternative).

    ``change`` is the change in persons from 1 January ``from_year`` to 1 January ``to_year``;
    ``expected_deaths`` and ``regular_net_immigration_profile`` give the shape of the death and
    migration shocks drawn around it.
    """

    from_year: int
    to_year: int
    change: AgeProfile
    expected_deaths: AgeProfile
    regular_net_immigration_profile: AgeProfile
    source: str = ""


@dataclass(frozen=True)
class Population:
    """The population side of the model."""

    kind: PopulationKind
    baseline: Baseline | None = None
    file: str | None = None
    immigrant_profile: AgeProfile | None = None
    fit: str | None = None
    data: str | None = None
    level: str = "national"


@dataclass(frozen=True)
class Scenario:
    """An immigration scenario: extra net immigration over the baseline, with a published result."""

    name: str
    extra_net_immigration: float
    label_nb: str
    label_en: str
    published_total_bn: float | None = None
    published_free_bn: float | None = None


@dataclass(frozen=True)
class LevelSpread:
    """Uncertainty of the extra net immigration around each scenario's level."""

    distribution: Spread = Spread.FIXED
    scale: float = 0.0


@dataclass(frozen=True)
class Uncertainty:
    """Spread of every stochastic driver; zeros everywhere give the deterministic model."""

    extra_net_immigration: LevelSpread = LevelSpread()
    immigrant_profile_log_sd: float = 0.0
    births_sd: float = 0.0
    deaths_relative_sd: float = 0.0
    regular_net_immigration_sd: float = 0.0
    unit_cost_log_sd: float = 0.0


@dataclass(frozen=True)
class ClusterSpec:
    """A batch cluster started through dask-jobqueue (``tbu-mc run --cluster slurm|pbs``)."""

    kind: str = "slurm"
    jobs: int = 1
    cores: int = 1
    processes: int | None = None
    memory: str = "4GB"
    walltime: str = "01:00:00"
    queue: str | None = None
    account: str | None = None
    job_extra: tuple[str, ...] = ()
    local_directory: str | None = None

    def options(self) -> dict[str, Any]:
        """Keyword arguments for dask-jobqueue's cluster classes."""
        out: dict[str, Any] = {
            "cores": self.cores,
            "processes": self.processes or self.cores,
            "memory": self.memory,
            "walltime": self.walltime,
            "job_extra_directives": list(self.job_extra),
        }
        for key in ("queue", "account", "local_directory"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


@dataclass(frozen=True)
class RunDefaults:
    """Defaults for ``tbu-mc run`` that the command line may override."""

    draws: int = 100_000
    block_size: int = 10_000
    seed: int | None = None


@dataclass(frozen=True)
class Config:
    """A validated tbu-mc configuration. Build it with :func:`load_config` or :meth:`from_dict`."""

    name: str
    cost_year: int
    price_year: int
    age_groups: AgeGroups
    deflator_pct: Mapping[int, float]
    unit_costs: UnitCosts
    population: Population
    scenarios: tuple[Scenario, ...]
    uncertainty: Uncertainty = Uncertainty()
    run: RunDefaults = RunDefaults()
    description: str = ""
    economy: EconomySpec | None = None
    exceedance: tuple[Threshold, ...] = ()
    cluster: ClusterSpec | None = None
    allow_implausible: bool = False
    base_dir: Path = field(default=Path("."), compare=False)
    source: str | None = field(default=None, compare=False)

    # -- derived quantities -------------------------------------------------------------------
    @property
    def scenario_names(self) -> tuple[str, ...]:
        """Scenario names in configuration order."""
        return tuple(s.name for s in self.scenarios)

    def price_factor(self) -> float:
        """Factor moving unit costs from their price year to the report's price year."""
        return price_factor(self.deflator_pct, self.unit_costs.price_year, self.price_year)

    def population_file(self) -> Path | None:
        """Absolute path of the observed population file, if any."""
        return self._resolve(self.population.file)

    def projection_files(self) -> tuple[Path, Path]:
        """Absolute paths of the projection fit and of the data folder (stochastic kind)."""
        fit, data = self._resolve(self.population.fit), self._resolve(self.population.data)
        if fit is None or data is None:
            raise ConfigError("population.fit", None, "a stochastic population needs fit and data")
        return fit, data

    def _resolve(self, value: str | None) -> Path | None:
        if value is None:
            return None
        path = Path(value)
        return path if path.is_absolute() else (self.base_dir / path).resolve()

    # -- serialisation ------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The resolved configuration as plain data (tables inlined); :meth:`from_dict` reads it."""
        return _config_to_dict(self)

    def sha256(self) -> str:
        """Checksum of the resolved configuration (canonical JSON)."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    @classmethod
    def from_dict(cls, data: Any, base_dir: Path | str = ".", source: str | None = None) -> Config:
        """Validate plain data (parsed YAML) into a :class:`Config`.

        Raises
        ------
        ConfigError
            Naming the field, the value found and what is allowed.
        """
        return _parse_config(data, Path(base_dir), source)


def price_factor(deflator_pct: Mapping[int, float], from_year: int, to_year: int) -> float:
    """Multiply kroner of ``from_year`` by this to get kroner of ``to_year``.

    Raises
    ------
    ConfigError
        If the deflator lacks a year on the way.
    """
    lo, hi = sorted((from_year, to_year))
    factor = 1.0
    for year in range(lo + 1, hi + 1):
        if year not in deflator_pct:
            raise ConfigError(
                f"deflator.{year}",
                None,
                f"needed to move kroner between {from_year} and {to_year}; give the deflator (%) "
                "for every year after the earlier price year up to the later one",
            )
        factor *= 1.0 + deflator_pct[year] / 100.0
    return factor if to_year >= from_year else 1.0 / factor


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
            f"the file holds a {_kind(data)}; expected a YAML mapping of fields (name, cost_year, "
            "...)",
        )
    return Config.from_dict(data, base_dir=path.resolve().parent, source=str(path))


# ---------------------------------------------------------------------------------------------
# parsing


def _kind(value: Any) -> str:
    return {list: "list", str: "text", int: "number", float: "number", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


def _maybe_file(section: Section, key: str, default: Any = None) -> tuple[Any, str | None]:
    """A value that may be inline or a path to a YAML file (relative to the config folder).

    A file must hold a mapping (a table); anything else is refused naming the field and the file,
    without quoting the file's content.
    """
    value = section.take(key, default)
    if isinstance(value, str):
        field_name = section.field(key)
        check_text(value, field_name, section.source)
        base = Path(section.source).resolve().parent if section.source else Path(".")
        path = Path(value) if Path(value).is_absolute() else base / value
        data = read_yaml_file(path, field_name, section.source)
        if not isinstance(data, Mapping):
            what = "is empty" if data is None else f"holds a {_kind(data)}"
            raise ConfigError(
                field_name,
                str(path),
                f"the file {what}; expected a YAML table (a mapping of fields)",
                section.source,
            )
        return data, str(path)
    return value, section.source


def _doc(section: Section, key: str) -> str:
    """A documentation field (``source``, ``note``): bounded text, empty when absent."""
    return check_text(section.take(key, ""), section.field(key), section.source)


def _implausible(
    section: Section, key: str, value: float, bound: float, what: str, allow: bool
) -> None:
    """Refuse ``value`` beyond a judgement ``bound`` unless the config says allow_implausible."""
    if allow or abs(value) <= bound:
        return
    raise section.error(
        key,
        value,
        f"{what} must be at most {bound:,.0f} in size. This is a judgement bound, not a law of "
        "nature; if the value is meant, set 'allow_implausible: true' at the top of the config",
    )


def _labels(section: Section) -> tuple[str, str]:
    label = section.take("label", None)
    if label is None:
        return "", ""
    if isinstance(label, str):
        return label, label
    sub = Section(label, section.field("label"), section.source)
    nb = sub.take_str("nb", "")
    en = sub.take_str("en", nb)
    sub.done()
    return nb or en, en


def _parse_profile(data: Any, path: str, source: str | None, *, shares: bool) -> AgeProfile:
    sec = Section(data, path, source)
    bands = sec.take_list("bands")
    for i, band in enumerate(bands):
        if not isinstance(band, (str, int)) or isinstance(band, bool) or len(str(band)) > 20:
            raise sec.error(f"bands[{i}]", band, "an age band such as '0', '1-2' or '90+'")
        try:
            parse_age_group(band)
        except ValueError as exc:
            raise sec.error(f"bands[{i}]", band, str(exc)) from None
    values = {}
    for sex in SEXES:

        def check(v: Any, f: str) -> float:
            # shares are relative, persons are bounded by a country several times Norway's
            bound = None if shares else MAX_PERSONS
            return check_number(v, f, source, low=0.0 if shares else -MAX_PERSONS, high=bound)

        values[sex] = tuple(number_list(sec.take(sex), sec.field(sex), source, len(bands), check))
    profile = AgeProfile(
        tuple(str(b) for b in bands), values["female"], values["male"], _doc(sec, "source")
    )
    try:
        profile.per_age()
    except ValueError as exc:
        raise sec.error("bands", bands, str(exc)) from None
    if shares and not profile.total() > 0:
        raise sec.error("female", values["female"], "a profile needs a positive total")
    sec.done()
    return profile


def _parse_unit_costs(
    data: Any, path: str, source: str | None, groups: AgeGroups, allow: bool = False
) -> UnitCosts:
    sec = Section(data, path, source)
    price_year = int(
        sec.take_number("price_year", integer=True, low=YEAR_RANGE[0], high=YEAR_RANGE[1])
    )
    sectors_sec = sec.section("sectors")
    sectors = []
    for name in list(sectors_sec.data):
        s = sectors_sec.section(str(name))
        free = s.take_number("free_share", low=0.0, high=1.0)
        costs_sec = s.section("unit_costs")
        values = []
        for label in groups.labels:
            if not costs_sec.has(label):
                raise costs_sec.error(label, None, f"missing unit cost for age group {label!r}")
            cost = costs_sec.take_number(label, low=0.0)
            _implausible(costs_sec, label, cost, MAX_UNIT_COST, "a unit cost (kroner)", allow)
            values.append(cost)
        for label in costs_sec.data:
            if label not in groups.labels:
                raise costs_sec.error(
                    str(label),
                    costs_sec.data[label],
                    f"unknown age group; the config's age groups are {list(groups.labels)}",
                )
        costs_sec.done()
        nb, en = _labels(s)
        level = s.take_str("level", "municipality", choices=("municipality", "county"))
        s.done()
        sectors.append(
            Sector(str(name), free, tuple(values), nb or str(name), en or str(name), level)
        )
    if not sectors:
        raise sec.error("sectors", {}, "at least one sector is required")
    source_text = _doc(sec, "source")
    sec.done()
    return UnitCosts(price_year, tuple(sectors), source_text)


def _parse_baseline(data: Any, path: str, source: str | None, allow: bool = False) -> Baseline:
    sec = Section(data, path, source)
    from_year = int(
        sec.take_number("from_year", integer=True, low=YEAR_RANGE[0], high=YEAR_RANGE[1] - 1)
    )
    to_year = int(sec.take_number("to_year", integer=True, low=from_year + 1, high=from_year + 1))
    change = _parse_profile(sec.take("change"), sec.field("change"), source, shares=False)
    deaths = _parse_profile(
        sec.take("expected_deaths"), sec.field("expected_deaths"), source, shares=True
    )
    profile = _parse_profile(
        sec.take("regular_net_immigration_profile"),
        sec.field("regular_net_immigration_profile"),
        source,
        shares=True,
    )
    growth = change.total()
    _implausible(
        sec,
        "change",
        growth,
        MAX_NET_IMMIGRATION,
        "the baseline's population growth in one year (persons; births minus deaths plus net "
        "immigration)",
        allow,
    )
    _check_assumptions(sec)
    text = _doc(sec, "source")
    sec.done()
    return Baseline(from_year, to_year, change, deaths, profile, text)


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


def _parse_population(sec: Section, cost_year: int, allow: bool = False) -> Population:
    kind = PopulationKind(sec.take_str("kind", choices=tuple(k.value for k in PopulationKind)))
    baseline = None
    file = None
    if kind is PopulationKind.PROJECTED:
        data, src = _maybe_file(sec, "baseline")
        if data is None:
            raise sec.error("baseline", None, "a projected population needs a baseline table")
        baseline = _parse_baseline(data, sec.field("baseline"), src, allow)
        if baseline.to_year != cost_year:
            raise sec.error(
                "baseline",
                baseline.to_year,
                f"the baseline must end on 1 January of the cost year {cost_year}",
            )
    elif kind is PopulationKind.OBSERVED:
        file = sec.take_str("file")
    fit = data_dir = None
    level = "national"
    if kind is PopulationKind.STOCHASTIC:
        fit = sec.take_str("fit")
        data_dir = sec.take_str("data")
        level = sec.take_str("level", "national", choices=("national", "municipality"))
    profile = None
    data, src = _maybe_file(sec, "immigrant_profile")
    if data is not None:
        profile = _parse_profile(data, sec.field("immigrant_profile"), src, shares=True)
    sec.done()
    return Population(kind, baseline, file, profile, fit, data_dir, level)


def _parse_scenarios(sec: Section, allow: bool = False) -> tuple[Scenario, ...]:
    scenarios = []
    for name in list(sec.data):
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise sec.error(
                str(name),
                sec.data[name],
                "a scenario name: up to 80 letters, digits, '.', '_' or '-'",
            )
        s = sec.section(name)
        extra = s.take_number("extra_net_immigration", 0.0)
        _implausible(
            s, "extra_net_immigration", extra, MAX_NET_IMMIGRATION, "net immigration a year", allow
        )
        nb, en = _labels(s)
        total = free = None
        if s.has("published"):
            p = s.section("published")
            total = p.take_number("total_bn", None) if p.has("total_bn") else None
            free = p.take_number("free_bn", None) if p.has("free_bn") else None
            p.done()
        s.done()
        scenarios.append(Scenario(str(name), extra, nb or str(name), en or str(name), total, free))
    if not scenarios:
        raise sec.error("", {}, "at least one scenario is required")
    return tuple(scenarios)


def _parse_uncertainty(sec: Section, allow: bool = False) -> Uncertainty:
    lvl = sec.section("extra_net_immigration", {})
    dist = Spread(lvl.take_str("distribution", "fixed", choices=tuple(s.value for s in Spread)))
    scale = 0.0
    if dist is Spread.NORMAL:
        scale = lvl.take_number("sd", low=0.0)
    elif dist in (Spread.UNIFORM, Spread.TRIANGULAR):
        scale = lvl.take_number("half_width", low=0.0)
    if dist is not Spread.FIXED:
        key = "sd" if dist is Spread.NORMAL else "half_width"
        _implausible(lvl, key, scale, MAX_NET_IMMIGRATION, "a spread of net immigration", allow)
    lvl.done()

    def one(key: str, inner: str, high: float | None = None, persons: bool = False) -> float:
        sub = sec.section(key, {})
        value = sub.take_number(inner, 0.0, low=0.0, high=high)
        if persons:
            _implausible(sub, inner, value, MAX_NET_IMMIGRATION, "a spread in persons", allow)
        sub.done()
        return value

    out = Uncertainty(
        LevelSpread(dist, scale),
        immigrant_profile_log_sd=one("immigrant_profile", "log_sd", 3.0),
        births_sd=one("births", "sd", persons=True),
        deaths_relative_sd=one("deaths", "relative_sd", 1.0),
        regular_net_immigration_sd=one("regular_net_immigration", "sd", persons=True),
        unit_cost_log_sd=one("unit_costs", "log_sd", 3.0),
    )
    sec.done()
    return out


def _parse_config(data: Any, base_dir: Path, source: str | None) -> Config:
    top = Section(data, "", source)
    if top.source is None:
        top.source = str(base_dir / "<dict>")
    allow = top.take("allow_implausible", False)
    if not isinstance(allow, bool):
        raise top.error(
            "allow_implausible",
            allow,
            "true or false (true accepts values beyond judgement bounds)",
        )
    name = top.take_str("name")
    if not _NAME.fullmatch(name):
        raise top.error(
            "name",
            name,
            "a short name for the run (it names the output folder): up to 80 letters, digits, "
            "'.', '_' or '-', starting with a letter or digit",
        )
    description = top.take_str("description", "")
    years = {"low": YEAR_RANGE[0], "high": YEAR_RANGE[1]}
    cost_year = int(top.take_number("cost_year", integer=True, **years))
    price_year = int(top.take_number("price_year", integer=True, **years))
    raw_groups = top.take_list("age_groups")
    for i, label in enumerate(raw_groups):
        if not isinstance(label, (str, int)) or isinstance(label, bool) or len(str(label)) > 20:
            raise top.error(f"age_groups[{i}]", label, "an age group such as '0', '1-2' or '90+'")
    try:
        groups = AgeGroups(tuple(str(g) for g in raw_groups))
    except ValueError as exc:
        raise top.error("age_groups", raw_groups, str(exc)) from None
    defl = top.section("deflator", {})
    deflator = {}
    for key in list(defl.data):
        if key in ("source", "note"):
            continue
        try:
            year = int(key)
        except (TypeError, ValueError, OverflowError):
            raise defl.error(str(key), defl.data[key], "keys must be years") from None
        if isinstance(key, bool) or str(year) != str(key).strip():
            raise defl.error(str(key), defl.data[key], "keys must be years such as 2024")
        if year in deflator:  # 2024 and "2024" are different YAML keys but the same year
            raise defl.error(str(key), defl.data[key], f"the year {year} is given twice")
        deflator[year] = defl.take_number(key, low=-50.0, high=100.0)
    defl.done()
    data_uc, src_uc = _maybe_file(top, "unit_costs")
    unit_costs = _parse_unit_costs(data_uc, "unit_costs", src_uc, groups, allow)
    population = _parse_population(top.section("population"), cost_year, allow)
    scenarios = _parse_scenarios(top.section("scenarios"), allow)
    data_u, src_u = _maybe_file(top, "uncertainty", {})
    uncertainty = _parse_uncertainty(Section(data_u, "uncertainty", src_u), allow)
    run_sec = top.section("run", {})
    draws = int(run_sec.take_number("draws", RunDefaults.draws, integer=True, low=1))
    block = int(run_sec.take_number("block_size", RunDefaults.block_size, integer=True, low=1))
    seed = run_sec.take("seed", None)
    if seed is not None:
        seed = int(check_number(seed, run_sec.field("seed"), source, low=0, integer=True))
    run_sec.done()
    economy = None
    if top.has("economy"):
        data_e, src_e = _maybe_file(top, "economy")
        economy = parse_economy(Section(data_e, "economy", src_e), cost_year)
    exceedance = parse_exceedance(top.take("exceedance", None), top)
    cluster = _parse_cluster(top.section("cluster")) if top.has("cluster") else None
    top.done()
    config = Config(
        name=name,
        cost_year=cost_year,
        price_year=price_year,
        age_groups=groups,
        deflator_pct=deflator,
        unit_costs=unit_costs,
        population=population,
        scenarios=scenarios,
        uncertainty=uncertainty,
        run=RunDefaults(draws, block, seed),
        description=description,
        economy=economy,
        exceedance=exceedance,
        cluster=cluster,
        allow_implausible=allow,
        base_dir=base_dir,
        source=source,
    )
    _check_consistency(config)
    return config


_WALLTIME = re.compile(r"^(\d+-)?\d{1,3}:\d{2}(:\d{2})?$")
_MEMORY = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)


def _parse_cluster(sec: Section) -> ClusterSpec:
    kind = sec.take_str("kind", "slurm", choices=("slurm", "pbs"))
    jobs = int(sec.take_number("jobs", 1, integer=True, low=1))
    cores = int(sec.take_number("cores", 1, integer=True, low=1))
    processes = sec.take("processes", None)
    if processes is not None:
        processes = int(
            check_number(
                processes, sec.field("processes"), sec.source, integer=True, low=1, high=cores
            )
        )
    memory = sec.take_str("memory", "4GB")
    if not _MEMORY.match(memory):
        raise sec.error("memory", memory, "a size such as '32GB' or '7.5GiB'")
    walltime = sec.take_str("walltime", "01:00:00")
    if not _WALLTIME.match(walltime):
        raise sec.error("walltime", walltime, "a time such as '02:00:00' or '1-12:00:00'")
    queue = sec.take_str("queue") if sec.has("queue") else None
    account = sec.take_str("account") if sec.has("account") else None
    extra = tuple(str(x) for x in sec.take_list("job_extra", []))
    local = sec.take_str("local_directory") if sec.has("local_directory") else None
    sec.done()
    return ClusterSpec(kind, jobs, cores, processes, memory, walltime, queue, account, extra, local)


def _check_consistency(config: Config) -> None:
    u = config.uncertainty
    pop = config.population
    config.price_factor()  # raises if the deflator lacks a year
    needs_profile = any(s.extra_net_immigration != 0 for s in config.scenarios) or (
        u.extra_net_immigration.scale > 0
    )
    if needs_profile and pop.immigrant_profile is None:
        raise ConfigError(
            "population.immigrant_profile",
            None,
            "scenarios add immigrants, so an immigrant age/sex profile is required",
            config.source,
        )
    if pop.level == "municipality" and any(s.extra_net_immigration for s in config.scenarios):
        raise ConfigError(
            "scenarios",
            [s.name for s in config.scenarios],
            "a municipal run takes its immigration from the projection; give scenarios no "
            "extra_net_immigration",
            config.source,
        )
    if pop.kind in (PopulationKind.OBSERVED, PopulationKind.STOCHASTIC):
        for key, value in (
            ("births.sd", u.births_sd),
            ("deaths.relative_sd", u.deaths_relative_sd),
            ("regular_net_immigration.sd", u.regular_net_immigration_sd),
        ):
            if value != 0:
                raise ConfigError(
                    f"uncertainty.{key}",
                    value,
                    f"must be 0 when population.kind is '{pop.kind.value}' (the change is "
                    "observed, or the projection already carries this uncertainty)",
                    config.source,
                )


# ---------------------------------------------------------------------------------------------
# serialisation


def _profile_to_dict(p: AgeProfile) -> dict[str, Any]:
    out: dict[str, Any] = {"bands": list(p.bands), "female": list(p.female), "male": list(p.male)}
    if p.source:
        out["source"] = p.source
    return out


def unit_costs_to_dict(costs: UnitCosts, groups: AgeGroups) -> dict[str, Any]:
    """A unit-cost table as plain data, the form the config parser reads."""
    return {
        "price_year": costs.price_year,
        "source": costs.source,
        "sectors": {
            s.name: {
                "label": {"nb": s.label_nb, "en": s.label_en},
                "level": s.level,
                "free_share": s.free_share,
                "unit_costs": dict(zip(groups.labels, s.unit_costs, strict=True)),
            }
            for s in costs.sectors
        },
    }


def baseline_to_dict(b: Baseline) -> dict[str, Any]:
    """A baseline table as plain data, the form the config parser reads."""
    return {
        "from_year": b.from_year,
        "to_year": b.to_year,
        "change": _profile_to_dict(b.change),
        "expected_deaths": _profile_to_dict(b.expected_deaths),
        "regular_net_immigration_profile": _profile_to_dict(b.regular_net_immigration_profile),
        "source": b.source,
    }


def _config_to_dict(c: Config) -> dict[str, Any]:
    u = c.uncertainty
    level: dict[str, Any] = {"distribution": u.extra_net_immigration.distribution.value}
    if u.extra_net_immigration.distribution is Spread.NORMAL:
        level["sd"] = u.extra_net_immigration.scale
    elif u.extra_net_immigration.distribution is not Spread.FIXED:
        level["half_width"] = u.extra_net_immigration.scale
    pop: dict[str, Any] = {"kind": c.population.kind.value}
    if c.population.baseline is not None:
        pop["baseline"] = baseline_to_dict(c.population.baseline)
    if c.population.file is not None:
        pop["file"] = c.population.file
    if c.population.fit is not None:
        pop["fit"] = c.population.fit
        pop["data"] = c.population.data
        pop["level"] = c.population.level
    if c.population.immigrant_profile is not None:
        pop["immigrant_profile"] = _profile_to_dict(c.population.immigrant_profile)
    scenarios: dict[str, Any] = {}
    for s in c.scenarios:
        entry: dict[str, Any] = {
            "extra_net_immigration": s.extra_net_immigration,
            "label": {"nb": s.label_nb, "en": s.label_en},
        }
        published = {
            k: v
            for k, v in (("total_bn", s.published_total_bn), ("free_bn", s.published_free_bn))
            if v is not None
        }
        if published:
            entry["published"] = published
        scenarios[s.name] = entry
    run: dict[str, Any] = {"draws": c.run.draws, "block_size": c.run.block_size}
    if c.run.seed is not None:
        run["seed"] = c.run.seed
    return {
        "name": c.name,
        "description": c.description,
        "cost_year": c.cost_year,
        "price_year": c.price_year,
        "age_groups": list(c.age_groups.labels),
        "deflator": {int(k): v for k, v in sorted(c.deflator_pct.items())},
        "unit_costs": unit_costs_to_dict(c.unit_costs, c.age_groups),
        "population": pop,
        "scenarios": scenarios,
        "uncertainty": {
            "extra_net_immigration": level,
            "immigrant_profile": {"log_sd": u.immigrant_profile_log_sd},
            "births": {"sd": u.births_sd},
            "deaths": {"relative_sd": u.deaths_relative_sd},
            "regular_net_immigration": {"sd": u.regular_net_immigration_sd},
            "unit_costs": {"log_sd": u.unit_cost_log_sd},
        },
        "run": run,
        **({"economy": economy_to_dict(c.economy)} if c.economy is not None else {}),
        **({"exceedance": thresholds_to_list(c.exceedance)} if c.exceedance else {}),
        **({"cluster": _cluster_to_dict(c.cluster)} if c.cluster is not None else {}),
        # only when set, so that the checksums of ordinary configurations do not change
        **({"allow_implausible": True} if c.allow_implausible else {}),
    }


def _cluster_to_dict(c: ClusterSpec) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": c.kind,
        "jobs": c.jobs,
        "cores": c.cores,
        "memory": c.memory,
        "walltime": c.walltime,
        "job_extra": list(c.job_extra),
    }
    for key in ("processes", "queue", "account", "local_directory"):
        if getattr(c, key) is not None:
            out[key] = getattr(c, key)
    return out
