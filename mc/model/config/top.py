"""The top level of a configuration: :class:`Config`, its fields and the checks across sections.

A configuration names the cost year and price year, the age groups, the unit costs per sector, the
population change (a baseline projection or observed figures), the scenarios and the uncertainty
of every driver. Tables may be inline or in separate YAML files referenced by a path relative to
the configuration file; :meth:`Config.to_dict` always gives the resolved, self-contained form.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mc.errors import ConfigError, TbuMcWarning
from mc.model.ages import AgeGroups
from mc.model.config import economy as econ
from mc.model.config.cluster import ClusterSpec
from mc.model.config.common import (
    NAME_HELP,
    NAME_PATTERN,
    SHIPPED_CONFIGS,
    YEAR_RANGE,
    maybe_file,
)
from mc.model.config.dates import population_published
from mc.model.config.population import Population, PopulationKind, parse_population
from mc.model.config.run import RunDefaults
from mc.model.config.scenarios import Scenario, parse_scenarios, scenarios_to_dict
from mc.model.config.tables import UnitCosts, parse_unit_costs, unit_costs_to_dict
from mc.model.config.uncertainty import Uncertainty
from mc.model.config.views import ModelView, View
from mc.model.economy_spec import EconomySpec, Threshold
from mc.model.fields import Section, check_text
from mc.model.schema import OMIT, read, read_date, setting, write

_YEAR = {"low": YEAR_RANGE[0], "high": YEAR_RANGE[1]}


@dataclass(frozen=True)
class Description:
    """A configuration's description in Norwegian and English (a report shows one)."""

    nb: str
    en: str

    def text(self, lang: str) -> str:
        """The description in ``lang`` (``nb`` or ``en``)."""
        return self.en if lang == "en" else self.nb


def _description(sec: Section, key: str, values: dict[str, Any], allow: bool) -> str | Description:
    raw = sec.take(key, "")
    if not isinstance(raw, dict):
        return check_text(raw, sec.field(key), sec.source)
    sub = Section(raw, sec.field(key), sec.source)
    nb, en = sub.take_str("nb", ""), sub.take_str("en", "")
    sub.done()
    if not nb or not en:
        raise sec.error(key, raw, "text, or {nb: ..., en: ...} with a text in both languages")
    return Description(nb, en)


def _age_groups(sec: Section, key: str, values: dict[str, Any], allow: bool) -> AgeGroups:
    raw = sec.take_list(key)
    for i, label in enumerate(raw):
        if not isinstance(label, (str, int)) or isinstance(label, bool) or len(str(label)) > 20:
            raise sec.error(f"{key}[{i}]", label, "an age group such as '0', '1-2' or '90+'")
    try:
        return AgeGroups(tuple(str(g) for g in raw))
    except ValueError as exc:
        raise sec.error(key, raw, str(exc)) from None


@dataclass(frozen=True)
class Deflator(Mapping[int, float]):
    """The municipal deflator (% growth by year), with the day each year's figure was public.

    Each year is written ``2024: {pct: 4.3, published: 2023-10-06}``; the short form
    ``2024: 4.3`` has no date and :meth:`Config.undated_inputs` lists it (every shipped
    configuration dates its deflator, and a test holds them to it).
    """

    pct: Mapping[int, float]
    published: Mapping[int, dt.date]

    def __getitem__(self, year: int) -> float:
        return self.pct[year]

    def __iter__(self) -> Iterator[int]:
        return iter(self.pct)

    def __len__(self) -> int:
        return len(self.pct)


def _deflator(sec: Section, key: str, values: dict[str, Any], allow: bool) -> Deflator:
    defl = sec.section(key, {})
    deflator: dict[int, float] = {}
    published: dict[int, dt.date] = {}
    for year_key in list(defl.data):
        if year_key in ("source", "note"):
            continue
        try:
            year = int(year_key)
        except (TypeError, ValueError, OverflowError):
            raise defl.error(str(year_key), defl.data[year_key], "keys must be years") from None
        if isinstance(year_key, bool) or str(year) != str(year_key).strip():
            raise defl.error(str(year_key), defl.data[year_key], "keys must be years such as 2024")
        if year in deflator:  # 2024 and "2024" are different YAML keys but the same year
            raise defl.error(str(year_key), defl.data[year_key], f"the year {year} is given twice")
        if isinstance(defl.data[year_key], dict):
            entry = defl.section(year_key)
            deflator[year] = entry.take_number("pct", low=-50.0, high=100.0)
            published[year] = read_date(
                entry.take("published"), entry.field("published"), entry.source
            )
            entry.done()
        else:
            deflator[year] = defl.take_number(year_key, low=-50.0, high=100.0)
    defl.done()
    return Deflator(deflator, published)


