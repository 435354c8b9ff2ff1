"""The report's tables, built once as text cells and then rendered as HTML, Markdown and LaTeX.

Every table is a :class:`Table` of formatted strings, so ``report.html``, ``tables.md`` and
``tables.tex`` cannot disagree about a number.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mc.errors import ConfigError
from mc.report import layout
from mc.report.labels import (
    driver_label,
    scheduler_label,
    text,
    variable_label,
    variables_of,
    whole,
)
from mc.report.reader import RunFolder, ScenarioRecord
from mc.summary.bands import BandSpec, band_columns, level_text

#: The variables of the headline table, in order; those a run lacks are left out.
HEADLINE_VARIABLES = (
    "demographic_cost_total_bn",
    "demographic_cost_free_bn",
    "net_operating_result_pct",
    "net_operating_result_municipalities_pct",
    "net_operating_result_counties_pct",
    "handlingsrom_ex_ante_bn",
    "realised_room_bn",
    "real_growth_free_revenues_bn",
    "nominal_growth_free_revenues_pct",
    "deflator_pct",
    "tax_growth_pct",
)
DASH = "–"


@dataclass(frozen=True)
class Table:
    """One table as formatted text.

    Parameters
    ----------
    id : str
        Identifier: the HTML ``id``, the LaTeX label ``tab:tbu-mc-<id>``.
    caption : str
        Caption, in the report's language.
    columns : tuple of str
        Column headings.
    rows : tuple of tuple of str
        Cells, one tuple per row, as long as ``columns``.
    align : str
        ``l`` or ``r`` per column.
    """

    id: str
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    align: str

    def __post_init__(self) -> None:
        if len(self.align) != len(self.columns):
            raise ValueError(f"table {self.id}: {len(self.columns)} columns, align {self.align!r}")
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"table {self.id}: row {row} has not {len(self.columns)} cells")


def number(value: float | None, digits: int, lang: str) -> str:
    r"""A number for a table: fixed decimals, a real minus sign, Norwegian decimal comma in ``nb``.

    Examples
    --------
    >>> number(-1234.5, 1, "nb")
    '−1\xa0234,5'
    >>> number(float("nan"), 2, "en")
    '–'
    """
    if value is None or not math.isfinite(value):
        return DASH
    out = f"{value:,.{digits}f}"
    if lang == "nb":
        out = out.replace(",", "\u00a0").replace(".", ",")
    return out.replace("-", "\u2212")


def band_range(lo: float, hi: float, digits: int, lang: str) -> str:
    """``2.57 – 6.17``: a band's edges (a narrow column breaks it after the dash, not before)."""
    return f"{number(lo, digits, lang)}\u00a0{DASH} {number(hi, digits, lang)}"


def _digits(variable: str) -> int:
    return 0 if variable in ("population_growth", "extra_net_immigration") else 2


class Cells:
    """Rows of a table with ``sector == "all"``, looked up by variable, scenario and year."""

    def __init__(self, frame: pd.DataFrame | None) -> None:
        self.rows: dict[tuple[str, str, int], pd.Series] = {}
        if frame is None:
            return
        part = frame[frame["sector"].astype(str) == "all"]
        keys = zip(
            part["variable"].astype(str),
            part["scenario"].astype(str),
            part["year"].astype(int),
            strict=True,
        )
        self.rows = {key: row for key, (_, row) in zip(keys, part.iterrows(), strict=True)}

    def get(self, variable: str, scenario: str, year: int) -> pd.Series | None:
        """The row, or ``None``."""
        return self.rows.get((variable, scenario, int(year)))

    def value(self, variable: str, scenario: str, year: int) -> float | None:
        """The ``value`` column of the row (point estimates), or ``None``."""
        row = self.get(variable, scenario, year)
        return None if row is None else float(row["value"])


