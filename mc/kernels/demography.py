"""Per-draw demographic-cost model: population change by age, then cost by sector.

For each draw the kernels read ``latent_width(J, K)`` standard normals, in this order:

0. the spread of extra net immigration around each scenario's level (shared by all scenarios,
   so scenarios are compared on common random numbers);
1. births; 2. deaths; 3. regular (baseline) net immigration;
4 ... 4+J-1. log-scale noise on the immigrant profile's band shares (a logistic-normal
   composition around the reference profile);
4+J ... 4+J+K-1. log-scale noise on each sector's unit costs (mean-one lognormal factors).

Per scenario ``s`` the population change by single-year age is

    change = base + births at age 0 - deaths_shock * expected_deaths + regular * regular_profile
             + level_s * immigrant_profile

and the cost of sector ``k`` is ``factor_k * sum_age unit_cost[k, age] * change[age]``. The cost
is linear in the change, so both implementations first price each fixed age shape once per block
(:func:`shape_costs`) and then only rescale and add these per draw.

:func:`simulate_costs_numpy` is the plain NumPy reference; :func:`simulate_costs_numba` is the
compiled kernel. Both consume the generator identically and agree to rounding.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from mc.kernels.spreads import spread_value, spread_values

N_FIXED_LATENT = 4


class KernelInputs(NamedTuple):
    """Arrays the kernels read; :func:`mc.model.inputs.kernel_inputs` builds them.

    Shapes use ``S`` scenarios, ``J`` immigrant-profile bands, ``K`` sectors, ``A = 106`` ages.
    """

    base_change: np.ndarray  # (2, A) central change in persons, female/male
    births_sd: float
    expected_deaths: np.ndarray  # (2, A)
    deaths_relative_sd: float
    regular_profile: np.ndarray  # (2, A) shares summing to 1
    regular_sd: float
    extra_levels: np.ndarray  # (S,) persons over the baseline, per scenario
    spread_kind: int
    spread_scale: float
    band_lo: np.ndarray  # (J,) int, first age of each immigrant-profile band
    band_hi: np.ndarray  # (J,) int, last age
    band_share: np.ndarray  # (J,) reference shares summing to 1
    profile_log_sd: float
    unit_costs: np.ndarray  # (K, A) kroner per inhabitant in the report's price year
    sector_log_sd: float
    spread_scale_high: float = 0.0  # sd above the median of a split-normal spread


class ShapeCosts(NamedTuple):
    """Cost per sector of each fixed age shape, and the population each shape adds."""

    base: np.ndarray  # (K,) cost of the central change
    births: np.ndarray  # (K,) cost of one extra birth
    deaths: np.ndarray  # (K,) cost of the expected deaths
    regular: np.ndarray  # (K,) cost of one regular net immigrant
    bands: np.ndarray  # (J, K) cost of one immigrant in each profile band
    base_persons: float
    deaths_persons: float


def latent_width(n_bands: int, n_sectors: int) -> int:
    """Number of standard normals each draw consumes."""
    return N_FIXED_LATENT + n_bands + n_sectors


def shape_costs(x: KernelInputs) -> ShapeCosts:
    """Price the fixed age shapes once; see the module docstring."""
    c = x.unit_costs
    bands = np.empty((x.band_share.size, c.shape[0]))
    for j, (lo, hi) in enumerate(zip(x.band_lo, x.band_hi, strict=True)):
        bands[j] = c[:, lo : hi + 1].mean(axis=1)
    return ShapeCosts(
        base=c @ x.base_change.sum(axis=0),
        births=c[:, 0].copy(),
        deaths=c @ x.expected_deaths.sum(axis=0),
        regular=c @ x.regular_profile.sum(axis=0),
        bands=bands,
        base_persons=float(x.base_change.sum()),
        deaths_persons=float(x.expected_deaths.sum()),
    )


# ---------------------------------------------------------------------------------------------
# NumPy reference


Baseline = tuple[np.ndarray, np.ndarray]  # per-draw (cost (n, K), persons (n,)) of a baseline


def baseline_arrays(n: int, n_sectors: int, baseline: Baseline | None) -> Baseline:
    """Per-draw baseline arrays (zeros when there is none), as contiguous float64."""
    if baseline is None:
        return np.zeros((n, n_sectors)), np.zeros(n)
    cost, persons = baseline
    if cost.shape != (n, n_sectors) or persons.shape != (n,):
        raise ValueError(f"baseline shapes {cost.shape}, {persons.shape} do not fit n={n}")
    return np.ascontiguousarray(cost, dtype=float), np.ascontiguousarray(persons, dtype=float)


def latent_or_draw(
    rng: np.random.Generator | None, n: int, width: int, latent: np.ndarray | None
) -> np.ndarray:
    """The latent normals of ``n`` draws: given (a design, a sensitivity run) or drawn."""
    if latent is None:
        if rng is None:
            raise ValueError("give either a generator or the latent normals")
        return rng.standard_normal((n, width))
    if latent.shape != (n, width):
        raise ValueError(f"latent normals of shape {latent.shape}; expected {(n, width)}")
    return np.ascontiguousarray(latent, dtype=float)


def simulate_costs_numpy(
    rng: np.random.Generator | None,
    n: int,
    inputs: KernelInputs,
    baseline: Baseline | None = None,
    latent: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reference implementation in vectorised NumPy.

    Parameters
    ----------
    rng : numpy.random.Generator
        The block's generator; ``n * latent_width(J, K)`` normals are drawn from it, draw by draw.
    n : int
        Number of draws.
    inputs : KernelInputs
        Model arrays.
    baseline : tuple of ndarray, optional
        A baseline change that differs per draw (a projected population): its cost per sector
        ``(n, K)`` and its persons ``(n,)``, added to the fixed ``base_change``.
    latent : ndarray, shape (n, latent_width(J, K)), optional
        The latent normals to use instead of drawing them (sampling designs, sensitivity runs).

    Returns
    -------
    sector_cost : ndarray, shape (n, S, K)
        Cost per sector in kroner of the report's price year.
    growth : ndarray, shape (n, S)
        Population change in persons.
    extra : ndarray, shape (n, S)
        Extra net immigration in persons.
    """
    x = inputs
    sc = shape_costs(x)
    draw_cost, draw_persons = baseline_arrays(n, sc.base.size, baseline)
    n_bands = x.band_share.size
    z = latent_or_draw(rng, n, latent_width(n_bands, sc.base.size), latent)
    extra = x.extra_levels[None, :] + spread_values(
        x.spread_kind, x.spread_scale, z[:, :1], x.spread_scale_high
    )
    births = x.births_sd * z[:, 1:2]
    death_scale = x.deaths_relative_sd * z[:, 2:3]
    regular = x.regular_sd * z[:, 3:4]

    weights = x.band_share * np.exp(x.profile_log_sd * z[:, 4 : 4 + n_bands])
    per_person = (weights @ sc.bands) / weights.sum(axis=1, keepdims=True)  # (n, K)
    sigma = x.sector_log_sd
    factor = np.exp(sigma * z[:, 4 + n_bands :] - 0.5 * sigma * sigma)  # (n, K)

    common = sc.base + draw_cost + births * sc.births - death_scale * sc.deaths
    common += regular * sc.regular
    sector_cost = factor[:, None, :] * (
        common[:, None, :] + extra[:, :, None] * per_person[:, None, :]
    )
    common_growth = sc.base_persons + draw_persons[:, None] + births
    common_growth += regular - death_scale * sc.deaths_persons
    return sector_cost, common_growth + extra, extra


