"""Writing a run's output folder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mc.model.config.views import reference_scenario
from mc.report import layout
from mc.report.charts import (
    DEFAULT_LEVELS,
    demographic_fan,
    economy_fan,
    fan_variables,
    municipal_ranking,
    summary_band_edges,
    tornado_chart,
)
from mc.report.io import OutputDir
from mc.report.labels import text, whole
from mc.report.manifest import build_manifest
from mc.report.municipal import point_population, with_region_names
from mc.report.tables import select_sensitivity
from mc.summary.bands import band_table
from mc.workflow.analysis import Analysis, AnalysisKind
from mc.workflow.phases import phase


def write_run(
    out: str | Path, analysis: Analysis, *, lang: str = "nb", command: list[str] | None = None
) -> Path:
    """Write a run's folder: the files :func:`mc.report.layout.run_files` names for its kind.

    A deterministic analysis writes ``deterministic.csv`` and the manifest only; a Monte Carlo
    run adds ``summary.csv``, ``draws.nc`` and its charts (bands of the default preset,
    :data:`mc.report.charts.DEFAULT_LEVELS`, drawn by the functions the report uses); a streamed
    municipal run adds ``summary.csv`` and the ranking. Files tbu-mc did not write are never
    touched, ``manifest.json`` appears last, and the run's checkpoints are removed once the
    outputs are in place (see :class:`~mc.report.io.OutputDir`).
    """
    config = analysis.config
    sim = analysis.simulation
    data_files = [str(analysis.population.source)] if analysis.population is not None else []
    manifest = build_manifest(
        config=config.to_dict(),
        config_sha256=config.sha256(),
        config_path=config.source,
        mode="deterministic" if sim is None else "monte-carlo",
        entropy=None if sim is None else sim.entropy,
        block_size=None if sim is None else sim.plan.block_size,
        blocks=None if sim is None else sim.plan.n_blocks,
        draws=None if sim is None else sim.plan.draws,
        scheduler=None if sim is None else sim.scheduler,
        wall_seconds=None if sim is None else sim.wall_seconds,
        block_seconds=None if sim is None else sim.block_seconds,
        data_files=data_files,
        command=command,
    )
    if sim is not None:
        manifest[layout.KEY_DESIGN] = analysis.design
        if sim.stopping is not None:
            met = all(t["met"] for t in sim.stopping["targets"].values())
            manifest[layout.KEY_STOPPING] = {
                **sim.stopping,
                "reason": "targets met" if met else "cap on draws reached",
            }
    if sim is not None and sim.counts is not None and sim.grids is not None:
        exact = analysis.kind == AnalysisKind.MONTE_CARLO and sim.complete
        manifest[layout.KEY_REDUCTION] = {
            "mode": "stream",
            "bins_per_cell": next(iter(sim.grids.values())).bins,
            "quantile_error": "none: exact quantiles over every draw (all kept)"
            if exact
            else "at most one bin width per cell: column sketch_error of summary.csv",
            "ess": "ArviZ's bulk ESS and R-hat over every draw, blocks as chains"
            if exact
            else "the number of draws (independent streams); R-hat from the blocks' moments",
        }
    if sim is not None and analysis.kind == AnalysisKind.MONTE_CARLO:
        manifest[layout.KEY_KEPT_DRAWS] = {
            "draws": sim.kept,
            "of": sim.plan.draws,
            "which": "the first draws of the stream, from block 0 on in block order "
            "(blocks are the chains of draws.nc)"
            if sim.kept
            else "none (--keep-draws 0): no draws.nc",
        }
    if analysis.notes:
        manifest[layout.KEY_NOTES] = list(analysis.notes)
    if config.overrides:
        manifest[layout.KEY_OVERRIDES] = list(config.overrides)
    if analysis.views is not None:
        manifest[layout.KEY_VIEWS] = views_manifest(analysis)
    if analysis.above_published:
        published = analysis.published
        manifest[layout.KEY_ABOVE_PUBLISHED] = [
            {"scenario": s, "variable": v, "published": published[(s, v)], "probability": p}
            for (s, v), p in analysis.above_published.items()
        ]
    manifest[layout.KEY_LANG] = lang
    with OutputDir(out, discard_checkpoints=sim is not None) as folder:
        folder.write_csv(layout.DETERMINISTIC, analysis.deterministic)
        if analysis.views is not None and analysis.reconciliation is not None:
            folder.write_csv(layout.VIEWS, analysis.views)
            folder.write_csv(layout.RECONCILIATION, analysis.reconciliation)
        if analysis.kind == AnalysisKind.STREAM and analysis.summary is not None:
            folder.write_csv(
                layout.SUMMARY, with_region_names(analysis.summary, analysis.region_names, lang)
            )
            png = municipal_ranking(
                summary_band_edges(analysis.summary, DEFAULT_LEVELS),
                analysis.region_names,
                year=config.cost_year,
                price_year=config.price_year,
                lang=lang,
                population=point_population(analysis.deterministic, config.cost_year),
            )
            folder.file(layout.MUNICIPAL_RANKING).write_bytes(png)
        if analysis.kind == AnalysisKind.MONTE_CARLO and analysis.summary is not None:
            folder.write_csv(layout.SUMMARY, analysis.summary)
            if analysis.tree is not None:
                with phase("netcdf"):
                    analysis.tree.to_netcdf(folder.file(layout.DRAWS), engine="h5netcdf")
            with phase("charts"):
                _write_charts(folder, analysis, lang)
            if analysis.exceedance is not None:
                folder.write_csv(layout.EXCEEDANCE, analysis.exceedance)
            if analysis.sensitivity is not None and analysis.sensitivity_indices is not None:
                folder.write_csv(layout.SENSITIVITY, analysis.sensitivity)
                folder.write_csv(layout.SENSITIVITY_INDICES, analysis.sensitivity_indices)
        folder.write_json(layout.MANIFEST, manifest)
    return Path(out)


def views_manifest(analysis: Analysis) -> dict[str, object]:
    """The manifest's record of the two views: which is the headline, how the other ran."""
    config, side = analysis.config, analysis.side
    assert config.model_view is not None and side is not None  # set together by analyse_views
    record: dict[str, object] = {
        "headline": config.view.value,
        "other": side.config.view.value,
        "reference_scenario": reference_scenario(config),
        "model_origin": config.model_view.origin or config.cost_year - 1,
        "files": [layout.VIEWS, layout.RECONCILIATION],
    }
    if side.simulation is not None:
        record["other_draws"] = side.simulation.plan.draws
        record["other_seed_entropy"] = side.simulation.entropy
    if side.population is not None:
        record["other_data"] = str(side.population.source)
    return record


