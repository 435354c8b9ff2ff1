"""Stochastic cohort-component projection of one population by single-year age and sex.

Per draw and projection year, from the population ``P`` on 1 January:

1. mortality: ``log m = log_mx + h * (age_drift + e * drift_se) + bx * (K + T) + shock`` with
   ``e`` the path's error of the by-age trend (per sex, ``drift_chol`` times the two normals that
   also draw the Lee-Carter drift error; zero unless the trend error is by age), ``K`` the
   cumulated Lee-Carter steps (their drift is zero when the trend is by age instead), ``T`` a yearly
   transient in ``k`` (drawn fresh each year, not cumulated; zero for a pure walk) and
   ``shock`` one past year's residuals (resampled each year, not cumulated); a cohort at
   age ``a`` survives the year with ``exp(-(m(a) + m(a+1)) / 2)`` (half the year at each age),
   the open age 105+ with ``exp(-m(105))``, newborns with ``exp(-m(0) / 2)``;
2. net migration: ``N = c + phi N_prev + sigma s e`` spread by the profile, plus one past
   year's deviation from the profile and the extra (scenario) immigrants; added to the
   survivors. ``s = (1 - lambda) + lambda |N_prev| / ref`` (1 unless the shock scales with the
   level); the deviation is in persons, or times ``|N| / deviation_level`` when that is > 0;
3. births: ``exp(log TFR) * births_ratio * sum_a shape(a) (W(a) + W'(a)) / 2`` over the women
   ``W`` on 1 January this year and ``W'`` next year (after migration), split by ``boys``;
4. cells below zero (net emigration above the people there) are set to zero and counted.

Stream order per draw: 2 normals (mortality drift error), 2 normals (c, phi), 1 normal (log
sigma of migration), 1 normal (rho of fertility); then per year 2 normals (mortality step),
2 normals (mortality transient), 1 normal (fertility shock), 1 uniform (which residual),
1 uniform (which profile deviation), 1 uniform (which mortality shock).
The NumPy reference and the numba kernel read it identically.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

N_CELLS_AGE = 106


class CohortInputs(NamedTuple):
    """Arrays the cohort kernels read; ``A = 106`` ages, ``H`` years."""

    start: np.ndarray  # (2, A) population at the origin
    log_mx: np.ndarray  # (2, A) jump-off log death rates
    bx: np.ndarray  # (2, A) Lee-Carter loadings
    mx_shocks: np.ndarray  # (S, 2, A) past residuals of log rates, one resampled a year
    age_drift: np.ndarray  # (2, A) yearly trend in log rates by age (zero under Lee-Carter)
    k_drift: np.ndarray  # (2,)
    k_drift_chol: np.ndarray  # (2, 2)
    k_step_chol: np.ndarray  # (2, 2)
    shape: np.ndarray  # (A,) fertility shape over women's ages
    fertility: np.ndarray  # (6,) births_ratio, boys, log_tfr, dlog_tfr, rho, rho_se
    tfr_sigma: float
    mig_beta: np.ndarray  # (2,) c, phi
    mig_chol: np.ndarray  # (2, 2)
    mig_sigma: np.ndarray  # (3,) sigma, sd of log sigma, last year's net migration
    mig_pool: np.ndarray  # (Z,) standardised residuals
    profile: np.ndarray  # (2, A)
    deviations: np.ndarray  # (K, 2, A)
    extra: np.ndarray  # (H,) extra net immigration per year
    extra_profile: np.ndarray  # (2, A) its shares
    out_lo: np.ndarray  # (G,) first age of each reported group
    out_hi: np.ndarray  # (G,)
    deviation_level: float = 0.0  # > 0: deviations scale with |net| / this level; 0: persons
    k_noise_chol: np.ndarray = np.zeros((2, 2))  # yearly transient in k, not cumulated
    mig_scale: np.ndarray = np.array([0.0, 1.0])  # (lambda, ref): shock sd x (1-l) + l |N|/ref
    drift_se: np.ndarray = np.zeros((2, 106))  # (2, A) s.e. of each age's trend (per year)
    drift_chol: np.ndarray = np.zeros((2, 2))  # sexes' correlation of that error (Cholesky)


PHI_MAX = 1.0  # a drawn phi above 1 would explode; at 1 the path is a random walk with drift
RHO_MAX = 0.99


def _group_sums(population: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    both = population.sum(axis=0)
    return np.array([both[a : b + 1].sum() for a, b in zip(lo, hi, strict=True)])


def project_numpy(
    rng: np.random.Generator, n: int, x: CohortInputs, cells: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Reference projection in NumPy: a loop over draws and years, vectorised over ages.

    Parameters
    ----------
    rng : numpy.random.Generator
        The block's stream (read in the order the module docstring gives).
    n : int
        Draws.
    x : CohortInputs
        Fitted inputs.
    cells : ndarray, shape (n, H, 2, A), optional
        Filled with the population by sex and single-year age on 1 January of each projection
        year (what a municipal run reconciles to); reading the stream does not change.

    Returns
    -------
    population : ndarray, shape (n, 1, H, G)
        Population per reported group on 1 January of each projection year.
    migration : ndarray, shape (n, H)
        Net migration in each projection year (the process, before clipping).
    births : ndarray, shape (n, H)
        Births in each projection year.
    clipped : ndarray, shape (n,)
        Cells set to zero because net emigration exceeded the people there.
    """
    horizon = x.extra.size
    out = np.empty((n, 1, horizon, x.out_lo.size))
    migration = np.empty((n, horizon))
    births_out = np.empty((n, horizon))
    clipped = np.zeros(n, dtype=np.int64)
    ratio, boys, log_tfr0, dlog0, rho_hat, rho_se = x.fertility
    sigma_hat, sigma_sd, last = x.mig_sigma
    for d in range(n):
        z_drift = rng.standard_normal(2)
        drift = x.k_drift + x.k_drift_chol @ z_drift
        trend = x.age_drift + (x.drift_chol @ z_drift)[:, None] * x.drift_se
        c, phi = x.mig_beta + x.mig_chol @ rng.standard_normal(2)
        phi = min(phi, PHI_MAX)
        sigma = sigma_hat * np.exp(sigma_sd * rng.standard_normal())
        rho = min(max(rho_hat + rho_se * rng.standard_normal(), -RHO_MAX), RHO_MAX)
        k = np.zeros(2)
        log_tfr, dlog, net = log_tfr0, dlog0, last
        pop = x.start.copy()
        for h in range(horizon):
            k = k + drift + x.k_step_chol @ rng.standard_normal(2)
            k_year = k + x.k_noise_chol @ rng.standard_normal(2)
            dlog = rho * dlog + x.tfr_sigma * rng.standard_normal()
            log_tfr += dlog
            pick = int(rng.random() * x.mig_pool.size)
            lam, ref = x.mig_scale
            spread = (1.0 - lam) + lam * abs(net) / ref
            net = c + phi * net + sigma * spread * x.mig_pool[pick]
            year = int(rng.random() * x.deviations.shape[0])
            shock = x.mx_shocks[int(rng.random() * x.mx_shocks.shape[0])]
            m = np.exp(x.log_mx + (h + 1) * trend + x.bx * k_year[:, None] + shock)
            new = np.empty_like(pop)
            new[:, 0] = 0.0  # newborns come last; the exposure below reads age 0 before that
            new[:, 1:105] = pop[:, 0:104] * np.exp(-0.5 * (m[:, 0:104] + m[:, 1:105]))
            new[:, 105] = pop[:, 104] * np.exp(-0.5 * (m[:, 104] + m[:, 105])) + pop[
                :, 105
            ] * np.exp(-m[:, 105])
            scale = abs(net) / x.deviation_level if x.deviation_level > 0 else 1.0
            moved = net * x.profile + scale * x.deviations[year] + x.extra[h] * x.extra_profile
            new[:, 1:] += moved[:, 1:]
            negative = new[:, 1:] < 0
            clipped[d] += int(negative.sum())
            new[:, 1:] = np.where(negative, 0.0, new[:, 1:])
            exposure = 0.5 * (pop[0] + new[0])
            births = ratio * np.exp(log_tfr) * float(x.shape @ exposure)
            new[0, 0] = births * (1 - boys) * np.exp(-0.5 * m[0, 0]) + moved[0, 0]
            new[1, 0] = births * boys * np.exp(-0.5 * m[1, 0]) + moved[1, 0]
            for s in range(2):
                if new[s, 0] < 0:
                    clipped[d] += 1
                    new[s, 0] = 0.0
            pop = new
            out[d, 0, h] = _group_sums(pop, x.out_lo, x.out_hi)
            if cells is not None:
                cells[d, h] = pop
            migration[d, h] = net
            births_out[d, h] = births
    return out, migration, births_out, clipped


