"""The national demographic-cost model as a monaco ``Sim``, beside the kernels (issue 5).

monaco (https://github.com/scottshambaugh/monaco) is a per-case Monte Carlo framework: each input
is an ``InVar`` drawn from a SciPy distribution, and every case goes through the user's
``preprocess(case) -> run(*inputs) -> postprocess(case, *outputs)`` in Python. This module builds
the same model the kernels evaluate (:mod:`mc.kernels.demography`, on the default configuration's
``KernelInputs``): one ``InVar`` per latent standard normal (``latent_width(J, K)`` of them, in
the kernels' documented order) and a ``run`` function that prices one draw with scalar
arithmetic, as :mod:`mc.kernels.python_loop` does.

- **Timed run**: ``Sim(..., samplemethod=RANDOM, singlethreaded=True, verbose=False)`` with
  ``cases`` draws, timed end to end around ``runSim`` (drawing the inputs, generating,
  preprocessing, running and postprocessing the cases and collecting the outputs into
  ``OutVar`` objects), on one core like the kernels. The ``Sim``'s construction and ``addInVar``
  calls are timed separately, and ``drawVars`` alone once before, to show its share.
- **Agreement**: a small ``Sim`` whose inputs take their values (``vals=``) from the same
  generator stream as :func:`~mc.kernels.demography.simulate_costs_numpy`: its outputs must match
  NumPy's on the same draws (the largest relative difference is recorded, not asserted).

monaco is optional and not a dependency of tbu-mc: when it does not import, the result says why
and the rest of the benchmarks run. Install it beside the project with ``pip install --no-deps
monaco`` (monaco 0.23 pins ``psutil~=5.0``, and a plain install downgrades the psutil that
``distributed`` uses; monaco runs with the newer one).
"""

from __future__ import annotations

import math
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from benchmarks.render import rate, table
from mc.kernels import KernelInputs, simulate_costs_numpy
from mc.kernels.demography import latent_width, shape_costs
from mc.kernels.python_loop import spread_value_py

Log = Callable[[str], None]


@dataclass(frozen=True)
class MonacoSettings:
    """Cases of the timed run and of the agreement check."""

    cases: int
    check_cases: int
    seed: int

    @classmethod
    def for_mode(cls, quick: bool, seed: int) -> MonacoSettings:
        """Settings of the full (default) or quick run."""
        return cls(1_000, 50, seed) if quick else cls(5_000, 200, seed)


@dataclass(frozen=True)
class Params:
    """Everything one case needs besides its normals, as Python scalars and lists."""

    levels: list[float]
    kind: int
    scale: float
    scale_high: float
    births_sd: float
    deaths_sd: float
    regular_sd: float
    shares: list[float]
    profile_sd: float
    sigma: float
    base_cost: list[float]
    births_cost: list[float]
    deaths_cost: list[float]
    regular_cost: list[float]
    band_cost: list[list[float]]
    base_persons: float
    deaths_persons: float

    @classmethod
    def of(cls, x: KernelInputs) -> Params:
        """The model's fixed inputs; the age shapes priced once, as the kernels do per block."""
        sc = shape_costs(x)
        return cls(
            levels=x.extra_levels.tolist(),
            kind=int(x.spread_kind),
            scale=float(x.spread_scale),
            scale_high=float(x.spread_scale_high),
            births_sd=float(x.births_sd),
            deaths_sd=float(x.deaths_relative_sd),
            regular_sd=float(x.regular_sd),
            shares=x.band_share.tolist(),
            profile_sd=float(x.profile_log_sd),
            sigma=float(x.sector_log_sd),
            base_cost=sc.base.tolist(),
            births_cost=sc.births.tolist(),
            deaths_cost=sc.deaths.tolist(),
            regular_cost=sc.regular.tolist(),
            band_cost=sc.bands.tolist(),
            base_persons=float(sc.base_persons),
            deaths_persons=float(sc.deaths_persons),
        )


def latent_names(n_bands: int, n_sectors: int) -> list[str]:
    """``InVar`` names, in the order the kernels draw the latent normals."""
    return (
        ["z_level", "z_births", "z_deaths", "z_regular"]
        + [f"z_band_{j:02d}" for j in range(n_bands)]
        + [f"z_sector_{k:02d}" for k in range(n_sectors)]
    )


