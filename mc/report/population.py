"""A population forecast's folder and its report: the bands table and the fan over the years.

``tbu-mc population forecast`` writes ``population_bands.csv``, the fan chart
``fan_population.png`` (the whole population and the broad age groups of the whole country) and
the manifest; ``tbu-mc report`` on that folder shows the same fan and the bands as a table.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from mc.errors import ConfigError
from mc.report import html as H
from mc.report import layout
from mc.report.build import Report
from mc.report.charts import population_fan
from mc.report.formats import html_table, latex_document, markdown_document, markdown_escape
from mc.report.io import OutputDir
from mc.report.labels import LANGS, text, whole
from mc.report.reader import PopulationFolder
from mc.report.tables import Table, manifest_table
from mc.summary.bands import band_probabilities, level_text
from mc.summary.table import NATION

#: The bands of a population fan: those the quantiles of ``population_bands.csv`` bound
#: (5/95, 10/90, 25/75).
POPULATION_LEVELS = (90.0, 80.0, 50.0)


def write_population_forecast(
    out: str | Path,
    bands: pd.DataFrame,
    manifest: Mapping[str, object],
    *,
    lang: str = "nb",
) -> Path:
    """Write ``population_bands.csv``, ``fan_population.png`` and the manifest into ``out``.

    Parameters
    ----------
    out : str or Path
        The output folder (new, empty or tbu-mc's own).
    bands : DataFrame
        The forecast's bands (``region, year, age_group`` and quantiles).
    manifest : mapping
        The forecast's manifest.
    lang : {"nb", "en"}
        Language of the chart.

    Returns
    -------
    Path
        ``out``.
    """
    png = population_fan(bands, lang=lang, levels=POPULATION_LEVELS, region=NATION)
    with OutputDir(out) as folder:
        folder.write_csv(layout.POPULATION_BANDS, bands)
        folder.file(layout.FAN_POPULATION).write_bytes(png)
        folder.write_json(layout.MANIFEST, dict(manifest))
    return Path(out)


def build_population_report(run_dir: str | Path, *, lang: str = "nb") -> Report:
    """The report of a population forecast's folder: its fan chart and its bands.

    Parameters
    ----------
    run_dir : str or Path
        Output folder of ``tbu-mc population forecast``.
    lang : {"nb", "en"}
        Language of every label.

    Returns
    -------
    Report

    Raises
    ------
    ConfigError
        For an unknown language.
    DataError
        If the folder lacks its manifest or ``population_bands.csv``.
    """
    if lang not in LANGS:
        raise ConfigError("lang", lang, f"must be one of {list(LANGS)}")
    folder = PopulationFolder(run_dir)
    settings = folder.settings
    nation = folder.bands[folder.bands["region"] == NATION]
    origin = settings.get("origin", int(nation["year"].min()) - 1)
    figures = {"fig-fan-population": population_fan(nation, lang=lang, levels=POPULATION_LEVELS)}
    levels = "/".join(level_text(v) for v in POPULATION_LEVELS)
    captions = {"fig-fan-population": text(lang, "cap_pop_fan", bands=f"{levels} %")}
    table = _bands_table(nation, lang)
    manifest = manifest_table(folder, lang)  # type: ignore[arg-type]  # reads .manifest only
    tables = [table, manifest]
    m = folder.manifest
    title = text(lang, "pop_title", origin=origin, name=folder.path.name)
    lede = text(lang, "pop_lede", origin=origin, draws=whole(m.get(layout.KEY_DRAWS) or 0, lang))
    command = " ".join(str(c) for c in m.get(layout.KEY_COMMAND) or [])
    key = "fig-fan-population"
    sections = [
        H.section(
            "fan",
            text(lang, "sec_pop_fan"),
            H.figure(figures[key], id=key, alt=captions[key], caption=captions[key]),
        ),
        H.section("bands", text(lang, "sec_pop_bands"), H.scroll(html_table(table))),
        H.section(
            "reproduce",
            text(lang, "sec_reproduce"),
            H.preformatted(command, id="reproduce-command"),
            html_table(manifest),
        ),
    ]
    footer = text(
        lang,
        "rep_footer",
        version=m.get("version", "?"),
        created=m.get("created", ""),
        run_dir=folder.path.name,
    )
    page = H.page(
        lang=lang,
        title=title,
        header=H.paragraph(lede, cls="lede"),
        body="\n".join(sections),
        footer=footer,
    )
    return Report(
        html=page,
        markdown=markdown_document(
            title, [markdown_escape(lede), f"```sh\n{command}\n```"], tables
        ),
        latex=latex_document(title, [lede, command], tables),
        tables=tables,
        figures=figures,
    )


def _bands_table(rows: pd.DataFrame, lang: str) -> Table:
    """Year, age group, median and the bands the table's quantiles bound, in persons."""
    levels = []
    for level in sorted(POPULATION_LEVELS):
        lo, hi = (f"q{round(100 * p):02d}" for p in band_probabilities(level))
        if lo in rows.columns and hi in rows.columns:
            levels.append((level, lo, hi))
    order = ["total", *(g for g in rows["age_group"].unique() if g != "total")]
    body = []
    for group in order:
        for row in rows[rows["age_group"] == group].sort_values("year").itertuples():
            values = row._asdict()
            name = text(lang, "pop_total") if group == "total" else str(group)
            body.append(
                (
                    str(row.year),
                    name,
                    whole(float(values["q50"]), lang),
                    *(
                        f"{whole(float(values[lo]), lang)} – {whole(float(values[hi]), lang)}"
                        for _level, lo, hi in levels
                    ),
                )
            )
    columns = (
        text(lang, "col_year"),
        text(lang, "col_group"),
        text(lang, "col_median"),
        *(text(lang, "col_band", level=level_text(level)) for level, _lo, _hi in levels),
    )
    return Table(
        "population-bands",
        text(lang, "cap_pop_bands"),
        columns,
        tuple(body),
        "ll" + "r" * (len(columns) - 2),
    )