@njit(cache=True, nogil=True)
def _project_numba(  # pragma: no cover - compiled
    rng: np.random.Generator,
    n: int,
    start: np.ndarray,
    log_mx: np.ndarray,
    bx: np.ndarray,
    mx_shocks: np.ndarray,
    age_drift: np.ndarray,
    k_drift: np.ndarray,
    k_drift_chol: np.ndarray,
    k_step_chol: np.ndarray,
    shape: np.ndarray,
    fertility: np.ndarray,
    tfr_sigma: float,
    mig_beta: np.ndarray,
    mig_chol: np.ndarray,
    mig_sigma: np.ndarray,
    mig_pool: np.ndarray,
    profile: np.ndarray,
    deviations: np.ndarray,
    extra: np.ndarray,
    extra_profile: np.ndarray,
    out_lo: np.ndarray,
    out_hi: np.ndarray,
    deviation_level: float,
    k_noise_chol: np.ndarray,
    mig_scale: np.ndarray,
    drift_se: np.ndarray,
    drift_chol: np.ndarray,
    out: np.ndarray,
    migration: np.ndarray,
    births_out: np.ndarray,
    clipped: np.ndarray,
    cells: np.ndarray,
) -> None:
    horizon = extra.shape[0]
    n_ages = start.shape[1]
    top = n_ages - 1
    ratio, boys, log_tfr0, dlog0, rho_hat, rho_se = (
        fertility[0],
        fertility[1],
        fertility[2],
        fertility[3],
        fertility[4],
        fertility[5],
    )
    sigma_hat, sigma_sd, last = mig_sigma[0], mig_sigma[1], mig_sigma[2]
    pop = np.empty((2, n_ages))
    new = np.empty((2, n_ages))
    m = np.empty((2, n_ages))
    drift = np.empty(2)
    z = np.empty(2)
    k = np.empty(2)
    k_year = np.empty(2)
    error = np.empty(2)
    for d in range(n):
        z[0] = rng.standard_normal()
        z[1] = rng.standard_normal()
        for s in range(2):
            drift[s] = k_drift[s] + k_drift_chol[s, 0] * z[0] + k_drift_chol[s, 1] * z[1]
            error[s] = drift_chol[s, 0] * z[0] + drift_chol[s, 1] * z[1]
        z[0] = rng.standard_normal()
        z[1] = rng.standard_normal()
        c = mig_beta[0] + mig_chol[0, 0] * z[0] + mig_chol[0, 1] * z[1]
        phi = mig_beta[1] + mig_chol[1, 0] * z[0] + mig_chol[1, 1] * z[1]
        phi = min(phi, PHI_MAX)
        sigma = sigma_hat * np.exp(sigma_sd * rng.standard_normal())
        rho = min(max(rho_hat + rho_se * rng.standard_normal(), -RHO_MAX), RHO_MAX)
        k[0] = 0.0
        k[1] = 0.0
        log_tfr = log_tfr0
        dlog = dlog0
        net = last
        for s in range(2):
            for a in range(n_ages):
                pop[s, a] = start[s, a]
        for h in range(horizon):
            z[0] = rng.standard_normal()
            z[1] = rng.standard_normal()
            for s in range(2):
                k[s] += drift[s] + k_step_chol[s, 0] * z[0] + k_step_chol[s, 1] * z[1]
            z[0] = rng.standard_normal()
            z[1] = rng.standard_normal()
            for s in range(2):
                k_year[s] = k[s] + k_noise_chol[s, 0] * z[0] + k_noise_chol[s, 1] * z[1]
            dlog = rho * dlog + tfr_sigma * rng.standard_normal()
            log_tfr += dlog
            pick = int(rng.random() * mig_pool.shape[0])
            spread = (1.0 - mig_scale[0]) + mig_scale[0] * abs(net) / mig_scale[1]
            net = c + phi * net + sigma * spread * mig_pool[pick]
            year = int(rng.random() * deviations.shape[0])
            hit = int(rng.random() * mx_shocks.shape[0])
            scale = abs(net) / deviation_level if deviation_level > 0 else 1.0
            for s in range(2):
                for a in range(n_ages):
                    trend = log_mx[s, a] + (h + 1) * (age_drift[s, a] + error[s] * drift_se[s, a])
                    m[s, a] = np.exp(trend + bx[s, a] * k_year[s] + mx_shocks[hit, s, a])
            exposure = 0.0
            # age 0 is filled with this year's births below; until then it held last year's (or,
            # in the first year, uninitialised memory, and 0 x NaN is NaN even where shape is 0)
            new[0, 0] = 0.0
            new[1, 0] = 0.0
            for s in range(2):
                for a in range(1, top):
                    new[s, a] = pop[s, a - 1] * np.exp(-0.5 * (m[s, a - 1] + m[s, a]))
                new[s, top] = pop[s, top - 1] * np.exp(-0.5 * (m[s, top - 1] + m[s, top])) + pop[
                    s, top
                ] * np.exp(-m[s, top])
                for a in range(1, n_ages):
                    new[s, a] += net * profile[s, a] + scale * deviations[year, s, a]
                    new[s, a] += extra[h] * extra_profile[s, a]
                    if new[s, a] < 0:
                        clipped[d] += 1
                        new[s, a] = 0.0
            for a in range(n_ages):
                exposure += shape[a] * 0.5 * (pop[0, a] + new[0, a])
            births = ratio * np.exp(log_tfr) * exposure
            for s in range(2):
                share = boys if s == 1 else 1.0 - boys
                moved = (
                    net * profile[s, 0]
                    + scale * deviations[year, s, 0]
                    + extra[h] * extra_profile[s, 0]
                )
                new[s, 0] = births * share * np.exp(-0.5 * m[s, 0]) + moved
                if new[s, 0] < 0:
                    clipped[d] += 1
                    new[s, 0] = 0.0
            for s in range(2):
                for a in range(n_ages):
                    pop[s, a] = new[s, a]
            for g in range(out_lo.shape[0]):
                total = 0.0
                for s in range(2):
                    for a in range(out_lo[g], out_hi[g] + 1):
                        total += pop[s, a]
                out[d, 0, h, g] = total
            if cells.shape[0] > 0:  # (0, H, 2, A) when the caller wants groups only
                for s in range(2):
                    for a in range(n_ages):
                        cells[d, h, s, a] = pop[s, a]
            migration[d, h] = net
            births_out[d, h] = births