def run_case(p: Params, z: list[float]) -> tuple[list[list[float]], list[float], list[float]]:
    """One draw of the model from its ``latent_width`` normals ``z``: (cost, growth, extra).

    Same arithmetic as :func:`mc.kernels.python_loop.simulate_costs_python` for one draw (no
    per-draw baseline).
    """
    n_bands, n_sect = len(p.shares), len(p.base_cost)
    births = p.births_sd * z[1]
    death_scale = p.deaths_sd * z[2]
    regular = p.regular_sd * z[3]
    z_bands = z[4 : 4 + n_bands]
    z_sects = z[4 + n_bands : 4 + n_bands + n_sect]
    shift = spread_value_py(p.kind, p.scale, z[0], p.scale_high)
    weights = [p.shares[j] * math.exp(p.profile_sd * z_bands[j]) for j in range(n_bands)]
    total_w = sum(weights)
    common_growth = p.base_persons + births + regular - death_scale * p.deaths_persons
    extra = [level + shift for level in p.levels]
    half_var = 0.5 * p.sigma * p.sigma
    cost = [[0.0] * n_sect for _ in p.levels]
    for k in range(n_sect):
        factor = math.exp(p.sigma * z_sects[k] - half_var)
        common = (
            p.base_cost[k]
            + births * p.births_cost[k]
            - death_scale * p.deaths_cost[k]
            + regular * p.regular_cost[k]
        )
        per_person = sum(weights[j] * p.band_cost[j][k] for j in range(n_bands)) / total_w
        for s, e in enumerate(extra):
            cost[s][k] = factor * (common + e * per_person)
    return cost, [common_growth + e for e in extra], extra


def _preprocess(case: Any) -> tuple[Params, list[float]]:
    names = case.constvals["latent_names"]
    return case.constvals["params"], [case.invals[name].val for name in names]


def _postprocess(case: Any, cost: list[list[float]], growth: list[float], extra: list[float]):
    case.addOutVal("sector_cost", np.asarray(cost), split=False)
    case.addOutVal("growth", np.asarray(growth), split=False)
    case.addOutVal("extra", np.asarray(extra), split=False)


def build_sim(
    monaco: Any, inputs: KernelInputs, cases: int, seed: int, resultsdir: str, vals: Any = None
) -> Any:
    """A monaco ``Sim`` of the model; ``vals`` (cases, latent) fixes the normals instead."""
    from scipy import stats

    n_bands, n_sect = inputs.band_share.size, inputs.unit_costs.shape[0]
    names = latent_names(n_bands, n_sect)
    sim = monaco.Sim(
        name="tbu_mc_demographic_cost",
        ndraws=cases,
        fcns={
            monaco.SimFunctions.PREPROCESS: _preprocess,
            monaco.SimFunctions.RUN: run_case,
            monaco.SimFunctions.POSTPROCESS: _postprocess,
        },
        firstcaseismedian=False,
        samplemethod=monaco.SampleMethod.RANDOM,
        seed=seed,
        singlethreaded=True,
        verbose=False,
        resultsdir=resultsdir,
    )
    for i, name in enumerate(names):
        if vals is None:
            sim.addInVar(name=name, dist=stats.norm, distkwargs={"loc": 0.0, "scale": 1.0})
        else:
            sim.addInVar(name=name, vals=vals[:, i].tolist())
    sim.addConstVal("params", Params.of(inputs))
    sim.addConstVal("latent_names", names)
    return sim