def _dump_deflator(v: Mapping[int, float], c: Any) -> dict[int, Any]:
    dates = v.published if isinstance(v, Deflator) else {}
    return {
        int(k): {"pct": x, "published": dates[k].isoformat()} if k in dates else x
        for k, x in sorted(v.items())
    }


def _unit_costs(sec: Section, key: str, values: dict[str, Any], allow: bool) -> UnitCosts:
    data, source = maybe_file(sec, key)
    return parse_unit_costs(data, key, source, values["age_groups"], allow)


def _population(sec: Section, key: str, values: dict[str, Any], allow: bool) -> Population:
    return parse_population(sec.section(key), values["cost_year"], allow)


def _scenarios(sec: Section, key: str, values: dict[str, Any], allow: bool) -> tuple[Scenario, ...]:
    return parse_scenarios(sec.section(key), allow)


def _uncertainty(sec: Section, key: str, values: dict[str, Any], allow: bool) -> Uncertainty:
    data, source = maybe_file(sec, key, {})
    sub = Section(data, key, source)
    uncertainty = Uncertainty(**read(Uncertainty, sub, allow))
    sub.done()
    return uncertainty


@dataclass(frozen=True)
class Config:
    """A validated tbu-mc configuration. Build it with :func:`load_config` or :meth:`from_dict`."""

    name: str = setting(
        "text",
        pattern=NAME_PATTERN,
        help=f"a short name for the run (it names the output folder): {NAME_HELP}",
    )
    cost_year: int = setting("integer", **_YEAR)
    price_year: int = setting("integer", **_YEAR)
    age_groups: AgeGroups = setting("custom", parse=_age_groups, dump=lambda v, c: list(v.labels))
    deflator_pct: Mapping[int, float] = setting(
        "custom",
        key="deflator",
        parse=_deflator,
        dump=_dump_deflator,
    )
    unit_costs: UnitCosts = setting(
        "custom", parse=_unit_costs, dump=lambda v, c: unit_costs_to_dict(v, c.age_groups)
    )
    population: Population = setting("custom", parse=_population)
    scenarios: tuple[Scenario, ...] = setting("custom", parse=_scenarios, dump=scenarios_to_dict)
    uncertainty: Uncertainty = setting("custom", Uncertainty(), parse=_uncertainty)
    run: RunDefaults = setting("section", RunDefaults(), schema=RunDefaults)
    #: One text for both languages, or ``{nb: ..., en: ...}`` (:class:`Description`).
    description: str | Description = setting(
        "custom",
        "",
        parse=_description,
        dump=lambda v, c: v if isinstance(v, str) else {"nb": v.nb, "en": v.en},
        help="text, or {nb: ..., en: ...} with the text in each report language",
    )
    #: The information date: inputs published after it are refused (or flagged, below).
    as_of: dt.date | None = setting("date", None)
    flag_late_inputs: bool = setting(
        "bool",
        False,
        help="true or false (true keeps inputs published after as_of, with a warning, and the "
        "manifest lists them)",
        omit="falsy",
    )
    economy: EconomySpec | None = setting(
        "custom", None, parse=econ.read_economy, dump=econ.write_economy
    )
    exceedance: tuple[Threshold, ...] = setting(
        "custom", (), parse=econ.read_exceedance, dump=econ.write_exceedance, omit="falsy"
    )
    cluster: ClusterSpec | None = setting("section", None, schema=ClusterSpec)
    #: The model's own forecast beside TBU's central path (mc/model/config/views.py).
    model_view: ModelView | None = setting("section", None, schema=ModelView)
    #: Which view is the headline; the other is computed and shown beside it. Written only with
    #: a model view, so the checksums of single-view configurations do not change.
    view: View = setting(
        "choice",
        View.TBU,
        choices=View,
        dump=lambda v, c: v.value if c.model_view is not None else OMIT,
    )
    # written only when set, so that the checksums of ordinary configurations do not change
    allow_implausible: bool = setting(
        "bool",
        False,
        help="true or false (true accepts values beyond judgement bounds)",
        omit="falsy",
    )
    base_dir: Path = setting("custom", Path("."), key=None, compare=False)
    source: str | None = setting("custom", None, key=None, compare=False)
    #: The run-time changes applied to the file (``--set``, ``--scenario``), as ``key.path=value``
    #: lines for the manifest; the changed values themselves are in the fields above.
    overrides: tuple[str, ...] = setting("custom", (), key=None, compare=False)

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

    def component_data(self) -> Path:
        """Absolute path of the data folder of a cohort-component population."""
        data = self._resolve(self.population.data)
        if data is None:
            raise ConfigError("population.data", None, "a component population needs data")
        return data

    def component_origin(self) -> int:
        """Origin of a component or stochastic projection: as configured, else cost year - 1."""
        origin = self.population.origin
        return self.cost_year - 1 if origin is None else origin

    def _resolve(self, value: str | None) -> Path | None:
        if value is None:
            return None
        path = Path(value)
        if path.is_absolute():
            return path
        here = (self.base_dir / path).resolve()
        # a configuration copied out of configs/ still finds the shipped fit and data
        shipped = SHIPPED_CONFIGS / path
        return shipped if not here.exists() and shipped.exists() else here

    def population_years(self) -> tuple[int, ...]:
        """The years whose 1 January population the run reads from SSB's files.

        An observed population reads the cost year and the year before; a component or
        stochastic projection reads the data up to its origin (:meth:`component_origin`; a
        stochastic fit made from another origin is refused when it is loaded); TBU's view with
        a model view beside it reads the data up to the model's origin. A projected baseline
        carries its own date (:class:`~mc.model.config.tables.Baseline`).
        """
        pop, years = self.population, set()
        if pop.kind is PopulationKind.OBSERVED:
            years.add(self.cost_year)
        elif pop.kind in (PopulationKind.COMPONENTS, PopulationKind.STOCHASTIC):
            years.add(self.component_origin())
        if self.model_view is not None:
            origin = self.model_view.origin
            years.add(self.cost_year - 1 if origin is None else origin)
        return tuple(sorted(years))

    def dated_inputs(self) -> tuple[tuple[str, dt.date | None], ...]:
        """Every input the run reads, as ``(field, published)``; ``None`` where it has no date.

        The economy rows, each deflator year, each unit-cost sector, the baseline table, the
        immigrant profile, an estimated uncertainty table (a spread written in the configuration
        is judgement made for it, not an input), each scenario's published result and the
        population data (by :func:`~mc.model.config.dates.population_published`).
        """
        rows: list[tuple[str, dt.date | None]] = []
        if self.economy is not None:
            rows += list(self.economy.dated_rows())
        dates = self.deflator_pct.published if isinstance(self.deflator_pct, Deflator) else {}
        rows += [(f"deflator.{y}", dates.get(y)) for y in sorted(self.deflator_pct)]
        rows += [
            (f"unit_costs.sectors.{s.name}.published", s.published) for s in self.unit_costs.sectors
        ]
        pop = self.population
        if pop.baseline is not None:
            rows.append(("population.baseline.published", pop.baseline.published))
        if pop.immigrant_profile is not None:
            rows.append(("population.immigrant_profile.published", pop.immigrant_profile.published))
        if self.uncertainty.published is not None:
            rows.append(("uncertainty.published", self.uncertainty.published))
        rows += [
            (f"scenarios.{s.name}.published.date", s.published_date)
            for s in self.scenarios
            if s.published_total_bn is not None or s.published_free_bn is not None
        ]
        rows += [
            (f"population.data.1.1.{y}", population_published(y)) for y in self.population_years()
        ]
        return tuple(rows)

    def undated_inputs(self) -> tuple[str, ...]:
        """The inputs without a date: :func:`check_as_of` cannot check them (see docs/inputs.md)."""
        return tuple(f for f, d in self.dated_inputs() if d is None)

    def late_inputs(self) -> tuple[tuple[str, dt.date], ...]:
        """The dated inputs published after :attr:`as_of`, as ``(field, published)``."""
        if self.as_of is None:
            return ()
        return tuple((f, d) for f, d in self.dated_inputs() if d is not None and d > self.as_of)

    # -- serialisation ------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The resolved configuration as plain data (tables inlined); :meth:`from_dict` reads it."""
        return write(self)

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
        return parse_config(data, Path(base_dir), source)


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


