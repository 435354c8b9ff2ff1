"""Reproducing TBU is a check, not a fit: the generated tables against TBU's published figures.

For each config under ``checks`` in the building-block file, the model's point estimate of every
published figure is set beside it with the gap. For a projected population the gap is split in
two parts: the baseline (the config's scenario with no extra immigration) and the extra
immigrants. TBU's own split is read off its alternatives: they differ only in extra
immigration, so a least-squares line through (extra immigration, published figure) gives TBU's
cost per extra immigrant (slope) and the cost of its baseline (intercept). For an observed
population the gap is all unit costs.

A second, out-of-sample check of the refugee slope: KS's input to the same consultation meeting
(section 4.1, footnote 1) puts the cost of 30,000 extra refugees from Ukraine in 2025, over SSB's
middle alternative, at about 2.6 bn kroner, about 2.3 bn of it from the free revenues.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mc.calibration.fit import CalibrationResult, _config_with, read_blocks
from mc.calibration.middle import step
from mc.data.population import NATIONAL_FILE, read_population_file
from mc.data.yamlio import read_yaml_file
from mc.model.config import Baseline, Config, PopulationKind, UnitCosts
from mc.model.demographic import deterministic_outputs
from mc.model.population import PopulationTable


@dataclass(frozen=True)
class Footnote:
    """A published cost of extra immigrants, with where it stands in the source."""

    extra: float
    total_bn: float
    free_bn: float
    where: str
    quote_en: str


#: KS's footnote: extra refugees, total and free-revenue cost (bn 2024-kroner, cost year 2025).
KS_FOOTNOTE = Footnote(
    extra=30_000.0,
    total_bn=2.6,
    free_bn=2.3,
    where=(
        "../shared/sources/konsultasjonsmote-2024-materiale.txt, section 4.1 (KS's input to the "
        "budget 2025), footnote 1, lines 644-648 (the text has no page numbers)"
    ),
    quote_en=(
        "a rise in refugees in line with UDI's planning figure of 30,000 could mean about 2.6 bn "
        "kroner more in demographic costs in 2025 beyond SSB's middle alternative, of which about "
        "2.3 bn would have to be financed from the free revenues (our translation)"
    ),
)
VARIABLES = {"total": "demographic_cost_total_bn", "free": "demographic_cost_free_bn"}


@dataclass(frozen=True)
class FigureCheck:
    """One published figure beside the model's, with the parts of the gap."""

    config: str
    scenario: str
    measure: str  # "total" or "free"
    extra: float  # extra net immigration of the scenario
    published: float
    model: float
    model_baseline: float | None  # the model with no extra immigration (projected only)
    tbu_baseline: float | None  # TBU's intercept (projected configs with 2+ alternatives)
    tbu_slope_per_1000: float | None  # TBU's cost of 1,000 extra immigrants
    by_sector: dict[str, float] = field(default_factory=dict)

    @property
    def gap(self) -> float:
        """Model minus published."""
        return self.model - self.published

    @property
    def baseline_gap(self) -> float | None:
        """The part of the gap from the baseline (model's minus TBU's implied)."""
        if self.model_baseline is None or self.tbu_baseline is None:
            return None
        return self.model_baseline - self.tbu_baseline

    @property
    def extra_gap(self) -> float | None:
        """The part from the extra immigrants (the rest of the gap)."""
        part = self.baseline_gap
        return None if part is None else self.gap - part


@dataclass(frozen=True)
class KsCheck:
    """The model's cost of KS's 30,000 extra refugees beside KS's 2.6 / 2.3 bn."""

    extra: float
    total_bn: float
    free_bn: float
    published_total_bn: float
    published_free_bn: float


@dataclass
class TbuCheck:
    """Every check, ready to print or to write as Markdown."""

    figures: list[FigureCheck]
    ks: KsCheck
    sectors: tuple[str, ...]
    growth: dict[str, float]  # config/scenario -> model growth
    baseline_by_sector: dict[str, float] = field(default_factory=dict)  # projected, no extra
    baseline_migration_per_1000: float | None = None  # baseline cost of 1,000 more net migrants

    def table(self) -> str:
        """Plain-text table (the console)."""
        lines = [
            f"{'config':<16} {'scenario':<7} {'':<5} {'published':>9} {'model':>7} {'gap':>7} "
            f"{'baseline':>9} {'extra':>7}"
        ]
        for f in self.figures:
            b = "" if f.baseline_gap is None else f"{f.baseline_gap:+.2f}"
            e = "" if f.extra_gap is None else f"{f.extra_gap:+.2f}"
            lines.append(
                f"{f.config:<16} {f.scenario:<7} {f.measure:<5} {f.published:9.1f} "
                f"{f.model:7.2f} {f.gap:+7.2f} {b:>9} {e:>7}"
            )
        k = self.ks
        lines.append(
            f"KS footnote, {k.extra:,.0f} extra refugees: model {k.total_bn:.2f} bn "
            f"(free {k.free_bn:.2f}) vs KS {k.published_total_bn} ({k.published_free_bn})"
        )
        return "\n".join(lines)


