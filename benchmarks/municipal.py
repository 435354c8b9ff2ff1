"""Municipal engine benchmarks of issue 5: efficiency, overhead, the 10,000-draw run, memory.

The model is ``configs/municipalities-2025.yaml`` with ``cost_year: 2030``: horizon 6 from the
fit's origin 2024, i.e. 357 municipalities x 6 years per draw, priced per sector and reduced by
the ``stream`` reducer on grids placed by a pilot from its own stream, as
:func:`mc.workflow.analysis.analyse` does (``PILOT_DRAWS`` pilot draws, ``SKETCH_BINS`` bins).
The configuration is written to a temporary file with its relative paths made absolute.

- **Parallel efficiency and Dask overhead**: the same plan on a LocalCluster of 1 worker process
  and on one of 2 (one thread each), each started before the timing and warmed by one untimed run
  of one block per worker (so the workers have loaded the numba kernel). Start-up and shutdown are
  timed separately. Efficiency is ``T1 / (2 x T2)``. Dask's task stream gives every task's
  compute interval and worker: the *overhead* is ``1 - sum(block seconds) / (workers x wall)``
  (everything that is not a block: dispatch, scattering the model, merging the histograms on the
  workers, moving them between workers, returning the root, idle workers), and the wall time
  beyond the busiest worker's compute time is what no worker was computing for.
- **Municipal run**: the full plan (10,000 draws) on a fresh 2-worker LocalCluster as
  :func:`mc.engine.simulate` starts it (cold: start-up, the workers loading the kernel, shutdown),
  and the warm 2-worker time from above. Target: <= 60 s on 2 cores.
- **Memory**: each run in a process of its own (:mod:`benchmarks.memory`), sync scheduler, so the
  client is the computation and its peak RSS is the whole footprint: the streamed run at a small
  and a large number of draws (target: the large one uses <= 1.5x the memory of the small one),
  the same blocks folded into one running summary (a lower bound, not the engine's code path),
  and the ``gather`` reducer at the small size.

Everything here is called from ``benchmarks/__main__.py`` under its ``__main__`` guard.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks import memory
from benchmarks.memory import TARGET_MEMORY_DRAWS
from benchmarks.render import gb, rate, table, verdict
from benchmarks.timing import run_facts

Log = Callable[[str], None]

ROOT = Path(__file__).resolve().parent.parent
SOURCE_CONFIG = ROOT / "configs" / "municipalities-2025.yaml"
ORIGIN = 2024
TARGET_DRAWS = 10_000
TARGET_SECONDS = 60.0
TARGET_EFFICIENCY = 0.80
TARGET_EFFICIENCY_MIN_SECONDS = 20.0
#: Draws of the efficiency and overhead runs. Issue 5 judges them on runs of >= 20 s; at 10,000
#: draws the 2-worker run took 16.8 s once the projection kernel got faster (2026-11-30), so
#: these runs use 16,000 (32 blocks of 500; about 27 s on 2 workers, 50 s on 1).
SCALING_DRAWS = 16_000
TARGET_OVERHEAD = 0.05


@dataclass(frozen=True)
class MunicipalSettings:
    """Draws, block sizes and horizons of one run of these benchmarks."""

    horizon: int  # years projected (cost_year - 2024)
    draws: int  # the municipal-run plan (issue 5's 10,000 draws)
    scaling_draws: int  # efficiency and overhead plan: long enough for 2-worker runs of >= 20 s
    scaling_repeats: int  # timed runs of that plan per cluster (the fastest is shown)
    block_size: int
    memory_horizon: int
    memory_draws: tuple[int, int]  # small and large
    memory_block_size: int
    seed: int

    @classmethod
    def for_mode(cls, quick: bool, seed: int) -> MunicipalSettings:
        """Settings of the full (default) or quick run."""
        if quick:
            return cls(6, 200, 200, 1, 100, 1, (1_000, 10_000), 500, seed)
        return cls(6, TARGET_DRAWS, SCALING_DRAWS, 2, 500, 1, TARGET_MEMORY_DRAWS, 500, seed)


# ---------------------------------------------------------------------------------------------
# Configuration and model


def write_config(folder: Path, horizon: int, data_dir: Path | None = None) -> Path:
    """``municipalities-2025.yaml`` with cost year ``2024 + horizon`` and absolute paths."""
    text = SOURCE_CONFIG.read_text(encoding="utf-8")
    tables = SOURCE_CONFIG.parent / "tables"
    data = data_dir or (SOURCE_CONFIG.parent / "../../shared/data")
    for old, new in (
        ("cost_year: 2025", f"cost_year: {ORIGIN + horizon}"),
        # the projection starts from the fit's origin, the population public by as_of (without
        # it the cost year's population would be read, which as_of refuses as not yet public)
        ("  level: municipality\n", f"  level: municipality\n  origin: {ORIGIN}\n"),
        ("tables/", f"{tables}/"),
        ("../../shared/data", str(Path(data).resolve())),
    ):
        if old not in text:
            raise ValueError(f"{SOURCE_CONFIG} no longer contains {old!r}")
        text = text.replace(old, new)
    path = folder / f"municipalities-{ORIGIN + horizon}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def build(
    path: Path, seed: int, log: Log, block_size: int = 500
) -> tuple[Any, Any, dict[str, float]]:
    """The municipal model and its stream reducer (grids from the pilot), with their timings."""
    import numpy as np

    from mc.engine import Reducer, pilot_grids
    from mc.engine.reduce import PILOT_KEY, _count_dtype
    from mc.model.config import load_config
    from mc.model.municipal import build_municipal_model
    from mc.sampling import block_generator
    from mc.workflow.analysis import PILOT_DRAWS, SKETCH_BINS

    start = time.perf_counter()
    model = build_municipal_model(load_config(path))
    built = time.perf_counter() - start
    start = time.perf_counter()
    pilot = model.simulate(block_generator(seed, PILOT_KEY), PILOT_DRAWS)
    reducer = Reducer("stream", pilot_grids(pilot, bins=SKETCH_BINS))
    piloted = time.perf_counter() - start
    cells = int(sum(v[0].size for v in pilot.values()))
    facts = {
        "build_seconds": built,
        "pilot_seconds": piloted,
        "pilot_draws": PILOT_DRAWS,
        "bins": SKETCH_BINS,
        "cells": cells,
        "municipalities": len(model.projection.regions) - 1,
        "years": len(model.projection.years),
        # counts in the narrowest type a block of block_size draws needs (16 bits up to 65,535)
        "histogram_bytes_per_block": cells
        * (SKETCH_BINS + 2)
        * np.dtype(_count_dtype(block_size)).itemsize,
    }
    log(
        f"municipal model ({facts['municipalities']} municipalities x {facts['years']} years, "
        f"{cells:,} output cells): built in {built:.2f} s, pilot of {PILOT_DRAWS} draws and grids "
        f"in {piloted:.2f} s; one block's histograms {facts['histogram_bytes_per_block'] / 1e6:.0f}"
        " MB"
    )
    return model, reducer, facts


# ---------------------------------------------------------------------------------------------
# Cluster runs


def task_stream_facts(records: list[dict], wall: float, workers: int) -> dict[str, Any]:
    """Compute and transfer time per worker and per kind of task, from Dask's task stream."""
    busy: dict[str, float] = {}
    by_kind: dict[str, float] = {}
    starts: dict[str, list[float]] = {}
    stops: dict[str, list[float]] = {}
    transfer = 0.0
    tasks = 0
    for r in records:
        key = r.get("key")
        name = key[0] if isinstance(key, tuple) else str(key)
        kind = name.split("-", 1)[0]
        for ss in r.get("startstops", ()):
            seconds = ss["stop"] - ss["start"]
            if ss["action"] == "compute":
                busy[r["worker"]] = busy.get(r["worker"], 0.0) + seconds
                by_kind[kind] = by_kind.get(kind, 0.0) + seconds
                starts.setdefault(kind, []).append(ss["start"])
                stops.setdefault(kind, []).append(ss["stop"])
                tasks += 1
            elif ss["action"] == "transfer":
                transfer += seconds
    busiest = max(busy.values(), default=0.0)
    last_block = max(stops.get("run_block", []), default=None)
    early = (
        None if last_block is None else sum(1 for t in starts.get("merge", []) if t < last_block)
    )
    return {
        "tasks": tasks,
        "merges": len(starts.get("merge", [])),
        "merges_started_before_last_block_ended": early,
        "compute_seconds_by_worker": dict(sorted(busy.items())),
        "compute_seconds_by_task": by_kind,
        "transfer_seconds": transfer,
        "busiest_worker_compute_seconds": busiest,
        "wall_beyond_busiest_worker_seconds": wall - busiest,
        "wall_beyond_busiest_worker_share": (wall - busiest) / wall,
        "not_computing_share": 1.0 - sum(busy.values()) / (workers * wall),
    }


