"""Demographic costs on the cohort-component projection of the nation (``kind: components``).

The population change of every year up to the cost year is drawn from
:class:`~mc.model.components.ComponentModel`, fitted when the run starts on the data known on
1 January of the origin (deaths, births and migration up to the year before). Births, deaths and
mean-reverting net migration are then the projection's; the cost drivers a configuration adds on
top are the scenarios' extra net immigration (with the immigrant profile), the profile's and the
unit costs' errors, exactly as for the Hamilton-Perry projection (``kind: stochastic``).

Streams: the projection reads the block's generator itself, so a block's population draws are the
ones :func:`mc.workflow.components.forecast_components` gives for the same entropy and block size;
the cost drivers read its first spawned child (spawning leaves the parent's stream untouched).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from mc.data.components import read_components
from mc.errors import ConfigError
from mc.kernels import simulate_costs
from mc.kernels.projection import group_sums
from mc.model.ages import N_AGES, format_age_group
from mc.model.components import ComponentFit, ComponentModel, fit_components
from mc.model.config import Config
from mc.model.demographic import DemographicModel, derive_outputs, stack_years, year_changes
from mc.model.population import PopulationTable
from mc.model.projection import output_groups

#: Single-year ages as output groups: the central path by age (the kernel reports groups only).
SINGLE_AGES = (*(format_age_group(a, a) for a in range(N_AGES - 1)), f"{N_AGES - 1}+")


def component_fit(config: Config, population: PopulationTable) -> ComponentFit:
    """Fit the component projection of a ``components`` configuration on its data folder.

    Raises
    ------
    ConfigError
        If the origin is not 1-10 years before the cost year.
    DataError
        If the data folder lacks a series the origin needs.
    """
    origin = config.component_origin()
    if not 1 <= config.cost_year - origin <= 10:
        raise ConfigError(
            "population.origin",
            origin,
            f"the origin must lie 1-10 years before the cost year {config.cost_year}",
        )
    return fit_components(population, read_components(config.component_data()), origin)


def component_model(
    config: Config, population: PopulationTable, fit: ComponentFit | None = None
) -> ComponentModel:
    """The projection of a ``components`` configuration, reporting the config's age groups."""
    fit = fit if fit is not None else component_fit(config, population)
    return ComponentModel(fit, config.cost_year - fit.origin, config.age_groups.labels)


@dataclass(frozen=True)
class CentralPath:
    """The projection's central path (no noise) and its components, by single-year age.

    Arrays are ``(H, A)`` (both sexes), one row per projected year: ``change`` is the population
    on 1 January of the year after minus the one before; ``ageing`` what the cohorts moving one
    age up alone would change; ``births`` the year's births (at age 0); ``migration`` the
    process's net migration spread by its profile; ``deaths`` the rest, so that ``change = ageing
    + births - deaths + migration`` holds exactly (it includes the infants' and the migrants'
    deaths).
    """

    start: np.ndarray  # (A,) population on 1 January of the origin
    change: np.ndarray
    ageing: np.ndarray
    births: np.ndarray
    deaths: np.ndarray
    migration: np.ndarray


def ageing(population: np.ndarray) -> np.ndarray:
    """Change by age ``(A,)`` if every cohort moved one age up and nobody was born or died."""
    out = -population.astype(float)
    out[1:] += population[:-1]
    out[-1] += population[-1]  # the open age keeps its people
    return out


def central_path(fit: ComponentFit, horizon: int) -> CentralPath:
    """The central path of ``fit`` over ``horizon`` years, by single-year age."""
    quiet = ComponentModel(fit.quiet(), horizon, SINGLE_AGES)
    draw = quiet.simulate(np.random.default_rng(0), 1, backend="numpy")
    path = np.concatenate([fit.start.sum(axis=0)[None], draw["population"][0, 0, :, 1:]])
    rows = {name: [] for name in ("ageing", "births", "migration", "deaths")}
    for h in range(horizon):
        born = np.zeros(N_AGES)
        born[0] = draw["births"][0, h]
        moved = draw["net_migration"][0, h] * fit.profile.sum(axis=0)
        aged = ageing(path[h])
        rows["ageing"].append(aged)
        rows["births"].append(born)
        rows["migration"].append(moved)
        rows["deaths"].append(aged + born + moved - (path[h + 1] - path[h]))
    arrays = {k: np.array(v) for k, v in rows.items()}
    return CentralPath(start=path[0], change=np.diff(path, axis=0), **arrays)


@dataclass(frozen=True)
class ComponentCostModel:
    """Demographic costs on the component projection: each draw has its own population path.

    ``costs`` holds the cost drivers (scenarios, profile, unit costs; no baseline change);
    ``group_costs`` the unit costs per age group in the report's prices, ``(K, G)``.
    """

    costs: DemographicModel
    projection: ComponentModel
    group_costs: np.ndarray

    @property
    def coords(self) -> dict[str, list]:
        """Coordinates of the non-sample dimensions."""
        return {**self.costs.coords, "year": list(self.projection.years)}

    @property
    def dims(self) -> dict[str, tuple[str, ...]]:
        """Dimensions of each variable beyond the draw."""
        return self.costs.dims

    def start_by_group(self) -> np.ndarray:
        """Origin population in the config's age groups ``(G,)``."""
        _, lo, hi = output_groups(self.projection.groups)
        return group_sums(self.projection.fit.start, lo[1:], hi[1:])

    def simulate(
        self, rng: np.random.Generator, n: int, backend: str = "numba"
    ) -> dict[str, np.ndarray]:
        """Draw ``n`` joint outcomes of projection and costs."""
        (cost_rng,) = rng.spawn(1)  # spawning leaves rng's own stream as it was
        drawn = self.projection.simulate(rng, n, backend)["population"][:, 0]
        changes = year_changes(drawn[:, :, 1:], self.start_by_group())
        per_year = []
        for h in range(changes.shape[1]):
            baseline = (changes[:, h] @ self.group_costs.T, changes[:, h].sum(axis=1))
            same_draws = copy.deepcopy(cost_rng)  # every year sees the same cost drivers
            sector_cost, growth, extra = simulate_costs(
                same_draws, n, self.costs.inputs, backend, baseline
            )
            shares = self.costs.free_shares
            per_year.append(derive_outputs(sector_cost, growth, extra, shares, backend))
        return stack_years(per_year)