def outputs(sim: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``Sim``'s outputs stacked like the kernels': (cases, S, K), (cases, S), (cases, S)."""
    cases = sim.cases
    return (
        np.stack([c.outvals["sector_cost"].val for c in cases]),
        np.stack([c.outvals["growth"].val for c in cases]),
        np.stack([c.outvals["extra"].val for c in cases]),
    )


def agreement(monaco: Any, inputs: KernelInputs, cases: int, seed: int, folder: str) -> float:
    """Largest relative difference from NumPy when monaco is fed the kernels' own normals."""
    width = latent_width(inputs.band_share.size, inputs.unit_costs.shape[0])
    z = np.random.default_rng(seed).standard_normal((cases, width))  # draw-major, as documented
    sim = build_sim(monaco, inputs, cases, seed, folder, vals=z)
    sim.runSim()
    ref = simulate_costs_numpy(np.random.default_rng(seed), cases, inputs)
    got = outputs(sim)
    return max(float(np.max(np.abs(g / r - 1.0))) for g, r in zip(got, ref, strict=True))


def run(inputs: KernelInputs, settings: MonacoSettings, log: Log) -> dict[str, Any]:
    """Time monaco on the model; ``{"installed": False, "reason": ...}`` when it is missing."""
    try:
        import monaco
    except Exception as exc:  # ImportError, or a broken install
        reason = f"{type(exc).__name__}: {exc}"
        log(f"monaco comparison skipped: monaco does not import ({reason})")
        return {"installed": False, "reason": reason}
    from importlib.metadata import version

    s = settings
    with tempfile.TemporaryDirectory(prefix="tbu-mc-monaco-") as folder:
        start = time.perf_counter()
        sim = build_sim(monaco, inputs, s.cases, s.seed, folder)
        setup = time.perf_counter() - start
        start = time.perf_counter()
        sim.drawVars()  # alone, for the breakdown: runSim draws them again
        draw = time.perf_counter() - start
        start = time.perf_counter()
        sim.runSim()
        seconds = time.perf_counter() - start
        done = len(sim.casespostprocessed)
        diff = agreement(monaco, inputs, s.check_cases, s.seed, folder)
    result = {
        "installed": True,
        "version": version("monaco"),
        "settings": asdict(s),
        "invars": latent_width(inputs.band_share.size, inputs.unit_costs.shape[0]),
        "cases_completed": done,
        "setup_seconds": setup,
        "draw_vars_seconds": draw,
        "run_sim_seconds": seconds,
        "cases_per_second": s.cases / seconds,
        "max_rel_diff_from_numpy": diff,
    }
    log(
        f"monaco {result['version']}: {s.cases:,} cases ({result['invars']} InVars) in "
        f"{seconds:.2f} s (runSim; of which drawing the InVars {draw:.2f} s; Sim set-up "
        f"{setup:.2f} s) -> {result['cases_per_second']:,.0f} cases/s; max relative difference "
        f"from NumPy on the kernels' own normals {diff:.1e}"
    )
    return result


def markdown(results: dict[str, Any]) -> list[str]:
    """The side-by-side section: the kernels and monaco, with the figure.

    ``results`` is the whole run's: the table repeats the kernel table's best rates.
    """
    from benchmarks.figure import throughput_bars

    mon = results["monaco"]
    lines = ["### Side by side with monaco (one core)", ""]
    if not mon.get("installed"):
        return [*lines, f"monaco was not run: it does not import here ({mon['reason']})."]
    bars = throughput_bars(results["kernels"], mon)
    numba = bars[0][1]
    rows = [
        [label, rate(r), "-" if i == 0 else f"{numba / r:,.1f}x faster"]
        for i, (label, r) in enumerate(bars)
    ]
    lines += table(["implementation", "draws/s", "numba kernel is"], rows)
    lines += [
        "",
        f"monaco {mon['version']}: a `Sim` of {mon['settings']['cases']:,} cases with one `InVar` "
        f"(`scipy.stats.norm`, `SampleMethod.RANDOM`) per latent normal ({mon['invars']}), "
        "`singlethreaded=True`, `verbose=False`, and the per-case arithmetic of the Python loop in "
        f"its `run` function; timed around `runSim` ({mon['run_sim_seconds']:.2f} s, of which "
        f"drawing the InVars takes about {mon['draw_vars_seconds']:.2f} s). Fed the kernels' own "
        "normals (`InVar(vals=...)`), its outputs differ from NumPy's by at most "
        f"{mon['max_rel_diff_from_numpy']:.1e} (relative). The other three rows are the best "
        "times of the kernel table above.",
    ]
    figure = results.get("figure")
    if figure:
        lines += ["", f"![Draws per second, log scale]({figure})"]
    return lines