def worker_peak_rss(client: Any) -> dict[str, int]:
    """Peak RSS of every worker process so far (``VmHWM``, bytes; see :mod:`benchmarks.memory`)."""
    return dict(sorted(client.run(memory.peak_rss_bytes).items()))


def run_case(model: Any, reducer: Any, draws: int, size: int, seed: int, client: Any) -> dict:
    """One run on a running cluster, with its task stream."""
    from distributed import get_task_stream

    from mc.engine import BlockPlan, simulate

    plan = BlockPlan(draws, size)
    workers = len(client.scheduler_info()["workers"])
    with get_task_stream(client=client) as stream:
        result = simulate(model, plan, seed, client=client, reducer=reducer)
    return {
        **run_facts(result, workers, share_key="overhead_share"),
        **task_stream_facts(stream.data, result.wall_seconds, workers),
    }


def warm_cluster_case(
    model: Any, reducer: Any, s: MunicipalSettings, workers: int, log: Log
) -> dict[str, Any]:
    """Start a LocalCluster of ``workers`` processes, warm it, time the plan, close it.

    The plan runs ``s.scaling_repeats`` times; the fastest run is the case, and every run's wall
    time and overhead are kept (``runs``): on a shared virtual machine the cores' speed drifts
    over a minute, and one slow 1-worker run once put the efficiency at 114%.
    """
    from mc.engine import SchedulerSpec
    from mc.engine.schedulers import dask_client

    spec = SchedulerSpec("processes", workers=workers)
    start = time.perf_counter()
    with dask_client(spec) as client:
        client.wait_for_workers(workers)
        startup = time.perf_counter() - start
        start = time.perf_counter()
        run_case(model, reducer, s.block_size * workers, s.block_size, s.seed, client)
        warm = time.perf_counter() - start
        runs = [
            run_case(model, reducer, s.scaling_draws, s.block_size, s.seed, client)
            for _ in range(s.scaling_repeats)
        ]
        case = min(runs, key=lambda r: r["wall_seconds"])
        case["runs"] = [
            {"wall_seconds": r["wall_seconds"], "overhead_share": r["overhead_share"]} for r in runs
        ]
        case["worker_peak_rss_bytes"] = worker_peak_rss(client)
        closing = time.perf_counter()
    case.update(
        scheduler=f"{spec.describe()}, started and warmed beforehand",
        startup_seconds=startup,
        warmup_seconds=warm,
        shutdown_seconds=time.perf_counter() - closing,
    )
    _log_case(case, log)
    return case


