"""The ``population`` section: where the population change comes from."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from mc.model.config.common import maybe_file
from mc.model.config.tables import AgeProfile, Baseline, parse_baseline, parse_profile
from mc.model.fields import Section
from mc.model.schema import OMIT, read, setting


class PopulationKind(StrEnum):
    """Where the population change comes from.

    ``projected``: a fixed baseline table plus the simple population drivers; ``observed``: SSB's
    figures; ``stochastic``: the fitted stochastic projection (``tbu-mc population fit``);
    ``components``: the cohort-component projection of the nation, fitted on the data folder
    when the run starts (births, deaths and mean-reverting net migration).
    """

    PROJECTED = "projected"
    OBSERVED = "observed"
    STOCHASTIC = "stochastic"
    COMPONENTS = "components"


class NationalModel(StrEnum):
    """The national draw a municipal run reconciles its municipalities to.

    ``ratios``: the fit file's own Hamilton-Perry random walk of the nation; ``components``: the
    cohort-component projection of the nation (as ``kind: components``), fitted on the data
    folder when the run starts at the fit's origin. Either way the municipalities advance with
    the national ratios of the draw times their own excess and are scaled to the national draw
    cell by cell (sex and single-year age).
    """

    RATIOS = "ratios"
    COMPONENTS = "components"


def _only(*kinds: PopulationKind) -> Any:
    """Read the field only for some kinds of population (required there, ``None`` otherwise)."""

    def parse(sec: Section, key: str, values: dict[str, Any], allow: bool) -> str | None:
        return sec.take_str(key) if values["kind"] in kinds else None

    return parse


def _origin(sec: Section, key: str, values: dict[str, Any], allow: bool) -> int | None:
    """A projection's origin (1 January); default the year before the cost year."""
    kinds = (PopulationKind.COMPONENTS, PopulationKind.STOCHASTIC)
    if values["kind"] not in kinds or not sec.has(key):
        return None
    return int(sec.take_number(key, low=1900, high=2100, integer=True))


def _baseline(sec: Section, key: str, values: dict[str, Any], allow: bool) -> Baseline | None:
    if values["kind"] is not PopulationKind.PROJECTED:
        return None
    data, src = maybe_file(sec, key)
    if data is None:
        raise sec.error(key, None, "a projected population needs a baseline table")
    return parse_baseline(data, sec.field(key), src, allow)


def _level(sec: Section, key: str, values: dict[str, Any], allow: bool) -> str:
    if values["kind"] is not PopulationKind.STOCHASTIC:
        return "national"
    return sec.take_str(key, "national", choices=("national", "municipality"))


def _national_model(sec: Section, key: str, values: dict[str, Any], allow: bool) -> NationalModel:
    if values["level"] != "municipality":
        if key in sec.data:  # not sec.has: other runs do not list the field as allowed
            raise sec.error(
                key,
                sec.data[key],
                "only a municipal run (kind: stochastic, level: municipality) has a national "
                "model; a national run chooses its projection with population.kind",
            )
        return NationalModel.RATIOS
    choices = tuple(m.value for m in NationalModel)
    return NationalModel(sec.take_str(key, NationalModel.RATIOS.value, choices=choices))


def _profile(sec: Section, key: str, values: dict[str, Any], allow: bool) -> AgeProfile | None:
    data, src = maybe_file(sec, key)
    return None if data is None else parse_profile(data, sec.field(key), src, shares=True)


@dataclass(frozen=True)
class Population:
    """The population side of the model."""

    kind: PopulationKind = setting("choice", choices=PopulationKind)
    baseline: Baseline | None = setting("custom", None, parse=_baseline)
    file: str | None = setting("custom", None, parse=_only(PopulationKind.OBSERVED))
    immigrant_profile: AgeProfile | None = setting("custom", None, parse=_profile)
    fit: str | None = setting("custom", None, parse=_only(PopulationKind.STOCHASTIC))
    data: str | None = setting(
        "custom", None, parse=_only(PopulationKind.STOCHASTIC, PopulationKind.COMPONENTS)
    )
    #: components and stochastic: the projection's origin (data up to 1 January of it), default
    #: the year before the cost year, as TBU forecasts in the spring of that year; a stochastic
    #: fit must have been made from it (its date is the one ``as_of`` checks)
    origin: int | None = setting("custom", None, parse=_origin)
    # only a stochastic projection is regional; other kinds do not write the field
    level: str = setting(
        "custom", "national", parse=_level, dump=lambda v, p: v if p.fit is not None else OMIT
    )
    #: municipal runs only: where the national draw comes from (:class:`NationalModel`); the
    #: default is not written, so a configuration without the key keeps its checksum
    national_model: NationalModel = setting(
        "custom",
        NationalModel.RATIOS,
        parse=_national_model,
        dump=lambda v, p: v.value if v is not NationalModel.RATIOS else OMIT,
    )


def parse_population(sec: Section, cost_year: int, allow: bool = False) -> Population:
    """Validate the ``population`` section; a baseline must end in the cost year."""
    population = Population(**read(Population, sec, allow))
    baseline = population.baseline
    if baseline is not None and baseline.to_year != cost_year:
        raise sec.error(
            "baseline",
            baseline.to_year,
            f"the baseline must end on 1 January of the cost year {cost_year}",
        )
    if population.origin is not None and not 1 <= cost_year - population.origin <= 10:
        raise sec.error(
            "origin",
            population.origin,
            f"the origin must lie 1-10 years before the cost year {cost_year}",
        )
    sec.done()
    return population
