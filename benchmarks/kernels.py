"""Kernel benchmarks: the numba kernel, the NumPy reference and the plain-Python loop.

All three evaluate the same model on the same draws: each timed call gets a fresh generator with
the same seed, and the first ``n`` draws of a stream do not depend on how many draws the call
makes, so the Python loop's (fewer) draws are the first draws of the other two. Timings are wall
time from :func:`time.perf_counter` around one call of ``n`` draws (including the per-block
:func:`~mc.kernels.demography.shape_costs`, excluding the generator's construction).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numba import njit

from benchmarks.render import call_cells, rate, table
from benchmarks.timing import numba_first_call, speedups, throughput, time_calls, traced_peak
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


def timed(kernel: Kernel, inputs: KernelInputs, n: int, s: KernelSettings) -> dict[str, Any]:
    """:func:`~benchmarks.timing.throughput` of ``s.repeats`` calls of ``n`` draws of ``kernel``."""
    seconds = time_calls(lambda rng: kernel(rng, n, inputs), s.seed, s.repeats)
    return throughput(seconds, n)


def block_memory(kernel: Kernel, inputs: KernelInputs, n: int, seed: int) -> dict[str, int]:
    """Tracemalloc peak of one call of ``n`` draws, and the bytes of its output arrays."""
    rng = np.random.default_rng(seed)  # built outside the trace: only the call counts
    peak, out = traced_peak(lambda: kernel(rng, n, inputs))
    return {
        "draws": n,
        "tracemalloc_peak_bytes": peak,
        "output_bytes": int(sum(a.nbytes for a in out)),
    }


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
    out = {name: timed(call, inputs, s.draws, s) for name, call in calls.items()}
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


def run(inputs: KernelInputs, settings: KernelSettings, log: Callable[[str], None]) -> dict:
    """Run all kernel benchmarks and return their results as plain data."""
    s = settings
    # ten draws: the time is almost all loading (or compiling) the kernel
    first = numba_first_call(
        lambda: simulate_costs_numba(np.random.default_rng(s.seed), 10, inputs), _simulate_numba
    )
    log(f"numba first call: {first['seconds']:.3f} s ({first['source']})")
    # One untimed call at full size: page in the output buffers and warm the caches.
    for name in ("numba", "numpy"):
        IMPLEMENTATIONS[name](np.random.default_rng(s.seed), s.draws, inputs)
    simulate_costs_python(np.random.default_rng(s.seed), min(100, s.python_draws), inputs)

    timings = {}
    for name, n in (("numba", s.draws), ("numpy", s.draws), ("python", s.python_draws)):
        timings[name] = timed(IMPLEMENTATIONS[name], inputs, n, s)
        t = timings[name]
        log(
            f"{name:>6}: {n:>7,} draws, best {t['best_seconds']:.4f} s, median "
            f"{t['median_seconds']:.4f} s -> {t['draws_per_second_best']:,.0f} draws/s "
            f"({t['seconds_per_100k_best']:.3f} s per 100k)"
        )

    # The speed-up depends on the call's size (NumPy's per-call overhead, caches): numba and
    # NumPy once more at the size a production block has.
    at_block = {
        name: timed(IMPLEMENTATIONS[name], inputs, s.block_draws, s) for name in ("numba", "numpy")
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
        name: block_memory(IMPLEMENTATIONS[name], inputs, s.memory_draws, s.seed)
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


# ---------------------------------------------------------------------------------------------
# README

LABELS = {"numba": "numba kernel", "numpy": "NumPy reference", "python": "Python loop"}


def first_call_line(k: dict[str, Any]) -> str:
    """The bullet on the numba kernel's first call, for the machine facts at the top."""
    first = k["numba_first_call"]
    return (
        f"- numba kernel, first call in the process: {first['seconds']:.3f} s "
        f"({first['source']}); excluded from the timings below"
    )


def markdown(k: dict[str, Any]) -> list[str]:
    """The kernel table, the speed-up at the block size and where a call's time goes."""
    t = k["timings"]
    numba_rate = t["numba"]["draws_per_second_best"]
    rows = [
        [
            LABELS[name],
            *call_cells(x),
            rate(x["draws_per_second_best"]),
            rate(x["draws_per_second_median"]),
            f"{x['seconds_per_100k_best']:.3f}",
            f"{numba_rate / x['draws_per_second_best']:,.1f}x",
        ]
        for name, x in t.items()
    ]
    header = ["implementation", "draws per call", "best s", "median s", "draws/s (best)"]
    header += ["draws/s (median)", "s per 100k draws (best)", "numba speed-up (best)"]
    reps = {x["repeats"] for x in t.values()}
    lines = [
        "### Kernels (one call, one core)",
        "",
        *table(header, rows),
        "",
        f"Best and median of {', '.join(map(str, sorted(reps)))} calls. Largest relative "
        "difference from NumPy on the same draws: "
        + ", ".join(f"{name} {v:.1e}" for name, v in k["max_rel_diff_from_numpy"].items())
        + ".",
    ]
    if "at_block_size" in k:
        b = k["at_block_size"]
        lines += [
            "",
            f"At the configuration's block size ({b['numba']['draws']:,} draws per call, best of "
            f"{b['numba']['repeats']}): numba {rate(b['numba']['draws_per_second_best'])} "
            f"draws/s, NumPy {rate(b['numpy']['draws_per_second_best'])} draws/s, "
            f"{k['speedup']['numba_over_numpy_at_block_size_best']:.1f}x.",
        ]
    if "split" in k:
        lines += ["", split_paragraph(k["split"], t), "", floor_sentence(k["split"], t)]
    return lines


