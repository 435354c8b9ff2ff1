"""National runs that stream (issue 16): wall time, efficiency, memory and checkpoint bytes.

``python -m benchmarks.national [--draws N] [--small N] [--block-size B]`` measures, on the
default configuration (``configs/tbu-2025.yaml``, the economy on top of the demographic costs):

- the numba kernel's draws per second on one core (``simulate_costs_numba`` at the block size,
  best of 5 calls), and the whole model's (``EconomyModel.simulate``: the kernel plus the economy
  drivers and their rank correlation), and the seconds per million draws of each stage of one
  block (:func:`stages`), in a process of their own (``--stages``) with one BLAS thread, as
  Dask's nanny starts its workers (``distributed.nanny.pre-spawn-environ``): on a loaded machine
  a multi-threaded BLAS makes Iman-Conover's small matrix product a hundred times slower;
  and with the workers' allocator settings (``mc.engine.schedulers.WORKER_MALLOC``);
- the seconds every compiled model kernel of each view takes inside a real block
  (:func:`kernel_seconds`): the issue's "the engine adds at most as much as the kernels cost",
  now that a draw runs several kernels (the cost kernel, the component projection of the other
  view, the accounts), not one; and, in every timed run, the CPU seconds the workers' threads
  spent in those kernels (:func:`_count_kernel_cpu`), against which that target is judged: the
  same minute's machine as the run's wall;
- ``analyse`` end to end (pilot, blocks, merges on the workers, summary tables) for ``N`` draws
  on a LocalCluster of 2 single-threaded worker processes and of 1, and for ``--small`` draws on 2,
  each in a process of its own (``--child``) with a cluster started and warmed beforehand (the
  ``N``-draw runs ``--repeats`` times each, alternating, the median run reported, and each
  1-worker run paired with the 2-worker run before it: :func:`efficiency_verdict`,
  :func:`core_speed_pairs`); then
  ``write_run`` of the result. Peak RSS of the client and of each worker is the kernel's
  high-water mark (``VmHWM``) reset just before the run (``/proc/self/clear_refs``);
- the bytes of one block's checkpoint at several block sizes;
- Dask's cost per task (1,000 empty tasks on a warm 2-worker cluster), the bytes and seconds of
  one merge of two block summaries: the measured inputs of ``docs/scale.md``.

It prints one JSON object and rewrites the section of ``benchmarks/README.md`` between
``<!-- national:start -->`` and ``<!-- national:end -->``. It measures; it never asserts.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pickle
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.machine import ROOT, load_average
from benchmarks.memory import peak_rss_bytes, reset_peak_rss
from benchmarks.render import write_text

CONFIG = ROOT / "configs" / "tbu-2025.yaml"
README = ROOT / "benchmarks" / "README.md"
RESULTS = ROOT / "benchmarks" / "results" / "national.json"
START, END = "<!-- national:start -->", "<!-- national:end -->"
SEED = 20240321
TARGET_WALL_RATIO = 2.0  # issue 16: the engine adds at most as much as the kernels cost
TARGET_EFFICIENCY = 0.90
TARGET_MEMORY_RATIO = 1.2


def _worker_reset() -> bool:
    return reset_peak_rss()


def _worker_peak() -> int:
    return peak_rss_bytes()


def _worker_cpu() -> dict[str, float]:
    """On a worker: CPU seconds of its task threads and of its whole process so far."""
    import resource
    import threading

    tasks = 0.0
    for thread in threading.enumerate():
        if "Dask-Default-Threads" in thread.name and thread.ident is not None:
            tasks += time.clock_gettime(time.pthread_getcpuclockid(thread.ident))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"tasks": tasks, "process": usage.ru_utime + usage.ru_stime}


def fixed_costs(tasks: list[dict[str, Any]], start: float, end: float) -> dict[str, float]:
    """Where the wall of a run went outside its blocks, from Dask's task stream.

    ``tasks`` are the records of ``distributed.get_task_stream`` (each with ``worker``, ``key``
    and ``startstops``, times as ``time.time()``), ``start`` and ``end`` the run's own times on
    the same clock. Returned, in seconds: ``start`` (until the first task computes: the models,
    the headline's pilot, the scatter), ``tail`` (after the last task: the last root's transfer,
    the summaries, the views' tables), ``imbalance`` (between the first and the last worker's
    last block: the idle end, the final merges waiting for the last block), ``idle`` (every
    worker's wall not spent computing a task, summed over the workers: all of the above,
    scheduling and CPU lost to the client), ``merges`` (task seconds that are not blocks:
    merges and the split of the kept draws) and ``scheduling_gaps`` (idle between a worker's
    first task and its last block, summed over the workers: the scheduler's round trips and
    merges waiting for an operand from the other worker).
    """
    spans: dict[str, list[tuple[float, float, bool]]] = {}
    for task in tasks:
        for part in task.get("startstops", ()):
            if part.get("action") == "compute":
                block = "run_block" in str(task["key"])
                spans.setdefault(task["worker"], []).append((part["start"], part["stop"], block))
    if not spans:
        return {}
    firsts = {w: min(a for a, _, _ in s) for w, s in spans.items()}
    lasts = {w: max(b for _, b, _ in s) for w, s in spans.items()}
    last_blocks = {w: max((b for _, b, k in s if k), default=firsts[w]) for w, s in spans.items()}
    busy = {w: sum(b - a for a, b, _ in s) for w, s in spans.items()}
    before_last_block = {
        w: sum(min(b, last_blocks[w]) - a for a, b, _ in s if a < last_blocks[w])
        for w, s in spans.items()
    }
    wall = end - start
    return {
        "start": min(firsts.values()) - start,
        "tail": end - max(lasts.values()),
        "imbalance": max(last_blocks.values()) - min(last_blocks.values()),
        "idle": sum(wall - b for b in busy.values()),
        "merges": sum(b - a for s in spans.values() for a, b, k in s if not k),
        "scheduling_gaps": sum(last_blocks[w] - firsts[w] - before_last_block[w] for w in spans),
    }


def child(draws: int, workers: int, block: int) -> dict[str, Any]:
    """One timed ``analyse`` + ``write_run`` on a warm LocalCluster of ``workers`` processes."""
    import resource

    from distributed import get_task_stream

    from benchmarks import national as importable
    from mc.engine import SchedulerSpec
    from mc.engine.schedulers import dask_client
    from mc.model.config import load_config
    from mc.report import write_run
    from mc.workflow import RunOptions, analyse
    from mc.workflow.analysis import run_population

    config = load_config(CONFIG)
    population = run_population(config)
    with dask_client(SchedulerSpec("processes", workers=workers)) as client:
        warm = RunOptions(draws=workers * 2_000, block_size=2_000, seed=SEED, keep_draws=0)
        analyse(config, warm, population=population, client=client)
        options = RunOptions(draws=draws, block_size=block, seed=SEED)
        client.run(_worker_reset)
        # by reference to the importable module: run as ``__main__`` (``--child``), its functions
        # would travel by value, each call with its own copy of the counts
        client.run(importable._count_kernel_cpu)
        reset_peak_rss()
        cpu_before = client.run(_worker_cpu)
        with get_task_stream(client=client) as stream:
            cpu = resource.getrusage(resource.RUSAGE_SELF)
            clock = time.time()
            start = time.perf_counter()
            analysis = analyse(config, options, population=population, client=client)
            wall = time.perf_counter() - start
            used = resource.getrusage(resource.RUSAGE_SELF)
        cpu_after = client.run(_worker_cpu)
        kernel_cpu = sum(client.run(importable._kernel_cpu).values())
        worker_peaks = sorted(client.run(_worker_peak).values())
    if not kernel_cpu > 0:
        raise RuntimeError("the workers counted no time in the model kernels: timers not in place")
    # the workers' CPU: their task threads (blocks and merges) and the rest of each process
    # (Dask's event loop: messages, transfers, heartbeats, timers)
    task_cpu = sum(cpu_after[w]["tasks"] - cpu_before[w]["tasks"] for w in cpu_after)
    worker_cpu = sum(cpu_after[w]["process"] - cpu_before[w]["process"] for w in cpu_after)
    # the client process's CPU (its threads, and the scheduler's): on a machine with as many
    # cores as workers, what it spends while blocks run is taken from them
    client_cpu = used.ru_utime - cpu.ru_utime + used.ru_stime - cpu.ru_stime
    client_peak = peak_rss_bytes()
    sim = analysis.simulation
    assert sim is not None
    # a configuration with two views runs the other view's model on the same draws inside
    # ``analyse``: its blocks are part of the wall time, so they are counted beside the headline's
    side = analysis.side.simulation if analysis.side is not None else None
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        write_run(Path(folder) / "run", analysis)
        write_seconds = time.perf_counter() - start
        written = sum(p.stat().st_size for p in (Path(folder) / "run").iterdir())
    return {
        "draws": draws,
        "workers": workers,
        "block_size": block,
        "blocks": sim.plan.n_blocks,
        "wall_seconds": wall,
        "simulate_seconds": sim.wall_seconds,
        "block_seconds_sum": float(sum(sim.block_seconds)),
        "side_simulate_seconds": side.wall_seconds if side is not None else 0.0,
        "side_block_seconds_sum": float(sum(side.block_seconds)) if side is not None else 0.0,
        "write_seconds": write_seconds,
        "client_cpu_seconds": client_cpu,
        "task_cpu_seconds": task_cpu,
        "kernel_cpu_seconds": kernel_cpu,
        "worker_other_cpu_seconds": worker_cpu - task_cpu,
        "fixed_seconds": fixed_costs(stream.data, clock, clock + wall),
        "written_bytes": written,
        "kept_draws": sim.kept,
        "client_peak_bytes": client_peak,
        "worker_peak_bytes": worker_peaks,
    }


def run_child(draws: int, workers: int, block: int) -> dict[str, Any]:
    """:func:`child` in a fresh interpreter, so its peak RSS is its own."""
    command = [sys.executable, "-m", "benchmarks.national", "--child"]
    command += [str(draws), str(workers), str(block)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def rates(block: int) -> dict[str, float]:
    """Draws per second on one core: the numba kernel alone and the whole national model."""
    from mc.model.config import load_config
    from mc.model.demographic import build_model
    from mc.sampling import block_generator
    from mc.workflow.analysis import run_population
    from mc.workflow.build import build_cost_model

    config = load_config(CONFIG)
    kernel_model = build_model(config)
    from mc.kernels import simulate_costs_numba

    def best(call: Any, repeats: int = 5) -> float:
        call()
        seconds = []
        for _ in range(repeats):
            start = time.perf_counter()
            call()
            seconds.append(time.perf_counter() - start)
        return min(seconds)

    kernel = best(
        lambda: simulate_costs_numba(np.random.default_rng(1), block, kernel_model.inputs)
    )
    model = build_cost_model(config, run_population(config))
    whole = best(lambda: model.simulate(block_generator(SEED, 0), block), repeats=3)
    return {"kernel_draws_per_second": block / kernel, "model_draws_per_second": block / whole}


SIDE = "other view's whole block (component projection, its costs only; run beside the headline)"
ONE_BLAS_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def stages(block: int, repeats: int = 3) -> dict[str, float]:
    """Seconds per million draws of each stage of one block of the national model (best of 3).

    The stages are those of ``EconomyModel.simulate`` followed by the stream reducer, run on
    the same inputs as a block (``kernel floor`` is ``simulate_costs_numba`` alone, the rate the
    issue's target is set from; ``whole block`` is ``run_block`` end to end, for comparison with
    the sum of the stages).
    """
    from mc.engine.blocks import run_block
    from mc.engine.reduce import PILOT_KEY, Reducer, pilot_grids
    from mc.kernels import simulate_costs_numba
    from mc.model.config import load_config
    from mc.model.demographic import build_model
    from mc.model.economy import EconomyModel, economy_inputs, t_unit
    from mc.sampling import block_generator
    from mc.sampling.dependence import iman_conover
    from mc.workflow.analysis import NATIONAL_SKETCH_BINS, run_population
    from mc.workflow.build import build_cost_model

    config = load_config(CONFIG)
    model = build_cost_model(config, run_population(config))
    assert isinstance(model, EconomyModel)
    kernel_model = build_model(config)
    pilot = model.simulate(block_generator(SEED, PILOT_KEY), 200)
    thresholds = tuple((t.variable, t.threshold, t.direction) for t in config.exceedance)
    reducer = Reducer("stream", pilot_grids(pilot, bins=NATIONAL_SKETCH_BINS), 0, thresholds)
    spec, marginals = model.spec, model.marginals
    years, spearman = len(spec.years), np.array(spec.spearman)
    n = block

    def best(call: Any) -> float:
        call()
        seconds = []
        for _ in range(repeats):
            start = time.perf_counter()
            call()
            seconds.append(time.perf_counter() - start)
        return min(seconds) * 1e6 / n

    demographic_rng, economy_rng = block_generator(SEED, 0).spawn(2)
    out: dict[str, float] = {}
    out["kernel floor (simulate_costs_numba)"] = best(
        lambda: simulate_costs_numba(np.random.default_rng(1), n, kernel_model.inputs)
    )
    demographic = model.demographic.simulate(demographic_rng, n, "numba")
    out["demographic model (kernel and its outputs)"] = best(
        lambda: model.demographic.simulate(np.random.default_rng(1), n, "numba")
    )
    free, total = model._demographic_paths(demographic)
    out["demographic paths onto the economy's years"] = best(
        lambda: model._demographic_paths(demographic)
    )
    raw = np.column_stack([m.draw(economy_rng, n) for m in marginals])
    out["surprise draws (t and normal marginals)"] = years * best(
        lambda: np.column_stack([m.draw(economy_rng, n) for m in marginals])
    )
    out["Iman-Conover reordering"] = years * best(lambda: iman_conover(raw, spearman, economy_rng))
    out["residual and level noise (t draws)"] = best(
        lambda: (t_unit(economy_rng, spec.ndr_df, (n, years)), t_unit(economy_rng, 4.0, (n, years)))
    )
    surprises = np.broadcast_to(raw[:, None, :], (n, years, raw.shape[1])).copy()
    residual = t_unit(economy_rng, spec.ndr_df, (n, years)) * model.residual_sd
    inputs = economy_inputs(spec, marginals)
    paths = (surprises, residual, free, total)
    delta = model._difference(residual)
    # the compiled path a numba block runs: accounts_numba chunk by chunk, each chunk's
    # survey conditioning, levels and reported years written straight into the outputs
    gap = None if model.survey_gap is None else np.full(n, model.survey_gap.loc)
    out["economy accounts, levels and output arrays (compiled, by chunks)"] = best(
        lambda: model._report_fused(inputs, paths, delta, gap, False)
    )
    draws = model.simulate(block_generator(SEED, 0), n)
    out["stream reduction (moments, 57+ histograms, exceedance)"] = best(
        lambda: reducer.summarize(0, draws, 0.0)
    )
    out["whole block (run_block)"] = best(lambda: run_block(model, SEED, 0, n, reducer))
    if config.view is not None:  # the other view runs too: its block, for the wall time's sake
        from mc.workflow.views import other_view_config

        side_config = other_view_config(config)
        side = build_cost_model(side_config, run_population(config), costs_only=True)
        side_pilot = side.simulate(block_generator(SEED, PILOT_KEY), 200)
        side_reducer = Reducer("stream", pilot_grids(side_pilot, bins=NATIONAL_SKETCH_BINS))
        out[SIDE] = best(lambda: run_block(side, SEED, 0, n, side_reducer))
    return out


#: The compiled model kernels a block of either view runs, by the module that looks each one up:
#: the cost kernel, the component projection and the accounts. Everything else a block does
#: (drawing the economy's marginals, Iman-Conover, the t draws, arranging outputs, the stream
#: reduction, the engine) counts as not-kernel.
MODEL_KERNELS = (
    ("mc.kernels.demography", "_simulate_numba"),
    ("mc.kernels.cohort", "_project_numba"),
    ("mc.kernels.economy", "_accounts_numba"),
)


def time_kernels(spent: dict[str, float], clock: Callable[[], float]) -> dict[tuple[str, str], Any]:
    """Wrap each kernel of :data:`MODEL_KERNELS` so that its calls add ``clock`` time to ``spent``.

    The wrapper replaces the compiled function in the module where the Python wrappers look it
    up, so every block run in this process from now on is timed. Returns the originals, by
    ``(module, name)``, for putting them back.
    """
    import importlib

    originals = {}
    for module_name, name in MODEL_KERNELS:
        module = importlib.import_module(module_name)
        originals[module_name, name] = compiled = getattr(module, name)

        def timed(*args: Any, _compiled: Any = compiled, _name: str = name) -> Any:
            start = clock()
            try:
                return _compiled(*args)
            finally:
                spent[_name] += clock() - start

        setattr(module, name, timed)
    return originals


#: On a worker process: its task threads' CPU seconds inside each model kernel since
#: :func:`_count_kernel_cpu` last ran there.
_KERNEL_CPU: dict[str, float] = {}


def _count_kernel_cpu() -> bool:
    """On a worker: from now on, add each kernel call's thread CPU time to :data:`_KERNEL_CPU`.

    CPU time, not wall: a kernel that waits for a core (the client's or Dask's threads have it)
    does not count as kernel time, so that wait stays in what the engine adds. Called again, it
    only resets the counts.
    """
    if not _KERNEL_CPU:
        _KERNEL_CPU.update({name: 0.0 for _, name in MODEL_KERNELS})
        time_kernels(_KERNEL_CPU, time.thread_time)
    for name in _KERNEL_CPU:
        _KERNEL_CPU[name] = 0.0
    return True


def _kernel_cpu() -> float:
    """On a worker: the CPU seconds counted since :func:`_count_kernel_cpu`."""
    return float(sum(_KERNEL_CPU.values()))


def kernel_seconds(block: int, repeats: int = 3) -> dict[str, dict[str, float]]:
    """Seconds per million draws inside one real block of each view: its kernels, and the whole.

    Each compiled kernel of :data:`MODEL_KERNELS` is wrapped by a timer in the module where the
    Python wrappers look it up, then ``run_block`` runs exactly as on a worker (same stream, same
    reducer). Best of ``repeats`` blocks (the kernels' share from the same block as the whole).
    """
    import importlib

    from mc.engine.blocks import run_block
    from mc.engine.reduce import PILOT_KEY, Reducer, pilot_grids
    from mc.model.config import load_config
    from mc.sampling import block_generator
    from mc.workflow.analysis import NATIONAL_SKETCH_BINS, run_population
    from mc.workflow.build import build_cost_model
    from mc.workflow.views import other_view_config

    config = load_config(CONFIG)
    population = run_population(config)
    thresholds = tuple((t.variable, t.threshold, t.direction) for t in config.exceedance)
    views = {"headline": config}
    if config.view is not None:
        views["other view"] = other_view_config(config)
    spent = {name: 0.0 for _, name in MODEL_KERNELS}
    originals = time_kernels(spent, time.perf_counter)
    out: dict[str, dict[str, float]] = {}
    try:
        for view, view_cfg in views.items():
            # the other view draws its demographic costs only, as analyse_views runs it
            model = build_cost_model(view_cfg, population, costs_only=view != "headline")
            pilot = model.simulate(block_generator(SEED, PILOT_KEY), 200)
            grids = pilot_grids(pilot, bins=NATIONAL_SKETCH_BINS)
            reducer = Reducer("stream", grids, 0, thresholds if view == "headline" else ())
            run_block(model, SEED, 0, block, reducer)  # compiled and warm
            best: dict[str, float] | None = None
            for _ in range(repeats):
                for name in spent:
                    spent[name] = 0.0
                start = time.perf_counter()
                run_block(model, SEED, 0, block, reducer)
                whole = time.perf_counter() - start
                if best is None or whole < best["whole block"]:
                    best = {"whole block": whole, **spent}
            assert best is not None
            best["kernels"] = sum(best[name] for name in spent)
            out[view] = {key: value * 1e6 / block for key, value in best.items()}
    finally:
        for (module_name, name), compiled in originals.items():
            setattr(importlib.import_module(module_name), name, compiled)
    return out


#: A probe of what the machine itself gives two processes: one NumPy multiply over arrays far
#: larger than the caches (``memory``: 2 x 400 MB, each round streams them through DRAM) and the
#: same multiply over arrays that stay in a core's cache (``cache``: 2 x 0.4 MB).
PROBE = """
import sys, time
import numpy as np
n, rounds = int(sys.argv[1]), int(sys.argv[2])
a = np.ones(n)
b = np.empty_like(a)
np.multiply(a, 1.0001, out=b)
start = time.perf_counter()
for _ in range(rounds):
    np.multiply(a, 1.0001, out=b)
    a, b = b, a
print(time.perf_counter() - start)
"""
PROBES = {"memory": (50_000_000, 40), "cache": (50_000, 80_000)}


def _probe(n: int, rounds: int, copies: int) -> list[float]:
    """Seconds of ``copies`` probe processes started together."""
    env = {**os.environ, **ONE_BLAS_THREAD}
    command = [sys.executable, "-c", PROBE, str(n), str(rounds)]
    started = [
        subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env) for _ in range(copies)
    ]
    return [float(p.communicate()[0]) for p in started]


def machine_scaling(repeats: int = 3) -> dict[str, dict[str, Any]]:
    """What two processes get on this machine, now: each probe alone and two at once.

    The efficiency of a probe is its median time alone over its median time as the slower of
    two copies running together: the parallel efficiency 1 -> 2 workers of work of that kind,
    with no engine at all. A block that streams its arrays through memory cannot do better
    than ``memory``; one that stays in cache, than ``cache``.
    """
    out: dict[str, dict[str, Any]] = {}
    for name, (n, rounds) in PROBES.items():
        one: list[float] = []
        two: list[float] = []
        for _ in range(repeats):  # alternating, so a change in the machine falls on both
            one.append(_probe(n, rounds, 1)[0])
            two.append(max(_probe(n, rounds, 2)))
        efficiency = float(np.median(one) / np.median(two))
        out[name] = {"one": one, "two": two, "efficiency": efficiency}
    return out


def run_stages(block: int) -> dict[str, Any]:
    """:func:`rates` and :func:`stages` in a fresh interpreter with one BLAS thread."""
    command = [sys.executable, "-m", "benchmarks.national", "--stages", str(block)]
    from mc.engine.schedulers import WORKER_MALLOC

    # the allocator settings of the workers too, so kernels and blocks are timed as they run there
    env = {**os.environ, "PYTHONPATH": str(ROOT), **ONE_BLAS_THREAD, **WORKER_MALLOC}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def checkpoint_bytes(sizes: tuple[int, ...]) -> dict[str, int]:
    """Bytes of block 0's checkpoint (no kept draws) at each block size."""
    from mc.engine.blocks import run_block
    from mc.engine.checkpoint import save_block
    from mc.engine.reduce import PILOT_KEY, Reducer, pilot_grids
    from mc.model.config import load_config
    from mc.sampling import block_generator
    from mc.workflow.analysis import NATIONAL_SKETCH_BINS, run_population
    from mc.workflow.build import build_cost_model

    config = load_config(CONFIG)
    model = build_cost_model(config, run_population(config))
    pilot = model.simulate(block_generator(SEED, PILOT_KEY), 200)
    thresholds = tuple((t.variable, t.threshold, t.direction) for t in config.exceedance)
    reducer = Reducer("stream", pilot_grids(pilot, bins=NATIONAL_SKETCH_BINS), 0, thresholds)
    out = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            path = save_block(folder, run_block(model, SEED, 0, size, reducer))
            out[str(size)] = path.stat().st_size
            path.unlink()
    return out


def dask_costs(block: int) -> dict[str, float]:
    """Seconds per empty task on a warm 2-worker cluster; bytes and seconds of one merge."""
    from mc.engine import SchedulerSpec
    from mc.engine.blocks import run_block
    from mc.engine.reduce import PILOT_KEY, Reducer, merge, pilot_grids
    from mc.engine.schedulers import dask_client
    from mc.model.config import load_config
    from mc.sampling import block_generator
    from mc.workflow.analysis import NATIONAL_SKETCH_BINS, run_population
    from mc.workflow.build import build_cost_model

    config = load_config(CONFIG)
    model = build_cost_model(config, run_population(config))
    pilot = model.simulate(block_generator(SEED, PILOT_KEY), 200)
    reducer = Reducer("stream", pilot_grids(pilot, bins=NATIONAL_SKETCH_BINS))
    a, b = (run_block(model, SEED, k, block, reducer) for k in (0, 1))
    start = time.perf_counter()
    for _ in range(10):
        merged = merge(a, b)
    merge_seconds = (time.perf_counter() - start) / 10
    with dask_client(SchedulerSpec("processes", workers=2)) as client:
        client.gather(client.map(abs, range(-100, 0), pure=False))  # warm
        n = 1_000
        start = time.perf_counter()
        client.gather(client.map(abs, range(-n, 0), pure=False))
        per_task = (time.perf_counter() - start) / n
    return {
        "task_seconds": per_task,
        "merge_seconds": merge_seconds,
        "summary_bytes": len(pickle.dumps(a, protocol=5)),
        "merged_bytes": len(pickle.dumps(merged, protocol=5)),
    }


def _load(values: list[float] | None) -> str:
    return "-" if not values else " / ".join(f"{v:.1f}" for v in values)


def _busy(run: dict[str, Any]) -> float:
    """Seconds the blocks of both views took (the headline's alone in older results)."""
    return float(run["block_seconds_sum"] + run.get("side_block_seconds_sum", 0.0))


def markdown(r: dict[str, Any]) -> list[str]:
    """The README section."""
    big, one, small = r["runs"]["big2"], r["runs"]["big1"], r["runs"]["small2"]
    kernel, whole = r["rates"]["kernel_draws_per_second"], r["rates"]["model_draws_per_second"]
    floor_kernel = big["draws"] / (2 * kernel)
    floor_model = big["draws"] / (2 * whole)
    efficiency = one["wall_seconds"] / (2 * big["wall_seconds"])
    busy2, busy1 = _busy(big) / 2, _busy(one)
    per2, per1 = _busy(big) / big["blocks"], busy1 / one["blocks"]  # both views, both runs
    client_ratio = big["client_peak_bytes"] / small["client_peak_bytes"]
    worker_ratio = max(big["worker_peak_bytes"]) / max(small["worker_peak_bytes"])
    quiet = r["load_before"][0] < 1.0  # the 1-minute load before the run: nothing else running
    lines = [
        f"Measured {r['date']} on the shared 2-core machine (load average "
        f"{_load(r['load_before'])} before, {_load(r['load_after'])} after: "
        + (
            "no other jobs ran in the minute before; the 5- and 15-minute loads are earlier "
            "jobs'). "
            if quiet
            else "other engineers' jobs ran at the same time, so the times are upper bounds). "
        )
        + "Default configuration "
        f"(`configs/tbu-2025.yaml`), blocks of {big['block_size']:,} draws, keep-draws default "
        f"({big['kept_draws']:,} kept).",
        "",
        "| figure | value | target |",
        "|---|---:|---|",
        f"| numba kernel, one core | {kernel:,.0f} draws/s | |",
        f"| whole national model (kernel + economy drivers), one core | {whole:,.0f} draws/s | |",
        f"| {big['draws']:,} draws, 2 workers: wall (analyse) | {big['wall_seconds']:.1f} s | |",
        *kernel_rows(r),
        f"| ... against draws / (2 x cost-kernel rate) = {floor_kernel:.1f} s | "
        f"{big['wall_seconds'] / floor_kernel:.1f}x | (the cost kernel alone) |",
        f"| ... against draws / (2 x whole-model rate) = {floor_model:.1f} s | "
        f"{big['wall_seconds'] / floor_model:.2f}x | (headline view's model only) |",
        f"| ... against its blocks' seconds (both views) / 2 = {busy2:.1f} s | "
        f"{big['wall_seconds'] / busy2:.2f}x | (the engine's share, same load) |",
        *repeat_rows(r),
        f"| same, 1 worker: wall | {one['wall_seconds']:.1f} s | |",
        f"| ... against its blocks' seconds (both views) = {busy1:.1f} s | "
        f"{one['wall_seconds'] / busy1:.2f}x | |",
        f"| parallel efficiency 1 -> 2 workers (median runs) | {100 * efficiency:.1f} % | "
        f">= {100 * TARGET_EFFICIENCY:.0f} % |",
        *machine_rows(r),
        *cpu_rows(r),
        f"| mean seconds of a block (both views), 1 worker / 2 workers | {per1:.2f} / "
        f"{per2:.2f} s | |",
        f"| writing the run folder (write_run) | {big['write_seconds']:.1f} s | seconds |",
        f"| client peak RSS {small['draws']:,} / {big['draws']:,} draws | "
        f"{small['client_peak_bytes'] / 1e6:,.0f} / {big['client_peak_bytes'] / 1e6:,.0f} MB "
        f"({client_ratio:.2f}x) | <= {TARGET_MEMORY_RATIO}x |",
        f"| largest worker peak RSS {small['draws']:,} / {big['draws']:,} draws | "
        f"{max(small['worker_peak_bytes']) / 1e6:,.0f} / "
        f"{max(big['worker_peak_bytes']) / 1e6:,.0f} MB ({worker_ratio:.2f}x) | "
        f"<= {TARGET_MEMORY_RATIO}x |",
        "| checkpoint bytes per block, by block size | "
        + ", ".join(f"{int(k):,}: {v / 1e3:,.0f} kB" for k, v in r["checkpoints"].items())
        + " | independent of size |",
        f"| Dask cost per task (1,000 empty tasks, warm 2-worker cluster) | "
        f"{1e3 * r['dask']['task_seconds']:.2f} ms | |",
        f"| one merge of two block summaries (25,000 draws: 16-bit counts) | "
        f"{1e3 * r['dask']['merge_seconds']:.1f} ms, "
        f"{r['dask']['merged_bytes'] / 1e6:.1f} MB pickled | |",
        "",
        *stage_table(r),
        *verdicts(r),
    ]
    return lines


def pair_efficiencies(r: dict[str, Any]) -> list[float]:
    """Each 1-worker run against the 2-worker run just before it (the same minute's machine)."""
    if "repeats" not in r:
        return []
    big2, big1 = r["repeats"]["big2"], r["repeats"]["big1"]
    return [t1 / (2 * t2) for t2, t1 in zip(big2, big1, strict=True)]


def core_speed_pairs(r: dict[str, Any]) -> list[float]:
    """Each pair's efficiency with the cores' own slowing taken out: what the engine keeps.

    A pair's efficiency times its 2-worker run's task-thread CPU seconds over its 1-worker
    run's. The two runs compute the same draws, so the task threads' CPU differs only by the
    speed of the cores: above 1 they ran slower with both busy (other jobs, shared memory and
    caches), which no engine can win back. An engine with no cost at all scores 100 %.
    """
    if "repeat_task_cpu" not in r:
        return []
    cpu2, cpu1 = r["repeat_task_cpu"]["big2"], r["repeat_task_cpu"]["big1"]
    return [e * c2 / c1 for e, c2, c1 in zip(pair_efficiencies(r), cpu2, cpu1, strict=True)]


#: Confidence with which the run pairs must bound the median pair's efficiency before the
#: efficiency is judged. The pairs are each a minute apart; on this shared machine the speed
#: changes between them by more than anything the engine does (its idle and waits are a few %
#: of a run): on 2026-12-03 three benchmark runs of the same code gave 78, 83 and 97 % on the
#: median runs. A verdict is given only when the whole distribution-free interval for the median
#: (:func:`median_interval`) lies on one side of the line.
MEDIAN_CONFIDENCE = 0.90


def median_interval(
    values: list[float], confidence: float = MEDIAN_CONFIDENCE
) -> tuple[float, float, float] | None:
    """A distribution-free confidence interval for the median of ``values``.

    The ``k``-th smallest and ``k``-th largest of ``n`` independent values bracket their
    distribution's median with probability ``1 - 2 P(B < k)``, ``B ~ Binomial(n, 1/2)``,
    whatever the distribution. The narrowest such pair with at least ``confidence`` is returned
    as ``(low, high, coverage)``; ``None`` when not even the whole range reaches it (fewer than
    5 values at 90 %).

    Examples
    --------
    >>> median_interval([0.8, 0.9, 1.0, 1.1, 1.2])
    (0.8, 1.2, 0.9375)
    >>> median_interval([0.8, 0.9, 1.0, 1.1]) is None
    True
    """
    n, ordered = len(values), sorted(values)
    best = None
    for k in range(1, n // 2 + 1):
        coverage = 1 - 2 * sum(math.comb(n, i) for i in range(k)) / 2**n
        if coverage >= confidence:
            best = (ordered[k - 1], ordered[n - k], coverage)
    return best


def efficiency_verdict(r: dict[str, Any], efficiency: float) -> str:
    """``met`` or ``not met`` when the run pairs bound their median on one side of the target.

    Without repeated runs (older results) the median runs' ``efficiency`` is judged as it is.
    """
    pairs = pair_efficiencies(r)
    if not pairs:
        return "met" if efficiency >= TARGET_EFFICIENCY else "not met"
    interval = median_interval(pairs)
    if interval is None:
        return (
            f"not judged: {len(pairs)} run pairs cannot bound their median with "
            f"{100 * MEDIAN_CONFIDENCE:.0f} % confidence"
        )
    low, high, coverage = interval
    bounds = (
        f"{100 * coverage:.1f} % interval for the median pair {100 * low:.1f}-{100 * high:.1f} %"
    )
    verdict = interval_verdict(low, high)
    if verdict == "met":
        return f"met, the {bounds} lies above the line"
    if verdict == "not met":
        return f"not met, the {bounds} lies below the line"
    return (
        f"not judged, the line lies inside the {bounds}: the machine's speed changed between "
        "the runs by more than a verdict at the line allows"
    )


def interval_verdict(low: float, high: float) -> str:
    """``met`` above the efficiency target, ``not met`` below it, ``not judged`` across it."""
    if low >= TARGET_EFFICIENCY:
        return "met"
    return "not met" if high < TARGET_EFFICIENCY else "not judged"


def pair_words(r: dict[str, Any]) -> str:
    """The spread of the run pairs' efficiencies, beside the median runs' figure."""
    pairs = pair_efficiencies(r)
    if len(pairs) < 2:
        return ""
    return (
        f"; the {len(pairs)} run pairs gave {100 * min(pairs):.1f}-{100 * max(pairs):.1f} %, "
        f"median {100 * float(np.median(pairs)):.1f} %"
    )


def repeat_rows(r: dict[str, Any]) -> list[str]:
    """A row with every large run's wall time, when the runs were repeated."""
    if "repeats" not in r:
        return []
    walls = {key: " / ".join(f"{w:.1f}" for w in values) for key, values in r["repeats"].items()}
    pairs = pair_efficiencies(r)
    rows = [
        f"| wall of each run, 2 workers; 1 worker (the rows here are the median run's) | "
        f"{walls['big2']} s; {walls['big1']} s | |",
        "| parallel efficiency of each run pair (1 worker against the 2-worker run before it) | "
        + " / ".join(f"{100 * e:.1f}" for e in pairs)
        + f" % (median {100 * float(np.median(pairs)):.1f} %) | |",
    ]
    cores = core_speed_pairs(r)
    if cores:
        cpu = r["repeat_task_cpu"]
        ratios = [c2 / c1 for c2, c1 in zip(cpu["big2"], cpu["big1"], strict=True)]
        rows += [
            "| ... each pair's task threads' CPU, 2 workers against 1 (the same draws: above 1 "
            "the cores ran slower) | " + " / ".join(f"{x:.3f}" for x in ratios) + " | |",
            "| ... each pair at the cores' own speed (efficiency x that ratio: what the engine "
            "keeps) | "
            + " / ".join(f"{100 * e:.1f}" for e in cores)
            + f" % (median {100 * float(np.median(cores)):.1f} %) | |",
        ]
    return rows


def core_speed_words(r: dict[str, Any]) -> str:
    """The pairs at the cores' own speed, with the interval for their median."""
    cores = core_speed_pairs(r)
    if not cores:
        return ""
    text = (
        f". At the cores' own speed (each pair's efficiency times its task threads' CPU with 2 "
        f"workers over that with 1, which takes out the cores' slowing when both are busy) the "
        f"pairs give {100 * min(cores):.1f}-{100 * max(cores):.1f} %"
    )
    interval = median_interval(cores)
    if interval is not None:
        low, high, coverage = interval
        text += (
            f", the {100 * coverage:.1f} % interval for their median {100 * low:.1f}-"
            f"{100 * high:.1f} % (the engine's share of the target >= "
            f"{100 * TARGET_EFFICIENCY:.0f} %: {interval_verdict(low, high)}); what these "
            "lose is the engine's own: the client's and Dask's CPU, the start, the last blocks' "
            "tail"
        )
    return text


def machine_rows(r: dict[str, Any]) -> list[str]:
    """A row with the machine's own two-process efficiency (:func:`machine_scaling`)."""
    if "machine" not in r:
        return []
    m = r["machine"]
    return [
        "| what the machine gives two processes (a NumPy multiply alone against two copies at "
        "once, median of 3): streaming through memory; in cache | "
        f"{100 * m['memory']['efficiency']:.0f} %; {100 * m['cache']['efficiency']:.0f} % | |"
    ]


def _tasks_wall(run: dict[str, Any]) -> float:
    """Seconds the task threads were running a task: both views' blocks and the merges."""
    return _busy(run) + float(run.get("fixed_seconds", {}).get("merges", 0.0))


def cpu_split(r: dict[str, Any]) -> dict[str, float] | None:
    """How the blocks' slow-down with two workers splits into the cores' and the waits' shares.

    ``cores``: the task threads' CPU seconds with 2 workers over those with 1 (the same draws;
    above 1 the cores themselves ran slower with both busy); ``wait2`` and ``wait1``: the task
    threads' wall over their CPU seconds (above 1 a task thread was ready but waited for a core,
    which the client or a worker's own Dask threads had).
    """
    big, one = r["runs"]["big2"], r["runs"]["big1"]
    if "task_cpu_seconds" not in big or "task_cpu_seconds" not in one:
        return None
    return {
        "cores": big["task_cpu_seconds"] / one["task_cpu_seconds"],
        "wait2": _tasks_wall(big) / big["task_cpu_seconds"],
        "wait1": _tasks_wall(one) / one["task_cpu_seconds"],
    }


def cpu_rows(r: dict[str, Any]) -> list[str]:
    """Rows with where the CPU of the median runs went (results that recorded it)."""
    split = cpu_split(r)
    if split is None:
        return []
    big, one = r["runs"]["big2"], r["runs"]["big1"]

    def parts(run: dict[str, Any]) -> str:
        return (
            f"{run['task_cpu_seconds']:.1f} / {run['worker_other_cpu_seconds']:.1f} / "
            f"{run['client_cpu_seconds']:.1f}"
        )

    return [
        "| CPU seconds, 2 workers; 1 worker: the workers' task threads / the rest of the "
        f"workers (Dask's event loops) / the client | {parts(big)}; {parts(one)} s | |",
        "| tasks' wall (blocks and merges) against their threads' CPU, 2 workers; 1 worker | "
        f"{split['wait2']:.3f}x; {split['wait1']:.3f}x | (above 1: a ready task waited for a "
        "core) |",
        "| task threads' CPU, 2 workers against 1 worker (the same draws) | "
        f"{split['cores']:.3f}x | (above 1: the cores ran slower with both busy) |",
    ]


def all_kernels_seconds(r: dict[str, Any]) -> float | None:
    """Seconds per million draws of every compiled model kernel of both views (one core)."""
    if "kernels" not in r:
        return None
    return float(sum(view["kernels"] for view in r["kernels"].values()))


def kernel_rows(r: dict[str, Any]) -> list[str]:
    """Rows of the figure table for the kernels of both views and the wall against them."""
    seconds = all_kernels_seconds(r)
    if seconds is None:
        return []
    big = r["runs"]["big2"]
    floor = big["draws"] * seconds / 1e6 / 2
    parts = "; ".join(
        f"{view}: {v['kernels']:.2f} of a {v['whole block']:.2f} s block"
        for view, v in r["kernels"].items()
    )
    ratio = big["wall_seconds"] / floor
    rows = [
        f"| every model kernel of both views, timed inside real blocks, one core, alone before "
        f"the runs | {1e6 / seconds:,.0f} draws/s ({seconds:.2f} s / 10^6; {parts}) | |",
        f"| ... wall against draws / (2 x that rate) = {floor:.1f} s | {ratio:.2f}x | "
        + (
            "(not judged: another minute's machine) |"
            if "kernel_cpu_seconds" in big
            else f"<= {TARGET_WALL_RATIO:g}x |"
        ),
    ]
    if "kernel_cpu_seconds" in big:
        cpu = big["kernel_cpu_seconds"]
        rows += [
            f"| the same kernels inside this run's blocks: their threads' CPU | {cpu:.1f} s "
            f"({big['draws'] / cpu:,.0f} draws/s a core) | |",
            f"| ... wall against that / 2 = {cpu / 2:.1f} s | {same_run_ratio(big):.2f}x | "
            f"<= {TARGET_WALL_RATIO:g}x |",
        ]
    return rows


def same_run_ratio(run: dict[str, Any]) -> float:
    """Wall time against the CPU seconds the run's blocks spent in model kernels, per worker.

    The kernels' speed is the same minute's as the wall's: on this shared machine a kernel's
    speed changes by a third within minutes, so a rate measured before the runs compares two
    machines. CPU seconds, so that a block waiting for a core leaves that wait in the wall's
    excess, where it belongs: it is the client's and Dask's threads' doing, not the kernels'.
    """
    return float(run["wall_seconds"] / (run["kernel_cpu_seconds"] / run["workers"]))


def stage_table(r: dict[str, Any]) -> list[str]:
    """Seconds per million draws of each stage of a block, beside the kernel floor."""
    if "stages" not in r:
        return []
    table = r["stages"]
    floor = table["kernel floor (simulate_costs_numba)"]
    skip = ("kernel floor (simulate_costs_numba)", "whole block (run_block)", SIDE)
    parts = [k for k in table if k not in skip]
    lines = [
        f"One block of {r['runs']['big2']['block_size']:,} draws, stage by stage (one core, one "
        "BLAS thread as in the workers, best of 3; seconds per million draws):",
        "",
        "| stage | s / 10^6 draws | x kernel floor |",
        "|---|---:|---:|",
    ]
    for key in ("kernel floor (simulate_costs_numba)", *parts, "whole block (run_block)"):
        lines.append(f"| {key} | {table[key]:.3f} | {table[key] / floor:.2f} |")
    total = sum(table[k] for k in parts)
    lines.append(f"| sum of the stages | {total:.3f} | {total / floor:.2f} |")
    if SIDE in table:
        lines.append(f"| {SIDE} | {table[SIDE]:.3f} | {table[SIDE] / floor:.2f} |")
    lines.append("")
    whole = table["whole block (run_block)"]
    if abs(total - whole) > 0.15 * whole:
        lines += [
            f"The stages were timed one after another; their sum is {total / whole:.2f}x the "
            "whole block timed in the same process, so the machine's load moved them by about "
            "that much (read the ratios as rough shares, the whole block as the firmer figure).",
            "",
        ]
    return lines


def checkpoint_verdict(sizes: dict[str, int]) -> str:
    """Whether a block's checkpoint bytes depended on its draws, in the run's own figures."""
    if len(set(sizes.values())) == 1:
        size = next(iter(sizes.values()))
        return (
            f"Checkpoint bytes per block are the same at every block size measured ({size:,} "
            "bytes: the grid's cells x (bins + 2) 32-bit counts and each cell's moments; the "
            "block's draws do not enter; target met)."
        )
    return (
        "Checkpoint bytes per block differ between block sizes ("
        + ", ".join(f"{int(k):,}: {v:,}" for k, v in sizes.items())
        + "; target not met)."
    )


def verdicts(r: dict[str, Any]) -> list[str]:
    """The targets of issue 16 against the figures, in words computed from them."""
    big, one = r["runs"]["big2"], r["runs"]["big1"]
    kernel = r["rates"]["kernel_draws_per_second"]
    ratio = big["wall_seconds"] / (big["draws"] / (2 * kernel))
    efficiency = one["wall_seconds"] / (2 * big["wall_seconds"])
    engine = big["wall_seconds"] / (_busy(big) / 2)
    seconds = all_kernels_seconds(r)
    text = "Against the targets of issue 16: "
    if "kernel_cpu_seconds" in big:
        same = same_run_ratio(big)
        alone = (
            f"; against the same kernels timed alone before the runs it is "
            f"{big['wall_seconds'] / (big['draws'] * seconds / 1e6 / 2):.2f}x, a comparison of "
            "two minutes of a machine whose speed drifts"
            if seconds is not None
            else ""
        )
        text += (
            f"wall time is {same:.2f}x the CPU seconds every model kernel of both views spent "
            "inside the same run's blocks, per worker (target "
            f'<= {TARGET_WALL_RATIO:g}x, "the engine adds at most as much as the kernels cost": '
            f"{'met' if same <= TARGET_WALL_RATIO else 'not met'}){alone}; "
            "against the cost kernel alone, the issue's figure when a draw ran only that kernel, "
        )
    elif seconds is not None:
        against = big["wall_seconds"] / (big["draws"] * seconds / 1e6 / 2)
        text += (
            f"wall time is {against:.2f}x draws / (2 x the rate of every model kernel a draw "
            f'runs, both views) (target <= {TARGET_WALL_RATIO:g}x, "the engine adds at most as '
            f'much as the kernels cost": {"met" if against <= TARGET_WALL_RATIO else "not met"}); '
            "against the cost kernel alone, the issue's figure when a draw ran only that kernel, "
        )
    text += (
        f"wall time is {ratio:.1f}x draws / (2 x kernel rate) "
        f"(target <= {TARGET_WALL_RATIO:g}x: {'met' if ratio <= TARGET_WALL_RATIO else 'not met'})"
    )
    if "stages" in r:
        table = r["stages"]
        floor = table["kernel floor (simulate_costs_numba)"]
        whole = table["whole block (run_block)"]
        skip = ("kernel floor (simulate_costs_numba)", "whole block (run_block)", SIDE)
        ranked = sorted((k for k in table if k not in skip), key=lambda k: -table[k])
        text += (
            f"; a block alone costs {whole / floor:.1f}x the kernel floor per draw, so an engine "
            f"of no cost at all would still give {whole / floor:.1f}x; the largest stages are "
            f"{ranked[0]} ({table[ranked[0]]:.2f} s / 10^6), {ranked[1]} "
            f"({table[ranked[1]]:.2f}) and {ranked[2]} ({table[ranked[2]]:.2f})"
        )
    if "stages" in r and SIDE in r["stages"]:
        side = r["stages"][SIDE]
        floor = r["stages"]["kernel floor (simulate_costs_numba)"]
        text += (
            f"; and every draw also runs the other view's model (the configuration has two "
            f"views), whose block costs {side:.2f} s / 10^6 ({side / floor:.1f}x the floor) on "
            "top of the headline's"
        )
    small = r["runs"]["small2"]
    memory = max(
        big["client_peak_bytes"] / small["client_peak_bytes"],
        max(big["worker_peak_bytes"]) / max(small["worker_peak_bytes"]),
    )
    text += (
        f". Peak memory 10^6 -> 10^7 draws grows at most {memory:.2f}x (target "
        f"<= {TARGET_MEMORY_RATIO}x: {'met' if memory <= TARGET_MEMORY_RATIO else 'not met'})"
        f". Against its blocks' seconds (both views) the wall is {engine:.2f}x. Parallel "
        f"efficiency 1 -> 2 workers: {100 * efficiency:.1f} % on the median runs (target "
        f">= {100 * TARGET_EFFICIENCY:.0f} %: {efficiency_verdict(r, efficiency)}"
        + pair_words(r)
        + "; the two cores are shared with other jobs, see the load"
        + (
            f"; a NumPy multiply got {100 * r['machine']['memory']['efficiency']:.0f} % "
            f"streaming through memory and {100 * r['machine']['cache']['efficiency']:.0f} % in "
            "cache in the same benchmark run, with no engine at all"
            if "machine" in r
            else ""
        )
        + "); the blocks alone allow "
        f"{100 * _busy(one) / _busy(big):.0f} % (the same blocks "
        f"take {_busy(big) / _busy(one):.2f}x the seconds when two run at once"
        + split_words(r)
        + "), so the engine's fixed costs (pilot, scattering the model, the last blocks' tail, "
        "the summary) take the rest"
        + core_speed_words(r)
        + ". "
        + checkpoint_verdict(r["checkpoints"])
        + " "
        "`docs/scale.md` uses these figures for 10^9 draws on 1,000 workers."
    )
    return [text, ""]


def split_words(r: dict[str, Any]) -> str:
    """The blocks' slow-down with two workers, split into the cores' share and the waits'."""
    split = cpu_split(r)
    if split is None:
        return ""
    return (
        f": their threads' CPU time was {split['cores']:.2f}x that with one worker, where above "
        "1 the cores themselves ran slower with both busy, and a ready task waited for a core "
        f"{100 * (split['wait2'] - 1):.1f} % of its CPU time against "
        f"{100 * (split['wait1'] - 1):.1f} % with one worker, the client and the workers' own "
        "Dask threads taking it"
    )


def replace_section(lines: list[str]) -> None:
    """Put ``lines`` between the section markers of the README (appended the first time)."""
    text = README.read_text(encoding="utf-8")
    body = "\n".join([START, *lines, END])
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + body + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + body + "\n"
    write_text(README, text)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with ``--child``, one timed run) and print JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.national", description=__doc__)
    parser.add_argument("--draws", type=int, default=10_000_000)
    parser.add_argument("--small", type=int, default=1_000_000)
    parser.add_argument("--block-size", type=int, default=250_000)
    parser.add_argument(
        "--repeats",
        type=int,
        default=8,
        help="runs of each large size; the median is reported (8 trim the extreme pairs)",
    )
    parser.add_argument("--child", nargs=3, type=int, metavar=("DRAWS", "WORKERS", "BLOCK"))
    parser.add_argument("--stages", type=int, metavar="BLOCK", help=argparse.SUPPRESS)
    parser.add_argument("--render", action="store_true", help="only rewrite the README section")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(*args.child)))
        return 0
    if args.stages:
        measured: dict[str, Any] = {"rates": rates(args.stages), "stages": stages(args.stages)}
        measured["kernels"] = kernel_seconds(args.stages)
        print(json.dumps(measured))
        return 0
    if args.render:
        replace_section(markdown(json.loads(RESULTS.read_text(encoding="utf-8"))))
        return 0
    import datetime as dt

    result: dict[str, Any] = {
        "date": dt.date.today().isoformat(),
        "load_before": load_average(),
    }
    result.update(run_stages(args.block_size))
    print(f"rates {result['rates']} stages {result['stages']}", file=sys.stderr)
    result["runs"] = {"small2": run_child(args.small, 2, args.block_size)}
    print(f"small2 {result['runs']['small2']}", file=sys.stderr)
    # the large runs alternate (2 workers, 1 worker, 2, 1, ...), so a change in the machine's
    # load falls on both; each key's median-wall run is the one the tables use
    runs: dict[str, list[dict[str, Any]]] = {"big2": [], "big1": []}
    for _ in range(args.repeats):
        for key, workers in (("big2", 2), ("big1", 1)):
            runs[key].append(run_child(args.draws, workers, args.block_size))
            print(f"{key} {runs[key][-1]}", file=sys.stderr)
    for key, done in runs.items():
        result["runs"][key] = sorted(done, key=lambda run: run["wall_seconds"])[len(done) // 2]
    result["repeats"] = {key: [run["wall_seconds"] for run in done] for key, done in runs.items()}
    result["repeat_task_cpu"] = {
        key: [run["task_cpu_seconds"] for run in done] for key, done in runs.items()
    }
    result["machine"] = machine_scaling()
    print(f"machine {result['machine']}", file=sys.stderr)
    result["checkpoints"] = checkpoint_bytes((25_000, 100_000, 250_000))
    result["dask"] = dask_costs(25_000)
    result["load_after"] = load_average()
    write_text(RESULTS, json.dumps(result, indent=1) + "\n")
    replace_section(markdown(result))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
