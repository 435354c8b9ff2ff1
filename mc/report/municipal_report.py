"""``tbu-mc report`` on a municipal run folder: Norway, every region, the ranking, the counties.

A municipal run streams its draws past (no ``draws.nc``), so every band here comes from the
quantiles its ``summary.csv`` keeps. The page has one script, a few lines that filter the table
of regions as the user types; nothing is fetched, so the report works offline.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from mc.errors import ConfigError
from mc.report import html as H
from mc.report import layout
from mc.report.build import Report
from mc.report.charts import county_panels, municipal_ranking, summary_band_edges
from mc.report.formats import html_table, latex_document, markdown_document, markdown_escape
from mc.report.labels import text, whole
from mc.report.municipal import (
    DEFAULT_MIN_POPULATION,
    PER_INHABITANT,
    REGION_NAME,
    point_population,
)
from mc.report.reader import MunicipalRunFolder
from mc.report.tables import Table, manifest_table, number
from mc.summary.bands import DEFAULT_PRESET, BandSpec, band_columns, level_text, parse_bands
from mc.summary.table import NATION

#: Searches the regions table as the user types; ``#text`` in the page's address fills the box,
#: so a link can open the report on one municipality. Plain DOM calls, nothing fetched.
FILTER_SCRIPT = """
(function () {
  var box = document.getElementById("region-filter");
  var count = document.getElementById("region-count");
  var rows = document.querySelectorAll("#table-regions tbody tr");
  var label = count.getAttribute("data-label");
  function apply() {
    var query = box.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var hit = row.textContent.toLowerCase().indexOf(query) >= 0;
      row.hidden = !hit;
      if (hit) { shown += 1; }
    });
    count.textContent = label + ": " + shown;
  }
  if (location.hash.length > 1) { box.value = decodeURIComponent(location.hash.slice(1)); }
  box.addEventListener("input", apply);
  apply();
})();
""".strip()


def build_municipal_report(
    run_dir: str | Path,
    *,
    lang: str = "nb",
    bands: str | list[float] = DEFAULT_PRESET,
    min_population: float = DEFAULT_MIN_POPULATION,
) -> Report:
    """The report of a municipal run folder: Norway, every region, the ranking, the counties.

    Parameters
    ----------
    run_dir : str or Path
        Output folder of ``tbu-mc run`` on a municipal configuration.
    lang : {"nb", "en"}
        Language of every label.
    bands : str or list of float
        A preset or central levels in percent; each must be bounded by the quantiles
        ``summary.csv`` keeps (5, 10, 15, 25, 35, 50, 65, 75, 85, 90, 95).
    min_population : float
        Municipalities with fewer inhabitants are ranked apart.

    Returns
    -------
    Report

    Raises
    ------
    ConfigError
        For a band level ``summary.csv`` cannot bound, or a negative ``min_population``.
    DataError
        If the folder is not a municipal run with ``summary.csv``.
    """
    if not min_population >= 0:
        raise ConfigError("--min-population", min_population, "must be a number >= 0")
    spec = parse_bands(bands)
    run = MunicipalRunFolder(run_dir)
    year = run.cost_year
    try:
        edges = summary_band_edges(run.summary, spec.levels)
    except ValueError as exc:
        raise ConfigError("--bands", spec.describe(), str(exc)) from None
    names = _names(run, lang)
    size = point_population(run.deterministic, year)
    widest = max(spec.levels)
    headline = _headline_table(run, edges, spec, lang)
    regions = _regions_table(run, edges, names, size, widest, lang)
    manifest = manifest_table(run, lang)
    tables = [headline, regions, manifest]

    limit = whole(min_population, lang)
    figures = {
        "fig-ranked": municipal_ranking(
            edges,
            names,
            year=year,
            price_year=run.price_year,
            lang=lang,
            levels=spec.levels,
            population=size or None,
            min_population=min_population,
        ),
        "fig-counties": county_panels(
            edges,
            names,
            size,
            year=year,
            price_year=run.price_year,
            lang=lang,
            level=widest,
            min_population=min_population,
        ),
    }
    captions = {
        "fig-ranked": text(lang, "cap_mun_ranked", min=limit),
        "fig-counties": text(lang, "cap_mun_counties", level=level_text(widest), min=limit),
    }
    m = run.manifest
    lede = text(
        lang,
        "mrep_lede",
        draws=whole(m.get(layout.KEY_DRAWS) or 0, lang),
        blocks=m.get(layout.KEY_BLOCKS),
        block_size=whole(m.get(layout.KEY_BLOCK_SIZE) or 0, lang),
        seed=m.get(layout.KEY_SEED),
    )
    title = text(lang, "mrep_title", name=run.name)
    command = run.reproduce_command()

    def fig(key: str) -> str:
        return H.figure(figures[key], id=key, alt=captions[key], caption=captions[key])

    search = (
        f'<p class="filter"><label for="region-filter">{html.escape(text(lang, "mun_filter"))}'
        '</label> <input id="region-filter" type="search" autocomplete="off"> '
        f'<span id="region-count" data-label="{html.escape(text(lang, "mun_filter_count"))}">'
        "</span></p>"
    )
    sections = [
        H.section("headline", text(lang, "sec_mun_headline", year=year), html_table(headline)),
        H.section(
            "regions",
            text(lang, "sec_mun_regions"),
            search,
            # 372 rows: the table scrolls in its own box, the search stays in view above it
            f'<div class="scroll" style="max-height: 36em; overflow-y: auto">'
            f"{html_table(regions)}</div>",
            f"<script>\n{FILTER_SCRIPT}\n</script>",
        ),
        H.section("ranked", text(lang, "sec_mun_ranked"), fig("fig-ranked")),
        H.section("counties", text(lang, "sec_mun_counties"), fig("fig-counties")),
        H.section(
            "reproduce",
            text(lang, "sec_reproduce"),
            H.paragraph(text(lang, "reproduce_text")),
            H.preformatted(command, id="reproduce-command"),
            html_table(manifest),
        ),
    ]
    footer = text(
        lang,
        "rep_footer",
        version=m.get("version", "?"),
        created=m.get("created", ""),
        run_dir=run.path.name,
    )
    intro = [lede, text(lang, "mrep_bands_note")]
    page = H.page(
        lang=lang,
        title=title,
        header="\n".join(H.paragraph(p, cls="lede") for p in intro),
        body="\n".join(sections),
        footer=footer,
    )
    md_intro = [
        *(markdown_escape(p) for p in intro),
        markdown_escape(text(lang, "reproduce_text")),
        f"```sh\n{command}\n```",
    ]
    return Report(
        html=page,
        markdown=markdown_document(title, md_intro, tables),
        latex=latex_document(title, [*intro, text(lang, "reproduce_text"), command], tables),
        tables=tables,
        figures=figures,
        bands=spec,
    )


def _names(run: MunicipalRunFolder, lang: str) -> dict[str, str]:
    """Region names by code from ``summary.csv`` (the codes themselves for an older run)."""
    summary = run.summary
    if REGION_NAME not in summary.columns:
        return {}
    pairs = summary[["region", REGION_NAME]].drop_duplicates()
    names = dict(zip(pairs["region"], pairs[REGION_NAME].astype(str), strict=True))
    names[NATION] = text(lang, "con_nation")  # the report's language, whatever the run's
    return names


def _band(row: pd.Series, level: float, digits: int, lang: str) -> str:
    lo, hi = band_columns(level)
    return f"{number(float(row[lo]), digits, lang)} – {number(float(row[hi]), digits, lang)}"


def _headline_table(
    run: MunicipalRunFolder, edges: pd.DataFrame, spec: BandSpec, lang: str
) -> Table:
    """Norway's total and its part financed by free revenues: point, median and every band."""
    year = run.cost_year
    unit = text(lang, "unit_bn_price", price_year=run.price_year)
    point = run.deterministic.set_index(["variable", "region", "year"])["value"]
    levels = sorted(spec.levels)
    rows = []
    for variable, key in (("national_cost_bn", "total"), ("national_cost_free_bn", "free")):
        hit = edges[(edges["variable"] == variable) & (edges["year"] == year)]
        if hit.empty:
            continue
        row = hit.iloc[0]
        rows.append(
            (
                f"{text(lang, key)} ({unit})",
                number(float(point[(variable, NATION, year)]), 2, lang),
                number(float(row["q50"]), 2, lang),
                *(_band(row, level, 2, lang) for level in levels),
            )
        )
    columns = (
        text(lang, "col_measure"),
        text(lang, "col_point"),
        text(lang, "col_median"),
        *(text(lang, "col_band", level=level_text(v)) for v in levels),
    )
    caption = text(lang, "cap_mun_headline", year=year, unit=unit, bands=spec.describe())
    return Table("headline", caption, columns, tuple(rows), "l" + "r" * (len(columns) - 1))


