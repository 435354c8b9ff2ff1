"""``tbu-mc report``: one self-contained page and pasteable tables from a finished run folder.

The page (``report.html``) holds the headline table, fan charts with the chosen band preset, the
tornado chart (when the folder has ``sensitivity.csv``), TBU's scenarios beside the bands, the
exceedance probabilities, the run's precision and what is needed to reproduce it. ``tables.md``
and ``tables.tex`` hold the same tables. All three are written into the run folder atomically;
the run's own files are left alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from mc.errors import ConfigError, DataError, TbuMcError
from mc.model.economy_spec import Threshold
from mc.report import html as H
from mc.report import layout
from mc.report.charts import (
    demographic_fan,
    economy_fan,
    summary_band_edges,
    tornado_chart,
)
from mc.report.formats import html_table, latex_document, markdown_document, markdown_escape
from mc.report.io import OutputDir
from mc.report.labels import LANGS, text, whole
from mc.report.placement import scenario_percentiles
from mc.report.reader import RunFolder, folder_kind
from mc.report.tables import (
    HEADLINE_VARIABLES,
    Table,
    chosen_years,
    exceedance_report_table,
    headline_report_table,
    headline_variables,
    manifest_table,
    mcse_table,
    precision_table,
    reconciliation_report_table,
    scenario_table,
    sensitivity_selection,
    sensitivity_table,
    variance_table,
    views_report_table,
)
from mc.summary.bands import DEFAULT_PRESET, BandSpec, band_table, parse_bands
from mc.summary.exceedance import exceedance_table
from mc.summary.independence import scenario_independent


@dataclass
class Report:
    """A rendered report, before it is written.

    Attributes
    ----------
    html, markdown, latex : str
        The contents of ``report.html``, ``tables.md`` and ``tables.tex``.
    tables : list of Table
        The tables, in page order.
    figures : dict of str to bytes
        The embedded PNGs by figure id.
    bands : BandSpec
        The bands shown.
    """

    html: str
    markdown: str
    latex: str
    tables: list[Table]
    figures: dict[str, bytes] = field(default_factory=dict)
    bands: BandSpec | None = None


def build_report(
    run_dir: str | Path,
    *,
    lang: str | None = None,
    bands: str | list[float] = DEFAULT_PRESET,
    min_population: float | None = None,
    years: Sequence[int] | None = None,
) -> Report:
    """Read a run folder and render the page and the tables (nothing is written).

    A municipal run's folder gets :func:`mc.report.municipal_report.build_municipal_report`,
    a population forecast's :func:`mc.report.population.build_population_report`.

    Parameters
    ----------
    run_dir : str or Path
        Output folder of ``tbu-mc run`` (a Monte Carlo run).
    lang : {"nb", "en"}, optional
        Label language; Norwegian uses the terms of TBU's notes. Default: the run's own
        (``tbu-mc run --lang``).
    bands : str or list of float
        A preset name (see :data:`mc.summary.bands.PRESETS`) or central band levels in percent.
    min_population : float, optional
        For a municipal run: municipalities with fewer inhabitants are ranked apart (default
        :data:`mc.report.municipal.DEFAULT_MIN_POPULATION`).
    years : sequence of int, optional
        The years with a headline table (default: every year of the run); the fan charts
        always span every year.

    Returns
    -------
    Report

    Raises
    ------
    ConfigError
        For an unknown language, an unknown preset, a level outside (0, 100) or a year the run
        does not have.
    DataError
        If ``run_dir`` is not the folder of a Monte Carlo run, or its ``sensitivity.csv`` lacks
        columns.
    """
    if lang is not None and lang not in LANGS:
        raise ConfigError("lang", lang, f"must be one of {list(LANGS)}")
    spec = parse_bands(bands)  # before any reading, so a typo fails fast
    kind = folder_kind(run_dir)
    if kind != "run":
        return _other_report(kind, run_dir, lang or _folder_lang(run_dir), bands, min_population)
    run = RunFolder(run_dir)
    lang = run.lang if lang is None else lang
    year = run.cost_year
    variables = headline_variables(run)
    scenarios = [(s.name, s.label(lang)) for s in run.scenarios]
    published = {(s.name, v): value for s in run.scenarios for v, value in s.published.items()}
    shown = chosen_years(run.summary["year"], years)
    if run.has_every_draw:
        tree = run.draws(variables)
        edges = band_table(tree, spec.levels, variables=variables, year=year)
        # the blocks counted it over every draw (the manifest); from the draws for a folder
        # written before the manifest held it
        above = _above_published_counted(run) or _above_published(tree, run, year)
        percentiles = _percentiles(tree, run, year)
        # said once, not once per scenario: the variables no scenario changes (from the draws)
        shared = scenario_independent(tree, variables, run.deterministic)
    else:
        # draws.nc holds the first draws or none: bands from summary.csv's quantiles of every
        # draw, P(> TBU) from the blocks' counts in the manifest; the percentiles, which need
        # the draws themselves, are left empty (shown as a dash)
        edges = _summary_edges(run, spec)
        above, percentiles = _above_published_counted(run), {}
        shared = set()
    headlines = [
        headline_report_table(
            run,
            edges,
            spec,
            lang,
            above if one == year else {},
            one,
            id="headline" if len(shown) == 1 else f"headline-{one}",
            shared=shared,
        )
        for one in shown
    ]
    scen = scenario_table(run, percentiles, lang)
    exceed = exceedance_report_table(run, lang)
    sens = sensitivity_table(run, lang)
    variance = variance_table(run, lang)
    precision = precision_table(run, lang)
    mcse = mcse_table(run, lang, shared=shared)
    manifest = manifest_table(run, lang)
    views = views_report_table(run, lang)
    reconciliation = reconciliation_report_table(run, lang)
    tables = [
        t
        for t in (
            *headlines,
            views,
            reconciliation,
            scen,
            exceed,
            sens,
            variance,
            precision,
            mcse,
            manifest,
        )
        if t
    ]

    figures: dict[str, bytes] = {}
    captions: dict[str, str] = {}
    m = run.manifest
    common = {
        "levels": spec.levels,
        "lang": lang,
        "price_year": run.price_year,
        "year": year,
        "note": text(
            lang,
            "draws_note",
            draws=whole(m.get(layout.KEY_DRAWS) or 0, lang),
            blocks=m.get(layout.KEY_BLOCKS),
        ),
    }
    fan = demographic_fan(edges, run.deterministic, scenarios, published, **common)
    if fan is not None:
        figures["fig-fan-demographic"] = fan
        captions["fig-fan-demographic"] = text(lang, "cap_fan_demographic", bands=spec.describe())
    fan = economy_fan(edges, run.deterministic, scenarios, published, **common)
    if fan is not None:
        figures["fig-fan-economy"] = fan
        captions["fig-fan-economy"] = text(
            lang, "cap_fan_economy", bands=spec.describe(), scenario=scenarios[0][1]
        )
    chosen = sensitivity_selection(run)
    if chosen is not None:
        scenario, _year, rows = chosen
        figures["fig-tornado"] = tornado_chart(
            rows,
            lang=lang,
            price_year=run.price_year,
            scenario=dict(scenarios).get(scenario, scenario),
            indices=run.sensitivity_indices,
        )
        captions["fig-tornado"] = text(lang, "cap_tornado")

    lede = text(
        lang,
        "rep_lede",
        draws=whole(m.get(layout.KEY_DRAWS) or 0, lang),
        blocks=m.get(layout.KEY_BLOCKS),
        block_size=whole(m.get(layout.KEY_BLOCK_SIZE) or 0, lang),
        seed=m.get(layout.KEY_SEED),
        bands=spec.describe(),
    )
    description, translated = run.description(lang)
    if description and not translated:  # the file's own words: say so, in the report's language
        description = text(lang, "rep_config_description", text=description)
    title = text(lang, "rep_title", name=run.name)
    command = run.reproduce_command()
    note = _bands_note(run, lang)
    page = _page(
        run=run,
        lang=lang,
        title=title,
        lede=[p for p in (description, lede, note) if p],
        command=command,
        tables={t.id: t for t in tables},
        figures=figures,
        captions=captions,
        headlines=[t.id for t in headlines],
        years=shown,
    )
    intro = [p for p in (description, lede, note) if p]
    # the intro is plain text (the description comes from the config): escaped for Markdown
    md_intro = [
        *(markdown_escape(p) for p in intro),
        markdown_escape(text(lang, "reproduce_text")),
        f"```sh\n{command}\n```",
    ]
    tex_intro = [*intro, text(lang, "reproduce_text"), command]
    if chosen is None:
        md_intro.append(f"_{markdown_escape(text(lang, 'no_sensitivity'))}_")
        tex_intro.append(text(lang, "no_sensitivity"))
    return Report(
        html=page,
        markdown=markdown_document(title, md_intro, tables),
        latex=latex_document(title, tex_intro, tables),
        tables=tables,
        figures=figures,
        bands=spec,
    )


def write_report(
    run_dir: str | Path,
    *,
    lang: str | None = None,
    bands: str | list[float] = DEFAULT_PRESET,
    min_population: float | None = None,
    years: Sequence[int] | None = None,
) -> list[Path]:
    """Write ``report.html``, ``tables.md`` and ``tables.tex`` into a run folder.

    Each file is written atomically (a temporary file, then a rename); the run's other files are
    not touched. Parameters and errors as :func:`build_report`.

    Returns
    -------
    list of Path
        The files written.

    Examples
    --------
    >>> write_report("results/tbu-2025", lang="en", bands="boe")  # doctest: +SKIP
    """
    report = build_report(
        run_dir, lang=lang, bands=bands, min_population=min_population, years=years
    )
    return write_files(run_dir, report)


def write_files(run_dir: str | Path, report: Report) -> list[Path]:
    """Write a built report's three files into ``run_dir`` beside the run's outputs."""
    with OutputDir(run_dir, replace=False) as folder:
        folder.write_text(layout.REPORT_HTML, report.html)
        folder.write_text(layout.TABLES_MD, report.markdown)
        folder.write_text(layout.TABLES_TEX, report.latex)
    return [Path(run_dir) / name for name in layout.REPORT_FILES]


def _other_report(
    kind: str,
    run_dir: str | Path,
    lang: str,
    bands: str | list[float],
    min_population: float | None,
) -> Report:
    """The report of a municipal run or a population forecast (their own modules)."""
    if kind == "population":
        from mc.report.population import build_population_report

        return build_population_report(run_dir, lang=lang)
    from mc.report.municipal import DEFAULT_MIN_POPULATION
    from mc.report.municipal_report import build_municipal_report

    limit = DEFAULT_MIN_POPULATION if min_population is None else min_population
    return build_municipal_report(run_dir, lang=lang, bands=bands, min_population=limit)


def _above_published(tree, run: RunFolder, year: int) -> dict[tuple[str, str], float]:
    """P(outcome > TBU's published figure) per scenario and variable, from the draws."""
    out = {}
    for scenario in run.scenarios:
        for variable, value in scenario.published.items():
            if variable not in tree["posterior"].data_vars:
                continue
            frame = exceedance_table(tree, [Threshold(variable, value, "above")])
            hit = frame[(frame["scenario"] == scenario.name) & (frame["year"] == year)]
            if not hit.empty:
                out[(scenario.name, variable)] = float(hit["probability"].iloc[0])
    return out


def _bands_note(run: RunFolder, lang: str) -> str:
    """How the bands were computed: exactly over draws.nc, or over every draw's histograms."""
    if run.has_every_draw:
        return text(lang, "rep_bands_note")
    if not isinstance(run.manifest.get(layout.KEY_KEPT_DRAWS), dict):
        return ""  # no draws at all (a deterministic run): no bands to explain
    return text(lang, "rep_bands_note_stream")


def _above_published_counted(run: RunFolder) -> dict[tuple[str, str], float]:
    """P(> TBU's figure) per (scenario, variable) as the run counted it over every draw.

    The blocks count each draw beyond the published figures, so the shares are in the manifest
    without the draws (a folder written before they were counted has none: a dash).
    """
    entries = run.manifest.get(layout.KEY_ABOVE_PUBLISHED)
    if not isinstance(entries, list):
        return {}
    return {
        (str(e["scenario"]), str(e["variable"])): float(e["probability"])
        for e in entries
        if isinstance(e, dict) and {"scenario", "variable", "probability"} <= e.keys()
    }


def _percentiles(tree, run: RunFolder, year: int) -> dict[tuple[str, str], float]:
    """Where each scenario's point estimate falls in the first scenario's draws."""
    if run.deterministic is None or not run.scenarios:
        return {}
    return scenario_percentiles(tree, run.deterministic, run.scenarios[0].name, year)


def _page(
    *,
    run: RunFolder,
    lang: str,
    title: str,
    lede: list[str],
    command: str,
    tables: dict[str, Table],
    figures: dict[str, bytes],
    captions: dict[str, str],
    headlines: list[str],
    years: list[int],
) -> str:
    def table(key: str) -> str:
        return H.scroll(html_table(tables[key])) if key in tables else ""

    def fig(key: str) -> str:
        if key not in figures:
            return ""
        return H.figure(figures[key], id=key, alt=captions[key], caption=captions[key])

    span = str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"
    if len(years) > 1 and years != list(range(years[0], years[-1] + 1)):
        span = ", ".join(str(y) for y in years)
    # TBU's alternatives go right under the fan of their bands, so the two can be read together
    headline = [table(name) for name in headlines]
    views = run.manifest.get(layout.KEY_VIEWS)
    if isinstance(views, dict) and "views" in tables:  # say which view the headline bands are
        view = text(lang, f"view_{views.get('headline', 'tbu')}_long")
        headline.insert(0, H.paragraph(text(lang, "headline_view", view=view), id="headline-view"))
    sections = [
        H.section("headline", text(lang, "sec_headline", year=span), *headline),
        H.section(
            "fans",
            text(lang, "sec_fans"),
            fig("fig-fan-demographic"),
            H.subheading(text(lang, "sec_scenarios"), id="scenarios"),
            table("scenarios"),
            fig("fig-fan-economy"),
        ),
    ]
    if "views" in tables:  # after the fans: the headline's bands first, then the comparison
        sections.insert(
            2,
            H.section(
                "views",
                text(lang, "sec_views", year=run.cost_year),
                H.paragraph(text(lang, "view_tbu_long")),
                H.paragraph(text(lang, "view_model_long")),
                table("views"),
                table("reconciliation"),
                H.paragraph(text(lang, "reconciliation_note"), cls="note"),
            ),
        )
    tornado = (
        [fig("fig-tornado"), table("sensitivity"), table("variance")]
        if "fig-tornado" in figures
        else [H.paragraph(text(lang, "no_sensitivity"), cls="note", id="no-sensitivity")]
    )
    sections.append(H.section("tornado", text(lang, "sec_tornado"), *tornado))
    if "exceedance" in tables:
        sections.append(H.section("exceedance", text(lang, "sec_exceedance"), table("exceedance")))
    sections.append(
        H.section("precision", text(lang, "sec_precision"), table("precision"), table("mcse"))
    )
    config = yaml.safe_dump(
        shown_config(run.config), sort_keys=False, allow_unicode=True, width=100
    )
    sections.append(
        H.section(
            "reproduce",
            text(lang, "sec_reproduce"),
            H.paragraph(text(lang, "reproduce_text")),
            H.preformatted(command, id="reproduce-command"),
            table("manifest"),
            H.details(text(lang, "resolved_config"), H.preformatted(config, id="config")),
        )
    )
    m = run.manifest
    footer = text(
        lang,
        "rep_footer",
        version=m.get("version", "?"),
        created=m.get("created", ""),
        run_dir=run.path.name,
    )
    header = "\n".join(H.paragraph(p, cls="lede") for p in lede)
    return H.page(lang=lang, title=title, header=header, body="\n".join(sections), footer=footer)


__all__ = ["HEADLINE_VARIABLES", "Report", "build_report", "write_files", "write_report"]


def _summary_edges(run: RunFolder, spec: BandSpec) -> pd.DataFrame:
    """Band edges from ``summary.csv`` for a run whose ``draws.nc`` lacks draws.

    Raises
    ------
    DataError
        If a band needs a quantile ``summary.csv`` does not hold.
    """
    try:
        return summary_band_edges(run.summary, spec.levels)
    except ValueError:
        raise DataError(
            str(run.path),
            f"the bands {spec.describe()} need quantiles summary.csv does not hold; this run's "
            "draws.nc does not hold every draw (--keep-draws), so its bands come from "
            "summary.csv: choose bands of 30, 50, 70, 80 or 90 %",
        ) from None


def shown_config(config: dict[str, Any]) -> dict[str, Any]:
    """The resolved configuration as the page shows it: the forecast-error table summarised.

    The table (tens of rows, each with its sources' web addresses) stays whole in
    ``manifest.json``; the page names its size so that it stays readable and links nowhere.
    """
    economy = config.get("economy")
    surprises = economy.get("surprises") if isinstance(economy, dict) else None
    table = surprises.get("table") if isinstance(surprises, dict) else None
    if not isinstance(table, dict):
        return config
    rows = len(table.get("rows", []))
    summary = f"<forecast-error table: {rows} rows; the whole table is in manifest.json>"
    shown_surprises = {**surprises, "table": summary}
    return {**config, "economy": {**economy, "surprises": shown_surprises}}


def _folder_lang(run_dir: str | Path) -> str:
    """The language a municipal run was made in; ``nb`` for folders that do not record one."""
    try:
        return RunFolder(run_dir).lang
    except (TbuMcError, OSError, KeyError, ValueError):
        return "nb"