# ---------------------------------------------------------------------------------------------
# numba kernel


@njit(cache=True, nogil=True)
def _simulate_numba(
    rng: np.random.Generator,
    n: int,
    extra_levels: np.ndarray,
    spread_kind: int,
    spread_scale: float,
    spread_scale_high: float,
    births_sd: float,
    deaths_relative_sd: float,
    regular_sd: float,
    band_share: np.ndarray,
    profile_log_sd: float,
    sector_log_sd: float,
    base_cost: np.ndarray,
    births_cost: np.ndarray,
    deaths_cost: np.ndarray,
    regular_cost: np.ndarray,
    band_cost: np.ndarray,
    base_persons: float,
    deaths_persons: float,
    draw_cost: np.ndarray,
    draw_persons: np.ndarray,
    latent: np.ndarray,
    use_latent: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    n_scen = extra_levels.shape[0]
    n_bands = band_share.shape[0]
    n_sect = base_cost.shape[0]
    width = 4 + n_bands + n_sect
    z = np.empty(width)
    sector_cost = np.empty((n, n_scen, n_sect))
    growth = np.empty((n, n_scen))
    extra = np.empty((n, n_scen))
    zb = np.empty(n_bands)
    factor = np.empty(n_sect)
    half_var = 0.5 * sector_log_sd * sector_log_sd
    for i in range(n):
        if use_latent:
            for j in range(width):
                z[j] = latent[i, j]
        else:
            for j in range(width):
                z[j] = rng.standard_normal()
        z_level = z[0]
        births = births_sd * z[1]
        death_scale = deaths_relative_sd * z[2]
        regular = regular_sd * z[3]
        for j in range(n_bands):
            zb[j] = z[4 + j]
        for k in range(n_sect):
            factor[k] = math.exp(sector_log_sd * z[4 + n_bands + k] - half_var)
        shift = spread_value(spread_kind, spread_scale, z_level, spread_scale_high)
        total_w = 0.0
        for j in range(n_bands):
            zb[j] = band_share[j] * math.exp(profile_log_sd * zb[j])
            total_w += zb[j]
        common_growth = base_persons + draw_persons[i] + births
        common_growth += regular - death_scale * deaths_persons
        for s in range(n_scen):
            extra[i, s] = extra_levels[s] + shift
            growth[i, s] = common_growth + extra[i, s]
        for k in range(n_sect):
            common = (
                base_cost[k]
                + draw_cost[i, k]
                + births * births_cost[k]
                - death_scale * deaths_cost[k]
                + regular * regular_cost[k]
            )
            per_person = 0.0
            for j in range(n_bands):
                per_person += zb[j] * band_cost[j, k]
            per_person /= total_w
            for s in range(n_scen):
                sector_cost[i, s, k] = factor[k] * (common + extra[i, s] * per_person)
    return sector_cost, growth, extra


_DUMMY = np.zeros((1, 1))


def simulate_costs_numba(
    rng: np.random.Generator | None,
    n: int,
    inputs: KernelInputs,
    baseline: Baseline | None = None,
    latent: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Compiled kernel; same contract as :func:`simulate_costs_numpy`."""
    x = inputs
    sc = shape_costs(x)
    draw_cost, draw_persons = baseline_arrays(n, sc.base.size, baseline)
    use_latent = latent is not None
    if use_latent:
        latent = latent_or_draw(None, n, latent_width(x.band_share.size, sc.base.size), latent)
    if rng is None:
        rng = np.random.default_rng(0)  # never read: the latent normals are given
    return _simulate_numba(
        rng,
        int(n),
        x.extra_levels,
        x.spread_kind,
        x.spread_scale,
        x.spread_scale_high,
        x.births_sd,
        x.deaths_relative_sd,
        x.regular_sd,
        x.band_share,
        x.profile_log_sd,
        x.sector_log_sd,
        sc.base,
        sc.births,
        sc.deaths,
        sc.regular,
        sc.bands,
        sc.base_persons,
        sc.deaths_persons,
        draw_cost,
        draw_persons,
        latent if latent is not None else _DUMMY,
        use_latent,
    )


def simulate_costs(
    rng: np.random.Generator,
    n: int,
    inputs: KernelInputs,
    backend: str = "numba",
    baseline: Baseline | None = None,
    latent: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run ``n`` draws with the chosen backend (``"numba"``, ``"numpy"`` or ``"python"``).

    ``"python"`` is :func:`mc.kernels.python_loop.simulate_costs_python`, the per-draw loop that
    benchmarks compare against; it takes no ``latent``.

    Raises
    ------
    ValueError
        If ``backend`` is not one of ``"numba"``, ``"numpy"``, ``"python"``.
    """
    if backend == "numba":
        return simulate_costs_numba(rng, n, inputs, baseline, latent)
    if backend == "numpy":
        return simulate_costs_numpy(rng, n, inputs, baseline, latent)
    if backend == "python" and latent is None:
        from mc.kernels.python_loop import simulate_costs_python  # it imports this module

        return simulate_costs_python(rng, n, inputs, baseline)
    raise ValueError(
        f"backend={backend!r}, but it must be one of ['numba', 'numpy', 'python'] "
        "('python' without latent normals)"
    )
