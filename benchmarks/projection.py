"""Population-projection benchmarks: the case of issue 3 on SSB's data.

Issue 3 asks for a forecast of all 357 municipalities x 106 ages x 2 sexes x 6 years x 1,000
draws in at most 60 s on the 2-core machine, with bounded memory. This module measures that case:
the data are read with :func:`mc.model.population.read_data_dir` (``municipal=True``), fitted with
:func:`mc.model.projection.fit_projection` at origin 2024 and projected 6 years with
``ProjectionModel(fit, 6, municipal=True)``; a national-only model (``fit_projection`` without the
municipalities) is measured beside it for comparison.

- **Kernel, one core**: :func:`~mc.kernels.projection.project_numba` and
  :func:`~mc.kernels.projection.project_numpy` on the same draws (fresh generator, same seed, each
  call; draw ``d`` of a stream does not depend on how many draws the call makes, so NumPy's fewer
  draws are the first draws of numba's). The numba kernel's first call in the process (loading it
  from numba's on-disk cache, or compiling it) is timed separately and excluded.
- **Engine**: :func:`mc.engine.simulate` end to end, in-process and on a 2-process LocalCluster
  (as ``simulate`` runs it, then on a cluster already running and warm).
- **Memory**: the bytes of the gathered per-draw outputs against the bytes a full per-draw state
  would take, and :mod:`tracemalloc` peaks of one block call.

Everything here is called from ``benchmarks/__main__.py`` under its ``__main__`` guard: the
LocalCluster's spawned workers re-import the main module, not this one's callers.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.engine import HEADER as ENGINE_HEADER
from benchmarks.engine import case_cells, case_summary, scheduler_cases, timed_run
from benchmarks.render import call_cells, mb, table, verdict
from benchmarks.timing import numba_first_call, throughput, time_calls, traced_peak
from mc.kernels.projection import _project_numba, project_numba, project_numpy

ORIGIN = 2024
HORIZON = 6
TARGET_DRAWS = 1_000
TARGET_SECONDS = 60.0
BYTES = 8  # float64

Log = Callable[[str], None]
Kernel = Callable[..., np.ndarray]
KERNELS: dict[str, Kernel] = {"numba": project_numba, "numpy": project_numpy}


@dataclass(frozen=True)
class ProjectionBenchSettings:
    """Draw counts, repeats and block sizes of one projection benchmark run."""

    numba_draws: int  # municipal model, per kernel call
    numpy_draws: int  # municipal model, per kernel call (NumPy is slower: fewer draws)
    national_numba_draws: int
    national_numpy_draws: int
    repeats: int
    engine_draws: int
    block_size: int
    memory_numba_draws: int  # one block call under tracemalloc
    memory_numpy_draws: int
    seed: int

    @classmethod
    def for_mode(cls, quick: bool, seed: int) -> ProjectionBenchSettings:
        """Settings of the full (default) or quick run."""
        if quick:
            return cls(50, 5, 5_000, 5_000, 3, 200, 50, 250, 20, seed)
        return cls(200, 20, 20_000, 20_000, 5, TARGET_DRAWS, 250, 250, 20, seed)


# ---------------------------------------------------------------------------------------------
# Data and models


def default_data_dir(root: Path) -> Path:
    """``../shared/data`` relative to the repository root."""
    return (root.parent / "shared" / "data").resolve()


def load_models(data_dir: Path, log: Log) -> tuple[dict[str, Any], dict[str, float]]:
    """Read the data, fit at :data:`ORIGIN` and build the municipal and national-only models."""
    from mc.data.population import read_data_dir
    from mc.model.projection import ProjectionModel, fit_projection

    start = time.perf_counter()
    national, regional = read_data_dir(data_dir, municipal=True)
    read_seconds = time.perf_counter() - start
    start = time.perf_counter()
    fit = fit_projection(national, ORIGIN, regional)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    fit_national_only = fit_projection(national, ORIGIN)
    fit_national_seconds = time.perf_counter() - start
    models = {
        "municipal": ProjectionModel(fit, HORIZON, municipal=True),
        "national": ProjectionModel(fit_national_only, HORIZON),
    }
    log(
        f"projection data: read {read_seconds:.2f} s ({data_dir}), fit {fit_seconds:.2f} s "
        f"(national only {fit_national_seconds:.3f} s); "
        f"{len(models['municipal'].regions) - 1} municipalities"
    )
    timings = {
        "read_seconds": read_seconds,
        "fit_seconds": fit_seconds,
        "fit_national_only_seconds": fit_national_seconds,
    }
    return models, timings


def dimensions(model: Any) -> dict[str, int]:
    """Regions (nation included), years, reported groups, municipalities, sexes and ages."""
    x, m = model.inputs()
    return {
        "regions": len(model.regions),
        "years": len(model.years),
        "groups": len(model.group_names),
        "municipalities": 0 if m is None else int(m.start.shape[0]),
        "sexes": int(x.start.shape[0]),
        "ages": int(x.start.shape[1]),
    }


# ---------------------------------------------------------------------------------------------
# Kernels


def first_call(model: Any, seed: int) -> dict[str, Any]:
    """The projection kernel's first call in the process: one draw of ``model``.

    Run it on the national-only model (the municipal one has the same compiled signature),
    before any other call of the kernel.
    """
    x, m = model.inputs()
    return numba_first_call(
        lambda: project_numba(np.random.default_rng(seed), 1, x, m), _project_numba
    )


def timed(kernel: Kernel, model: Any, n: int, seed: int, repeats: int) -> dict[str, Any]:
    """Best and median of ``repeats`` calls of ``n`` draws, after one untimed call."""
    x, m = model.inputs()
    kernel(np.random.default_rng(seed), n, x, m)  # untimed: page in the output, warm caches
    return throughput(time_calls(lambda rng: kernel(rng, n, x, m), seed, repeats), n)


def max_rel_diff(model: Any, n: int, seed: int) -> float:
    """Largest difference of numba from NumPy on the same ``n`` draws, relative to max(|x|, 1).

    A check that both compute the same thing, recorded, not asserted.
    """
    x, m = model.inputs()
    ref = project_numpy(np.random.default_rng(seed), n, x, m)
    got = project_numba(np.random.default_rng(seed), n, x, m)
    return float(np.max(np.abs(got - ref) / np.maximum(np.abs(ref), 1.0)))


def run_kernels(
    models: dict[str, Any], s: ProjectionBenchSettings, log: Log
) -> dict[str, dict[str, Any]]:
    """Time the numba kernel against the NumPy reference, per model, on one core."""
    counts = {
        "municipal": {"numba": s.numba_draws, "numpy": s.numpy_draws},
        "national": {"numba": s.national_numba_draws, "numpy": s.national_numpy_draws},
    }
    out: dict[str, dict[str, Any]] = {}
    for name, model in models.items():
        timings = {
            impl: timed(KERNELS[impl], model, n, s.seed, s.repeats)
            for impl, n in counts[name].items()
        }
        for impl, t in timings.items():
            log(
                f"projection kernel, {name}, {impl:>5}: {t['draws']:,} draws, best "
                f"{t['best_seconds']:.4f} s, median {t['median_seconds']:.4f} s -> "
                f"{1e3 * t['seconds_per_draw_best']:.4f} ms per draw"
            )
        speedup = (
            timings["numpy"]["seconds_per_draw_best"] / timings["numba"]["seconds_per_draw_best"]
        )
        speedup_median = (
            timings["numpy"]["seconds_per_draw_median"]
            / timings["numba"]["seconds_per_draw_median"]
        )
        diff = max_rel_diff(model, min(counts[name]["numpy"], 20), s.seed)
        log(
            f"projection kernel, {name}: numba {speedup:.2f}x faster than NumPy per draw (best; "
            f"median {speedup_median:.2f}x); max relative difference {diff:.1e}"
        )
        out[name] = {
            "timings": timings,
            "numba_over_numpy_best": speedup,
            "numba_over_numpy_median": speedup_median,
            "max_rel_diff_from_numpy": diff,
        }
    return out


# ---------------------------------------------------------------------------------------------
# Engine


def run_engine(models: dict[str, Any], s: ProjectionBenchSettings, log: Log) -> list[dict]:
    """Time the engine on the municipal and national-only models.

    The municipal model runs the three ways of :func:`benchmarks.engine.scheduler_cases`
    (in-process, on a fresh 2-process LocalCluster and on one already running and warm), its
    in-process run also timing :func:`mc.summary.population.population_bands` on the draws (what
    ``forecast()`` does next); the national-only model runs in-process.
    """
    from mc.engine import SchedulerSpec
    from mc.summary.population import population_bands

    def case(name: str, spec: Any, client: Any = None) -> dict[str, Any]:
        model = models[name]
        facts, result = timed_run(model, s.engine_draws, s.block_size, s.seed, spec, client)
        out = {
            "model": name,
            **facts,
            "gathered_draws_bytes": int(sum(a.nbytes for a in result.draws.values())),
        }
        if name == "municipal" and spec.kind == "sync":
            start = time.perf_counter()
            population_bands(result.draws["population"], model)
            out["bands_seconds"] = time.perf_counter() - start
        del result
        gc.collect()
        return out

    def log_case(c: dict) -> None:
        bands = f"; bands {c['bands_seconds']:.2f} s" if "bands_seconds" in c else ""
        log(f"projection engine, {c['model']}, {c['scheduler']}: {case_summary(c, 1)}{bands}")

    cases = scheduler_cases(lambda spec, client: case("municipal", spec, client), log_case)
    cases.append(case("national", SchedulerSpec("sync")))
    log_case(cases[-1])
    return cases


def target(engine: list[dict], setup: dict[str, float]) -> dict[str, Any]:
    """Whether issue 3's case (municipal, 1,000 draws, 6 years) ran in at most 60 s."""
    fresh = [c for c in engine if c["model"] == "municipal" and "warm" not in c["scheduler"]]
    slowest = max(c["wall_seconds"] for c in fresh)
    sync = next(c for c in fresh if c["workers"] == 1)
    extras = setup["read_seconds"] + setup["fit_seconds"] + sync.get("bands_seconds", 0.0)
    measured = fresh[0]["draws"] == TARGET_DRAWS
    return {
        "draws": TARGET_DRAWS,
        "seconds": TARGET_SECONDS,
        "measured_draws": fresh[0]["draws"],
        "measured_at_target_draws": measured,
        "slowest_engine_wall_seconds": slowest,
        "slowest_with_read_fit_bands_seconds": slowest + extras,
        "met": bool(measured and slowest + extras <= TARGET_SECONDS),
    }