def split_paragraph(split: dict[str, Any], timings: dict[str, Any]) -> str:
    """How much of a call is drawing the normals, and each kernel given them."""
    numba_s, numpy_s = timings["numba"]["best_seconds"], timings["numpy"]["best_seconds"]
    normals = split["normals"]
    normals_s = normals["best_seconds"]
    numba_given = split["numba_given_normals"]["best_seconds"]
    numpy_given = split["numpy_given_normals"]["best_seconds"]
    return (
        f"Where the time goes ({normals['draws']:,} draws, best of {normals['repeats']}): "
        f"drawing the {normals['per_draw']} standard normals of each draw alone takes "
        f"{normals_s:.4f} s ({100 * normals_s / numba_s:.0f}% of the numba call, "
        f"{100 * normals_s / numpy_s:.0f}% of the NumPy call). Given the normals, numba takes "
        f"{numba_given:.4f} s and NumPy {numpy_given:.4f} s ({numpy_given / numba_given:.1f}x). "
        "The model is linear in the population change, so both price the age shapes once per "
        "call and what is left per draw is a few dozen multiply-adds and exponentials: drawing "
        "the normals, the same work in every implementation, is a large share of a numba call, "
        "and it caps numba's lead over anything that draws them too. The national model on the "
        "stochastic projection (next table) has real per-draw work."
    )


def floor_sentence(split: dict[str, Any], timings: dict[str, Any]) -> str:
    """What drawing the normals (and taking the exponentials) allows: the largest speed-ups."""
    normals = split["normals"]
    draws, normals_s = normals["draws"], normals["best_seconds"]
    numpy_s = timings["numpy"]["best_seconds"]
    loop_s = draws / timings["python"]["draws_per_second_best"]  # the loop at the same draws
    model_ns = (timings["numba"]["best_seconds"] - normals_s) / draws * 1e9
    text = (
        f"The floor this sets: a kernel that drew the normals and did nothing else would be "
        f"{numpy_s / normals_s:.2f}x the NumPy reference and {loop_s / normals_s:.0f}x the loop. "
        f"For 3x NumPy the numba call would have to finish in {numpy_s / 3:.4f} s, "
        f"{'less' if numpy_s / 3 < normals_s else 'little more'} than drawing its inputs "
        f"takes ({normals_s:.4f} s); for 100x the loop, in {loop_s / 100:.4f} s, leaving "
        f"{max(loop_s / 100 - normals_s, 0.0) / draws * 1e9:.0f} ns per draw for the model "
        f"itself (numba now spends {model_ns:.0f} ns)."
    )
    if "exponentials" in split:
        e = split["exponentials"]
        both = normals_s + e["best_seconds"]
        text += (
            f" Its {e['per_draw']} exponentials alone, compiled by numba, take "
            f"{e['best_seconds'] / draws * 1e9:.0f} ns a draw: a kernel that drew the normals and "
            f"took the exponentials, with everything else free, would be {numpy_s / both:.2f}x "
            f"NumPy and {loop_s / both:.0f}x the loop."
        )
    return text


def memory_markdown(k: dict[str, Any]) -> list[str]:
    """The tracemalloc peaks of one block call."""
    rows = [
        [
            LABELS[name],
            f"{m['draws']:,}",
            f"{m['tracemalloc_peak_bytes'] / 1e6:.1f}",
            f"{m['output_bytes'] / 1e6:.1f}",
        ]
        for name, m in k["memory"].items()
    ]
    return [
        "### Memory of one block call",
        "",
        *table(["implementation", "draws", "tracemalloc peak MB", "output arrays MB"], rows),
        "",
        "Both peaks are comparable: numba's runtime allocates through `PyMem_RawMalloc`, which "
        "tracemalloc traces like NumPy's buffers. The numba kernel allocates only its output "
        "arrays and two work vectors of J + K floats; the NumPy reference also holds the "
        "(n, 4 + J + K) latent normals and broadcast temporaries of the (n, S, K) costs.",
    ]