def cold_cluster_case(model: Any, reducer: Any, s: MunicipalSettings, log: Log) -> dict:
    """The plan on a fresh 2-worker LocalCluster as :func:`mc.engine.simulate` starts it."""
    from mc.engine import BlockPlan, SchedulerSpec, simulate

    spec = SchedulerSpec("processes", workers=2)
    plan = BlockPlan(s.draws, s.block_size)
    result = simulate(model, plan, s.seed, spec, reducer=reducer)
    case = {
        "scheduler": f"{spec.describe()}, fresh (start-up and shutdown included)",
        **run_facts(result, 2, share_key="overhead_share"),
    }
    _log_case(case, log)
    return case


def _log_case(case: dict, log: Log) -> None:
    extra = ""
    if "busiest_worker_compute_seconds" in case:
        extra = (
            f", busiest worker computing {case['busiest_worker_compute_seconds']:.2f} s "
            f"(wall beyond it {case['wall_beyond_busiest_worker_seconds']:.2f} s), merges "
            f"{case['compute_seconds_by_task'].get('merge', 0.0):.2f} s, transfers "
            f"{case['transfer_seconds']:.2f} s, worker peak RSS "
            + ", ".join(f"{b / 1e9:.2f}" for b in case["worker_peak_rss_bytes"].values())
            + " GB"
        )
    log(
        f"municipal engine, {case['scheduler']}: {case['draws']:,} draws in {case['blocks']} "
        f"blocks, wall {case['wall_seconds']:.2f} s -> {case['draws_per_second']:,.0f} draws/s, "
        f"in blocks {case['sum_block_seconds']:.2f} s, overhead "
        f"{100 * case['overhead_share']:.1f}%{extra}"
    )


