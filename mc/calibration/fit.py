"""Make the default unit costs and baseline from sourced inputs only.

Unit costs come from building blocks of spending (``configs/calibration``), spread over ages by
stated weights and divided by the population on 1 January of the blocks' year: each sector's unit
costs times that population give back its blocks (the table's ``note`` says by how much after
rounding). Free-revenue shares are the stated priors. The baseline population change is a
reconstruction of SSB's July 2022 middle alternative (:mod:`mc.calibration.middle`). Nothing is
fitted to TBU's published results: reproducing them is a check (:mod:`mc.calibration.check`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mc.calibration.baseline import fit_mortality, history_spreads
from mc.calibration.middle import (
    Assumptions,
    Reconstruction,
    Step,
    read_assumptions,
    solve_migration,
    step,
)
from mc.calibration.migration_spreads import MigrationSpreads, estimate_migration_spreads
from mc.data.components import read_components
from mc.data.loaders import load_population_source
from mc.data.migration_history import read_net_migration, read_ssb_net_migration
from mc.data.population import NATIONAL_FILE, read_population_file
from mc.data.projection_summary import read_projection_summary
from mc.data.yamlio import read_yaml_file
from mc.errors import ConfigError, DataError
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
from mc.model.config.dates import population_published
from mc.model.population import PopulationTable
from mc.model.schema import read_date

SOURCE = "tbu-mc calibrate"


@dataclass(frozen=True)
class SectorTotal:
    """A sector's sourced spending beside what its rounded unit costs give back."""

    sector: str
    blocks_bn: float  # the blocks' spending, in the price year's kroner
    recomputed_bn: float  # rounded unit costs x population on 1 January population_year
    population_year: int

    @property
    def ratio(self) -> float:
        """Recomputed over sourced (1 up to the rounding of the unit costs)."""
        return self.recomputed_bn / self.blocks_bn

    def describe(self) -> str:
        """One line: block, recomputed, ratio."""
        return (
            f"blocks {self.blocks_bn:.3f} bn; unit costs x population 1.1.{self.population_year} "
            f"= {self.recomputed_bn:.3f} bn; ratio {self.ratio:.4f} (no scale factor)"
        )


@dataclass
class CalibrationResult:
    """The generated tables (YAML-ready dicts) and the figures behind them."""

    unit_costs: dict[str, Any]
    baseline: dict[str, Any]
    uncertainty: dict[str, Any]
    sector_totals: list[SectorTotal]
    reconstruction: Reconstruction
    steps: dict[int, Step]  # one-year steps from the observed population, by start year
    assumptions: Assumptions
    published_population: dict[int, float]  # SSB's MMM population on 1 January, published
    growth: dict[int, float]  # growth of each one-year step
    costs: UnitCosts  # the unit-cost table as the config reader gives it
    line: Baseline  # the baseline table likewise

    def report(self) -> str:
        """Plain-text account of where each generated number comes from."""
        r = self.reconstruction
        lines = ["unit costs: building blocks / population, no scale factors"]
        for t in self.sector_totals:
            lines.append(f"  {t.sector:<17} {t.describe()}")
        lines.append(
            f"baseline: SSB 2022 middle alternative rebuilt from 1.1.{r.jump_off}; net migration "
            + ", ".join(f"{y} {v:,.0f}" for y, v in r.net_migration.items() if y <= r.target_year)
            + f" (the {r.jump_off + 1} level solved so that 1.1.{r.target_year} = "
            f"{r.target_population:,.0f}, SSB's published figure)"
        )
        for year, published in sorted(self.published_population.items()):
            if year in r.totals and year != r.target_year and year != r.jump_off:
                lines.append(
                    f"  check: rebuilt population 1.1.{year} {r.totals[year]:,.0f} vs SSB "
                    f"{published:,.0f} ({100 * (r.totals[year] / published - 1):+.2f} %)"
                )
        for year, s in sorted(self.steps.items()):
            lines.append(
                f"  one-year step from observed 1.1.{year}: TFR {s.tfr:.3f}, e0 {s.e0:.2f}, "
                f"births {s.births:,.0f}, deaths {s.deaths.sum():,.0f}, net migration "
                f"{s.net_migration:,.0f} -> growth {self.growth[year]:,.0f}"
            )
        return "\n".join(lines)


