"""Writing a run's output folder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mc.report.figures import band_chart, economy_fan, municipal_ranking, tornado_chart
from mc.report.io import OutputDir
from mc.report.manifest import build_manifest
from mc.summary.pipeline import Analysis

FAN_FILE = "fan_demographic_cost.png"
ECONOMY_FAN_FILE = "fan_economy.png"
RANKING_FILE = "municipalities_ranked.png"
TORNADO_FILE = "tornado_demographic_cost.png"


def write_run(
    out: str | Path, analysis: Analysis, *, lang: str = "nb", command: list[str] | None = None
) -> Path:
    """Write ``summary.csv``, ``draws.nc``, ``deterministic.csv``, the fan chart and the manifest.

    A deterministic analysis writes ``deterministic.csv`` and the manifest only. Files tbu-mc did
    not write are never touched, ``manifest.json`` appears last, and the run's checkpoints are
    removed once the outputs are in place (see :class:`~mc.report.io.OutputDir`).
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
        manifest["design"] = analysis.design
        if sim.stopping is not None:
            met = all(t["met"] for t in sim.stopping["targets"].values())
            manifest["stopping"] = {
                **sim.stopping,
                "reason": "targets met" if met else "cap on draws reached",
            }
    if sim is not None and sim.counts is not None and sim.grids is not None:
        manifest["reduction"] = {
            "mode": "stream",
            "bins_per_cell": next(iter(sim.grids.values())).bins,
            "quantile_error": "at most one bin width per cell: column sketch_error of summary.csv",
            "ess": "the number of draws (independent streams); R-hat from the blocks' moments",
        }
    if analysis.notes:
        manifest["notes"] = list(analysis.notes)
    with OutputDir(out, discard_checkpoints=sim is not None) as folder:
        folder.write_csv("deterministic.csv", analysis.deterministic)
        if sim is not None and analysis.tree is None and analysis.summary is not None:
            folder.write_csv("summary.csv", analysis.summary)
            names = (
                dict(zip(analysis.model.coords["municipality"], analysis.model.names, strict=True))
                if hasattr(analysis.model, "names")
                else {}
            )
            municipal_ranking(
                folder.file(RANKING_FILE),
                analysis.summary,
                names,
                year=config.cost_year,
                price_year=config.price_year,
                lang=lang,
            )
        if sim is not None and analysis.tree is not None and analysis.summary is not None:
            folder.write_csv("summary.csv", analysis.summary)
            analysis.tree.to_netcdf(folder.file("draws.nc"), engine="h5netcdf")
            labels = [
                (s.name, s.label_nb if lang == "nb" else s.label_en) for s in config.scenarios
            ]
            band_chart(
                folder.file(FAN_FILE),
                analysis.summary,
                analysis.deterministic,
                labels,
                analysis.published,
                year=config.cost_year,
                price_year=config.price_year,
                draws=sim.plan.draws,
                blocks=sim.plan.n_blocks,
                lang=lang,
            )
            if "net_operating_result_pct" in set(analysis.summary["variable"]):
                economy_fan(
                    folder.file(ECONOMY_FAN_FILE),
                    analysis.summary,
                    analysis.deterministic,
                    labels,
                    lang=lang,
                )
            if analysis.exceedance is not None:
                folder.write_csv("exceedance.csv", analysis.exceedance)
            if analysis.sensitivity is not None and analysis.sensitivity_indices is not None:
                folder.write_csv("sensitivity.csv", analysis.sensitivity)
                folder.write_csv("sensitivity_indices.csv", analysis.sensitivity_indices)
                tornado_chart(
                    folder.file(TORNADO_FILE),
                    analysis.sensitivity,
                    analysis.sensitivity_indices,
                    lang=lang,
                )
        folder.write_json("manifest.json", manifest)
    return Path(out)


def write_tables(
    out: str | Path, tables: dict[str, pd.DataFrame], manifest: dict[str, object]
) -> Path:
    """Write CSV tables and a manifest into an output folder (complete or absent)."""
    with OutputDir(out) as folder:
        for name, frame in tables.items():
            folder.write_csv(name, frame)
        folder.write_json("manifest.json", manifest)
    return Path(out)


def write_history(out: str | Path, history: pd.DataFrame, manifest: dict[str, object]) -> Path:
    """Write ``history.csv`` (``year, variable, value``) and a manifest."""
    return write_tables(out, {"history.csv": history}, manifest)
