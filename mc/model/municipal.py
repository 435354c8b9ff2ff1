"""Demographic costs for every municipality (and county) on the municipal projection.

Each draw projects all 357 municipalities (reconciled to the national draw), takes each one's
population change by age group into every projected year, and prices it with the national unit
costs. Municipal services (kindergarten, school, care, ...) are reported per municipality;
county services (upper secondary, dental) per county, from the sum of its municipalities. A
sector's unit-cost factor is drawn once per draw and shared by all regions (the national unit
costs are uncertain, not each municipality's).

The national draw is the fit's own Hamilton-Perry walk (``population.national_model: ratios``)
or the cohort-component projection of the nation (``components``). With components, the nation
reads the block's own generator, exactly as a national run with ``population.kind: components``
does: for the same entropy and block size, draw ``i`` has the same national population in both
runs. The municipalities' noise reads the first spawned child and the cost factors the second
(spawning leaves the parent's stream untouched).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mc.data.components import read_components
from mc.data.files import read_text_file
from mc.data.population import county_names, municipality_names, read_data_dir
from mc.errors import ConfigError
from mc.model.components import ComponentModel, fit_components
from mc.model.config import Config, NationalModel
from mc.model.demographic import config_population, year_changes
from mc.model.population import RegionalPopulation
from mc.model.projection import ProjectionFit, ProjectionModel

BN = 1e9
MUNICIPAL_DIMS: dict[str, tuple[str, ...]] = {
    "municipal_cost_bn": ("municipality", "year"),
    "municipal_cost_free_bn": ("municipality", "year"),
    "municipal_cost_per_inhabitant_kr": ("municipality", "year"),
    "municipal_population": ("municipality", "year"),
    "county_cost_bn": ("county", "year"),
    "county_cost_per_inhabitant_kr": ("county", "year"),
    "national_cost_bn": ("year",),
    "national_cost_free_bn": ("year",),
}


@dataclass(frozen=True)
class MunicipalCostModel:
    """The engine's model for a municipal run."""

    projection: ProjectionModel
    group_costs: np.ndarray  # (K, G) kroner per person, report prices
    free_shares: np.ndarray  # (K,)
    county_sector: np.ndarray  # (K,) bool
    county_of: np.ndarray  # (R,) county index of each municipality
    counties: tuple[str, ...]
    sector_log_sd: float
    names: tuple[str, ...] = ()  # municipality names, for figures
    county_names: tuple[str, ...] = ()  # county names, in the order of ``counties``
    notes: tuple[str, ...] = ()  # what reading the data left out (incomplete first years)
    national: ComponentModel | None = None  # the national draw; None: the fit's own ratios

    def central(self) -> MunicipalCostModel:
        """The same model with every source of noise switched off (its point estimates)."""
        import dataclasses

        fit = self.projection.fit
        assert fit.municipal is not None
        quiet_fit = dataclasses.replace(
            fit,
            national=fit.national.quiet(),
            municipal=dataclasses.replace(
                fit.municipal,
                total_sd=np.zeros_like(fit.municipal.total_sd),
                group_sd=np.zeros_like(fit.municipal.group_sd),
            ),
        )
        projection = dataclasses.replace(self.projection, fit=quiet_fit)
        national = self.national
        if national is not None:
            national = dataclasses.replace(national, fit=national.fit.quiet())
        return dataclasses.replace(
            self, projection=projection, sector_log_sd=0.0, national=national
        )

    def point_estimates(self) -> dict[str, np.ndarray]:
        """Every output on the central path, without a draw axis."""
        out = self.central().simulate(np.random.default_rng(0), 1)
        return {name: value[0] for name, value in out.items()}

    @property
    def coords(self) -> dict[str, list]:
        """Coordinates of the non-sample dimensions."""
        return {
            "municipality": list(self.projection.regions[1:]),
            "county": list(self.counties),
            "year": list(self.projection.years),
        }

    def region_names(self) -> dict[str, str]:
        """Name of each municipality and county by code (the code where no name is known)."""
        municipalities = self.coords["municipality"]
        names = dict(zip(municipalities, self.names or municipalities, strict=True))
        names.update(zip(self.counties, self.county_names or self.counties, strict=True))
        return names

    @property
    def dims(self) -> dict[str, tuple[str, ...]]:
        """Dimensions of each variable beyond the draw."""
        return MUNICIPAL_DIMS

    def simulate(
        self, rng: np.random.Generator, n: int, backend: str = "numba"
    ) -> dict[str, np.ndarray]:
        """Draw ``n`` projections of every municipality and their costs."""
        projection_rng, cost_rng = rng.spawn(2)
        population = self.populations(rng, projection_rng, n, backend)
        local = population[:, 1:, :, 1:]  # (n, R, H, G): municipalities, groups without total
        change = year_changes(local, self.projection.start_by_group())  # (n, R, H, G)
        sigma = self.sector_log_sd
        factor = np.exp(
            sigma * cost_rng.standard_normal((n, self.group_costs.shape[0])) - 0.5 * sigma * sigma
        )  # (n, K), shared by all regions and years
        # The sector axis is only ever summed with weights (municipal sectors, their free-revenue
        # part, county sectors, every sector's free part), so fold unit costs, the draw's factors
        # and the weights into one (G, 4) matrix per draw: no (n, R, H, K) array is made.
        municipal = (~self.county_sector).astype(float)
        weights = np.stack(
            [
                municipal,
                municipal * self.free_shares,
                self.county_sector.astype(float),
                self.free_shares,
            ],
            axis=1,
        )  # (K, 4)
        per_draw = self.group_costs.T @ (factor[:, :, None] * weights) / BN  # (n, G, 4)
        n_regions, horizon, n_groups = change.shape[1:]
        parts = (change.reshape(n, -1, n_groups) @ per_draw).reshape(n, n_regions, horizon, 4)
        cost, free, county_sector_cost = parts[..., 0], parts[..., 1], parts[..., 2]
        county = np.zeros((n, len(self.counties), change.shape[2]))
        np.add.at(county, (slice(None), self.county_of), county_sector_cost)
        residents = local.sum(axis=-1)  # (n, R, H)
        county_residents = np.zeros_like(county)
        np.add.at(county_residents, (slice(None), self.county_of), residents)
        return {
            "municipal_cost_bn": cost,
            "municipal_cost_free_bn": free,
            "municipal_cost_per_inhabitant_kr": cost * BN / residents,
            # the size a report ranks by, and the bands of each municipality's population
            "municipal_population": residents,
            "county_cost_bn": county,
            "county_cost_per_inhabitant_kr": county * BN / county_residents,
            "national_cost_bn": (cost + county_sector_cost).sum(axis=1),
            "national_cost_free_bn": parts[..., 3].sum(axis=1),
        }

    def populations(
        self,
        rng: np.random.Generator,
        projection_rng: np.random.Generator,
        n: int,
        backend: str = "numba",
    ) -> np.ndarray:
        """Populations ``(n, 1 + R, H, G)``: the national draw, then the municipalities.

        ``rng`` is the block's generator (read by a component national draw only),
        ``projection_rng`` its first spawned child. See :meth:`MunicipalProjection.populations`.
        """
        return MunicipalProjection(self.projection, self.national).populations(
            rng, projection_rng, n, backend
        )