def chosen_years(available: Iterable[int], asked: Sequence[int] | None) -> list[int]:
    """The years to show: ``asked`` (checked against the run's years), else every one.

    Parameters
    ----------
    available : iterable of int
        The years the run has.
    asked : sequence of int, optional
        The years of ``--years``; ``None`` or empty for all.

    Raises
    ------
    ConfigError
        If an asked year is not a year of the run, naming the run's years.

    Examples
    --------
    >>> chosen_years([2025, 2026, 2027], [2027, 2025])
    [2025, 2027]
    """
    have = sorted({int(y) for y in available})
    if not asked:
        return have
    outside = sorted(set(asked) - set(have))
    if outside:
        span = f"{have[0]}" if len(have) == 1 else f"{have[0]}-{have[-1]}"
        raise ConfigError(
            "--years",
            ",".join(str(y) for y in outside),
            f"must be years of the run ({span})",
        )
    return sorted(set(asked))


def headline_variables(run: RunFolder) -> list[str]:
    """The headline variables this run has, in display order."""
    present = set(run.summary["variable"])
    # the named order first, then any other labelled cost or economy output of the run
    known = [*HEADLINE_VARIABLES, *variables_of("demographic"), *variables_of("economy")]
    return [v for v in dict.fromkeys(known) if v in present]


def scenario_groups(
    run: RunFolder, shared: Collection[str], lang: str
) -> list[tuple[str, ScenarioRecord, list[str]]]:
    """The headline variables grouped for a table: per scenario, then the shared ones once.

    Parameters
    ----------
    run : RunFolder
        The run.
    shared : collection of str
        Variables that are the same under every scenario
        (:func:`mc.summary.independence.scenario_independent`, decided from the draws).
    lang : {"nb", "en"}
        Label language of the groups.

    Returns
    -------
    list of (label, scenario, variables)
        One group per scenario with its own variables, and, if any variable is shared, a last
        group "all scenarios" that reads the shared ones from the first scenario (they are the
        same in every scenario).
    """
    variables = headline_variables(run)
    groups = [
        (scenario.label(lang), scenario, [v for v in variables if v not in shared])
        for scenario in run.scenarios
    ]
    if run.scenarios and any(v in shared for v in variables):
        common = [v for v in variables if v in shared]
        groups.append((text(lang, "all_scenarios"), run.scenarios[0], common))
    return groups


def headline_report_table(
    run: RunFolder,
    bands: pd.DataFrame,
    spec: BandSpec,
    lang: str,
    above_published: Mapping[tuple[str, str], float],
    year: int | None = None,
    *,
    id: str = "headline",
    shared: Collection[str] = (),
) -> Table:
    """Published figure, point estimate, mean, median and the preset's bands per scenario.

    Parameters
    ----------
    run : RunFolder
        The run.
    bands : DataFrame
        :func:`mc.summary.bands.band_table` for ``spec.levels``.
    spec : BandSpec
        The bands shown.
    lang : {"nb", "en"}
        Label language.
    above_published : mapping
        ``(scenario, variable) -> P(outcome > TBU's published figure)`` in ``year``.
    year : int, optional
        The year shown (default: the cost year). TBU's published figures belong to the cost
        year and are left out of the other years.
    id : str
        The table's identifier (one per year in a multi-year report).
    shared : collection of str
        Variables that are the same under every scenario
        (:func:`mc.summary.independence.scenario_independent`): shown once, after the
        scenarios, under "all scenarios", instead of once per scenario.
    """
    year = run.cost_year if year is None else year
    columns = [
        text(lang, "scenario"),
        text(lang, "col_variable"),
        text(lang, "col_tbu"),
        text(lang, "col_point"),
        text(lang, "mean"),
        text(lang, "median"),
        *(text(lang, "band", level=level_text(v)) for v in spec.levels),
        text(lang, "col_p_above_tbu"),
    ]
    summaries, edges, points = Cells(run.summary), Cells(bands), Cells(run.deterministic)
    rows = []
    for group_label, scenario, group in scenario_groups(run, shared, lang):
        first = True
        for variable in group:
            summary = summaries.get(variable, scenario.name, year)
            band = edges.get(variable, scenario.name, year)
            if summary is None or band is None:
                continue
            digits = _digits(variable)
            point = points.value(variable, scenario.name, year)
            published = scenario.published.get(variable) if year == run.cost_year else None
            p_above = above_published.get((scenario.name, variable))
            ranges = []
            for level in spec.levels:
                lo, hi = band_columns(level)
                ranges.append(band_range(band[lo], band[hi], digits, lang))
            rows.append(
                (
                    group_label if first else "",
                    variable_label(variable, lang, run.price_year, year),
                    number(published, 1, lang),
                    number(point, digits, lang),
                    number(float(summary["mean"]), digits, lang),
                    number(float(band["q50"]), digits, lang),
                    *ranges,
                    number(p_above, 2, lang),
                )
            )
            first = False
    return Table(
        id,
        text(lang, "cap_headline", bands=spec.describe(), year=year),
        tuple(columns),
        tuple(rows),
        "ll" + "r" * (len(columns) - 2),
    )


