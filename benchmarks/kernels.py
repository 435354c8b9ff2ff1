"""Kernel benchmarks: the numba kernel, the NumPy reference and the plain-Python loop.

All three evaluate the same model on the same draws: each timed call gets a fresh generator with
the same seed, and the first ``n`` draws of a stream do not depend on how many draws the call
makes, so the Python loop's (fewer) draws are the first draws of the other two. Timings are wall
time from :func:`time.perf_counter` around one call of ``n`` draws (including the per-block
:func:`~mc.kernels.demography.shape_costs`, excluding the generator's construction).
"""

from __future__ import annotations

import gc
import math
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numba import njit

from mc.kernels import KernelInputs, simulate_costs_numba, simulate_costs_numpy
from mc.kernels.demography import _simulate_numba, latent_width
from mc.kernels.python_loop import simulate_costs_python

Kernel = Callable[[np.random.Generator, int, KernelInputs], tuple[np.ndarray, ...]]

IMPLEMENTATIONS: dict[str, Kernel] = {
    "numba": simulate_costs_numba,
    "numpy": simulate_costs_numpy,
    "python": simulate_costs_python,
}


@dataclass(frozen=True)
class KernelSettings:
    """Draw counts and repeats of one benchmark run."""

    draws: int  # numba and NumPy
    python_draws: int  # the Python loop is ~1000x slower
    repeats: int
    memory_draws: int
    seed: int
    block_draws: int = 25_000  # the configuration's block size: numba and NumPy again at it

    @classmethod
    def for_mode(cls, quick: bool, seed: int) -> KernelSettings:
        """Settings of the full (default) or quick run."""
        if quick:
            return cls(draws=20_000, python_draws=1_000, repeats=3, memory_draws=100_000, seed=seed)
        return cls(draws=200_000, python_draws=5_000, repeats=5, memory_draws=100_000, seed=seed)


def time_calls(
    kernel: Kernel, inputs: KernelInputs, n: int, seed: int, repeats: int
) -> list[float]:
    """Seconds of ``repeats`` calls of ``kernel`` with ``n`` draws, each from a fresh generator."""
    seconds = []
    for _ in range(repeats):
        rng = np.random.default_rng(seed)
        gc.collect()
        start = time.perf_counter()
        kernel(rng, n, inputs)
        seconds.append(time.perf_counter() - start)
    return seconds


def throughput(seconds: list[float], n: int) -> dict[str, Any]:
    """Best and median timings of ``n`` draws, as draws per second and seconds per 100k draws."""
    best, median = min(seconds), statistics.median(seconds)
    return {
        "draws": n,
        "repeats": len(seconds),
        "seconds": seconds,
        "best_seconds": best,
        "median_seconds": median,
        "draws_per_second_best": n / best,
        "draws_per_second_median": n / median,
        "seconds_per_100k_best": 1e5 * best / n,
        "seconds_per_100k_median": 1e5 * median / n,
    }


def numba_first_call(inputs: KernelInputs, seed: int) -> dict[str, Any]:
    """Time the first call of the numba kernel in this process (compile or cache load).

    A tiny call (10 draws), so the time is almost all dispatch set-up: loading the compiled
    kernel from numba's on-disk cache, or compiling it when the cache is missing or stale.
    Must run before any other call of the kernel in the process.
    """
    start = time.perf_counter()
    simulate_costs_numba(np.random.default_rng(seed), 10, inputs)
    seconds = time.perf_counter() - start
    stats = _simulate_numba.stats
    hits, misses = sum(stats.cache_hits.values()), sum(stats.cache_misses.values())
    source = "loaded from cache" if hits and not misses else "compiled"
    return {"seconds": seconds, "source": source, "cache_hits": hits, "cache_misses": misses}