# ---------------------------------------------------------------------------------------------
# Memory


def _peak_bytes(call: Callable[[], Any]) -> int:
    """:func:`~benchmarks.timing.traced_peak` of ``call()``, whose result is dropped at once."""
    return traced_peak(call)[0]


def run_memory(models: dict[str, Any], s: ProjectionBenchSettings, log: Log) -> dict[str, Any]:
    """Gathered outputs and full state, by formula, and tracemalloc peaks of block calls."""
    from mc.engine import BlockPlan, SchedulerSpec, run_block, simulate

    model = models["municipal"]
    d = dimensions(model)
    x, m = model.inputs()
    per_draw_out = d["regions"] * d["years"] * d["groups"] * BYTES
    per_draw_state = d["municipalities"] * d["sexes"] * d["ages"] * d["years"] * BYTES
    draws = s.engine_draws
    numba_n, numpy_n = s.memory_numba_draws, s.memory_numpy_draws
    memory: dict[str, Any] = {
        "dimensions": d,
        "draws": draws,
        "gathered_outputs_bytes": draws * per_draw_out,
        "full_state_bytes": draws * per_draw_state,
        "block_outputs_bytes": s.block_size * per_draw_out,
        "numba_block": {
            "draws": numba_n,
            "tracemalloc_peak_bytes": _peak_bytes(
                lambda: project_numba(np.random.default_rng(s.seed), numba_n, x, m)
            ),
            "output_bytes": numba_n * per_draw_out,
        },
        "numpy_block": {
            "draws": numpy_n,
            "tracemalloc_peak_bytes": _peak_bytes(
                lambda: project_numpy(np.random.default_rng(s.seed), numpy_n, x, m)
            ),
            "output_bytes": numpy_n * per_draw_out,
        },
        "engine_block": {
            "draws": numba_n,
            "tracemalloc_peak_bytes": _peak_bytes(lambda: run_block(model, s.seed, 0, numba_n)),
            "output_bytes": numba_n * per_draw_out,
        },
        "engine_sync_run": {
            "draws": draws,
            "block_size": s.block_size,
            "tracemalloc_peak_bytes": _peak_bytes(
                lambda: simulate(
                    model, BlockPlan(draws, s.block_size), s.seed, SchedulerSpec("sync")
                )
            ),
            "output_bytes": draws * per_draw_out,
        },
    }
    log(
        f"projection memory, {draws:,} draws: gathered outputs "
        f"{memory['gathered_outputs_bytes'] / 1e6:,.1f} MB vs full per-draw state "
        f"{memory['full_state_bytes'] / 1e6:,.1f} MB "
        f"({memory['full_state_bytes'] / memory['gathered_outputs_bytes']:.0f}x)"
    )
    for key in ("numba_block", "numpy_block", "engine_block", "engine_sync_run"):
        e = memory[key]
        log(
            f"projection memory, {key} ({e['draws']:,} draws): tracemalloc peak "
            f"{e['tracemalloc_peak_bytes'] / 1e6:.1f} MB, outputs {e['output_bytes'] / 1e6:.1f} MB"
        )
    return memory