def _write_charts(folder: OutputDir, analysis: Analysis, lang: str) -> None:
    """The fan charts and the tornado chart of a run with draws, as the report draws them."""
    config, sim = analysis.config, analysis.simulation
    labels = [(s.name, s.label_nb if lang == "nb" else s.label_en) for s in config.scenarios]
    if analysis.tree is not None and sim is not None and sim.complete:
        # exact edges over all draws, as `tbu-mc report` computes them: the figures are the same
        demographic, economy = fan_variables(analysis.tree["posterior"].data_vars)
        bands = band_table(
            analysis.tree,
            DEFAULT_LEVELS,
            variables=[*demographic, *economy],
            year=config.cost_year,
        )
    else:  # draws.nc holds some draws or none: the edges of every draw's sketches
        assert analysis.summary is not None
        bands = summary_band_edges(analysis.summary, DEFAULT_LEVELS)
    common = {
        "levels": DEFAULT_LEVELS,
        "lang": lang,
        "price_year": config.price_year,
        "year": config.cost_year,
        "note": text(
            lang, "draws_note", draws=whole(sim.plan.draws, lang), blocks=sim.plan.n_blocks
        ),
    }
    for name, draw in (
        (layout.FAN_DEMOGRAPHIC, demographic_fan),
        (layout.FAN_ECONOMY, economy_fan),
    ):
        png = draw(bands, analysis.deterministic, labels, analysis.published, **common)
        if png is not None:
            folder.file(name).write_bytes(png)
    chosen = select_sensitivity(
        analysis.sensitivity, [s.name for s in config.scenarios], config.cost_year
    )
    if chosen is not None and analysis.sensitivity_indices is not None:
        scenario, _year, rows = chosen
        png = tornado_chart(
            rows,
            lang=lang,
            price_year=config.price_year,
            scenario=dict(labels).get(scenario, scenario),
            indices=analysis.sensitivity_indices,
        )
        folder.file(layout.TORNADO).write_bytes(png)


def write_tables(
    out: str | Path, tables: dict[str, pd.DataFrame], manifest: dict[str, object]
) -> Path:
    """Write CSV tables and a manifest into an output folder (complete or absent)."""
    with OutputDir(out) as folder:
        for name, frame in tables.items():
            folder.write_csv(name, frame)
        folder.write_json(layout.MANIFEST, manifest)
    return Path(out)


def write_history(out: str | Path, history: pd.DataFrame, manifest: dict[str, object]) -> Path:
    """Write ``history.csv`` (``year, variable, value``) and a manifest."""
    return write_tables(out, {layout.HISTORY: history}, manifest)