def agreement(inputs: KernelInputs, n_small: int, seed: int) -> dict[str, float]:
    """Largest relative difference of numba and the Python loop from NumPy on the same draws.

    A check that the timed implementations compute the same thing, recorded, not asserted.
    """
    ref = simulate_costs_numpy(np.random.default_rng(seed), n_small, inputs)
    out = {}
    for name in ("numba", "python"):
        got = IMPLEMENTATIONS[name](np.random.default_rng(seed), n_small, inputs)
        out[name] = max(float(np.max(np.abs(g / r - 1.0))) for g, r in zip(got, ref, strict=True))
    return out


def traced_peak(kernel: Kernel, inputs: KernelInputs, n: int, seed: int) -> dict[str, int]:
    """Peak bytes :mod:`tracemalloc` sees during one call, and the bytes of its output arrays.

    NumPy reports its array buffers to tracemalloc, and numba's runtime allocates the kernel's
    arrays with ``PyMem_RawMalloc``, which tracemalloc traces too (numba's own test suite checks
    this, ``numba/tests/test_nrt.py::TestTracemalloc``): the two peaks are comparable.
    """
    rng = np.random.default_rng(seed)
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        out = kernel(rng, n, inputs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return {
        "draws": n,
        "tracemalloc_peak_bytes": peak - base,
        "output_bytes": int(sum(a.nbytes for a in out)),
    }


def time_split(inputs: KernelInputs, s: KernelSettings) -> dict[str, dict[str, Any]]:
    """Drawing the latent normals alone, and each kernel given the normals instead of drawing.

    Both kernels read the same standard normals from the same stream (numba through its own
    ``Generator.standard_normal``, NumPy in one bulk call), so that part is common work: it
    bounds how far numba can pull ahead of the NumPy reference on this model.
    """
    width = latent_width(inputs.band_share.size, inputs.unit_costs.shape[0])
    z = np.random.default_rng(s.seed).standard_normal((s.draws, width))

    def normals(rng: np.random.Generator, n: int, _: KernelInputs) -> tuple[np.ndarray, ...]:
        return (rng.standard_normal((n, width)),)

    def given(kernel: Callable[..., tuple[np.ndarray, ...]]) -> Kernel:
        return lambda _rng, n, x: kernel(None, n, x, latent=z[:n])

    def exponentials(_rng: np.random.Generator, n: int, _: KernelInputs) -> float:
        return _exp_sum(z[:n], 4)

    _exp_sum(z[:2], 4)  # compile outside the timings
    calls = {
        "normals": normals,
        "exponentials": exponentials,
        "numba_given_normals": given(simulate_costs_numba),
        "numpy_given_normals": given(simulate_costs_numpy),
    }
    out = {
        name: throughput(time_calls(call, inputs, s.draws, s.seed, s.repeats), s.draws)
        for name, call in calls.items()
    }
    out["normals"]["per_draw"] = width
    out["exponentials"]["per_draw"] = width - 4
    return out


@njit(nogil=True)
def _exp_sum(z: np.ndarray, first: int) -> float:  # pragma: no cover - compiled
    """Sum of ``exp`` over columns ``first:`` of every row: the kernel's exponentials, alone.

    The kernel takes one exponential per age band (the profile weights) and one per sector (the
    sector factors), each of a different normal; this takes as many, compiled the same way.
    """
    acc = 0.0
    for i in range(z.shape[0]):
        for j in range(first, z.shape[1]):
            acc += math.exp(z[i, j])
    return acc


def speedups(timings: dict[str, dict[str, Any]]) -> dict[str, float]:
    """Speed-ups of numba over NumPy and the Python loop (and of NumPy over it), best and median."""
    best = {name: t["draws_per_second_best"] for name, t in timings.items()}
    median = {name: t["draws_per_second_median"] for name, t in timings.items()}
    return {
        "numba_over_numpy_best": best["numba"] / best["numpy"],
        "numba_over_python_best": best["numba"] / best["python"],
        "numpy_over_python_best": best["numpy"] / best["python"],
        "numba_over_numpy_median": median["numba"] / median["numpy"],
        "numba_over_python_median": median["numba"] / median["python"],
    }


def run(inputs: KernelInputs, settings: KernelSettings, log: Callable[[str], None]) -> dict:
    """Run all kernel benchmarks and return their results as plain data."""
    s = settings
    first = numba_first_call(inputs, s.seed)
    log(f"numba first call: {first['seconds']:.3f} s ({first['source']})")
    # One untimed call at full size: page in the output buffers and warm the caches.
    for name in ("numba", "numpy"):
        IMPLEMENTATIONS[name](np.random.default_rng(s.seed), s.draws, inputs)
    simulate_costs_python(np.random.default_rng(s.seed), min(100, s.python_draws), inputs)

    timings = {}
    for name, n in (("numba", s.draws), ("numpy", s.draws), ("python", s.python_draws)):
        timings[name] = throughput(
            time_calls(IMPLEMENTATIONS[name], inputs, n, s.seed, s.repeats), n
        )
        t = timings[name]
        log(
            f"{name:>6}: {n:>7,} draws, best {t['best_seconds']:.4f} s, median "
            f"{t['median_seconds']:.4f} s -> {t['draws_per_second_best']:,.0f} draws/s "
            f"({t['seconds_per_100k_best']:.3f} s per 100k)"
        )

    # The speed-up depends on the call's size (NumPy's per-call overhead, caches): numba and
    # NumPy once more at the size a production block has.
    at_block = {
        name: throughput(
            time_calls(IMPLEMENTATIONS[name], inputs, s.block_draws, s.seed, s.repeats),
            s.block_draws,
        )
        for name in ("numba", "numpy")
    }
    at_block_speedup = (
        at_block["numba"]["draws_per_second_best"] / at_block["numpy"]["draws_per_second_best"]
    )
    log(
        f"at the block size ({s.block_draws:,} draws per call): numba "
        f"{at_block['numba']['draws_per_second_best']:,.0f} draws/s, NumPy "
        f"{at_block['numpy']['draws_per_second_best']:,.0f} draws/s -> {at_block_speedup:.2f}x"
    )

    speedup = {
        **speedups(timings),
        "numba_over_numpy_at_block_size_best": at_block_speedup,
        "numba_over_python_at_block_size_best": (
            at_block["numba"]["draws_per_second_best"] / timings["python"]["draws_per_second_best"]
        ),
    }
    log(
        f"speed-up of numba: {speedup['numba_over_numpy_best']:.2f}x over NumPy, "
        f"{speedup['numba_over_python_best']:,.0f}x over the Python loop (best times)"
    )

    split = time_split(inputs, s)
    log(
        f"where the time goes ({s.draws:,} draws): the normals alone "
        f"{split['normals']['best_seconds']:.4f} s; given the normals, numba "
        f"{split['numba_given_normals']['best_seconds']:.4f} s, NumPy "
        f"{split['numpy_given_normals']['best_seconds']:.4f} s"
    )

    memory = {
        name: traced_peak(IMPLEMENTATIONS[name], inputs, s.memory_draws, s.seed)
        for name in ("numba", "numpy")
    }
    for name, m in memory.items():
        log(
            f"{name:>6} memory, {m['draws']:,} draws: tracemalloc peak "
            f"{m['tracemalloc_peak_bytes'] / 1e6:.1f} MB, outputs {m['output_bytes'] / 1e6:.1f} MB"
        )
    diffs = agreement(inputs, min(1_000, s.python_draws), s.seed)
    log(
        "max relative difference from NumPy on the same draws: "
        + ", ".join(f"{k} {v:.1e}" for k, v in diffs.items())
    )
    return {
        "settings": asdict(s),
        "numba_first_call": first,
        "timings": timings,
        "at_block_size": at_block,
        "split": split,
        "speedup": speedup,
        "memory": memory,
        "max_rel_diff_from_numpy": diffs,
    }