def _rates(bands: list[str], values: list[float]) -> np.ndarray:
    """Per-capita weights given per band, repeated on every age of the band."""
    out = np.zeros(N_AGES)
    for band, value in zip(bands, values, strict=True):
        lo, hi = parse_age_group(band)
        out[lo : hi + 1] += value
    return out


def _block_amounts(blocks: dict[str, Any], sector: dict[str, Any]) -> list[float]:
    """Each block's spending in kroner of the price year."""
    deflator = {int(k): float(v) for k, v in blocks["deflator"].items()}
    price_year = int(blocks["price_year"])
    return [
        float(b["spending_bn"]) * 1e9 * price_factor(deflator, int(b["year"]), price_year)
        for b in sector["blocks"]
    ]


def prior_unit_costs(
    blocks: dict[str, Any], population: np.ndarray, groups: AgeGroups
) -> dict[str, np.ndarray]:
    """Unit costs per sector and age group implied by the building blocks.

    Each block's spending (moved to the price year) is spread over single-year ages in proportion
    to ``weight(age) * population(age)``; a group's unit cost is its spending over its population.
    """
    pop = population.sum(axis=0)
    out = {}
    for name, sector in blocks["sectors"].items():
        spending = np.zeros(N_AGES)
        for block, amount in zip(sector["blocks"], _block_amounts(blocks, sector), strict=True):
            w = _rates(block["weights"]["bands"], block["weights"]["values"])
            spending += amount * w * pop / (w * pop).sum()
        out[name] = groups.collapse(spending) / groups.collapse(pop)
    return out


def _profile(groups: AgeGroups, per_age: np.ndarray, digits: int | None) -> AgeProfile:
    grouped = groups.collapse(per_age)
    if digits is not None:
        grouped = np.round(grouped, digits)
    return AgeProfile(groups.labels, tuple(grouped[0]), tuple(grouped[1]), SOURCE)


def read_blocks(blocks_path: str | Path) -> dict[str, Any]:
    """The building-block file as a mapping.

    Raises
    ------
    ConfigError
        If the file is not a YAML mapping.
    """
    blocks = read_yaml_file(Path(blocks_path), "blocks")
    if not isinstance(blocks, dict):
        raise ConfigError("blocks", str(blocks_path), "expected a YAML mapping of building blocks")
    return blocks


#: The tables a building-block file writes when it has no ``tables`` mapping.
DEFAULT_TABLES = {
    "unit_costs": "unit-costs-2023.yaml",
    "baseline": "baseline-2025.yaml",
    "uncertainty": "uncertainty-2025.yaml",
}


def table_names(blocks: dict[str, Any]) -> dict[str, str]:
    """The file name of each table a building-block file writes, by kind.

    A file whose inputs differ from another's only in some blocks (e.g. one as of an earlier
    date) names just the tables it owns under ``tables``, so that two files never write the same
    table.

    Raises
    ------
    ConfigError
        If ``tables`` is not a mapping from known kinds to file names.
    """
    tables = blocks.get("tables", DEFAULT_TABLES)
    if not isinstance(tables, dict) or not tables:
        raise ConfigError("tables", tables, f"a mapping from some of {sorted(DEFAULT_TABLES)}")
    for kind, name in tables.items():
        if kind not in DEFAULT_TABLES:
            raise ConfigError(f"tables.{kind}", name, f"one of {sorted(DEFAULT_TABLES)}")
        if not isinstance(name, str) or not name.endswith(".yaml") or "/" in name:
            raise ConfigError(f"tables.{kind}", name, "a file name ending in .yaml, no folder")
    return {str(k): str(v) for k, v in tables.items()}


def make_unit_costs(
    blocks: dict[str, Any], table: PopulationTable
) -> tuple[UnitCosts, list[SectorTotal]]:
    """Unit costs from the blocks (rounded to 10 kroner) and each sector's total beside its blocks.

    Free-revenue shares are the blocks' stated priors.
    """
    groups = AgeGroups(tuple(blocks["age_groups"]))
    year = int(blocks["population_year"])
    population = table.at(year)
    prior = prior_unit_costs(blocks, population, groups)
    by_group = groups.collapse(population.sum(axis=0))
    sectors, totals = [], []
    for name, spec in blocks["sectors"].items():
        row = np.round(prior[name], -1)
        sectors.append(
            Sector(
                name,
                float(spec["free_share"]["prior"]),
                tuple(float(v) for v in row),
                spec["label"]["nb"],
                spec["label"]["en"],
                spec.get("level", "municipality"),
            )
        )
        totals.append(
            SectorTotal(
                name,
                sum(_block_amounts(blocks, spec)) / 1e9,
                float(row @ by_group) / 1e9,
                year,
            )
        )
    return UnitCosts(int(blocks["price_year"]), tuple(sectors), SOURCE), totals