def scenario_table(
    run: RunFolder, percentiles: Mapping[tuple[str, str], float], lang: str
) -> Table:
    """TBU's alternatives beside the bands: where each one's point estimate falls.

    Parameters
    ----------
    run : RunFolder
        The run.
    percentiles : mapping
        ``(scenario, variable) -> share`` of the first scenario's draws at or below that
        scenario's point estimate (see :func:`mc.summary.bands.share_at_or_below`).
    lang : {"nb", "en"}
        Label language.
    """
    year = run.cost_year
    reference = run.scenarios[0].label(lang)
    columns = (
        text(lang, "scenario"),
        text(lang, "col_extra_immigration"),
        text(lang, "col_total_tbu"),
        text(lang, "col_total_point"),
        text(lang, "col_percentile", scenario=reference),
        text(lang, "col_free_tbu"),
        text(lang, "col_free_point"),
        text(lang, "col_percentile", scenario=reference),
    )
    points = Cells(run.deterministic)
    rows = []
    for scenario in run.scenarios:
        cells = [scenario.label(lang)]
        extra = scenario.extra_net_immigration
        cells.append(DASH if extra is None else _signed_whole(extra, lang))
        for variable in ("demographic_cost_total_bn", "demographic_cost_free_bn"):
            point = points.value(variable, scenario.name, year)
            share = percentiles.get((scenario.name, variable))
            cells += [
                number(scenario.published.get(variable), 1, lang),
                number(point, 2, lang),
                DASH if share is None else number(100 * share, 0, lang),
            ]
        rows.append(tuple(cells))
    return Table(
        "scenarios",
        text(lang, "cap_scenarios", scenario=reference, year=year),
        columns,
        tuple(rows),
        "l" + "r" * 7,
    )


def _signed_whole(value: float, lang: str) -> str:
    out = whole(abs(value), lang)
    return ("+" if value > 0 else "\u2212" if value < 0 else "") + out


def exceedance_report_table(run: RunFolder, lang: str) -> Table | None:
    """``exceedance.csv`` with labels, one column per year: probability (MCSE)."""
    frame = run.exceedance
    if frame is None or frame.empty:
        return None
    labels = {s.name: s.label(lang) for s in run.scenarios}
    years = sorted(int(y) for y in frame["year"].unique())
    only = years[0] if len(years) == 1 else None  # the year whose prices a kroner label names
    rows = []
    keys = ["variable", "threshold", "direction", "scenario"]
    for (variable, threshold, direction, scenario), part in frame.groupby(keys, sort=False):
        by_year = {int(r.year): r for r in part.itertuples(index=False)}
        sign = ">" if direction == "above" else "<"
        cells = [
            f"{number(float(by_year[y].probability), 3, lang)} "
            f"({number(float(by_year[y].mcse), 4, lang)})"
            if y in by_year
            else DASH
            for y in years
        ]
        rows.append(
            (
                variable_label(str(variable), lang, run.price_year, only, years=years),
                f"{sign} {number(float(threshold), 1, lang)}",
                labels.get(str(scenario), str(scenario)),
                *cells,
            )
        )
    return Table(
        "exceedance",
        text(lang, "cap_exceedance"),
        (
            text(lang, "col_variable"),
            text(lang, "col_event"),
            text(lang, "scenario"),
            *(str(y) for y in years),
        ),
        tuple(rows),
        "lll" + "r" * len(years),
    )