def _with_extra(cfg: Config, extra: float) -> Config:
    scenarios = tuple(dataclasses.replace(s, extra_net_immigration=extra) for s in cfg.scenarios)
    return dataclasses.replace(cfg, scenarios=scenarios)


def _tbu_line(cfg: Config, measure: str) -> tuple[float | None, float | None]:
    """TBU's implied baseline cost and cost per 1,000 extra immigrants (least squares)."""
    points = [
        (s.extra_net_immigration, getattr(s, f"published_{measure}_bn"))
        for s in cfg.scenarios
        if getattr(s, f"published_{measure}_bn") is not None
    ]
    extras = np.array([p[0] for p in points], dtype=float)
    if len(points) < 2 or np.ptp(extras) == 0:
        return None, None
    slope, intercept = np.polyfit(extras, np.array([p[1] for p in points], dtype=float), 1)
    return float(intercept), float(slope) * 1000


def check_config(cfg: Config, population: PopulationTable | None) -> list[FigureCheck]:
    """Model vs published for every published figure of one config."""
    result = deterministic_outputs(cfg, population)
    projected = cfg.population.kind is PopulationKind.PROJECTED
    base = deterministic_outputs(_with_extra(cfg, 0.0), population) if projected else None
    sectors = cfg.unit_costs.names
    out = []
    for i, s in enumerate(cfg.scenarios):
        for measure, variable in VARIABLES.items():
            published = getattr(s, f"published_{measure}_bn")
            if published is None:
                continue
            tbu_base, slope = _tbu_line(cfg, measure) if projected else (None, None)
            by_sector = result["demographic_cost_sector_bn"][i, -1]
            if measure == "free":
                by_sector = by_sector * cfg.unit_costs.free_shares
            out.append(
                FigureCheck(
                    config=cfg.name,
                    scenario=s.name,
                    measure=measure,
                    extra=float(s.extra_net_immigration),
                    published=float(published),
                    model=float(result[variable][i, -1]),
                    model_baseline=None if base is None else float(base[variable][i, -1]),
                    tbu_baseline=tbu_base,
                    tbu_slope_per_1000=slope,
                    by_sector=dict(zip(sectors, (float(v) for v in by_sector), strict=True)),
                )
            )
    return out


def ks_check(cfg: Config, population: PopulationTable | None) -> KsCheck:
    """The model's cost of KS's extra refugees: scenario at 30,000 minus scenario at zero."""
    extra = KS_FOOTNOTE.extra
    with_ = deterministic_outputs(_with_extra(cfg, extra), population)
    without = deterministic_outputs(_with_extra(cfg, 0.0), population)
    total = with_["demographic_cost_total_bn"][0, -1] - without["demographic_cost_total_bn"][0, -1]
    free = with_["demographic_cost_free_bn"][0, -1] - without["demographic_cost_free_bn"][0, -1]
    return KsCheck(
        extra,
        float(total),
        float(free),
        KS_FOOTNOTE.total_bn,
        KS_FOOTNOTE.free_bn,
    )


def tbu_check(
    blocks_path: str | Path,
    data_dir: str | Path,
    costs: UnitCosts,
    line: Baseline,
    more_migrants: np.ndarray | None = None,
) -> TbuCheck:
    """Compare the tables with TBU's published figures for every config under ``checks``.

    Parameters
    ----------
    blocks_path : str or Path
        The building-block file; its ``checks`` lists the configs.
    data_dir : str or Path
        The shared data folder (observed populations).
    costs, line : UnitCosts, Baseline
        The tables to check (as made by :func:`mc.calibration.calibrate`).
    more_migrants : ndarray, optional
        A change by sex and age ``(2, 106)`` whose cost is reported as
        ``baseline_migration_per_1000`` (priced as the projected config prices its baseline).
    """
    blocks_path = Path(blocks_path)
    blocks = read_blocks(blocks_path)
    table = read_population_file(Path(data_dir) / NATIONAL_FILE)
    figures: list[FigureCheck] = []
    growth: dict[str, float] = {}
    baseline_by_sector: dict[str, float] = {}
    per_1000: float | None = None
    ks: KsCheck | None = None
    sectors: tuple[str, ...] = ()
    for rel in blocks["checks"]:
        path = (blocks_path.parent / rel).resolve()
        raw = read_yaml_file(path, "checks", str(blocks_path))
        cfg = _config_with(raw, path, costs, line)
        population = table if cfg.population.kind is PopulationKind.OBSERVED else None
        figures += check_config(cfg, population)
        sectors = cfg.unit_costs.names
        out = deterministic_outputs(cfg, population)
        for i, name in enumerate(cfg.scenario_names):
            growth[f"{cfg.name}/{name}"] = float(out["population_growth"][i, -1])
        if cfg.population.kind is PopulationKind.PROJECTED and ks is None:
            ks = ks_check(cfg, population)
            base = deterministic_outputs(_with_extra(cfg, 0.0), population)
            baseline_by_sector = dict(
                zip(
                    sectors,
                    (float(v) for v in base["demographic_cost_sector_bn"][0, -1]),
                    strict=True,
                )
            )
            if more_migrants is not None:
                unit = cfg.unit_costs.matrix(cfg.age_groups) * cfg.price_factor()
                per_1000 = float((unit @ more_migrants.sum(axis=0)).sum() / 1e9)
    if ks is None:
        raise ValueError("no projected config under `checks`: the KS check needs one")
    return TbuCheck(figures, ks, sectors, growth, baseline_by_sector, per_1000)