def rebuild_middle_alternative(
    spec: dict[str, Any], data_dir: str | Path, table: PopulationTable
) -> tuple[Assumptions, Reconstruction, dict[tuple[int, str, str, int], float]]:
    """SSB's middle alternative rebuilt from the assumptions named in ``spec`` (``baseline``)."""
    summary = read_projection_summary(data_dir)
    history = read_components(data_dir)
    rnd = int(spec["projection_round"])
    assumptions = read_assumptions(
        summary,
        history,
        table,
        projection_round=rnd,
        rates_year=int(spec["rates_year"]),
        profile_years=(
            int(spec["migration_profile_years"][0]),
            int(spec["migration_profile_years"][1]),
        ),
    )
    target = int(spec["population_target_year"])
    key = (rnd, "MMM", "population_jan1", target)
    if key not in summary:
        raise ConfigError(
            "baseline.population_target_year",
            target,
            f"a year with SSB's MMM population in round {rnd}",
        )
    reconstruction = solve_migration(
        assumptions,
        table,
        int(spec["jump_off"]),
        target,
        summary[key],
        until=int(spec["check_until"]),
    )
    return assumptions, reconstruction, summary


def baseline_from_step(
    start: np.ndarray, one_year: Step, year: int, groups: AgeGroups, profile: np.ndarray
) -> Baseline:
    """The config's baseline table from a one-year step (persons rounded to whole numbers).

    The migration profile only shapes the shocks drawn around the baseline, whose shares must not
    be negative: cells of net emigration (a few old ages) are set to zero there and the rest
    rescaled; the step itself keeps them.
    """
    shock_shape = np.maximum(profile, 0.0)
    shock_shape = shock_shape / shock_shape.sum()
    return Baseline(
        from_year=year,
        to_year=year + 1,
        change=_profile(groups, one_year.population - start, 0),
        expected_deaths=_profile(groups, one_year.deaths, 0),
        regular_net_immigration_profile=_profile(groups, shock_shape, 6),
        source=SOURCE,
    )


def _baseline_from_projection(
    projection: str | Path, rebuilt: Baseline, groups: AgeGroups
) -> Baseline:
    """The rebuilt baseline with its change replaced by the projection's own."""
    path = load_population_source(projection)
    year = rebuilt.from_year
    for needed in (year, year + 1):
        if needed not in path.years:
            raise DataError(
                str(projection),
                f"the projection must hold 1 January {year} and {year + 1}; it has "
                f"{path.years.start}-{path.years.stop - 1}",
            )
    change = path.at(year + 1).astype(float) - path.at(year)
    return dataclasses.replace(rebuilt, change=_profile(groups, change, 0))