def precision_table(run: RunFolder, lang: str) -> Table:
    """Draws, blocks, block size, seed, scheduler, wall time, largest R-hat, smallest ESS."""
    m = run.manifest
    wall = m.get("wall_seconds")
    items = (
        ("item_draws", whole(m["draws"], lang) if m.get("draws") else DASH),
        ("item_blocks", str(m.get("blocks", DASH))),
        ("item_block_size", whole(m["block_size"], lang) if m.get("block_size") else DASH),
        ("item_seed", str(m.get("seed_entropy", DASH))),
        ("item_scheduler", scheduler_label(str(m.get("scheduler") or DASH), lang)),
        ("item_wall", number(wall, 1, lang) if wall is not None else DASH),
        ("item_max_rhat", _largest_rhat(run.summary["rhat"], lang)),
        ("item_min_ess", whole(float(run.summary["ess"].min()), lang)),
    )
    return Table(
        "precision",
        text(lang, "cap_precision"),
        (text(lang, "col_item"), text(lang, "col_value")),
        tuple((text(lang, key), value) for key, value in items),
        "lr",
    )


def _largest_rhat(rhat: pd.Series, lang: str) -> str:
    """The largest R-hat, or why there is none (a one-block run leaves the column empty)."""
    if rhat.isna().all():
        return text(lang, "rhat_one_block")
    return number(float(rhat.max()), 4, lang)


def mcse_table(run: RunFolder, lang: str, *, shared: Collection[str] = ()) -> Table:
    """MCSE of the 5th, 50th and 95th percentiles, ESS and R-hat of the headline variables.

    Parameters
    ----------
    run : RunFolder
        The run.
    lang : {"nb", "en"}
        Label language.
    shared : collection of str
        Variables that are the same under every scenario: shown once under "all scenarios",
        as in the headline table (:func:`scenario_groups`).
    """
    year = run.cost_year
    summaries = Cells(run.summary)
    rows = []
    for group_label, scenario, group in scenario_groups(run, shared, lang):
        first = True
        for variable in group:
            row = summaries.get(variable, scenario.name, year)
            if row is None:
                continue
            rows.append(
                (
                    group_label if first else "",
                    variable_label(variable, lang, run.price_year, year),
                    number(float(row["mcse_q05"]), 4, lang),
                    number(float(row["mcse_q50"]), 4, lang),
                    number(float(row["mcse_q95"]), 4, lang),
                    whole(float(row["ess"]), lang),
                    number(float(row["rhat"]), 4, lang),
                )
            )
            first = False
    return Table(
        "mcse",
        text(lang, "cap_mcse", year=year),
        (
            text(lang, "scenario"),
            text(lang, "col_variable"),
            "MCSE q05",
            "MCSE q50",
            "MCSE q95",
            "ESS",
            "R-hat",
        ),
        tuple(rows),
        "llrrrrr",
    )


def sensitivity_selection(run: RunFolder) -> tuple[str, int, pd.DataFrame] | None:
    """The part of ``sensitivity.csv`` the report shows: see :func:`select_sensitivity`."""
    return select_sensitivity(run.sensitivity, [s.name for s in run.scenarios], run.cost_year)


def select_sensitivity(
    frame: pd.DataFrame | None, scenarios: Sequence[str], cost_year: int
) -> tuple[str, int, pd.DataFrame] | None:
    """The tornado rows a chart or table shows: one scenario, one year, largest swing first.

    Parameters
    ----------
    frame : DataFrame or None
        ``sensitivity.csv`` rows (``variable, scenario, year, driver, low, high, base``).
    scenarios : sequence of str
        Scenario names in the configuration's order; the first one the frame covers is taken.
    cost_year : int
        The year taken if the frame has it, else its last year.

    Returns
    -------
    tuple or None
        ``(scenario, year, rows)`` with a ``swing`` column, ordered per variable (headline
        variables first) by swing, largest first; ``None`` when there is no sensitivity analysis.
    """
    chosen = _first_scenario_cost_year(frame, scenarios, cost_year)
    if chosen is None:
        return None
    scenario, year, rows = chosen
    rows["swing"] = (rows["high"] - rows["low"]).abs()
    return scenario, year, _by_variable(rows, "swing")


