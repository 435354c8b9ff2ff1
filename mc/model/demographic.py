"""The demographic-cost model assembled from a configuration.

:func:`build_model` turns a :class:`~mc.model.config.Config` (and, for observed populations, the
population data) into a :class:`DemographicModel`: the kernel arrays plus the names and dimensions
of what one draw produces. :func:`deterministic_outputs` evaluates the same model at the central
value of every driver with the plain formula of TBU's method,

    extra cost in year t = sum over ages of unit cost x (population 1.1.t - population 1.1.t-1),

which is independent of the kernels and therefore also a check on them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from mc.data.files import read_text_file
from mc.data.loaders import load_population_source
from mc.data.population import NATIONAL_FILE
from mc.data.request import is_ssb_spec
from mc.errors import ConfigError, TbuMcError
from mc.kernels import SPREAD_CODES, KernelInputs, latent_width, simulate_costs
from mc.kernels.totals import scaled_totals, scaled_totals_numpy
from mc.model.ages import N_AGES, parse_age_group, spread_over_bands
from mc.model.config import Config, PopulationKind
from mc.model.population import PopulationTable
from mc.model.projection import ProjectionFit, ProjectionModel
from mc.sampling.designs import design_normals

if TYPE_CHECKING:
    from mc.model.component_costs import ComponentCostModel

BN = 1e9

#: Output variables and their dimensions beyond ``(draw,)``.
VARIABLE_DIMS: dict[str, tuple[str, ...]] = {
    "demographic_cost_total_bn": ("scenario", "year"),
    "demographic_cost_free_bn": ("scenario", "year"),
    "demographic_cost_sector_bn": ("scenario", "year", "sector"),
    "population_growth": ("scenario", "year"),
    "extra_net_immigration": ("scenario", "year"),
}


def add_year_axis(outputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Give single-year outputs their year axis (after the scenario, before the sector)."""
    return {
        name: np.expand_dims(a, -2 if "sector" in VARIABLE_DIMS[name] else -1)
        for name, a in outputs.items()
    }