def check_from_result(
    result: CalibrationResult, blocks_path: str | Path, data_dir: str | Path
) -> TbuCheck:
    """:func:`tbu_check` on the tables a calibration made, with its baseline's sensitivity.

    ``baseline_migration_per_1000`` is what 1,000 more net migrants in the baseline year (the
    baseline's age profile) add to the cost: it turns the baseline part of a gap into persons.
    """
    year = result.line.from_year
    table = read_population_file(Path(data_dir) / NATIONAL_FILE)
    one = result.steps[year]
    more = step(result.assumptions, table.at(year).astype(float), year, one.net_migration + 1000.0)
    return tbu_check(
        blocks_path, data_dir, result.costs, result.line, more.population - one.population
    )


def _bn(value: float | None, sign: bool = False) -> str:
    if value is None:
        return ""
    return f"{value:+.2f}" if sign else f"{value:.2f}"


def markdown(check: TbuCheck, result: CalibrationResult, command: str) -> str:
    """The check as a Markdown page (``docs/tbu-check.md``).

    Parameters
    ----------
    check : TbuCheck
        From :func:`check_from_result`.
    result : CalibrationResult
        The calibration behind it (sources of the tables).
    command : str
        The command that made the page, quoted at its top.
    """
    r = result.reconstruction
    out = [
        "# Reproducing TBU: a check, not a fit",
        "",
        f"Made by `{command}`; do not edit by hand. The tables in `configs/tables/` come from "
        "sourced inputs only (see [inputs.md](inputs.md)); here they meet TBU's published "
        "figures, which they were not fitted to. Model = point estimate (every driver at its "
        "central value); bn kroner in each config's price year.",
        "",
        "## Published figures",
        "",
        "| config | scenario | extra immigration | | published | model | gap | from baseline "
        "| from extra immigrants |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for f in check.figures:
        out.append(
            f"| {f.config} | {f.scenario} | {f.extra:,.0f} | {f.measure} | {f.published:.1f} | "
            f"{f.model:.2f} | {f.gap:+.2f} | {_bn(f.baseline_gap, True)} | "
            f"{_bn(f.extra_gap, True)} |"
        )
    projected = [f for f in check.figures if f.tbu_baseline is not None]
    observed = [f for f in check.figures if f.model_baseline is None]
    out += ["", "## Where the gaps come from", ""]
    if projected:
        total = next(f for f in projected if f.measure == "total")
        free = next(f for f in projected if f.measure == "free")
        # the projected figures carry both lines (checked when they were made)
        base_model, base_tbu = float(total.model_baseline or 0), float(total.tbu_baseline or 0)
        tbu_slope = float(total.tbu_slope_per_1000 or 0)
        baseline_gap = base_model - base_tbu
        slope_model = (total.model - base_model) / total.extra * 1000
        out += [
            f"**{total.config}.** TBU's alternatives differ only in extra immigration, so a "
            "least-squares line through TBU's figures splits each into a baseline part "
            f"(the intercept: {base_tbu:.2f} bn total, {free.tbu_baseline:.2f} bn free) "
            f"and a cost per 1,000 extra immigrants (the slope: {tbu_slope:.3f} bn "
            f"total, {free.tbu_slope_per_1000:.3f} bn free). The model's baseline (no extra "
            f"immigration) costs {base_model:.2f} bn ({free.model_baseline:.2f} free); "
            f"its cost per 1,000 extra immigrants is {slope_model:.3f} bn. Of the gap of "
            f"{total.gap:+.2f} bn in the {total.scenario} alternative, {baseline_gap:+.2f} bn "
            f"is the baseline; the model's slope is {100 * (slope_model / tbu_slope - 1):+.0f} % "
            "from TBU's (checked out of sample against KS below).",
            "",
        ]
        if check.baseline_migration_per_1000:
            persons = baseline_gap / check.baseline_migration_per_1000 * 1000
            base_n = result.steps[result.line.from_year].net_migration
            out += [
                f"The model's baseline grows by {result.growth[result.line.from_year]:,.0f} "
                f"persons in {result.line.from_year} (net migration {base_n:,.0f}, the rebuilt "
                f"middle alternative's). 1,000 more baseline net migrants cost "
                f"{check.baseline_migration_per_1000:.3f} bn, so the baseline part of the gap is "
                f"what about {persons:,.0f} net migrants cost: TBU's figures, read with these unit "
                f"costs, imply a baseline net migration near {base_n - persons:,.0f}. The old "
                "calibration fitted that number (2,200, with care scaled up 19 %); here it is "
                "reported instead. Either SSB's middle alternative had less non-refugee "
                "migration or younger ages in 2024 than this rebuild (it has only SSB's "
                "published summary), or TBU's age profile of costs differs from the building "
                "blocks'.",
                "",
            ]
        out += [
            "Baseline (no extra immigration) by sector, bn:",
            "",
            "| sector | " + " | ".join(check.sectors) + " |",
            "|---|" + "---:|" * len(check.sectors),
            "| baseline | "
            + " | ".join(f"{check.baseline_by_sector[s]:.2f}" for s in check.sectors)
            + " |",
            "",
        ]
    for f in observed:
        if f.measure != "total":
            continue
        care = f.by_sector.get("care", 0.0)
        care_blocks = next(t.blocks_bn for t in result.sector_totals if t.sector == "care")
        out += [
            f"**{f.config}.** The population is observed (growth "
            f"{check.growth[f'{f.config}/{f.scenario}']:,.0f}), so the whole gap "
            f"({f.gap:+.2f} bn) is unit costs. By sector the model has "
            + ", ".join(f"{s} {v:.2f}" for s, v in f.by_sector.items())
            + f" bn. Were the whole gap in care, care's unit costs would have to be "
            f"{(care - f.gap) / care:.2f} times what its blocks ({care_blocks:.1f} bn) give (the "
            "old calibration's scale factor 1.19 was this); the blocks do not say so, and the "
            "table keeps them.",
            "",
        ]
    k = check.ks
    out += [
        "## Out of sample: KS's 30,000 extra refugees",
        "",
        f"Source: {KS_FOOTNOTE.where}: {KS_FOOTNOTE.quote_en}.",
        "",
        "| | KS | model | gap |",
        "|---|---:|---:|---:|",
        f"| total, bn | {k.published_total_bn:.1f} | {k.total_bn:.2f} | "
        f"{k.total_bn - k.published_total_bn:+.2f} |",
        f"| free revenues, bn | {k.published_free_bn:.1f} | {k.free_bn:.2f} | "
        f"{k.free_bn - k.published_free_bn:+.2f} |",
        "",
        "The model's cost is its 2025 config with 30,000 extra immigrants (the refugee age "
        "profile of 2022) minus the same with none; nothing was fitted to KS's figures.",
        "",
        "## The rebuilt middle alternative against SSB and TBU",
        "",
        f"- Net migration solved for {r.jump_off + 1}: {r.net_migration[r.jump_off + 1]:,.0f} "
        f"(so that 1.1.{r.target_year} = {r.target_population:,.0f}, SSB's published MMM).",
    ]
    for year, published in sorted(result.published_population.items()):
        if year in r.totals and year not in (r.target_year, r.jump_off):
            out.append(
                f"- Population 1.1.{year}: rebuilt {r.totals[year]:,.0f}, SSB {published:,.0f} "
                f"({100 * (r.totals[year] / published - 1):+.2f} %), not used in the solve."
            )
    if r.jump_off + 1 in r.totals and r.jump_off + 2 in r.totals:
        year = r.jump_off + 1
        out.append(
            f"- Growth in {year} on the rebuilt path: {r.growth(year):,.0f}; TBU's March 2023 "
            "baseline implies 33,600 for the middle alternative (53,600 minus 20,000 extra "
            "refugees, consultation material 2024, chapter 3)."
        )
    for year, s in sorted(result.steps.items()):
        out.append(
            f"- One-year step from the observed 1.1.{year}: growth {result.growth[year]:,.0f} "
            f"(births {s.births:,.0f}, deaths {s.deaths.sum():,.0f}, net migration "
            f"{s.net_migration:,.0f})."
        )
    out += ["", "## Unit costs against their blocks", ""]
    out += [f"- {t.sector}: {t.describe()}" for t in result.sector_totals]
    return "\n".join(out) + "\n"