# ---------------------------------------------------------------------------------------------


def run(data_dir: Path, settings: ProjectionBenchSettings, log: Log) -> dict[str, Any]:
    """Run all projection benchmarks; ``{"skipped": reason}`` when the data are missing."""
    if not data_dir.is_dir():
        log(f"projection benchmarks skipped: data folder {data_dir} not found")
        return {"skipped": f"data folder {data_dir} not found"}
    s = settings
    models, setup = load_models(data_dir, log)
    first = first_call(models["national"], s.seed)
    log(f"projection numba first call: {first['seconds']:.3f} s ({first['source']})")
    kernels = run_kernels(models, s, log)
    engine = run_engine(models, s, log)
    goal = target(engine, setup)
    log(projection_target_sentence(goal))
    memory = run_memory(models, s, log)
    return {
        "settings": asdict(s),
        "data_dir": str(data_dir),
        "origin": ORIGIN,
        "horizon": HORIZON,
        "setup": setup,
        "dimensions": {name: dimensions(model) for name, model in models.items()},
        "numba_first_call": first,
        "kernels": kernels,
        "engine": engine,
        "target": goal,
        "memory": memory,
    }


def projection_target_sentence(goal: dict[str, Any]) -> str:
    """One sentence on issue 3's 60 s target."""
    if not goal["measured_at_target_draws"]:
        return (
            f"Target (issue 3: {goal['draws']:,} draws in <= {goal['seconds']:.0f} s) not "
            f"measured: this run made {goal['measured_draws']:,} draws (quick mode); its slowest "
            f"engine run took {goal['slowest_engine_wall_seconds']:.1f} s."
        )
    return (
        f"Target (issue 3: {goal['draws']:,} draws of 357 municipalities x 106 ages x 2 sexes x "
        f"6 years in <= {goal['seconds']:.0f} s on 2 cores): "
        f"{verdict(goal['met'])}; slowest engine run "
        f"{goal['slowest_engine_wall_seconds']:.1f} s, "
        f"{goal['slowest_with_read_fit_bands_seconds']:.1f} s with reading the data, fitting "
        f"and the bands."
    )