@dataclass(frozen=True)
class MunicipalProjection:
    """Every municipality's population, reconciled to a national draw: an engine model.

    The population side of :class:`MunicipalCostModel` on its own, so that a municipal
    population forecast or backtest draws exactly what a municipal run draws. ``simulate(rng,
    n)`` gives the block's generator to the nation and its first spawned child to the
    municipalities, as the cost model does.

    Parameters
    ----------
    projection : ProjectionModel
        A municipal projection (``municipal=True``).
    national : ComponentModel, optional
        The national draw: the cohort-component projection, on the same origin, horizon and
        groups; ``None`` keeps the projection's own Hamilton-Perry walk of the nation.
    """

    projection: ProjectionModel
    national: ComponentModel | None = None

    def __post_init__(self) -> None:
        if not self.projection.municipal:
            raise ValueError("a municipal projection needs municipal=True")
        n = self.national
        p = self.projection
        if n is not None and (n.fit.origin, n.horizon, n.groups) != (
            p.fit.origin,
            p.horizon,
            p.groups,
        ):
            raise ValueError("the national draw must share the origin, horizon and groups")

    @property
    def regions(self) -> tuple[str, ...]:
        """``0000`` for the nation, then the municipality codes."""
        return self.projection.regions

    @property
    def years(self) -> tuple[int, ...]:
        """The 1 January dates projected."""
        return self.projection.years

    @property
    def group_names(self) -> tuple[str, ...]:
        """Reported groups, ``total`` first."""
        return self.projection.group_names

    def simulate(
        self, rng: np.random.Generator, n: int, backend: str = "numba"
    ) -> dict[str, np.ndarray]:
        """``{"population": (n, 1 + R, H, G)}``, the streams as :class:`MunicipalCostModel`'s."""
        # the first child of a spawn is the same whether one or two are spawned: the cost
        # model's ``rng.spawn(2)[0]``
        (projection_rng,) = rng.spawn(1)
        return {"population": self.populations(rng, projection_rng, n, backend)}

    def populations(
        self,
        rng: np.random.Generator,
        projection_rng: np.random.Generator,
        n: int,
        backend: str = "numba",
    ) -> np.ndarray:
        """Populations ``(n, 1 + R, H, G)``: the national draw, then the municipalities.

        ``rng`` is the block's generator (read by a component national draw only),
        ``projection_rng`` its first spawned child.
        """
        if self.national is None:
            return self.projection.simulate(projection_rng, n, backend)["population"]
        paths = self.national.simulate(rng, n, backend, cells=True)["cells"]
        start = self.national.fit.start
        return self.projection.simulate_on(projection_rng, start, paths, backend)["population"]