def stack_years(per_year: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Stack single-year outputs along the year axis.

    One year (a component projection to the year after its origin, the default's other view)
    only needs the axis added, as a view: stacking would copy every array of the block.
    """
    if len(per_year) == 1:
        return add_year_axis(per_year[0])
    return {
        name: np.stack([o[name] for o in per_year], axis=-2 if "sector" in dims else -1)
        for name, dims in VARIABLE_DIMS.items()
    }


@dataclass(frozen=True)
class DemographicModel:
    """Everything a block of draws needs: kernel arrays, free-revenue shares and coordinates."""

    inputs: KernelInputs
    free_shares: np.ndarray
    scenarios: tuple[str, ...]
    sectors: tuple[str, ...]
    years: tuple[int, ...]
    design: str = "mc"

    @property
    def latent_width(self) -> int:
        """Standard normals behind one draw."""
        return latent_width(self.inputs.band_share.size, self.inputs.unit_costs.shape[0])

    @property
    def driver_groups(self) -> list[tuple[str, np.ndarray]]:
        """The drivers and the latent normals behind each (a sensitivity analysis's inputs)."""
        j, k = self.inputs.band_share.size, self.inputs.unit_costs.shape[0]
        groups = [
            ("extra_net_immigration", np.array([0])),
            ("births", np.array([1])),
            ("deaths", np.array([2])),
            ("regular_net_immigration", np.array([3])),
            ("immigrant_profile", np.arange(4, 4 + j)),
            ("unit_costs", np.arange(4 + j, 4 + j + k)),
        ]
        spreads = (
            max(self.inputs.spread_scale, self.inputs.spread_scale_high)
            if self.inputs.spread_kind
            else 0.0,
            self.inputs.births_sd,
            self.inputs.deaths_relative_sd,
            self.inputs.regular_sd,
            self.inputs.profile_log_sd,
            self.inputs.sector_log_sd,
        )
        return [g for g, spread in zip(groups, spreads, strict=True) if spread > 0]

    def simulate_latent(self, latent: np.ndarray, backend: str = "numba") -> dict[str, np.ndarray]:
        """Outputs for given latent normals ``(n, latent_width)`` (no generator involved)."""
        sector_cost, growth, extra = simulate_costs(
            None, latent.shape[0], self.inputs, backend, latent=latent
        )
        outputs = derive_outputs(sector_cost, growth, extra, self.free_shares, backend)
        return add_year_axis(outputs)

    @property
    def coords(self) -> dict[str, list]:
        """Coordinates of the non-sample dimensions."""
        return {
            "scenario": list(self.scenarios),
            "sector": list(self.sectors),
            "year": list(self.years),
        }

    @property
    def dims(self) -> dict[str, tuple[str, ...]]:
        """Dimensions of each variable beyond the draw."""
        return VARIABLE_DIMS

    def simulate(
        self, rng: np.random.Generator, n: int, backend: str = "numba"
    ) -> dict[str, np.ndarray]:
        """Draw ``n`` joint outcomes; arrays have the draw as their first axis.

        With ``design`` other than ``"mc"`` the latent normals come from a Latin hypercube or a
        scrambled Sobol sequence seeded by ``rng`` (see :mod:`mc.sampling.designs`).
        """
        if self.design != "mc":
            return self.simulate_latent(
                design_normals(self.design, rng, n, self.latent_width), backend
            )
        sector_cost, growth, extra = simulate_costs(rng, n, self.inputs, backend)
        outputs = derive_outputs(sector_cost, growth, extra, self.free_shares, backend)
        return add_year_axis(outputs)


def derive_outputs(
    sector_cost: np.ndarray,
    growth: np.ndarray,
    extra: np.ndarray,
    free_shares: np.ndarray,
    backend: str = "numpy",
) -> dict[str, np.ndarray]:
    """Name the kernel's arrays and add the totals (kroner become bn kroner).

    ``backend="numba"`` scales and totals the sectors in one compiled pass
    (:func:`mc.kernels.totals.scaled_totals`, the same numbers to the bit).
    """
    totals = scaled_totals if backend == "numba" else scaled_totals_numpy
    sector_bn, total = totals(sector_cost, BN)
    return {
        "demographic_cost_total_bn": total,
        "demographic_cost_free_bn": sector_bn @ free_shares,
        "demographic_cost_sector_bn": sector_bn,
        "population_growth": growth,
        "extra_net_immigration": extra,
    }


def config_population(
    config: Config, override: str | Path | None = None, *, allow_fetch: bool = False
) -> PopulationTable | None:
    """The national population a configuration needs, read by :mod:`mc.data`.

    Parameters
    ----------
    config : Config
        Observed populations read ``population.file`` (a path relative to the config file, or an
        ``ssb:`` source); stochastic projections read the national file in ``population.data``
        (the population at the origin). Projected baselines need none.
    override : str or Path, optional
        A file or ``ssb:`` source read instead (e.g. ``--population``).
    allow_fetch : bool
        Fetch an ``ssb:`` source that is not cached yet (needs the network).

    Returns
    -------
    PopulationTable or None
        ``None`` for a projected baseline without an override.

    Raises
    ------
    DataError
        If the file is missing or breaks a rule, or an ``ssb:`` source is not cached and may
        not or cannot be fetched.
    """
    kind = config.population.kind
    if override is not None:
        return load_population_source(override, allow_fetch=allow_fetch)
    if kind is PopulationKind.OBSERVED and config.population.file:
        source: str | Path | None = config.population.file
        if not is_ssb_spec(source):  # a file: next to the config, else where the shipped ones say
            source = config.population_file()
        return load_population_source(source, allow_fetch=allow_fetch, base_dir=config.base_dir)
    if kind is PopulationKind.STOCHASTIC:
        return load_population_source(config.projection_files()[1] / NATIONAL_FILE)
    if kind is PopulationKind.COMPONENTS:
        return load_population_source(config.component_data() / NATIONAL_FILE)
    return None


#: Old name, kept only because ``mc/summary/pipeline.py`` (being moved to ``mc/workflow`` in a
#: parallel change) still imports it; remove once that module calls :func:`config_population`.


def load_projection(config: Config, population: PopulationTable) -> ProjectionModel:
    """The fitted projection of a stochastic configuration, reporting the config's age groups.

    Raises
    ------
    ConfigError
        If the fit file is missing or its origin does not precede the cost year by 1-10 years.
    """
    path = config.projection_files()[0]
    made_by = "make it with `tbu-mc population fit --origin YEAR --out FILE`"
    try:
        fit = ProjectionFit.from_json(read_text_file(path), population)
    except TbuMcError:
        raise
    except FileNotFoundError:
        raise ConfigError("population.fit", str(path), f"file not found; {made_by}") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        # a fit file is JSON written by tbu-mc; anything else is the wrong file, not a bug
        raise ConfigError(
            "population.fit",
            str(path),
            f"not a projection fit ({type(exc).__name__}); {made_by}",
            config.source,
        ) from None
    if fit.origin != config.component_origin():
        # the origin's population is the input as_of checks (Config.population_years)
        raise ConfigError(
            "population.origin",
            config.component_origin(),
            f"the fit {path.name} starts from 1 January {fit.origin}; set population.origin: "
            f"{fit.origin} (the default is the year before the cost year) or refit from it",
            config.source,
        )
    horizon = config.cost_year - fit.origin
    if not 1 <= horizon <= 10:
        raise ConfigError(
            "population.fit",
            fit.origin,
            f"the fit's origin must lie 1-10 years before the cost year {config.cost_year}",
        )
    return ProjectionModel(fit, horizon, config.age_groups.labels)


def year_changes(groups: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Change of each group into each projected year, the first from the origin population.

    Parameters
    ----------
    groups : ndarray, shape (n, ..., H, G)
        Projected population by group (no total) on 1 January of each of ``H`` years.
    start : ndarray, shape (..., G)
        The origin population by group, with the same middle axes (e.g. regions) or none.

    Returns
    -------
    ndarray, shape (n, ..., H, G)
        ``groups[..., h, :]`` minus the year before it (``start`` for ``h = 0``).
    """
    first = np.broadcast_to(start[..., None, :], groups[..., :1, :].shape)
    return groups - np.concatenate([first, groups[..., :-1, :]], axis=-2)


@dataclass(frozen=True)
class ProjectedCostModel:
    """Demographic costs on a stochastic projection: each draw has its own baseline change.

    The projection and the cost drivers read separate child streams of the block's generator
    (``rng.spawn(2)``), each draw by draw, so draws stay prefix-stable. Costs come for every
    projected year up to the cost year; each year reads the same cost-driver draws (a unit-cost
    level or a profile drawn once holds for the whole path, and a scenario's extra net
    immigration arrives every year).
    """

    costs: DemographicModel
    projection: ProjectionModel
    group_costs: np.ndarray  # (K, G) kroner per person in the report's prices

    @property
    def coords(self) -> dict[str, list]:
        """Coordinates of the non-sample dimensions."""
        return {**self.costs.coords, "year": list(self.projection.years)}

    @property
    def dims(self) -> dict[str, tuple[str, ...]]:
        """Dimensions of each variable beyond the draw."""
        return VARIABLE_DIMS

    def simulate(
        self, rng: np.random.Generator, n: int, backend: str = "numba"
    ) -> dict[str, np.ndarray]:
        """Draw ``n`` joint outcomes of projection and costs."""
        projection_rng, cost_rng = rng.spawn(2)
        population = self.projection.simulate(projection_rng, n, backend)["population"][:, 0]
        changes = year_changes(population[:, :, 1:], self.projection.start_by_group())
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


def _central_projection_changes(config: Config, population: PopulationTable) -> np.ndarray:
    """The projection's central path (no noise) as changes by age, ``(years, 2, 106)``."""
    import dataclasses

    model = load_projection(config, population)
    quiet_fit = dataclasses.replace(model.fit, national=model.fit.national.quiet())
    quiet = dataclasses.replace(model, fit=quiet_fit)
    path = quiet.simulate(np.random.default_rng(0), 1)["population"][:, 0]
    changes = year_changes(path[:, :, 1:], quiet.start_by_group())[0]  # (years, groups)
    # spread evenly within groups (unit costs are constant there); sexes half and half
    return spread_over_bands(config.age_groups.labels, np.stack([changes / 2, changes / 2], 1))


def central_changes(config: Config, population: PopulationTable | None) -> np.ndarray:
    """Central population change into each modelled year, ``(years, 2, 106)``, before scenarios.

    One year (the cost year) for a fixed baseline or an observed population; every projected
    year up to the cost year for a stochastic projection.
    """
    pop = config.population
    if pop.kind is PopulationKind.PROJECTED:
        assert pop.baseline is not None  # guaranteed by the config parser
        return pop.baseline.change.per_age()[None]
    if population is None:
        raise ConfigError("population", None, "the population data must be loaded")
    if pop.kind is PopulationKind.STOCHASTIC:
        return _central_projection_changes(config, population)
    if pop.kind is PopulationKind.COMPONENTS:
        from mc.model.component_costs import central_path, component_fit

        fit = component_fit(config, population)
        change = central_path(fit, config.cost_year - fit.origin).change  # (years, ages)
        return np.stack([change / 2, change / 2], axis=1)  # sexes half and half, as above
    return population.change(config.cost_year)[None]


def model_years(config: Config, population: PopulationTable | None) -> tuple[int, ...]:
    """The years a configuration's model reports."""
    n = central_changes(config, population).shape[0]
    return tuple(range(config.cost_year - n + 1, config.cost_year + 1))


def kernel_inputs(config: Config, population: PopulationTable | None = None) -> KernelInputs:
    """Translate a configuration into the arrays of :class:`~mc.kernels.KernelInputs`."""
    u = config.uncertainty
    pop = config.population
    zeros = np.zeros((2, N_AGES))
    baseline = pop.baseline
    if pop.immigrant_profile is not None:
        profile = pop.immigrant_profile
        ranges = [parse_age_group(b) for b in profile.bands]
        shares = np.concatenate([profile.female, profile.male])
        lo = np.array([r[0] for r in ranges] * 2, dtype=np.int64)
        hi = np.array([r[1] for r in ranges] * 2, dtype=np.int64)
        keep = shares > 0
        shares, lo, hi = shares[keep] / shares.sum(), lo[keep], hi[keep]
    else:
        shares, lo, hi = np.ones(1), np.zeros(1, np.int64), np.zeros(1, np.int64)
    regular = zeros
    deaths = zeros
    if baseline is not None:
        regular = baseline.regular_net_immigration_profile.per_age()
        regular = regular / regular.sum()
        deaths = baseline.expected_deaths.per_age()
    stochastic = pop.kind in (PopulationKind.STOCHASTIC, PopulationKind.COMPONENTS)
    return KernelInputs(
        # a stochastic projection supplies the baseline change draw by draw
        base_change=zeros if stochastic else central_changes(config, population)[0],
        births_sd=u.births_sd,
        expected_deaths=deaths,
        deaths_relative_sd=u.deaths_relative_sd,
        regular_profile=regular,
        regular_sd=u.regular_net_immigration_sd,
        extra_levels=np.array([s.extra_net_immigration for s in config.scenarios], dtype=float),
        spread_kind=SPREAD_CODES[u.extra_net_immigration.distribution.value],
        spread_scale=u.extra_net_immigration.scale,
        band_lo=lo,
        band_hi=hi,
        band_share=shares,
        profile_log_sd=u.immigrant_profile_log_sd,
        unit_costs=config.unit_costs.matrix(config.age_groups) * config.price_factor(),
        sector_log_sd=u.unit_cost_log_sd,
        spread_scale_high=u.extra_net_immigration.scale_high,
    )


def build_model(
    config: Config, population: PopulationTable | None = None
) -> DemographicModel | ProjectedCostModel | ComponentCostModel:
    """Assemble the model a run draws from.

    Parameters
    ----------
    config : Config
        Validated configuration.
    population : PopulationTable, optional
        Observed population; read from the configuration's file when needed and not given.
    """
    if population is None:
        population = config_population(config)
    costs = DemographicModel(
        inputs=kernel_inputs(config, population),
        free_shares=config.unit_costs.free_shares,
        scenarios=config.scenario_names,
        sectors=config.unit_costs.names,
        years=(config.cost_year,),
    )
    kind = config.population.kind
    if kind not in (PopulationKind.STOCHASTIC, PopulationKind.COMPONENTS):
        return costs
    assert population is not None  # config_population reads it for these kinds
    group_costs = np.array([s.unit_costs for s in config.unit_costs.sectors])
    if kind is PopulationKind.COMPONENTS:
        from mc.model.component_costs import ComponentCostModel, component_model

        projection = component_model(config, population)
        return ComponentCostModel(costs, projection, group_costs * config.price_factor())
    return ProjectedCostModel(
        costs, load_projection(config, population), group_costs * config.price_factor()
    )


def deterministic_outputs(
    config: Config, population: PopulationTable | None = None
) -> dict[str, np.ndarray]:
    """Point estimates: every driver at its central value, unit costs as configured.

    Returns
    -------
    dict of str to ndarray
        The variables of :data:`VARIABLE_DIMS`, without a draw axis: ``(scenario, year)`` and
        ``(scenario, year, sector)``.
    """
    if population is None:
        population = config_population(config)
    changes = central_changes(config, population).sum(axis=1)  # (Y, A)
    costs = config.unit_costs.matrix(config.age_groups) * config.price_factor()
    profile = np.zeros(N_AGES)
    if config.population.immigrant_profile is not None:
        p = config.population.immigrant_profile.per_age().sum(axis=0)
        profile = p / p.sum()
    levels = np.array([s.extra_net_immigration for s in config.scenarios], dtype=float)
    by_scenario = changes[None] + levels[:, None, None] * profile  # (S, Y, A)
    sector_cost = by_scenario @ costs.T  # (S, Y, K)
    growth = by_scenario.sum(axis=-1)
    extra = np.broadcast_to(levels[:, None], growth.shape)
    return derive_outputs(sector_cost, growth, extra, config.unit_costs.free_shares)