def _regions_table(
    run: MunicipalRunFolder,
    edges: pd.DataFrame,
    names: Mapping[str, str],
    size: Mapping[str, float],
    level: float,
    lang: str,
) -> Table:
    """One row per county and municipality: inhabitants, kr per inhabitant and bn kr, bands.

    Each county comes first, then its municipalities, so a search for a county's name or number
    shows its own row (county services) and a search for its number every municipality too.
    """
    year = run.cost_year
    here = edges[edges["year"] == year].set_index(["variable", "region"])
    county_size: dict[str, float] = {}
    for code, persons in size.items():
        county_size[code[:2]] = county_size.get(code[:2], 0.0) + persons

    def cells(per: str, cost: str, code: str) -> tuple[str, ...]:
        out: list[str] = []
        for variable, digits in ((per, 0), (cost, 3)):
            if (variable, code) in here.index:
                row = here.loc[(variable, code)]
                out += [number(float(row["q50"]), digits, lang), _band(row, level, digits, lang)]
            else:
                out += ["–", "–"]
        return tuple(out)

    regions = sorted(
        {str(r) for r in here.index.get_level_values("region")} - {NATION},
        key=lambda code: (code[:2], len(code) != 2, code),
    )
    rows = []
    for code in regions:
        county = len(code) == 2
        persons = county_size.get(code) if county else size.get(code)
        per, cost = (
            ("county_cost_per_inhabitant_kr", "county_cost_bn")
            if county
            else (PER_INHABITANT, "municipal_cost_bn")
        )
        rows.append(
            (
                code,
                names.get(code, code),
                text(lang, "kind_county" if county else "kind_municipality"),
                whole(persons, lang) if persons is not None else "–",
                *cells(per, cost, code),
            )
        )
    band = text(lang, "col_band", level=level_text(level))
    kroner = text(lang, "col_per_inhabitant")
    bn = text(lang, "col_bn")
    columns = (
        text(lang, "col_region_nr"),
        text(lang, "col_region_name"),
        text(lang, "col_region_kind"),
        text(lang, "col_inhabitants", year=year),
        f"{kroner} ({text(lang, 'col_median').lower()})",
        f"{kroner}, {band}",
        f"{bn} ({text(lang, 'col_median').lower()})",
        f"{bn}, {band}",
    )
    caption = text(
        lang, "cap_mun_regions", year=year, price_year=run.price_year, level=level_text(level)
    )
    return Table("regions", caption, columns, tuple(rows), "lllrrrrr")