def build_municipal_model(config: Config) -> MunicipalCostModel:
    """The municipal model of a config with ``population.level: municipality``.

    Raises
    ------
    ConfigError
        If the fit file has no municipalities, or its origin is not 1-10 years before the cost
        year.
    """
    fit_path, data_dir = config.projection_files()
    national = config_population(config)
    assert national is not None  # a municipal config is a stochastic one (config parser)
    _, regional = read_data_dir(data_dir, municipal=True)
    assert isinstance(regional, RegionalPopulation)  # municipal=True reads it
    try:
        text = read_text_file(fit_path)
    except FileNotFoundError:
        raise ConfigError(
            "population.fit",
            str(fit_path),
            "file not found; make it with "
            "`tbu-mc population fit --level municipality --origin YEAR --out FILE`",
        ) from None
    fit = ProjectionFit.from_json(text, national, regional)
    names = municipality_names(data_dir, regional.codes)
    if fit.municipal is None:
        raise ConfigError(
            "population.fit",
            str(fit_path),
            "a municipal run needs a fit with municipalities (--level municipality)",
        )
    horizon = config.cost_year - fit.origin
    if not 1 <= horizon <= 10:
        raise ConfigError(
            "population.fit",
            fit.origin,
            f"the fit's origin must lie 1-10 years before the cost year {config.cost_year}",
        )
    projection = ProjectionModel(fit, horizon, config.age_groups.labels, municipal=True)
    national_model = None
    if config.population.national_model is NationalModel.COMPONENTS:
        # fitted on the data known at the municipal fit's origin, as `kind: components` is
        components = fit_components(national, read_components(data_dir), fit.origin)
        national_model = ComponentModel(components, horizon, config.age_groups.labels)
    counties = tuple(sorted(set(fit.municipal.counties)))
    county_of = np.array([counties.index(c) for c in fit.municipal.counties])
    costs = np.array([s.unit_costs for s in config.unit_costs.sectors]) * config.price_factor()
    return MunicipalCostModel(
        projection=projection,
        group_costs=costs,
        free_shares=config.unit_costs.free_shares,
        county_sector=np.array([s.level == "county" for s in config.unit_costs.sectors]),
        county_of=county_of,
        counties=counties,
        sector_log_sd=config.uncertainty.unit_cost_log_sd,
        names=names,
        county_names=county_names(data_dir, counties),
        notes=regional.notes,
        national=national_model,
    )