def kernel_rows(kernels: dict[str, Any]) -> list[list[str]]:
    """A row per model and implementation: its timings per call and per draw."""
    labels = {"numba": "`project_numba`", "numpy": "`project_numpy`"}
    return [
        [
            name,
            labels[impl],
            *call_cells(t),
            f"{1e3 * t['seconds_per_draw_best']:.4f}",
            f"{1e3 * t['seconds_per_draw_median']:.4f}",
            f"{t['draws_per_second_best']:,.1f}",
            "1.0x" if impl == "numba" else f"{entry['numba_over_numpy_best']:.2f}x",
        ]
        for name, entry in kernels.items()
        for impl, t in entry["timings"].items()
    ]


def markdown(results: dict[str, Any]) -> str:
    """The projection part of the README's results section."""
    if "skipped" in results:
        return f"### Population projection\n\nSkipped: {results['skipped']}."
    k, setup, first = results["kernels"], results["setup"], results["numba_first_call"]
    d = results["dimensions"]["municipal"]
    lines = [
        f"### Population projection (issue 3: Norway and {d['municipalities']} municipalities, "
        f"{d['ages']} ages x {d['sexes']} sexes, {results['horizon']} years from "
        f"{results['origin']})",
        "",
        f"Data read in {setup['read_seconds']:.2f} s (`read_data_dir`, `municipal=True`), fitted "
        f"in {setup['fit_seconds']:.2f} s (national only {setup['fit_national_only_seconds']:.3f} "
        f"s). Projection kernel, first call in the process: {first['seconds']:.3f} s "
        f"({first['source']}; numba itself was loaded by the benchmarks above); excluded from "
        "the timings below. Outputs per draw: "
        f"{d['regions']} regions (the nation first) x {d['years']} years x {d['groups']} groups "
        "(`total` and the broad groups).",
        "",
        "#### Kernel (one call, one core)",
        "",
        *table(
            [
                "model",
                "implementation",
                "draws per call",
                "best s",
                "median s",
                "ms per draw (best)",
                "ms per draw (median)",
                "draws/s (best)",
                "numba speed-up (best)",
            ],
            kernel_rows(k),
            left=2,
        ),
    ]
    reps = {t["repeats"] for e in k.values() for t in e["timings"].values()}
    lines += [
        "",
        f"Best and median of {', '.join(map(str, sorted(reps)))} calls. Largest difference of "
        "numba from NumPy on the same draws, relative to max(|x|, 1): "
        + ", ".join(f"{name} {e['max_rel_diff_from_numpy']:.1e}" for name, e in k.items())
        + ". `project_numpy` is vectorised over draws for the national model (a matrix product "
        "a year); with municipalities each draw interleaves normals and uniforms, so it loops "
        "over draws and years, vectorised over municipalities and ages.",
        "",
        "#### Engine (end to end)",
        "",
        *table(
            ["model", *ENGINE_HEADER],
            [[c["model"], *case_cells(c, 1)] for c in results["engine"]],
            left=2,
        ),
    ]
    sync = next(c for c in results["engine"] if "bands_seconds" in c)
    lines += [
        "",
        "Wall time includes starting and closing the LocalCluster, except in the warm row (a "
        "cluster started beforehand that has done one untimed run); the first block on each fresh "
        "worker includes loading the numba kernel. Block times include the per-block moments and "
        f"finiteness check. Computing the bands (`population_bands`) from the {sync['draws']:,} "
        f"gathered draws of the sync run took {sync['bands_seconds']:.2f} s.",
        "",
        f"**{projection_target_sentence(results['target'])}**",
        "",
        "#### Memory",
        "",
    ]
    mem = results["memory"]
    dims = mem["dimensions"]
    out_formula = f"draws x {dims['regions']} x {dims['years']} x {dims['groups']} x 8 B"
    state_formula = (
        f"draws x {dims['municipalities']} x {dims['sexes']} x {dims['ages']} x "
        f"{dims['years']} x 8 B"
    )
    draws, size = f"{mem['draws']:,}", f"{results['settings']['block_size']:,}"
    rows = [
        [f"gathered per-draw outputs ({out_formula})", draws, mb(mem["gathered_outputs_bytes"])],
        [f"full per-draw state ({state_formula}), not held", draws, mb(mem["full_state_bytes"])],
        ["outputs of one block", size, mb(mem["block_outputs_bytes"])],
    ]
    peaks = {
        "numba_block": "tracemalloc peak, one `project_numba` call",
        "numpy_block": "tracemalloc peak, one `project_numpy` call",
        "engine_block": "tracemalloc peak, one engine block (`run_block`: kernel + moments)",
        "engine_sync_run": "tracemalloc peak, whole sync `simulate` run",
    }
    rows += [
        [label, f"{mem[key]['draws']:,}", mb(mem[key]["tracemalloc_peak_bytes"])]
        for key, label in peaks.items()
    ]
    lines += table(["what", "draws", "MB"], rows)
    block, run_ = mem["numba_block"], mem["engine_sync_run"]
    lines += [
        "",
        "The numba kernel keeps one draw's state (municipalities x 2 x 106, this year and the "
        "next) and writes only grouped outputs: one call's peak is its outputs plus "
        f"{mb(block['tracemalloc_peak_bytes'] - block['output_bytes'])} MB. The full state "
        f"would be {mem['full_state_bytes'] / mem['gathered_outputs_bytes']:.0f}x the gathered "
        "outputs. The engine does gather every block's grouped draws (the bands are quantiles "
        "over all draws), so what is held grows with the draws; stacking the blocks into chains "
        "holds them twice for a moment, and the whole sync run peaks at "
        f"{run_['tracemalloc_peak_bytes'] / run_['output_bytes']:.1f}x the gathered outputs. "
        "tracemalloc does not see memory outside Python's allocators: these are lower bounds, "
        "not RSS.",
    ]
    return "\n".join(lines)