def project_numba(
    rng: np.random.Generator, n: int, x: CohortInputs, cells: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The compiled twin of :func:`project_numpy` (same stream, same results to rounding)."""
    horizon = x.extra.size
    if cells is None:
        cells = np.empty((0, horizon, 2, x.start.shape[1]))
    out = np.empty((n, 1, horizon, x.out_lo.size))
    migration = np.empty((n, horizon))
    births = np.empty((n, horizon))
    clipped = np.zeros(n, dtype=np.int64)
    f = np.ascontiguousarray
    _project_numba(
        rng,
        n,
        f(x.start, dtype=np.float64),
        f(x.log_mx, dtype=np.float64),
        f(x.bx, dtype=np.float64),
        f(x.mx_shocks, dtype=np.float64),
        f(x.age_drift, dtype=np.float64),
        f(x.k_drift, dtype=np.float64),
        f(x.k_drift_chol, dtype=np.float64),
        f(x.k_step_chol, dtype=np.float64),
        f(x.shape, dtype=np.float64),
        f(x.fertility, dtype=np.float64),
        float(x.tfr_sigma),
        f(x.mig_beta, dtype=np.float64),
        f(x.mig_chol, dtype=np.float64),
        f(x.mig_sigma, dtype=np.float64),
        f(x.mig_pool, dtype=np.float64),
        f(x.profile, dtype=np.float64),
        f(x.deviations, dtype=np.float64),
        f(x.extra, dtype=np.float64),
        f(x.extra_profile, dtype=np.float64),
        f(x.out_lo, dtype=np.int64),
        f(x.out_hi, dtype=np.int64),
        float(x.deviation_level),
        f(x.k_noise_chol, dtype=np.float64),
        f(x.mig_scale, dtype=np.float64),
        f(x.drift_se, dtype=np.float64),
        f(x.drift_chol, dtype=np.float64),
        out,
        migration,
        births,
        clipped,
        cells,
    )
    return out, migration, births, clipped