def calibrate(
    blocks_path: str | Path, data_dir: str | Path, projection: str | Path | None = None
) -> CalibrationResult:
    """Make the unit-cost, baseline and uncertainty tables from sourced inputs.

    Parameters
    ----------
    blocks_path : str or Path
        The building-block file (``configs/calibration/building-blocks-2023.yaml``).
    data_dir : str or Path
        The shared data folder: ``population_norway_by_age_sex.csv`` and ``components/``.
    projection : str or Path, optional
        SSB's middle alternative itself, when the user has it: a population file by year, age
        and sex (an ``alternative`` column is allowed) or an ``ssb:`` source in the cache (e.g.
        ``ssb:13599?alternative=MMMM``, from ``tbu-mc data fetch projection``). The baseline
        change is then its change from 1 January ``from_year`` to the next; the rebuild still
        gives the shape of the death and migration shocks around it.

    Returns
    -------
    CalibrationResult

    Raises
    ------
    DataError
        If the projection cannot be read or lacks one of the two years.
    """
    blocks_path = Path(blocks_path)
    blocks = read_blocks(blocks_path)
    table = read_population_file(Path(data_dir) / NATIONAL_FILE)
    groups = AgeGroups(tuple(blocks["age_groups"]))
    costs, totals = make_unit_costs(blocks, table)
    base = blocks["baseline"]
    assumptions, reconstruction, summary = rebuild_middle_alternative(base, data_dir, table)
    steps = {}
    for year in base["steps_from"]:
        year = int(year)
        steps[year] = step(
            assumptions, table.at(year).astype(float), year, reconstruction.net_migration[year]
        )
    from_year = int(base["from_year"])
    line = baseline_from_step(
        table.at(from_year).astype(float), steps[from_year], from_year, groups, assumptions.profile
    )
    if projection is not None:
        line = _baseline_from_projection(projection, line, groups)
    u = blocks["uncertainty"]
    mortality = fit_mortality(
        table,
        int(u["deaths_year"]),
        deaths=float(u["deaths"]),
        male_ratio=float(u["male_mortality_ratio"]),
    )
    spreads = history_spreads(table, *u["years"], mortality.b, mortality.male_ratio)
    migration = estimate_migration_spreads(
        read_net_migration(data_dir), read_ssb_net_migration(data_dir)
    )
    rnd = int(base["projection_round"])
    published = {
        y: v
        for (r, variant, indicator, y), v in summary.items()
        if r == rnd and variant == "MMM" and indicator == "population_jan1"
    }
    return CalibrationResult(
        unit_costs=_unit_cost_table(costs, groups, blocks, totals, blocks_path),
        baseline=_baseline_table(
            line, base, assumptions, reconstruction, steps[from_year], blocks_path, projection
        ),
        uncertainty=_uncertainty_table(blocks, spreads, migration),
        sector_totals=totals,
        reconstruction=reconstruction,
        steps=steps,
        assumptions=assumptions,
        published_population=published,
        growth={y: float(s.population.sum() - table.at(y).sum()) for y, s in steps.items()},
        costs=costs,
        line=line,
    )


def _config_with(raw: dict[str, Any], path: Path, costs: UnitCosts, line: Baseline) -> Config:
    """Load a target config with trial tables in place of the files it references."""
    raw = dict(raw, population=dict(raw["population"]))
    raw["unit_costs"] = unit_costs_to_dict(costs, AgeGroups(tuple(raw["age_groups"])))
    raw.pop("uncertainty", None)  # spreads do not enter the point estimates
    if raw["population"].get("kind") == PopulationKind.PROJECTED.value:
        raw["population"]["baseline"] = baseline_to_dict(line)
    return Config.from_dict(raw, base_dir=path.parent, source=str(path))


def _published(spec: dict[str, Any], field: str) -> dt.date:
    """A building block's ``published`` date (required: the tables carry the latest of them)."""
    return read_date(spec.get("published"), field, "blocks")


def _unit_cost_table(
    costs: UnitCosts,
    groups: AgeGroups,
    blocks: dict[str, Any],
    totals: list[SectorTotal],
    blocks_path: Path,
) -> dict[str, Any]:
    sectors = {}
    for sector, total in zip(costs.sectors, totals, strict=True):
        spec = blocks["sectors"][sector.name]
        free = spec["free_share"]
        sectors[sector.name] = {
            "label": {"nb": sector.label_nb, "en": sector.label_en},
            "level": sector.level,
            "free_share": sector.free_share,
            "unit_costs": {
                g: int(v) for g, v in zip(groups.labels, sector.unit_costs, strict=True)
            },
            "source": "; ".join(" ".join(b["source"].split()) for b in spec["blocks"]),
            "note": (
                f"{total.describe()}. Free-revenue share: the stated prior ({free['source']}), "
                "not fitted."
            ),
            # the latest of what the sector used: its blocks, its prior and the population
            "published": max(
                [
                    _published(b, f"sectors.{sector.name}.blocks[{i}].published")
                    for i, b in enumerate(spec["blocks"])
                ]
                + [_published(free, f"sectors.{sector.name}.free_share.published")]
                + [population_published(int(blocks["population_year"]))]
            ).isoformat(),
        }
    return {
        "price_year": costs.price_year,
        "source": (
            f"Made by `tbu-mc calibrate` from the building blocks in {blocks_path.name}: "
            "spending by sector in 2023-kroner, spread over ages by the stated weights and divided "
            f"by the population on 1.1.{blocks['population_year']} (SSB table 07459). No scale "
            "factor and nothing fitted to TBU's results; each sector's note gives its total beside "
            "its blocks."
        ),
        "sectors": sectors,
    }


