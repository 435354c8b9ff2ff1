r"""The one factory of the models a run draws from, and their point estimates.

National configurations give a :class:`~mc.model.demographic.DemographicModel` (fixed baseline)
or a :class:`~mc.model.demographic.ProjectedCostModel` (stochastic projection), wrapped in an
:class:`~mc.model.economy.EconomyModel` when the configuration has an ``economy`` section;
municipal configurations give a :class:`~mc.model.municipal.MunicipalCostModel`. All of them are
:class:`CostModel`\ s: the engine draws them, the summary names their outputs by ``dims`` and
``coords``.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np

from mc.errors import ConfigError
from mc.model.config import Config
from mc.model.demographic import (
    build_model,
    config_population,
    deterministic_outputs,
    model_years,
)
from mc.model.economy import DemographicPart, EconomyModel, residual_sd
from mc.model.municipal import MunicipalCostModel, build_municipal_model
from mc.model.population import PopulationTable


@runtime_checkable
class CostModel(Protocol):
    """What a run needs from a model: draws, and the names of their axes."""

    @property
    def coords(self) -> dict[str, list[Any]]:
        """Coordinate values of each dimension (``scenario``, ``year``, ``sector``, ...)."""
        ...

    @property
    def dims(self) -> dict[str, tuple[str, ...]]:
        """The dimensions of each output variable, after the draw axis."""
        ...

    def simulate(self, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
        """Draw ``n`` outcomes of every variable (draws on axis 0)."""
        ...


def build_cost_model(
    config: Config, population: PopulationTable | None = None, *, costs_only: bool = False
) -> CostModel:
    """The model a run of ``config`` draws from.

    Parameters
    ----------
    config : Config
        A validated configuration.
    population : PopulationTable, optional
        The observed population (default: the configuration's); national models only.
    costs_only : bool
        With an ``economy`` section, only its demographic costs (:class:`DemographicPart`: the
        same draws as the full model's, without the economy).

    Raises
    ------
    ConfigError
        If a municipal configuration has an ``economy`` section.
    """
    if config.population.level == "municipality":
        if config.economy is not None:
            raise ConfigError(
                "economy",
                "section present",
                "the economy runs on national demographic costs; remove it from "
                "a municipal configuration",
            )
        return build_municipal_model(config)
    if population is None:
        population = config_population(config)
    base = build_model(config, population)
    if config.economy is None:
        return base
    if costs_only:
        return DemographicPart(base)
    return EconomyModel(
        base, config.economy, residual_sd(config.economy), model_years(config, population)
    )


def point_estimates(
    config: Config, model: CostModel, population: PopulationTable | None = None
) -> dict[str, np.ndarray]:
    """Every output of ``model`` with all drivers at their central values."""
    if isinstance(model, MunicipalCostModel):
        return model.point_estimates()
    point = deterministic_outputs(config, population)
    if isinstance(model, EconomyModel):
        point.update(model.point_estimates(point))
    return point
