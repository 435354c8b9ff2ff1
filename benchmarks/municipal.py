"""Municipal engine benchmarks of issue 5: efficiency, overhead, the 10,000-draw run, memory.

The model is ``configs/municipalities-2025.yaml`` with ``cost_year: 2030``: horizon 6 from the
fit's origin 2024, i.e. 357 municipalities x 6 years per draw, priced per sector and reduced by
the ``stream`` reducer on grids placed by a pilot from its own stream, as
:func:`mc.summary.pipeline.analyse` does (``PILOT_DRAWS`` pilot draws, ``SKETCH_BINS`` bins).
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

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

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
TARGET_MEMORY_RATIO = 1.5
TARGET_MEMORY_DRAWS = (10_000, 100_000)


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
    from mc.summary.pipeline import PILOT_DRAWS, SKETCH_BINS

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
    from benchmarks.memory import peak_rss_bytes

    return dict(sorted(client.run(peak_rss_bytes).items()))


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
# Memory


def memory_run(config: Path, draws: int, s: MunicipalSettings, reducer: str, mode: str) -> dict:
    """One :mod:`benchmarks.memory` run in a process of its own."""
    cmd = [
        sys.executable,
        "-m",
        "benchmarks.memory",
        "--config",
        str(config),
        "--draws",
        str(draws),
        "--block-size",
        str(s.memory_block_size),
        "--reducer",
        reducer,
        "--mode",
        mode,
        "--seed",
        str(s.seed),
    ]
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-3:]
        return {
            "draws": draws,
            "reducer": reducer,
            "mode": mode,
            "failed": f"exit {done.returncode}: " + " | ".join(tail),
            "process_seconds": seconds,
        }
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out["process_seconds"] = seconds
    return out


def run_memory(folder: Path, s: MunicipalSettings, data_dir: Path | None, log: Log) -> dict:
    """Peak RSS of streamed runs at two sizes, the fold, and gather at the small size."""
    config = write_config(folder, s.memory_horizon, data_dir)
    small, large = s.memory_draws
    jobs = [
        ("stream", "simulate", large),
        ("stream", "fold", large),
        ("stream", "simulate", small),
        ("stream", "fold", small),
        ("gather", "simulate", small),
    ]
    # two processes at a time, the long ones first: peak RSS does not depend on sharing the
    # cores (their seconds do)
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(lambda job: memory_run(config, job[2], s, job[0], job[1]), jobs))
    order = {("stream", "simulate"): 0, ("stream", "fold"): 1, ("gather", "simulate"): 2}
    runs.sort(key=lambda r: (order[(r["reducer"], r["mode"])], r["draws"]))
    for r in runs:
        _log_memory(r, log)
    by = {(r["reducer"], r["mode"], r["draws"]): r for r in runs}
    return {
        "horizon": s.memory_horizon,
        "block_size": s.memory_block_size,
        "draws": [small, large],
        "runs": runs,
        "target": memory_target(by, small, large),
    }


def _peak(run: dict) -> float | None:
    return run.get("peak_rss_bytes")


def memory_target(by: dict, small: int, large: int) -> dict[str, Any]:
    """The large streamed run's peak RSS over the small one's, against the 1.5x target."""
    out: dict[str, Any] = {"ratio_target": TARGET_MEMORY_RATIO, "draws": [small, large]}
    for mode in ("simulate", "fold"):
        a, b = by[("stream", mode, small)], by[("stream", mode, large)]
        if _peak(a) and _peak(b):
            ratio = _peak(b) / _peak(a)
            during = None
            if a.get("peak_rss_during_run_bytes") and b.get("peak_rss_during_run_bytes"):
                during = b["peak_rss_during_run_bytes"] / a["peak_rss_during_run_bytes"]
            out[mode] = {"ratio": ratio, "ratio_during_run": during}
        else:
            out[mode] = {"ratio": None, "why": b.get("skipped") or b.get("failed")}
    ratio = out["simulate"]["ratio"]
    out["judged"] = (small, large) == TARGET_MEMORY_DRAWS
    out["met"] = bool(out["judged"] and ratio is not None and ratio <= TARGET_MEMORY_RATIO)
    return out


def _log_memory(r: dict, log: Log) -> None:
    what = f"municipal memory, {r['reducer']} {r['mode']}, {r['draws']:,} draws"
    if "skipped" in r or "failed" in r:
        log(f"{what}: not measured ({r.get('skipped') or r.get('failed')})")
        return
    during = r.get("peak_rss_during_run_bytes")
    log(
        f"{what} ({r['blocks']} blocks, {r['years']} year(s)): peak RSS "
        f"{r['peak_rss_bytes'] / 1e9:.2f} GB (during the run {gb(during)} GB, RSS before it "
        f"{r['rss_before_run_bytes'] / 1e9:.2f} GB), run {r['run_seconds']:.1f} s"
    )


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
        memory = run_memory(folder, s, data_dir, log)
    log(memory_sentence(memory["target"]))
    return {
        "settings": asdict(s),
        "config": f"{SOURCE_CONFIG.relative_to(ROOT)} with cost_year {ORIGIN + s.horizon}",
        "model": facts,
        "engine": [one, two, cold],
        "efficiency": eff,
        "target": goal,
        "memory": memory,
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


def memory_sentence(t: dict) -> str:
    """Peak RSS of the large streamed run over the small one's, against the 1.5x target."""
    small, large = t["draws"]
    sim, fold = t["simulate"], t["fold"]
    if sim["ratio"] is None:
        measured = f"not measured ({sim.get('why')})"
    else:
        measured = f"{sim['ratio']:.2f}x"
        if sim.get("ratio_during_run"):
            measured += f" ({sim['ratio_during_run']:.2f}x counting only the run's own peak)"
    fold_text = (
        "" if fold["ratio"] is None else f"; one running sum (lower bound): {fold['ratio']:.2f}x"
    )
    said = (
        verdict(t["met"])
        if t["judged"]
        else f"NOT JUDGED ({small:,} vs {large:,} draws, quick mode)"
    )
    return (
        f"Memory target (peak RSS of a streamed run of {TARGET_MEMORY_DRAWS[1]:,} draws <= "
        f"{t['ratio_target']:.1f}x that of {TARGET_MEMORY_DRAWS[0]:,}): {said}: "
        f"{large:,} vs {small:,} draws {measured}{fold_text}."
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
    lines += memory_markdown(results["memory"], results["engine"], f)
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


def cluster_note(engine: list[dict], model: dict) -> str:
    """What the 1-worker cluster's peak RSS and merge timing say about held histograms."""
    one = engine[0]
    peaks = one.get("worker_peak_rss_bytes")
    if not peaks:
        return ""
    early = one.get("merges_started_before_last_block_ended")
    order = (
        ""
        if early is None
        else f"; {early} of its {one['merges']} merges started before the last block ended"
    )
    held = one["blocks"] * model["histogram_bytes_per_block"]
    return (
        f" On a LocalCluster the merges run on the workers as blocks finish: the single worker "
        f"of the 1-worker run above peaked at {max(peaks.values()) / 1e9:.2f} GB (all its "
        f"{one['blocks']} blocks' histograms would be {held / 1e9:.1f} GB at {model['years']} "
        f"years){order}."
    )


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


def memory_markdown(mem: dict[str, Any], engine: list[dict], model: dict) -> list[str]:
    """The memory table and what it shows."""
    lines = [
        f"#### Memory of a streamed run ({mem['horizon']} year, blocks of "
        f"{mem['block_size']:,}; one process each, sync scheduler)",
        "",
    ]
    how = {
        "simulate": "`simulate` (into the fixed tree as each finishes)",
        "fold": "one running sum (left fold; lower bound)",
    }
    rows = []
    for r in mem["runs"]:
        head = [r["reducer"], how[r["mode"]], f"{r['draws']:,}"]
        if "skipped" in r or "failed" in r:
            rows.append([*head, "-", f"not measured: {r.get('skipped') or r.get('failed')}"])
            rows[-1] += [""] * 4
            continue
        rows.append(
            [
                *head,
                f"{r['blocks']}",
                gb(r["peak_rss_bytes"]),
                gb(r.get("peak_rss_during_run_bytes")),
                gb(r["rss_before_run_bytes"]),
                gb(r["predicted_kept_bytes"]),
                f"{r['run_seconds']:.1f}",
            ]
        )
    header = ["reducer", "blocks merged", "draws", "blocks", "peak RSS GB (process)"]
    header += ["peak RSS GB (during the run)", "RSS before the run GB"]
    header += ["bound on what is kept GB", "run s"]
    lines += table(header, rows, left=2)
    cells = next((r["cells"] for r in mem["runs"] if "cells" in r), None)
    per_block = None if cells is None else cells * (mem["runs"][0]["bins"] + 2) * 4
    lines += [
        "",
        f"**{memory_sentence(mem['target'])}**",
        "",
        "Peak RSS is the kernel's high-water mark of the resident memory (`VmHWM`) of a process "
        "that builds the model, places the grids and runs the blocks in-process (sync scheduler: "
        "the client is the computation). Not `ru_maxrss`: on Linux a process started by `exec` "
        "from a larger one inherits that one's mark in its rusage, so every child of this "
        "benchmark's own process would report at least that process's peak. *During the run* "
        "resets the mark (`/proc/self/clear_refs`) just before `simulate`, so reading SSB's data "
        "does not hide the run's own peak. Runs go two at a time, which changes their seconds, "
        "not their memory. The bound is the formula `benchmarks/memory.py` checks before starting "
        "a run (it refuses one bound to need more than half the memory available).",
        "",
        "The stream reducer's histograms do not grow with the draws, and the engine merges "
        "each finished block into its fixed tree at once, holding one merged subtree per bit of "
        "the block count"
        + ("" if per_block is None else f" (each {per_block / 1e6:.1f} MB here)")
        + ", so the memory grows with log2 of the blocks, not with the blocks."
        + cluster_note(engine, model)
        + " The running-sum rows are the least any streamed run could hold. With 2,002 bins a "
        f"cell (2,000 and two outside the grid), a block's 16-bit histograms take "
        f"{2002 / 4 / mem['block_size']:.1f}x the bytes of its {mem['block_size']:,} float64 "
        "draws: for small runs, gathering the draws can hold less than streaming.",
    ]
    return lines