def parse_config(data: Any, base_dir: Path, source: str | None) -> Config:
    """Validate plain data into a :class:`Config`; see :meth:`Config.from_dict`."""
    top = Section(data, "", source)
    if top.source is None:
        top.source = str(base_dir / "<dict>")
    # read first: the judgement bounds of every other section depend on it
    allow = read(Config, top, only=("allow_implausible",))["allow_implausible"]
    given = {"allow_implausible": allow, "base_dir": base_dir, "source": source, "overrides": ()}
    config = Config(**read(Config, top, allow, given))
    top.done()
    check_consistency(config)
    return config


def check_consistency(config: Config) -> None:
    """Rules that tie sections together.

    Raises
    ------
    ConfigError
        When the deflator lacks a year, scenarios add immigrants without an immigrant profile, a
        municipal run has scenario immigration, or observed/stochastic populations carry the simple
        population drivers' spreads.
    """
    check_as_of(config)
    check_economy_prices(config)
    u = config.uncertainty
    pop = config.population
    config.price_factor()  # raises if the deflator lacks a year
    check_views(config)
    needs_profile = any(s.extra_net_immigration != 0 for s in config.scenarios) or (
        max(u.extra_net_immigration.scale, u.extra_net_immigration.scale_high) > 0
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
    if pop.kind in (PopulationKind.OBSERVED, PopulationKind.STOCHASTIC, PopulationKind.COMPONENTS):
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


def check_views(config: Config) -> None:
    """A second view needs TBU's projected baseline to stand beside; ``view: model`` needs one.

    Raises
    ------
    ConfigError
        Naming ``view``, ``model_view`` or ``model_view.reference`` and what is allowed.
    """
    mv = config.model_view
    if mv is None:
        if config.view is View.MODEL:
            raise ConfigError(
                "view",
                config.view.value,
                "'model' needs a model_view section (the data folder of the component "
                "projection); without one the only view is the configuration's own: 'tbu'",
                config.source,
            )
        return
    if config.population.kind is not PopulationKind.PROJECTED:
        raise ConfigError(
            "model_view",
            "section present",
            "the model's view stands beside TBU's central path, a projected baseline "
            f"(population.kind: projected); this configuration's kind is "
            f"'{config.population.kind.value}'",
            config.source,
        )
    names = config.scenario_names
    if mv.reference is not None and mv.reference not in names:
        raise ConfigError(
            "model_view.reference", mv.reference, f"must be one of {list(names)}", config.source
        )
    if mv.origin is not None and not 1 <= config.cost_year - mv.origin <= 10:
        raise ConfigError(
            "model_view.origin",
            mv.origin,
            f"the origin must lie 1-10 years before the cost year {config.cost_year}",
            config.source,
        )


class LateInputWarning(TbuMcWarning):
    """An input published after the configuration's ``as_of`` was kept (``flag_late_inputs``)."""


def check_as_of(config: Config) -> None:
    """Refuse (or, with ``flag_late_inputs``, flag) input rows published after ``as_of``.

    Raises
    ------
    ConfigError
        When a configuration with an economy section has no ``as_of``, or a dated row of its
        tables was published after it; the error names the table, the row, its date and as_of.
    """
    if config.as_of is None:
        if config.economy is None:
            return
        raise ConfigError(
            "as_of",
            None,
            "a configuration with an economy section states its information date, "
            "as_of: YYYY-MM-DD (inputs published later are refused)",
            config.source,
        )
    late = config.late_inputs()
    for field, published in late:
        if not config.flag_late_inputs:
            rule = (
                f"published {published.isoformat()}, after as_of {config.as_of.isoformat()}; a "
                "run may use only inputs public on its as_of date (move as_of, use an earlier "
                "figure, or set 'flag_late_inputs: true' to keep it with a warning)"
            )
            raise ConfigError(field, published.isoformat(), rule, _input_source(config, field))
    if late:  # one note for all of them: each is listed with its date in the manifest
        listed = ", ".join(
            f"{field} ({Path(_input_source(config, field) or '').name}, {published.isoformat()})"
            for field, published in late
        )
        warnings.warn(
            LateInputWarning(
                f"{len(late)} input(s) published after as_of {config.as_of.isoformat()} kept "
                f"(flag_late_inputs: true): {listed}; the run's manifest lists them under "
                "late_inputs",
                "late_inputs",
                n=len(late),
                as_of=config.as_of.isoformat(),
                listed=listed,
            ),
            stacklevel=2,
        )


def _input_source(config: Config, field: str) -> str | None:
    """The file a dated input came from: its table where it has one, else the configuration."""
    pop, tables = config.population, config.source
    if field.startswith("economy.") and config.economy is not None:
        tables = config.economy.source
    elif field.startswith("unit_costs."):
        tables = config.unit_costs.file
    elif field.startswith("population.baseline.") and pop.baseline is not None:
        tables = pop.baseline.file
    elif field.startswith("population.immigrant_profile.") and pop.immigrant_profile is not None:
        tables = pop.immigrant_profile.file
    elif field.startswith("uncertainty."):
        tables = config.uncertainty.file
    return tables or config.source


def check_economy_prices(config: Config) -> None:
    """Plan years after the price year take the model's demographic costs, in the price year.

    Raises
    ------
    ConfigError
        When such a plan year states its demographic costs in another price year (they would be
        replaced by the model's, counted in the configuration's ``price_year``).
    """
    if config.economy is None:
        return
    spec = config.economy
    for year, price_year in zip(spec.years, spec.demographic_price_years(), strict=True):
        if year > config.price_year and price_year != config.price_year:
            raise ConfigError(
                f"economy.plan.{year}.demographic_price_year",
                price_year,
                f"{config.price_year} (the configuration's price_year): the model's demographic "
                f"costs for {year} replace the plan's and are counted in "
                f"{config.price_year}-kroner",
                spec.source,
            )