def efficiency(one: dict, two: dict) -> dict[str, Any]:
    """Parallel efficiency 1 -> 2 workers and whether the targets are judged and met.

    Efficiency compares the fastest run on each cluster; the overhead is judged on the worst
    2-worker run.
    """
    eff = one["wall_seconds"] / (2 * two["wall_seconds"])
    overheads = [r["overhead_share"] for r in two.get("runs", [two])]
    worst = max(overheads)
    # both runs must last the minimum: the 2-worker one is the shorter
    judged = min(one["wall_seconds"], two["wall_seconds"]) >= TARGET_EFFICIENCY_MIN_SECONDS
    return {
        "t1_seconds": one["wall_seconds"],
        "t2_seconds": two["wall_seconds"],
        "speedup": one["wall_seconds"] / two["wall_seconds"],
        "efficiency": eff,
        "target": TARGET_EFFICIENCY,
        "judged": judged,
        "met": bool(judged and eff >= TARGET_EFFICIENCY),
        "overhead_share_2_workers": worst,
        "overhead_shares_2_workers": overheads,
        "overhead_target": TARGET_OVERHEAD,
        "overhead_met": bool(judged and worst <= TARGET_OVERHEAD),
    }


# ---------------------------------------------------------------------------------------------


def run(settings: MunicipalSettings, data_dir: Path | None, log: Log) -> dict[str, Any]:
    """All municipal benchmarks; ``{"skipped": reason}`` without the data or the fit."""
    s = settings
    data = data_dir or (SOURCE_CONFIG.parent / "../../shared/data").resolve()
    if not Path(data).is_dir():
        log(f"municipal benchmarks skipped: data folder {data} not found")
        return {"skipped": f"data folder {data} not found"}
    with tempfile.TemporaryDirectory(prefix="tbu-mc-bench-") as tmp:
        folder = Path(tmp)
        config = write_config(folder, s.horizon, data_dir)
        model, reducer, facts = build(config, s.seed, log, s.block_size)
        one = warm_cluster_case(model, reducer, s, 1, log)
        two = warm_cluster_case(model, reducer, s, 2, log)
        cold = cold_cluster_case(model, reducer, s, log)
        eff = efficiency(one, two)
        log(efficiency_sentence(eff))
        goal = run_target(cold, two, facts)
        log(run_target_sentence(goal))
        del model, reducer
        memory_config = write_config(folder, s.memory_horizon, data_dir)
        memory_results = memory.run(
            memory_config, s.memory_horizon, s.memory_draws, s.memory_block_size, s.seed, log
        )
    log(memory.sentence(memory_results["target"]))
    return {
        "settings": asdict(s),
        "config": f"{SOURCE_CONFIG.relative_to(ROOT)} with cost_year {ORIGIN + s.horizon}",
        "model": facts,
        "engine": [one, two, cold],
        "efficiency": eff,
        "target": goal,
        "memory": memory_results,
    }