def _first_scenario_cost_year(
    frame: pd.DataFrame | None, scenarios: Sequence[str], cost_year: int
) -> tuple[str, int, pd.DataFrame] | None:
    """The rows of the first scenario the frame covers, in the cost year (else its last year)."""
    if frame is None or frame.empty:
        return None
    present = [str(s) for s in frame["scenario"].astype(str).unique()]
    scenario = next((s for s in scenarios if s in present), present[0])
    rows = frame[frame["scenario"].astype(str) == scenario]
    years = set(rows["year"].astype(int))
    year = cost_year if cost_year in years else max(years)
    return scenario, year, rows[rows["year"].astype(int) == year].copy()


def _by_variable(rows: pd.DataFrame, column: str) -> pd.DataFrame:
    """Headline variables first, then the others by name; within each, ``column`` descending."""
    order = {v: i for i, v in enumerate(HEADLINE_VARIABLES)}
    rows["_order"] = rows["variable"].map(lambda v: order.get(v, len(order)))
    rows = rows.sort_values(["_order", "variable", column], ascending=[True, True, False])
    return rows.drop(columns="_order")


def sensitivity_table(run: RunFolder, lang: str) -> Table | None:
    """Each driver at its 10th and 90th percentile, largest swing first, per variable."""
    chosen = sensitivity_selection(run)
    if chosen is None:
        return None

    def cells(row: Any) -> tuple[str, ...]:
        digits = _digits(str(row.variable))
        values = (row.low, row.high, row.base, row.swing)
        return tuple(number(float(v), digits, lang) for v in values)

    columns = ("col_low", "col_high", "col_base", "col_swing")
    return _per_driver("sensitivity", "cap_sensitivity", run, lang, chosen, columns, cells)


def variance_table(run: RunFolder, lang: str) -> Table | None:
    """Each driver's share of the variance and its Sobol indices, largest share first.

    From ``sensitivity_indices.csv``: the share is the driver's squared correlation with
    the output, normalised to sum to one; S1 and ST are the first-order and total Sobol indices
    with their 90 % intervals (a dash where the run estimated none).
    """
    names = [s.name for s in run.scenarios]
    chosen = _first_scenario_cost_year(run.sensitivity_indices, names, run.cost_year)
    if chosen is None:
        return None
    scenario, year, rows = chosen

    def index(value: float, low: float, high: float) -> str:
        if not math.isfinite(value):
            return DASH
        return f"{number(value, 2, lang)} ({band_range(low, high, 2, lang)})"

    def cells(row: Any) -> tuple[str, ...]:
        return (
            number(100 * float(row.contribution), 0, lang) + "\u00a0%",
            index(float(row.s1), float(row.s1_low), float(row.s1_high)),
            index(float(row.st), float(row.st_low), float(row.st_high)),
        )

    ordered = (scenario, year, _by_variable(rows, "contribution"))
    columns = ("col_share", "col_s1", "col_st")
    return _per_driver("variance", "cap_variance", run, lang, ordered, columns, cells)


def _per_driver(
    table_id: str,
    caption: str,
    run: RunFolder,
    lang: str,
    chosen: tuple[str, int, pd.DataFrame],
    columns: Sequence[str],
    cells: Callable[[Any], tuple[str, ...]],
) -> Table:
    """A table of one row per (variable, driver), the variable named on its first row only."""
    scenario, year, rows = chosen
    labels = {s.name: s.label(lang) for s in run.scenarios}
    body = []
    last = None
    for row in rows.itertuples(index=False):
        variable = str(row.variable)
        label = variable_label(variable, lang, run.price_year, year)
        first = label if variable != last else ""
        body.append((first, driver_label(str(row.driver), lang), *cells(row)))
        last = variable
    return Table(
        table_id,
        text(lang, caption, scenario=labels.get(scenario, scenario), year=year),
        (
            text(lang, "col_variable"),
            text(lang, "col_driver"),
            *(text(lang, c) for c in columns),
        ),
        tuple(body),
        "ll" + "r" * len(columns),
    )


