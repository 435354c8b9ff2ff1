"""The national model on the stochastic projection: numba, NumPy and a per-draw Python loop.

``configs/tbu-2025-projection.yaml`` prices the 2025 demographic costs on a population drawn from
the stochastic projection (issue 3) instead of the fixed baseline with its few drivers. Per draw
that is a year of the projection (a random-walk step of 212 cohort-change ratios from 24
historical factors, then the cohort step) before the cost model, so this is where the three
implementations differ by more than the cost of drawing normals. All three are
:meth:`mc.model.demographic.ProjectedCostModel.simulate` with ``backend`` ``numba``, ``numpy``
(the projection vectorised over draws) or ``python`` (the numba kernels' own code and the
per-draw cost loop, run by the interpreter), on the same draws of the same stream; timings as in
:mod:`benchmarks.kernels` (:func:`benchmarks.timing.time_calls`: fresh generator per call, best
and median of the repeats).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.render import call_cells, rate, table
from benchmarks.timing import speedups, throughput, time_calls

CONFIG = "tbu-2025-projection.yaml"
BACKENDS = ("numba", "numpy", "python")


@dataclass(frozen=True)
class ProjectedSettings:
    """Draws per call and repeats."""

    draws: int  # numba and NumPy
    python_draws: int
    repeats: int
    seed: int

    @classmethod
    def for_mode(cls, quick: bool, seed: int) -> ProjectedSettings:
        """Settings of the full (default) or quick run."""
        if quick:
            return cls(draws=5_000, python_draws=100, repeats=3, seed=seed)
        return cls(draws=20_000, python_draws=500, repeats=5, seed=seed)


def build(root: Path, data: Path | None) -> Any:
    """The model of ``configs/tbu-2025-projection.yaml`` (SSB's data from ``data`` if given)."""
    from mc.data.population import NATIONAL_FILE
    from mc.model.config import load_config
    from mc.model.demographic import build_model, config_population

    config = load_config(root / "configs" / CONFIG)
    override = None if data is None else str(data / NATIONAL_FILE)
    return build_model(config, config_population(config, override))


def run(model: Any, settings: ProjectedSettings, log: Callable[[str], None]) -> dict[str, Any]:
    """Time the three backends and check that they agree on the same draws."""
    s = settings
    for backend in BACKENDS:  # compile or load the kernels, page in the buffers
        model.simulate(np.random.default_rng(s.seed), min(s.draws, 1_000), backend)
    timings = {}
    for backend in BACKENDS:
        n = s.python_draws if backend == "python" else s.draws

        def call(rng: np.random.Generator, n: int = n, backend: str = backend) -> Any:
            return model.simulate(rng, n, backend)

        timings[backend] = throughput(time_calls(call, s.seed, s.repeats), n)
        t = timings[backend]
        log(
            f"projected national model, {backend:>6}: {n:,} draws, best {t['best_seconds']:.4f} s"
            f" -> {t['draws_per_second_best']:,.0f} draws/s"
        )
    speedup = speedups(timings)
    small = min(200, s.python_draws)
    outs = {b: model.simulate(np.random.default_rng(s.seed), small, b) for b in BACKENDS}
    diffs = {}
    for backend in ("numba", "python"):
        worst = 0.0
        for name, want in outs["numpy"].items():
            got = outs[backend][name]
            scale = np.maximum(np.abs(want), 1e-300)
            worst = max(worst, float(np.max(np.abs(got - want) / scale)))
        diffs[backend] = worst
    log(
        f"projected national model: numba {speedup['numba_over_numpy_best']:.1f}x NumPy, "
        f"{speedup['numba_over_python_best']:,.0f}x the Python loop (best times)"
    )
    return {
        "config": f"configs/{CONFIG}",
        "years": len(model.projection.years),
        "settings": asdict(s),
        "timings": timings,
        "speedup": speedup,
        "max_rel_diff_from_numpy": diffs,
    }


def markdown(results: dict[str, Any]) -> list[str]:
    """A table of the three backends and a note on what is timed."""
    t = results["timings"]
    numba = t["numba"]["draws_per_second_best"]
    numba_median = t["numba"]["draws_per_second_median"]
    labels = {"numba": "numba kernels", "numpy": "NumPy reference", "python": "Python loop"}
    lines = [
        f"### National model on the stochastic projection (`{results['config']}`, one core)",
        "",
        *table(
            [
                "implementation",
                "draws per call",
                "best s",
                "median s",
                "draws/s (best)",
                "numba speed-up (best)",
                "(median)",
            ],
            [
                [
                    labels[name],
                    *call_cells(x),
                    rate(x["draws_per_second_best"]),
                    f"{numba / x['draws_per_second_best']:,.1f}x",
                    f"{numba_median / x['draws_per_second_median']:,.1f}x",
                ]
                for name, x in t.items()
            ],
        ),
    ]
    diffs = results["max_rel_diff_from_numpy"]
    lines += [
        "",
        f"Each draw projects {results['years']} year of the population (a random-walk step of "
        "212 cohort-change ratios from 24 historical factors, the cohort step, births) and then "
        "prices it with the cost model. The NumPy reference is vectorised over draws (one bulk "
        "read of the stream, a matrix product a year); the Python loop runs the numba kernels' "
        "own code in the interpreter. Largest relative difference from NumPy on the same draws: "
        + ", ".join(f"{name} {v:.1e}" for name, v in diffs.items())
        + ".",
    ]
    return lines