def run_target(cold: dict, warm: dict, facts: dict) -> dict[str, Any]:
    """Issue 5's municipal run: 10,000 draws x 6 years in <= 60 s on 2 cores."""
    measured = cold["draws"] == TARGET_DRAWS
    with_setup = cold["wall_seconds"] + facts["build_seconds"] + facts["pilot_seconds"]
    return {
        "draws": TARGET_DRAWS,
        "seconds": TARGET_SECONDS,
        "measured_draws": cold["draws"],
        "measured_at_target_draws": measured,
        "cold_wall_seconds": cold["wall_seconds"],
        "cold_with_build_and_pilot_seconds": with_setup,
        "warm_wall_seconds": warm["wall_seconds"],
        "warm_draws": warm["draws"],
        "met": bool(measured and with_setup <= TARGET_SECONDS),
    }


def efficiency_sentence(e: dict) -> str:
    """Parallel efficiency and overhead against their targets."""
    note = (
        ""
        if e["judged"]
        else f" (not judged: the 2-worker run took under {TARGET_EFFICIENCY_MIN_SECONDS:.0f} s)"
    )
    return (
        f"Parallel efficiency 1 -> 2 workers (target >= {100 * e['target']:.0f}% on runs of >= "
        f"{TARGET_EFFICIENCY_MIN_SECONDS:.0f} s): {100 * e['efficiency']:.1f}% "
        f"(T1 {e['t1_seconds']:.1f} s, T2 {e['t2_seconds']:.1f} s, speed-up "
        f"{e['speedup']:.2f}x): {verdict(e['met'], e['judged'])}. Dask overhead with 2 workers "
        f"(target <= {100 * e['overhead_target']:.0f}% of wall time): "
        f"{100 * e['overhead_share_2_workers']:.1f}%: "
        f"{verdict(e['overhead_met'], e['judged'])}{note}."
    )


def run_target_sentence(g: dict) -> str:
    """The 10,000-draw municipal run against its 60 s target."""
    if not g["measured_at_target_draws"]:
        return (
            f"Municipal run target ({g['draws']:,} draws x 6 years in <= {g['seconds']:.0f} s on "
            f"2 cores): not judged, this run made {g['measured_draws']:,} draws (quick mode): "
            f"{g['cold_wall_seconds']:.1f} s cold."
        )
    return (
        f"Municipal run target (357 municipalities x 6 years x {g['draws']:,} draws in <= "
        f"{g['seconds']:.0f} s on 2 cores): {verdict(g['met'])}: "
        f"{g['cold_wall_seconds']:.1f} s on a fresh 2-worker LocalCluster (start-up and shutdown "
        f"included), {g['cold_with_build_and_pilot_seconds']:.1f} s with building the model and "
        f"the pilot; on a running, warm cluster {g['warm_draws']:,} draws took "
        f"{g['warm_wall_seconds']:.1f} s."
    )


# ---------------------------------------------------------------------------------------------
# README