def manifest_table(run: RunFolder, lang: str) -> Table:
    """Version, creation time, configuration file and checksum, the command and packages."""
    m = run.manifest
    packages = ", ".join(f"{k} {v}" for k, v in (m.get("packages") or {}).items())
    # only a run with --set or --scenario has the row: the file alone no longer says what ran
    changed = m.get(layout.KEY_OVERRIDES) or []
    overrides = [(text(lang, "item_overrides"), "; ".join(map(str, changed)))] if changed else []
    items: Sequence[tuple[str, str]] = (
        (text(lang, "item_version"), str(m.get("version", DASH))),
        (text(lang, "item_created"), str(m.get("created", DASH))),
        (text(lang, "item_config"), str(m.get("config_path") or DASH)),
        *overrides,
        (text(lang, "item_config_sha"), str(m.get("config_sha256", DASH))),
        (text(lang, "item_command"), " ".join(m.get("command") or []) or DASH),
        (
            text(lang, "item_data"),
            "; ".join(f"{d['path']} (sha256 {d['sha256']})" for d in m.get("data") or []) or DASH,
        ),
        (text(lang, "packages"), packages or DASH),
    )
    return Table(
        "manifest",
        text(lang, "cap_manifest"),
        (text(lang, "col_item"), text(lang, "col_value")),
        tuple(items),
        "ll",
    )


def views_report_table(run: RunFolder, lang: str) -> Table | None:
    """``views.csv``: both views' median, 90 % band and P(> TBU) per scenario and variable."""
    frame = run.views
    if frame is None or frame.empty:
        return None
    labels = {s.name: s.label(lang) for s in run.scenarios}
    year = run.cost_year
    rows = []
    for row in frame.itertuples(index=False):
        view = text(lang, f"view_{row.view}") + (" *" if bool(row.headline) else "")
        rows.append(
            (
                labels.get(str(row.scenario), str(row.scenario)),
                variable_label(str(row.variable), lang, run.price_year, year),
                view,
                number(float(row.published), 1, lang),
                number(float(row.median), 2, lang),
                band_range(float(row.q05), float(row.q95), 2, lang),
                number(float(row.p_above_published), 2, lang),
            )
        )
    return Table(
        "views",
        text(lang, "cap_views", year=year),
        (
            text(lang, "scenario"),
            text(lang, "col_variable"),
            text(lang, "col_view"),
            text(lang, "col_tbu"),
            text(lang, "col_median"),
            text(lang, "col_band90"),
            text(lang, "col_p_above_tbu"),
        ),
        tuple(rows),
        "lllrrrr",
    )


def reconciliation_report_table(run: RunFolder, lang: str) -> Table | None:
    """``reconciliation.csv`` of the first scenario: each step's change of the two costs."""
    frame = run.reconciliation
    if frame is None or frame.empty:
        return None
    first = run.scenarios[0] if run.scenarios else None
    scenario = first.name if first is not None else str(frame["scenario"].iloc[0])
    part = frame[frame["scenario"] == scenario].sort_values("order")
    last = int(part["order"].max())
    rows = []
    for row in part.itertuples(index=False):
        sign = "" if int(row.order) in (0, last) else "+"
        total, free = float(row.total_bn), float(row.free_bn)
        rows.append(
            (
                text(lang, f"step_{row.step}"),
                (sign if total >= 0 else "") + number(total, 2, lang),
                (sign if free >= 0 else "") + number(free, 2, lang),
            )
        )
    return Table(
        "reconciliation",
        text(
            lang,
            "cap_reconciliation",
            scenario=first.label(lang) if first is not None else scenario,
        ),
        (
            text(lang, "col_step"),
            text(lang, "total"),
            text(lang, "free"),
        ),
        tuple(rows),
        "lrr",
    )
