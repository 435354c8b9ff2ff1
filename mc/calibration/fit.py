"""Fit the default unit costs and baseline to TBU's published results.

Prior unit costs come from building blocks of spending (``configs/calibration``), spread over ages
by stated weights and divided by the population. One scale factor and one free-revenue share per
sector, and the net immigration of the baseline projection, are then fitted by penalised least
squares so that the target configurations reproduce their ``published`` results: each published
figure is a residual with the spread of its rounding, each parameter a residual towards its prior.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import least_squares

from mc.calibration.baseline import (
    MortalityFit,
    fit_mortality,
    history_spreads,
    net_migration_profile,
    project_one_year,
)
from mc.calibration.migration_spreads import MigrationSpreads, estimate_migration_spreads
from mc.data.migration_history import read_net_migration, read_ssb_net_migration
from mc.data.population import NATIONAL_FILE, read_population_file
from mc.data.yamlio import read_yaml_file
from mc.errors import ConfigError
from mc.model.ages import N_AGES, AgeGroups, parse_age_group
from mc.model.config import (
    AgeProfile,
    Baseline,
    Config,
    PopulationKind,
    Sector,
    UnitCosts,
    baseline_to_dict,
    price_factor,
    unit_costs_to_dict,
)
from mc.model.demographic import deterministic_outputs


@dataclass(frozen=True)
class PublishedFigure:
    """One published figure: config, scenario, variable, value."""

    config: str
    scenario: str
    variable: str
    published: float


@dataclass
class CalibrationResult:
    """Fitted tables (as YAML-ready dicts) and how well they reproduce the targets."""

    unit_costs: dict[str, Any]
    baseline: dict[str, Any]
    uncertainty: dict[str, Any]
    targets: list[PublishedFigure]
    fitted: list[float]
    scales: dict[str, float]
    net_immigration: float

    def report(self) -> str:
        """Plain-text table of published vs. fitted figures and the fitted parameters."""
        lines = [f"{'config':<18} {'scenario':<8} {'variable':<28} published  fitted   diff"]
        for t, f in zip(self.targets, self.fitted, strict=True):
            lines.append(
                f"{t.config:<18} {t.scenario:<8} {t.variable:<28} {t.published:9.2f} "
                f"{f:7.3f} {f - t.published:+6.3f}"
            )
        lines.append("scale factors: " + ", ".join(f"{k} {v:.3f}" for k, v in self.scales.items()))
        lines.append(f"baseline net immigration: {self.net_immigration:,.0f}")
        return "\n".join(lines)


def _rates(bands: list[str], values: list[float]) -> np.ndarray:
    """Per-capita weights given per band, repeated on every age of the band."""
    out = np.zeros(N_AGES)
    for band, value in zip(bands, values, strict=True):
        lo, hi = parse_age_group(band)
        out[lo : hi + 1] += value
    return out


def prior_unit_costs(
    blocks: dict[str, Any], population: np.ndarray, groups: AgeGroups
) -> dict[str, np.ndarray]:
    """Unit costs per sector and age group implied by the building blocks.

    Each block's spending (moved to the price year) is spread over single-year ages in proportion
    to ``weight(age) * population(age)``; a group's unit cost is its spending over its population.
    """
    deflator = {int(k): float(v) for k, v in blocks["deflator"].items()}
    price_year = int(blocks["price_year"])
    pop = population.sum(axis=0)
    out = {}
    for name, sector in blocks["sectors"].items():
        spending = np.zeros(N_AGES)
        for block in sector["blocks"]:
            amount = float(block["spending_bn"]) * 1e9
            amount *= price_factor(deflator, int(block["year"]), price_year)
            w = _rates(block["weights"]["bands"], block["weights"]["values"])
            spending += amount * w * pop / (w * pop).sum()
        out[name] = groups.collapse(spending) / groups.collapse(pop)
    return out


def _profile(groups: AgeGroups, per_age: np.ndarray, digits: int | None, source: str) -> AgeProfile:
    grouped = groups.collapse(per_age)
    if digits is not None:
        grouped = np.round(grouped, digits)
    return AgeProfile(groups.labels, tuple(grouped[0]), tuple(grouped[1]), source)


def calibrate(blocks_path: str | Path, data_dir: str | Path) -> CalibrationResult:
    """Run the whole calibration.

    Parameters
    ----------
    blocks_path : str or Path
        The building-block file (``configs/calibration/building-blocks-2023.yaml``).
    data_dir : str or Path
        Folder with ``population_norway_by_age_sex.csv`` and ``components/`` (net migration).
    """
    blocks_path = Path(blocks_path)
    blocks = read_yaml_file(blocks_path, "blocks")
    if not isinstance(blocks, dict):
        raise ConfigError("blocks", str(blocks_path), "expected a YAML mapping of building blocks")
    table = read_population_file(Path(data_dir) / NATIONAL_FILE)
    groups = AgeGroups(tuple(blocks["age_groups"]))
    names = list(blocks["sectors"])
    prior = prior_unit_costs(blocks, table.at(int(blocks["population_year"])), groups)
    prior_matrix = np.array([prior[n] for n in names])
    free_prior = np.array([blocks["sectors"][n]["free_share"]["prior"] for n in names])
    free_sd = np.array([blocks["sectors"][n]["free_share"]["sd"] for n in names])

    base = blocks["baseline"]
    mortality = fit_mortality(
        table,
        int(base["deaths_year"]),
        deaths=float(base["deaths"]),
        male_ratio=float(base["male_mortality_ratio"]),
    )
    first, last = base["migration_profile_years"]
    migration = net_migration_profile(table, first, last, mortality.b, mortality.male_ratio)
    start = table.at(int(base["from_year"]))

    def baseline(n_imm: float, digits: int | None = None) -> Baseline:
        change = project_one_year(start, mortality, float(base["births"]), n_imm, migration) - start
        year = int(base["from_year"])
        return Baseline(
            from_year=year,
            to_year=year + 1,
            change=_profile(groups, change, digits, "tbu-mc calibrate"),
            expected_deaths=_profile(groups, mortality.deaths(start), digits, "tbu-mc calibrate"),
            regular_net_immigration_profile=_profile(
                groups, migration, None if digits is None else 6, "tbu-mc calibrate"
            ),
            source="tbu-mc calibrate",
        )

    def unit_costs(scales: np.ndarray, free: np.ndarray, digits: bool = False) -> UnitCosts:
        matrix = prior_matrix * scales[:, None]
        if digits:
            matrix, free = np.round(matrix, -1), np.round(free, 3)
        sectors = tuple(
            Sector(
                n,
                float(f),
                tuple(float(v) for v in row),
                blocks["sectors"][n]["label"]["nb"],
                blocks["sectors"][n]["label"]["en"],
            )
            for n, f, row in zip(names, free, matrix, strict=True)
        )
        return UnitCosts(int(blocks["price_year"]), sectors, "tbu-mc calibrate")

    configs = []
    targets: list[PublishedFigure] = []
    n_prior = float(base["net_immigration"]["prior"])
    for rel in blocks["targets"]:
        path = (blocks_path.parent / rel).resolve()
        raw = read_yaml_file(path, "targets", str(blocks_path))
        cfg = _config_with(
            raw, path, unit_costs(np.ones(len(names)), free_prior), baseline(n_prior)
        )
        population = table if cfg.population.kind is PopulationKind.OBSERVED else None
        configs.append((cfg, population))
        for s in cfg.scenarios:
            for variable, value in (
                ("demographic_cost_total_bn", s.published_total_bn),
                ("demographic_cost_free_bn", s.published_free_bn),
            ):
                if value is not None:
                    targets.append(PublishedFigure(cfg.name, s.name, variable, value))

    def outputs(
        scales: np.ndarray, free: np.ndarray, n_imm: float, rounded: bool = False
    ) -> list[float]:
        costs = unit_costs(scales, free, rounded)
        line = baseline(n_imm, 0 if rounded else None)
        values = []
        for cfg, population in configs:
            pop = cfg.population
            if pop.kind is PopulationKind.PROJECTED:
                pop = dataclasses.replace(pop, baseline=line)
            trial = dataclasses.replace(cfg, unit_costs=costs, population=pop)
            result = deterministic_outputs(trial, population)
            index = {name: i for i, name in enumerate(cfg.scenario_names)}
            for t in targets:
                if t.config == cfg.name:
                    values.append(float(result[t.variable][index[t.scenario], -1]))
        return values

    fit_spec = blocks["fit"]
    published = np.array([t.published for t in targets])
    k = len(names)
    n_sd = float(base["net_immigration"]["sd"])

    def residuals(x: np.ndarray) -> np.ndarray:
        scales, free, n_imm = np.exp(x[:k]), x[k : 2 * k], x[2 * k] * n_sd + n_prior
        fitted = np.array(outputs(scales, free, n_imm))
        return np.concatenate(
            [
                (fitted - published) / float(fit_spec["target_sd_bn"]),
                x[:k] / float(fit_spec["scale_log_sd"]),
                (free - free_prior) / free_sd,
                x[2 * k : 2 * k + 1],
            ]
        )

    x0 = np.concatenate([np.zeros(k), free_prior, [0.0]])
    solution = least_squares(residuals, x0, x_scale="jac")
    scales = np.exp(solution.x[:k])
    free = solution.x[k : 2 * k]
    n_imm = float(np.round(solution.x[2 * k] * n_sd + n_prior, -2))
    fitted = outputs(scales, free, n_imm, rounded=True)

    costs = unit_costs(scales, free, digits=True)
    line = baseline(n_imm, 0)
    spreads = history_spreads(
        table, *blocks["uncertainty"]["years"], mortality.b, mortality.male_ratio
    )
    unit_cost_log_sd = float(np.round(np.sqrt(np.mean(np.log(scales) ** 2)), 2))
    migration = estimate_migration_spreads(
        read_net_migration(data_dir), read_ssb_net_migration(data_dir)
    )
    return CalibrationResult(
        unit_costs=_unit_cost_table(costs, groups, blocks, scales, blocks_path),
        baseline=_baseline_table(line, base, mortality, n_imm, blocks_path),
        uncertainty=_uncertainty_table(blocks, spreads, unit_cost_log_sd, scales, names, migration),
        targets=targets,
        fitted=fitted,
        scales=dict(zip(names, (float(s) for s in scales), strict=True)),
        net_immigration=n_imm,
    )


def _config_with(raw: dict[str, Any], path: Path, costs: UnitCosts, line: Baseline) -> Config:
    """Load a target config with trial tables in place of the files it references."""
    raw = dict(raw, population=dict(raw["population"]))
    raw["unit_costs"] = unit_costs_to_dict(costs, AgeGroups(tuple(raw["age_groups"])))
    raw.pop("uncertainty", None)  # spreads do not enter the point estimates
    if raw["population"].get("kind") == PopulationKind.PROJECTED.value:
        raw["population"]["baseline"] = baseline_to_dict(line)
    return Config.from_dict(raw, base_dir=path.parent, source=str(path))


def _unit_cost_table(
    costs: UnitCosts,
    groups: AgeGroups,
    blocks: dict[str, Any],
    scales: np.ndarray,
    blocks_path: Path,
) -> dict[str, Any]:
    sectors = {}
    for sector, scale in zip(costs.sectors, scales, strict=True):
        spec = blocks["sectors"][sector.name]
        sectors[sector.name] = {
            "label": {"nb": sector.label_nb, "en": sector.label_en},
            "level": spec.get("level", "municipality"),
            "free_share": sector.free_share,
            "unit_costs": {
                g: int(v) for g, v in zip(groups.labels, sector.unit_costs, strict=True)
            },
            "source": (
                f"building blocks x calibrated scale {scale:.3f}: "
                + "; ".join(b["source"].strip() for b in spec["blocks"])
            ),
        }
    return {
        "price_year": costs.price_year,
        "source": (
            f"Made by `tbu-mc calibrate {blocks_path.as_posix()}` from the building blocks there "
            "(spending by sector, spread over ages, per inhabitant 1.1.2023, SSB table 07459), "
            "scaled per sector and with free-revenue shares fitted so that the target configs "
            "reproduce TBU's published results (consultation material 2024, chapter 3)."
        ),
        "sectors": sectors,
    }


def _baseline_table(
    line: Baseline, base: dict[str, Any], mortality: MortalityFit, n_imm: float, blocks_path: Path
) -> dict[str, Any]:
    def profile(p: AgeProfile, cast: type) -> dict[str, Any]:
        return {
            "bands": list(p.bands),
            "female": [cast(v) for v in p.female],
            "male": [cast(v) for v in p.male],
        }

    first, last = base["migration_profile_years"]
    return {
        "source": (
            f"Made by `tbu-mc calibrate {blocks_path.as_posix()}`: a one-year cohort step from "
            f"SSB's population on 1.1.{line.from_year} standing in for SSB's middle alternative, "
            "which is not in our data."
        ),
        "from_year": line.from_year,
        "to_year": line.to_year,
        "assumptions": {
            "births": float(base["births"]),
            "deaths_fitted_to": f"{base['deaths']} deaths in {base['deaths_year']} and survival at "
            "ages 80+ (Gompertz, A exp(B age))",
            "gompertz_a": float(f"{mortality.a:.6g}"),
            "gompertz_b": float(f"{mortality.b:.6g}"),
            "male_mortality_ratio": mortality.male_ratio,
            "net_immigration": n_imm,
            "net_immigration_note": (
                f"fitted so that the target configs reproduce TBU's results (prior "
                f"{base['net_immigration']['prior']} +- {base['net_immigration']['sd']}); "
                + " ".join(str(base["net_immigration"]["source"]).split())
            ),
            "migration_profile": f"average net migration by age and sex {first}-{last}, "
            "residual of stock change after modelled deaths",
        },
        "change": profile(line.change, int),
        "expected_deaths": profile(line.expected_deaths, int),
        "regular_net_immigration_profile": profile(line.regular_net_immigration_profile, float),
    }


def _uncertainty_table(
    blocks: dict[str, Any],
    spreads: Any,
    unit_cost_log_sd: float,
    scales: np.ndarray,
    names: list[str],
    migration: MigrationSpreads,
) -> dict[str, Any]:
    u = blocks["uncertainty"]
    years = f"{spreads.first}-{spreads.last}"
    return {
        "extra_net_immigration": migration.table_entries()["extra_net_immigration"],
        "immigrant_profile": {
            "log_sd": u["immigrant_profile"]["log_sd"],
            "source": " ".join(str(u["immigrant_profile"]["source"]).split()),
        },
        "births": {
            "sd": float(np.round(spreads.births_sd, -1)),
            "source": f"sd of the year-on-year change in births, {years} (SSB table 07459, age 0)",
        },
        "deaths": {
            "relative_sd": float(np.round(spreads.deaths_relative_sd, 3)),
            "source": f"sd of detrended year-on-year log change in modelled deaths, {years}",
        },
        "regular_net_immigration": migration.table_entries()["regular_net_immigration"],
        "unit_costs": {
            "log_sd": unit_cost_log_sd,
            "source": (
                "root mean square of the log scale factors the calibration applied to the "
                "building blocks ("
                + ", ".join(f"{n} {s:.2f}" for n, s in zip(names, scales, strict=True))
                + ")"
            ),
        },
    }