def markdown(results: dict[str, Any]) -> str:
    """The municipal part of the README's results section."""
    if "skipped" in results:
        return f"### Municipal demographic costs (issue 5)\n\nSkipped: {results['skipped']}."
    f = results["model"]
    lines = [
        f"### Municipal demographic costs (issue 5: {f['municipalities']} municipalities x "
        f"{f['years']} years, streamed)",
        "",
        f"`{results['config']}`: {f['cells']:,} output cells per draw, histograms of "
        f"{f['bins']:,} bins per cell on grids from a pilot of {f['pilot_draws']} draws, as "
        "`analyse` does; one block's histograms take "
        f"{f['histogram_bytes_per_block'] / 1e6:.0f} MB (cells x {f['bins'] + 2:,} x 4 B). "
        f"Model built in {f['build_seconds']:.2f} s, pilot and grids in "
        f"{f['pilot_seconds']:.2f} s.",
        "",
        "#### Engine on LocalClusters",
        "",
        *table(
            [
                "cluster",
                "draws",
                "blocks",
                "start-up s",
                "wall s",
                "draws/s",
                "sum of block s",
                "overhead",
                "merges s",
                "transfers s",
                "busiest worker s",
                "wall beyond it",
                "worker peak RSS GB",
            ],
            [cluster_cells(c) for c in results["engine"]],
        ),
    ]
    lines += [
        "",
        "Warm rows: the cluster was started (start-up column) and ran one untimed block per "
        "worker before the timed runs; the row is the fastest of them; wall is "
        "`SimulationResult.wall_seconds` (scattering the model, the blocks, the merge tree on "
        "the workers, the root back to the client). The "
        "fresh row is `simulate` starting and closing its own cluster. *Overhead* is "
        "`1 - sum(block seconds) / (workers x wall)`: everything but the blocks themselves. "
        "Merges, transfers and the busiest worker's compute time come from Dask's task stream; "
        "*wall beyond it* is the time the busiest worker was not computing. Worker peak RSS is "
        "each worker's `VmHWM` after the run (warm-up included).",
        "",
        f"**{efficiency_sentence(results['efficiency'])}**",
        "",
        *scaling_notes(results["engine"]),
        f"**{run_target_sentence(results['target'])}**",
        "",
    ]
    lines += memory.markdown(results["memory"], results["engine"], f)
    return "\n".join(lines)


def cluster_cells(c: dict[str, Any]) -> list[str]:
    """One cluster run's row: its timings and, for warm runs, what the task stream showed."""
    startup = f"{c['startup_seconds']:.1f}" if "startup_seconds" in c else "in wall"
    if "busiest_worker_compute_seconds" in c:
        stream = [
            f"{c['compute_seconds_by_task'].get('merge', 0.0):.2f}",
            f"{c['transfer_seconds']:.2f}",
            f"{c['busiest_worker_compute_seconds']:.2f}",
            f"{c['wall_beyond_busiest_worker_seconds']:.2f} s "
            f"({100 * c['wall_beyond_busiest_worker_share']:.1f}%)",
            ", ".join(gb(b) for b in c["worker_peak_rss_bytes"].values()),
        ]
    else:
        stream = ["-"] * 5
    return [
        c["scheduler"],
        f"{c['draws']:,}",
        f"{c['blocks']} x {c['block_size']:,}",
        startup,
        f"{c['wall_seconds']:.2f}",
        rate(c["draws_per_second"]),
        f"{c['sum_block_seconds']:.2f}",
        f"{100 * c['overhead_share']:.1f}%",
        *stream,
    ]


def scaling_notes(engine: list[dict]) -> list[str]:
    """Where the 2-worker run's time goes beside the 1-worker run's, from the measurements."""
    one, two = engine[0], engine[1]
    if "compute_seconds_by_task" not in two:
        return []
    slower = two["sum_block_seconds"] / one["sum_block_seconds"] - 1.0
    return [
        f"Where the time goes: the blocks themselves took {one['sum_block_seconds']:.1f} s in "
        f"all on 1 worker and {two['sum_block_seconds']:.1f} s on 2 ({100 * slower:+.0f}%: two "
        "workers share the 2 cores with the scheduler, the client and the transfers); merging "
        f"histograms took {one['compute_seconds_by_task'].get('merge', 0.0):.1f} s on 1 worker "
        f"and {two['compute_seconds_by_task'].get('merge', 0.0):.1f} s on 2, and moving them "
        f"between the 2 workers {two['transfer_seconds']:.1f} s (each block's histograms are "
        "the same size whatever its draws).",
        "",
    ]
