"""The demographic-cost model evaluated one draw at a time in plain Python.

Per-case Monte Carlo tools (``monaco``, spreadsheet add-ins) evaluate a model case by case: read
the case's random inputs, compute its outputs with scalar arithmetic, store them, move on. This
module does the same for the model of :mod:`mc.kernels.demography`, so that benchmarks can compare
that style with the vectorised NumPy reference and the numba kernel on identical draws.

It has the contract of :func:`~mc.kernels.demography.simulate_costs_numpy` and consumes the
generator identically: draw ``i`` reads its ``latent_width(J, K)`` standard normals one at a time
with ``rng.standard_normal()``, in the order the module docstring of
:mod:`mc.kernels.demography` lists. The fixed age shapes are priced once per block by
:func:`~mc.kernels.demography.shape_costs`; everything per draw is Python floats and lists. NumPy
only allocates the output arrays.
"""

from __future__ import annotations

import math

import numpy as np

from mc.kernels.demography import Baseline, KernelInputs, baseline_arrays, shape_costs
from mc.kernels.spreads import spread_value

#: The numba kernel's scalar spread transform, run by the interpreter (``njit`` keeps the
#: original Python function as ``py_func``), so the two cannot drift apart.
spread_value_py = spread_value.py_func


def simulate_costs_python(
    rng: np.random.Generator, n: int, inputs: KernelInputs, baseline: Baseline | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-draw loop in plain Python; same contract as the NumPy reference.

    Parameters
    ----------
    rng : numpy.random.Generator
        The block's generator; ``n * latent_width(J, K)`` normals are drawn from it one at a time,
        draw by draw, leaving it in the same state as
        :func:`~mc.kernels.demography.simulate_costs_numpy` does.
    n : int
        Number of draws.
    inputs : KernelInputs
        Model arrays.

    Returns
    -------
    sector_cost : ndarray, shape (n, S, K)
        Cost per sector in kroner of the report's price year.
    growth : ndarray, shape (n, S)
        Population change in persons.
    extra : ndarray, shape (n, S)
        Extra net immigration in persons.

    Notes
    -----
    Meant for comparison, not for production runs: it is orders of magnitude slower than the
    numba kernel.
    """
    x = inputs
    sc = shape_costs(x)
    draw_cost_arr, draw_persons_arr = baseline_arrays(int(n), sc.base.size, baseline)
    draw_cost: list[list[float]] = draw_cost_arr.tolist()
    draw_persons: list[float] = draw_persons_arr.tolist()
    # Python scalars and lists from here on: the per-draw work touches no NumPy object.
    levels: list[float] = x.extra_levels.tolist()
    kind = int(x.spread_kind)
    scale = float(x.spread_scale)
    scale_high = float(x.spread_scale_high)
    births_sd = float(x.births_sd)
    deaths_sd = float(x.deaths_relative_sd)
    regular_sd = float(x.regular_sd)
    shares: list[float] = x.band_share.tolist()
    profile_sd = float(x.profile_log_sd)
    sigma = float(x.sector_log_sd)
    half_var = 0.5 * sigma * sigma
    base_cost: list[float] = sc.base.tolist()
    births_cost: list[float] = sc.births.tolist()
    deaths_cost: list[float] = sc.deaths.tolist()
    regular_cost: list[float] = sc.regular.tolist()
    band_cost: list[list[float]] = sc.bands.tolist()
    base_persons = float(sc.base_persons)
    deaths_persons = float(sc.deaths_persons)
    n_scen = len(levels)
    n_bands = len(shares)
    n_sect = len(base_cost)
    bands = range(n_bands)
    sects = range(n_sect)

    n = int(n)
    sector_cost = np.empty((n, n_scen, n_sect))
    growth = np.empty((n, n_scen))
    extra = np.empty((n, n_scen))
    normal = rng.standard_normal
    for i in range(n):
        # Latent normals, in the documented order.
        z_level = normal()
        births = births_sd * normal()
        death_scale = deaths_sd * normal()
        regular = regular_sd * normal()
        z_bands = [normal() for _ in bands]
        z_sects = [normal() for _ in sects]

        shift = spread_value_py(kind, scale, z_level, scale_high)
        weights = [shares[j] * math.exp(profile_sd * z_bands[j]) for j in bands]
        total_w = sum(weights)
        common_growth = base_persons + draw_persons[i] + births
        common_growth += regular - death_scale * deaths_persons
        extra_i = [level + shift for level in levels]

        cost_i = [[0.0] * n_sect for _ in range(n_scen)]
        for k in sects:
            factor = math.exp(sigma * z_sects[k] - half_var)
            common = (
                base_cost[k]
                + draw_cost[i][k]
                + births * births_cost[k]
                - death_scale * deaths_cost[k]
                + regular * regular_cost[k]
            )
            per_person = 0.0
            for j in bands:
                per_person += weights[j] * band_cost[j][k]
            per_person /= total_w
            for s in range(n_scen):
                cost_i[s][k] = factor * (common + extra_i[s] * per_person)

        sector_cost[i] = cost_i
        extra[i] = extra_i
        growth[i] = [common_growth + e for e in extra_i]
    return sector_cost, growth, extra
