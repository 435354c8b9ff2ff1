"""How every benchmark times a call, counts its memory and records an engine run.

One place for the protocol the benchmark modules share, so that a kernel table and a projection
table mean the same thing by "best" and "median":

- :func:`time_calls`: wall time from :func:`time.perf_counter` around each of ``repeats`` calls,
  each given a fresh generator with the same seed (so every call draws the same numbers) and run
  after a :func:`gc.collect` (so no call pays for another's garbage);
- :func:`throughput`: best and median of those seconds, per draw and per second;
- :func:`numba_first_call`: the first call of a numba dispatcher in the process, and whether it
  was compiled or loaded from numba's on-disk cache;
- :func:`traced_peak`: the :mod:`tracemalloc` peak of one call;
- :func:`run_facts`: what an engine benchmark records about one :func:`mc.engine.simulate` run.
"""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np


def time_calls(
    call: Callable[[np.random.Generator], object], seed: int, repeats: int
) -> list[float]:
    """Seconds of ``repeats`` calls of ``call(rng)``, each with a fresh generator.

    Parameters
    ----------
    call : callable
        Takes a generator and does the work to time; its result is dropped.
    seed : int
        Seed of every call's generator: each call draws the same numbers.
    repeats : int
        How many calls to time.

    Returns
    -------
    list of float
        The wall seconds of each call; constructing the generator is not timed.
    """
    seconds = []
    for _ in range(repeats):
        rng = np.random.default_rng(seed)
        gc.collect()
        start = time.perf_counter()
        call(rng)
        seconds.append(time.perf_counter() - start)
    return seconds


def throughput(seconds: list[float], n: int) -> dict[str, Any]:
    """Best and median of calls of ``n`` draws, per second, per draw and per 100,000 draws.

    Parameters
    ----------
    seconds : list of float
        The timed calls (:func:`time_calls`).
    n : int
        Draws per call.

    Returns
    -------
    dict
        ``draws``, ``repeats``, the raw ``seconds``, ``best_seconds``, ``median_seconds`` and
        the same two as ``draws_per_second_*``, ``seconds_per_draw_*`` and
        ``seconds_per_100k_*`` (suffix ``best`` or ``median``).
    """
    best, median = min(seconds), statistics.median(seconds)
    out: dict[str, Any] = {
        "draws": n,
        "repeats": len(seconds),
        "seconds": seconds,
        "best_seconds": best,
        "median_seconds": median,
    }
    for name, value in (("best", best), ("median", median)):
        out[f"draws_per_second_{name}"] = n / value
        out[f"seconds_per_draw_{name}"] = value / n
        out[f"seconds_per_100k_{name}"] = 1e5 * value / n
    return out


def speedups(timings: dict[str, dict[str, Any]]) -> dict[str, float]:
    """Speed-ups of ``numba`` over ``numpy`` and ``python`` (and of NumPy over it).

    Parameters
    ----------
    timings : dict
        :func:`throughput` results keyed ``numba``, ``numpy`` and ``python``.

    Returns
    -------
    dict
        Ratios of draws per second, of the best and of the median calls.
    """
    best = {name: t["draws_per_second_best"] for name, t in timings.items()}
    median = {name: t["draws_per_second_median"] for name, t in timings.items()}
    return {
        "numba_over_numpy_best": best["numba"] / best["numpy"],
        "numba_over_python_best": best["numba"] / best["python"],
        "numpy_over_python_best": best["numpy"] / best["python"],
        "numba_over_numpy_median": median["numba"] / median["numpy"],
        "numba_over_python_median": median["numba"] / median["python"],
    }


def numba_first_call(call: Callable[[], object], dispatcher: Any) -> dict[str, Any]:
    """Time ``call()``, the first call of the numba ``dispatcher`` in this process.

    Make it a tiny call, so that the time is almost all dispatch set-up: loading the compiled
    function from numba's on-disk cache, or compiling it when the cache is missing or stale. It
    must come before any other call of ``dispatcher`` in the process.

    Parameters
    ----------
    call : callable
        Calls the dispatcher (directly or through a wrapper) once.
    dispatcher : numba.core.registry.CPUDispatcher
        The ``@njit(cache=True)`` function; its cache statistics tell a load from a compile.

    Returns
    -------
    dict
        ``seconds``, ``source`` (``"loaded from cache"`` or ``"compiled"``), ``cache_hits`` and
        ``cache_misses``.
    """
    start = time.perf_counter()
    call()
    seconds = time.perf_counter() - start
    stats = dispatcher.stats
    hits, misses = sum(stats.cache_hits.values()), sum(stats.cache_misses.values())
    source = "loaded from cache" if hits and not misses else "compiled"
    return {"seconds": seconds, "source": source, "cache_hits": hits, "cache_misses": misses}


def traced_peak[T](call: Callable[[], T]) -> tuple[int, T]:
    """Peak bytes :mod:`tracemalloc` sees during ``call()`` above what was traced before it.

    NumPy reports its array buffers to tracemalloc, and numba's runtime allocates its arrays with
    ``PyMem_RawMalloc``, which tracemalloc traces too (numba's own test suite checks this,
    ``numba/tests/test_nrt.py::TestTracemalloc``): the peaks of both kinds of kernel are
    comparable. Memory outside Python's allocators is not seen: a lower bound, not RSS.

    Parameters
    ----------
    call : callable
        The work to measure.

    Returns
    -------
    tuple
        The peak in bytes and what ``call()`` returned.
    """
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        out = call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - base, out


def run_facts(result: Any, workers: int, share_key: str = "outside_blocks_share") -> dict[str, Any]:
    """Draws, blocks, wall time, throughput and the share of wall time spent outside blocks.

    Parameters
    ----------
    result : mc.engine.SimulationResult
        The run.
    workers : int
        Workers that ran its blocks (1 in-process).
    share_key : str
        Key of ``1 - sum(block_seconds) / (wall_seconds * workers)`` in the result.

    Returns
    -------
    dict
        Plain numbers, ready for ``latest.json``.
    """
    plan, wall = result.plan, result.wall_seconds
    in_blocks = sum(result.block_seconds)
    return {
        "workers": workers,
        "draws": plan.draws,
        "block_size": plan.block_size,
        "blocks": plan.n_blocks,
        "wall_seconds": wall,
        "draws_per_second": plan.draws / wall,
        "block_seconds": result.block_seconds,
        "sum_block_seconds": in_blocks,
        share_key: 1.0 - in_blocks / (wall * workers),
    }
