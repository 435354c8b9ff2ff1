"""Two views of one cost year: TBU's central path and the model's own forecast.

A configuration with a projected baseline (TBU's inputs: SSB's middle alternative plus TBU's
extra refugees) may add a ``model_view`` section. The run then also computes the same costs on the
cohort-component projection fitted on the data folder (``population.kind: components``), and
``view`` says which of the two is the headline; the other is computed and shown beside it.

What the scenarios mean in the model's view. TBU's extra net immigration is a level *above SSB's
middle alternative*, which was made in 2022, before the refugees from Ukraine: the 28,000 is the
refugee flow that alternative lacks. The component projection's migration forecast starts from the
last observed year (2023: 53,000, the refugees included) and returns towards its long-run level,
so it already holds a refugee flow; adding 28,000 on top would count the refugees twice. In the
model's view a scenario is therefore its difference from the reference scenario (by default the
first, TBU's main alternative): main adds nothing to the model's forecast, high adds 8,000 and
low subtracts 8,000, TBU's own ±8,000 around its centre. The spreads the TBU view puts on births,
deaths, regular and extra net immigration are dropped in the model's view: the projection draws
those itself.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from mc.model.config.population import Population, PopulationKind
from mc.model.config.uncertainty import LevelSpread
from mc.model.schema import setting

if TYPE_CHECKING:
    from mc.model.config.top import Config


class View(StrEnum):
    """Which view a band belongs to."""

    #: TBU's inputs (baseline + extra refugees) with the model's errors around them.
    TBU = "tbu"
    #: The cohort-component projection from the data: the model's own forecast.
    MODEL = "model"


@dataclass(frozen=True)
class ModelView:
    """Where the model's own forecast comes from (the ``model_view`` section)."""

    #: The data folder (population and ``components/``), relative to the config file.
    data: str = setting("text")
    #: The projection's origin; default the year before the cost year.
    origin: int | None = setting("integer", None, low=1900, high=2100)
    #: The scenario the others are measured from in the model's view (default the first).
    reference: str | None = setting("text", None)


def other_view(view: View) -> View:
    """The view that is not ``view``."""
    return View.MODEL if view is View.TBU else View.TBU


def reference_scenario(config: Config) -> str:
    """The scenario whose extra immigration is the model view's zero."""
    assert config.model_view is not None  # checked by the callers
    return config.model_view.reference or config.scenarios[0].name


def view_config(config: Config, view: View) -> Config:
    """The configuration of one view alone (no ``model_view`` section: it runs as usual).

    ``View.TBU`` is the configuration as written; ``View.MODEL`` has a ``components`` population
    on the ``model_view`` data, scenarios measured from the reference scenario and no spreads on
    the population drivers the projection draws itself (see the module docstring).
    """
    alone = dataclasses.replace(config, model_view=None, view=view)
    if view is View.TBU or config.model_view is None:
        return alone
    mv = config.model_view
    zero = next(s for s in config.scenarios if s.name == reference_scenario(config))
    scenarios = tuple(
        dataclasses.replace(
            s, extra_net_immigration=s.extra_net_immigration - zero.extra_net_immigration
        )
        for s in config.scenarios
    )
    population = Population(
        kind=PopulationKind.COMPONENTS,
        data=mv.data,
        origin=mv.origin,
        immigrant_profile=config.population.immigrant_profile,
    )
    uncertainty = dataclasses.replace(
        config.uncertainty,
        extra_net_immigration=LevelSpread(),
        births_sd=0.0,
        deaths_relative_sd=0.0,
        regular_net_immigration_sd=0.0,
    )
    return dataclasses.replace(
        alone, population=population, scenarios=scenarios, uncertainty=uncertainty
    )