def _baseline_table(
    line: Baseline,
    base: dict[str, Any],
    assumptions: Assumptions,
    reconstruction: Reconstruction,
    one_year: Step,
    blocks_path: Path,
    projection: str | Path | None = None,
) -> dict[str, Any]:
    def profile(p: AgeProfile, cast: type) -> dict[str, Any]:
        return {
            "bands": list(p.bands),
            "female": [cast(v) for v in p.female],
            "male": [cast(v) for v in p.male],
        }

    a, r = assumptions, reconstruction
    rnd = int(base["projection_round"])
    year = line.from_year
    first, last = a.profile_years
    source = (
        f"Made by `tbu-mc calibrate` ({blocks_path.name}): a one-year cohort-component "
        f"step from SSB's population on 1.1.{year} with the assumptions of SSB's middle "
        f"alternative of July {rnd} (MMM) for {year}, rebuilt from SSB's published summary "
        "(components/nor_ssb_projection_summary.csv) because its single-age series is not in "
        "our data. Nothing in it is fitted to TBU's results."
    )
    if projection is not None:
        given = str(projection)
        named = given if given.startswith("ssb:") else Path(given).name
        source = (
            f"Made by `tbu-mc calibrate` ({blocks_path.name}): the change 1.1.{year} -> "
            f"1.1.{year + 1} of SSB's middle alternative as given in "
            f"{named}; the death and migration shapes and the assumptions below are the rebuild's. "
            "Nothing in it is fitted to TBU's results."
        )
    published = max(_published(base, "baseline.published"), population_published(line.from_year))
    return {
        "source": source,
        "published": published.isoformat(),
        "from_year": line.from_year,
        "to_year": line.to_year,
        "assumptions": {
            "projection": f"SSB national population projection, round {rnd}, MMM",
            "tfr": round(one_year.tfr, 4),
            "tfr_note": (
                "linear between SSB's published MMM TFR "
                + ", ".join(f"{v} ({y})" for y, v in sorted(a.tfr.items()))
                + f"; age shape of fertility {a.rates_year} (HFD)"
            ),
            "e0": round(one_year.e0, 3),
            "e0_note": (
                "life expectancy at birth, mean of women and men, linear between SSB's MMM "
                + ", ".join(f"{v} ({y})" for y, v in sorted(a.e0.items()))
                + f"; HMD death rates of {a.rates_year} shifted by one factor to give it"
            ),
            "births": round(one_year.births),
            "deaths": round(float(one_year.deaths.sum())),
            "net_immigration": round(one_year.net_migration),
            "net_immigration_note": (
                f"SSB's MMM net migration is published for {r.jump_off} "
                f"({a.net_migration[r.jump_off]:,.0f}) and 2040 ({a.net_migration[2040]:,.0f}); "
                f"from {r.jump_off + 1} it is taken as linear towards 2040 from the level that "
                f"makes the rebuilt path, started from SSB's population on 1.1.{r.jump_off}, reach "
                f"SSB's published {r.target_population:,.0f} on 1.1.{r.target_year}: "
                + ", ".join(
                    f"{y} {v:,.0f}" for y, v in r.net_migration.items() if y <= r.target_year
                )
            ),
            "growth": round(float(line.change.total())),
            "migration_profile": (
                f"net migration by age and sex: cohort residuals (SSB stocks, HMD deaths and "
                f"births) summed over {first}-{last}, a period without refugee waves"
            ),
        },
        "change": profile(line.change, int),
        "expected_deaths": profile(line.expected_deaths, int),
        "regular_net_immigration_profile": profile(line.regular_net_immigration_profile, float),
    }


def _uncertainty_table(
    blocks: dict[str, Any], spreads: Any, migration: MigrationSpreads
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
            "log_sd": u["unit_costs"]["log_sd"],
            "source": " ".join(str(u["unit_costs"]["source"]).split()),
        },
        # the deaths of deaths_year and the net migration to it come with SSB's population on
        # 1 January of the next year (the balancing equation needs that population)
        "published": population_published(int(u["deaths_year"]) + 1).isoformat(),
    }
