"""Stochastic cohort projection by single-year age and sex (Hamilton-Perry with random walks).

The population one year on is the population now advanced with cohort-change ratios (CCRs):
``P'(s, a+1) = P(s, a) * c(s, a+1)`` for ages 1-104, the open age 105+ collects ages 104 and
105, and age 0 is the number of women aged 15-49 times the child-woman ratio ``c(s, 0)``.

National draws follow a random walk in the whole CCR vector. Each projection year adds
``drift + u * drift_sd + step_scale * sum_k z_k dev[k] / sqrt(K - 1)`` with ``K`` standard normals
``z``: ``dev`` are the historical year-on-year changes in CCRs (all ages and both sexes,
demeaned), so the step is Gaussian with their covariance across ages and sexes, rescaled per
cell (a factor model whose factors are the historical years). ``u`` is one standard normal per
draw, kept for the whole path: an uncertain drift (used for the child-woman ratio).
Municipal draws multiply the national CCRs by
``exp(e[r, g])`` per municipality and age group, with ``e`` = fitted excess + a municipality
shock + an age-group shock; the municipalities are then scaled, cell by cell, to add up to the
national draw. The municipality shock is its own scale times
``sqrt(p) * level[r] + sqrt(1 - p) * z[r, h]``: ``level`` and ``z`` are standardised historical
errors, ``level`` drawn once per draw and kept for the whole path, ``z`` afresh each year, so a
year's shock has the same spread whatever ``p`` (the ``persistence``) is and any two years'
shocks are correlated ``p`` (the fitted excess is a level known only to within its error).

Per draw the generator first gives ``u``; then, per projection year, ``K`` normals for the
national step; then, at the municipal level, in the first year only and only if ``p > 0``, ``R``
uniforms (which standardised error is each municipality's level), then ``R`` uniforms (which
standardised error each municipality gets this year) and ``R * G`` normals. With ``p = 0`` the
stream is read as before ``persistence`` existed. The NumPy reference and the numba kernel read
it identically.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

WOMEN = (15, 49)  # ages of the women behind the child-woman ratio, inclusive


class ProjectionInputs(NamedTuple):
    """Arrays the projection kernels read. ``A = 106`` ages, ``H`` years, ``K`` history years."""

    start: np.ndarray  # (2, A) national population at the origin
    base_ccr: np.ndarray  # (2, A) last observed CCRs
    drift: np.ndarray  # (2, A) mean yearly change carried forward (zero but for chosen ages)
    drift_sd: np.ndarray  # (2, A) sd of the per-draw drift error (zero but for chosen ages)
    deviations: np.ndarray  # (K, 2, A) demeaned historical year-on-year changes in CCRs
    step_scale: np.ndarray  # (2, A) multiplier on the random part of the step
    extra: np.ndarray  # (H,) extra net immigration per projection year
    profile: np.ndarray  # (2, A) its age/sex shares
    out_lo: np.ndarray  # (G_out,) first age of each reported group; group 0 is the total
    out_hi: np.ndarray  # (G_out,)


class MunicipalInputs(NamedTuple):
    """Municipal part; ``R`` municipalities, ``G`` excess groups."""

    start: np.ndarray  # (R, 2, A)
    excess: np.ndarray  # (R, G) fitted log excess over the national CCRs
    group_of_age: np.ndarray  # (A,) excess group of each age (int)
    total_sd: np.ndarray  # (R,) scale of the municipality shock
    pool: np.ndarray  # (Z,) standardised historical municipality errors
    group_sd: np.ndarray  # (R, G) sd of the age-group shocks
    persistence: float = 0.0  # share of the shock's variance that is a level kept for the path


def advance(population: np.ndarray, ccr: np.ndarray) -> np.ndarray:
    """One year on with cohort-change ratios (NumPy; leading axes are broadcast)."""
    out = np.empty(np.broadcast_shapes(population.shape, ccr.shape))
    out[..., 1:105] = population[..., 0:104] * ccr[..., 1:105]
    out[..., 105] = (population[..., 104] + population[..., 105]) * ccr[..., 105]
    women = population[..., 0:1, WOMEN[0] : WOMEN[1] + 1].sum(axis=-1)
    out[..., 0] = women * ccr[..., 0]
    return out


def group_sums(population: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Both sexes summed over ages ``lo[g]..hi[g]`` per group: ``(..., 2, A) -> (..., G)``."""
    both = population.sum(axis=-2)
    return np.stack([both[..., a : b + 1].sum(axis=-1) for a, b in zip(lo, hi, strict=True)], -1)


# ---------------------------------------------------------------------------------------------
# NumPy reference


def project_numpy(
    rng: np.random.Generator, n: int, x: ProjectionInputs, m: MunicipalInputs | None = None
) -> np.ndarray:
    """Reference projection in NumPy.

    Without municipalities it is vectorised over draws (one bulk read of the stream, whose
    row-major order is the per-draw order, then a matrix product per year); with them it loops
    over draws and years, vectorised over regions and ages, since each draw interleaves normals
    and uniforms.

    Returns
    -------
    ndarray, shape (n, 1 + R, H, G_out)
        Population per reported group; region 0 is the nation, then the municipalities.
    """
    if m is None:
        return _project_national_numpy(rng, n, x)
    horizon = x.extra.size
    n_regions: int = m.start.shape[0]
    out = np.empty((n, 1 + n_regions, horizon, x.out_lo.size))
    k, loadings = _loadings(x)
    for d in range(n):
        nation = x.start.copy()
        ccr = x.base_ccr.copy()
        local = m.start.copy()
        drift = x.drift + rng.standard_normal() * x.drift_sd
        for h in range(horizon):
            z = rng.standard_normal(k)
            ccr = np.maximum(ccr + drift + (z @ loadings).reshape(ccr.shape), 0.0)
            nation = advance(nation, ccr) + x.extra[h] * x.profile
            nation = np.maximum(nation, 0.0)
            out[d, 0, h] = group_sums(nation, x.out_lo, x.out_hi)
            if h == 0:
                level = _level_numpy(rng, m)
            local = _municipal_year_numpy(rng, local, ccr, nation, m, level)
            out[d, 1:, h] = group_sums(local, x.out_lo, x.out_hi)
    return out


def _level_numpy(rng: np.random.Generator, m: MunicipalInputs) -> np.ndarray:
    """Each municipality's standardised level error for one draw (no draws if it has none)."""
    n_regions: int = m.start.shape[0]
    if m.persistence <= 0.0:
        return np.zeros(n_regions)
    picks = (rng.random(n_regions) * m.pool.size).astype(np.int64)
    level: np.ndarray = m.pool[picks]
    return level


def _municipal_year_numpy(
    rng: np.random.Generator,
    local: np.ndarray,
    ccr: np.ndarray,
    nation: np.ndarray,
    m: MunicipalInputs,
    level: np.ndarray | None = None,
) -> np.ndarray:
    """Advance the municipalities one year with ``ccr`` times their drawn excess; reconcile.

    ``level`` is the draw's standardised level error per municipality (:func:`_level_numpy`);
    ``None`` is none.
    """
    n_regions: int = m.start.shape[0]
    level = np.zeros(n_regions) if level is None else level
    picks = (rng.random(n_regions) * m.pool.size).astype(np.int64)
    shocks = rng.standard_normal((n_regions, m.excess.shape[1]))
    p = m.persistence
    standard = np.sqrt(p) * level + np.sqrt(1.0 - p) * m.pool[picks]
    e = m.excess + (m.total_sd * standard)[:, None] + m.group_sd * shocks
    local = advance(local, ccr[None] * np.exp(e[:, m.group_of_age])[:, None, :])
    return reconcile(local, nation)


def implied_ratios(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """The cohort-change ratios that take ``before`` to ``after`` (``(2, A)`` each).

    The inverse of :func:`advance`: ``after[s, a] / before[s, a - 1]`` for ages 1-104, the open
    age over ages 104 and 105+, and age 0 over the women aged 15-49. A cell whose denominator is
    empty gets 0, so the municipalities' cell is empty too and :func:`reconcile` shares the
    nation's cell out by region size.
    """
    ccr = np.zeros(after.shape)
    den = np.empty(after.shape)
    den[:, 1:105] = before[:, 0:104]
    den[:, 105] = before[:, 104] + before[:, 105]
    den[:, 0] = before[0, WOMEN[0] : WOMEN[1] + 1].sum()
    np.divide(after, den, out=ccr, where=den > 0)
    return ccr


def reconcile_to_paths_numpy(
    rng: np.random.Generator,
    start: np.ndarray,
    paths: np.ndarray,
    out_lo: np.ndarray,
    out_hi: np.ndarray,
    m: MunicipalInputs,
) -> np.ndarray:
    """Municipalities projected on given national paths (NumPy reference).

    Each year the municipalities advance with the ratios :func:`implied_ratios` reads off the
    national path, times their own drawn excess, and are reconciled to the path's next year, cell
    by cell. The generator is read as in :func:`project_numpy`'s municipal part: per draw, the
    level's ``R`` uniforms (first year, ``persistence > 0`` only), and per year ``R`` uniforms
    then ``R * G`` normals.

    Parameters
    ----------
    rng : numpy.random.Generator
        The municipalities' stream (the national paths were drawn elsewhere).
    start : ndarray, shape (2, A)
        National population at the origin.
    paths : ndarray, shape (n, H, 2, A)
        National population on 1 January of each projected year, per draw.
    out_lo, out_hi : ndarray of int
        First and last age of each reported group; group 0 is the total.
    m : MunicipalInputs
        The municipalities.

    Returns
    -------
    ndarray, shape (n, 1 + R, H, G_out)
        As :func:`project_numpy`: region 0 is the nation, then the municipalities.
    """
    n, horizon = paths.shape[:2]
    out = np.empty((n, 1 + m.start.shape[0], horizon, out_lo.size))
    for d in range(n):
        nation = start
        local = m.start.copy()
        for h in range(horizon):
            ccr = implied_ratios(nation, paths[d, h])
            nation = paths[d, h]
            out[d, 0, h] = group_sums(nation, out_lo, out_hi)
            if h == 0:
                level = _level_numpy(rng, m)
            local = _municipal_year_numpy(rng, local, ccr, nation, m, level)
            out[d, 1:, h] = group_sums(local, out_lo, out_hi)
    return out


def _loadings(x: ProjectionInputs) -> tuple[int, np.ndarray]:
    """History length ``K`` and the step's loadings ``(K, 2 * A)``."""
    k = x.deviations.shape[0]
    return k, (x.step_scale * x.deviations).reshape(k, -1) / np.sqrt(max(k - 1, 1))


def _project_national_numpy(rng: np.random.Generator, n: int, x: ProjectionInputs) -> np.ndarray:
    horizon = x.extra.size
    k, loadings = _loadings(x)
    z = rng.standard_normal((n, 1 + horizon * k))  # per draw: u, then k normals a year
    drift = x.drift + z[:, 0, None, None] * x.drift_sd
    steps = z[:, 1:].reshape(n, horizon, k)
    nation = np.broadcast_to(x.start, (n, *x.start.shape)).copy()
    ccr = np.broadcast_to(x.base_ccr, nation.shape).copy()
    out = np.empty((n, 1, horizon, x.out_lo.size))
    for h in range(horizon):
        ccr = np.maximum(ccr + drift + (steps[:, h] @ loadings).reshape(ccr.shape), 0.0)
        nation = np.maximum(advance(nation, ccr) + x.extra[h] * x.profile, 0.0)
        out[:, 0, h] = group_sums(nation, x.out_lo, x.out_hi)
    return out


def reconcile(local: np.ndarray, nation: np.ndarray) -> np.ndarray:
    """Scale regions cell by cell so they add up to ``nation``; empty cells go by region size."""
    total = local.sum(axis=0)
    share = np.where(total > 0, local / np.where(total > 0, total, 1.0), 0.0)
    empty = total <= 0
    if empty.any():
        size = local.sum(axis=(1, 2))
        size = size / size.sum()
        share[:, empty] = size[:, None]
    scaled: np.ndarray = share * nation  # numpy types a product of two any-dtype arrays as Any
    return scaled


# ---------------------------------------------------------------------------------------------
# numba kernel


@njit(cache=True, nogil=True)
def _advance_into(  # pragma: no cover - compiled
    population: np.ndarray, ccr: np.ndarray, out: np.ndarray
) -> None:
    women = 0.0
    for a in range(WOMEN[0], WOMEN[1] + 1):
        women += population[0, a]
    for s in range(2):
        for a in range(1, 105):
            out[s, a] = population[s, a - 1] * ccr[s, a]
        out[s, 105] = (population[s, 104] + population[s, 105]) * ccr[s, 105]
        out[s, 0] = women * ccr[s, 0]


@njit(cache=True, nogil=True)
def _group_totals_into(  # pragma: no cover - compiled
    population: np.ndarray, lo: np.ndarray, hi: np.ndarray, both: np.ndarray, out: np.ndarray
) -> None:
    # Both sexes first (one pass along memory), then each group in four interleaved partial
    # sums: a single running sum makes every addition wait for the one before (the reported
    # groups were a third of a municipal draw's time that way). The rounding differs from
    # NumPy's pairwise sums in the last bits only.
    for a in range(population.shape[1]):
        both[a] = population[0, a] + population[1, a]
    for g in range(lo.shape[0]):
        s0 = s1 = s2 = s3 = 0.0
        a = lo[g]
        while a + 3 <= hi[g]:
            s0 += both[a]
            s1 += both[a + 1]
            s2 += both[a + 2]
            s3 += both[a + 3]
            a += 4
        while a <= hi[g]:
            s0 += both[a]
            a += 1
        out[g] = (s0 + s1) + (s2 + s3)


@njit(cache=True, nogil=True)
def _municipal_year(  # pragma: no cover - compiled
    rng: np.random.Generator,
    ccr: np.ndarray,
    nation: np.ndarray,
    local: np.ndarray,
    lnext: np.ndarray,
    excess: np.ndarray,
    group_of_age: np.ndarray,
    total_sd: np.ndarray,
    pool: np.ndarray,
    group_sd: np.ndarray,
    persistence: float,
    first: bool,
    level: np.ndarray,
    out_lo: np.ndarray,
    out_hi: np.ndarray,
    out_regions: np.ndarray,
    rccr: np.ndarray,
    picks: np.ndarray,
    e: np.ndarray,
    factor: np.ndarray,
    total: np.ndarray,
    scale_to: np.ndarray,
    size: np.ndarray,
    both: np.ndarray,
) -> None:
    # One year of the municipalities: advance ``local`` with ``ccr`` times each one's drawn
    # excess, reconcile to ``nation`` cell by cell (in place) and report the groups into
    # ``out_regions`` (R, G_out). In a draw's ``first`` year the municipalities' levels are
    # drawn into ``level`` (kept by the caller for the later years). The arrays after
    # ``out_regions`` are scratch space.
    n_regions = local.shape[0]
    n_groups = excess.shape[1]
    n_ages = local.shape[2]
    if first:
        if persistence > 0.0:
            for r in range(n_regions):
                level[r] = pool[int(rng.random() * pool.shape[0])]
        else:
            level[:] = 0.0
    w_level = np.sqrt(persistence)
    w_year = np.sqrt(1.0 - persistence)
    for r in range(n_regions):
        picks[r] = int(rng.random() * pool.shape[0])
    total[:] = 0.0
    for r in range(n_regions):
        shock = total_sd[r] * (w_level * level[r] + w_year * pool[picks[r]])
        for g in range(n_groups):
            e[g] = excess[r, g] + shock + group_sd[r, g] * rng.standard_normal()
            factor[g] = np.exp(e[g])
        for s in range(2):
            for a in range(n_ages):
                rccr[s, a] = ccr[s, a] * factor[group_of_age[a]]
        _advance_into(local[r], rccr, lnext[r])
        for s in range(2):
            for a in range(n_ages):
                total[s, a] += lnext[r, s, a]
    empty = False
    for s in range(2):
        for a in range(n_ages):
            if total[s, a] > 0.0:
                scale_to[s, a] = nation[s, a] / total[s, a]
            else:
                empty = True
    for r in range(n_regions):  # region by region: contiguous memory
        for s in range(2):
            for a in range(n_ages):
                if total[s, a] > 0.0:
                    local[r, s, a] = lnext[r, s, a] * scale_to[s, a]
        if not empty:  # report the region while it is in cache
            _group_totals_into(local[r], out_lo, out_hi, both, out_regions[r])
    if empty:
        all_people = 0.0
        for r in range(n_regions):
            size[r] = 0.0
            for s in range(2):
                for a in range(n_ages):
                    size[r] += lnext[r, s, a]
            all_people += size[r]
        for s in range(2):
            for a in range(n_ages):
                if total[s, a] <= 0.0:
                    for r in range(n_regions):
                        local[r, s, a] = nation[s, a] * size[r] / all_people
        for r in range(n_regions):
            _group_totals_into(local[r], out_lo, out_hi, both, out_regions[r])


@njit(cache=True, nogil=True)
def _project_numba(
    rng: np.random.Generator,
    n: int,
    start: np.ndarray,
    base_ccr: np.ndarray,
    drift: np.ndarray,
    drift_sd: np.ndarray,
    deviations: np.ndarray,
    step_scale: np.ndarray,
    extra: np.ndarray,
    profile: np.ndarray,
    out_lo: np.ndarray,
    out_hi: np.ndarray,
    m_start: np.ndarray,
    excess: np.ndarray,
    group_of_age: np.ndarray,
    total_sd: np.ndarray,
    pool: np.ndarray,
    group_sd: np.ndarray,
    persistence: float,
) -> np.ndarray:  # pragma: no cover - compiled
    horizon = extra.shape[0]
    n_regions = m_start.shape[0]
    n_groups = excess.shape[1]
    n_out = out_lo.shape[0]
    k = deviations.shape[0]
    n_ages = start.shape[1]
    loading = 1.0 / np.sqrt(max(k - 1, 1))
    z = np.empty(k)
    path_drift = np.empty((2, n_ages))
    step = np.empty((2, n_ages))
    scale_to = np.empty((2, n_ages))
    out = np.empty((n, 1 + n_regions, horizon, n_out))
    nation = np.empty((2, n_ages))
    nxt = np.empty((2, n_ages))
    ccr = np.empty((2, n_ages))
    local = np.empty((n_regions, 2, n_ages))
    lnext = np.empty((n_regions, 2, n_ages))
    rccr = np.empty((2, n_ages))
    picks = np.empty(n_regions, dtype=np.int64)
    level = np.zeros(n_regions)
    e = np.empty(n_groups)
    factor = np.empty(n_groups)
    total = np.empty((2, n_ages))
    size = np.empty(n_regions)
    both = np.empty(n_ages)
    for d in range(n):
        nation[:] = start
        ccr[:] = base_ccr
        local[:] = m_start
        u = rng.standard_normal()
        for s in range(2):
            for a in range(n_ages):
                path_drift[s, a] = drift[s, a] + u * drift_sd[s, a]
        for h in range(horizon):
            for i in range(k):
                z[i] = rng.standard_normal()
            # sum over the history's years in the outer loop: each pass runs along contiguous
            # memory (and vectorises); every cell still adds its k terms in the same order
            step[:] = 0.0
            for i in range(k):
                zi = z[i]
                for s in range(2):
                    for a in range(n_ages):
                        step[s, a] += zi * deviations[i, s, a]
            for s in range(2):
                for a in range(n_ages):
                    c = ccr[s, a] + path_drift[s, a] + loading * step_scale[s, a] * step[s, a]
                    ccr[s, a] = c if c > 0.0 else 0.0
            _advance_into(nation, ccr, nxt)
            for s in range(2):
                for a in range(n_ages):
                    v = nxt[s, a] + extra[h] * profile[s, a]
                    nation[s, a] = v if v > 0.0 else 0.0
            _group_totals_into(nation, out_lo, out_hi, both, out[d, 0, h])
            if n_regions == 0:
                continue
            _municipal_year(
                rng,
                ccr,
                nation,
                local,
                lnext,
                excess,
                group_of_age,
                total_sd,
                pool,
                group_sd,
                persistence,
                h == 0,
                level,
                out_lo,
                out_hi,
                out[d, 1:, h],
                rccr,
                picks,
                e,
                factor,
                total,
                scale_to,
                size,
                both,
            )
    return out


@njit(cache=True, nogil=True)
def _implied_ratios_into(  # pragma: no cover - compiled
    before: np.ndarray, after: np.ndarray, ccr: np.ndarray
) -> None:
    # the twin of implied_ratios: an empty denominator gives 0
    women = 0.0
    for a in range(WOMEN[0], WOMEN[1] + 1):
        women += before[0, a]
    top = before.shape[1] - 1
    for s in range(2):
        ccr[s, 0] = after[s, 0] / women if women > 0.0 else 0.0
        for a in range(1, top):
            ccr[s, a] = after[s, a] / before[s, a - 1] if before[s, a - 1] > 0.0 else 0.0
        den = before[s, top - 1] + before[s, top]
        ccr[s, top] = after[s, top] / den if den > 0.0 else 0.0


@njit(cache=True, nogil=True)
def _reconcile_to_paths_numba(  # pragma: no cover - compiled
    rng: np.random.Generator,
    start: np.ndarray,
    paths: np.ndarray,
    out_lo: np.ndarray,
    out_hi: np.ndarray,
    m_start: np.ndarray,
    excess: np.ndarray,
    group_of_age: np.ndarray,
    total_sd: np.ndarray,
    pool: np.ndarray,
    group_sd: np.ndarray,
    persistence: float,
) -> np.ndarray:
    n, horizon, _, n_ages = paths.shape
    n_regions = m_start.shape[0]
    n_groups = excess.shape[1]
    out = np.empty((n, 1 + n_regions, horizon, out_lo.shape[0]))
    nation = np.empty((2, n_ages))
    ccr = np.empty((2, n_ages))
    local = np.empty((n_regions, 2, n_ages))
    lnext = np.empty((n_regions, 2, n_ages))
    rccr = np.empty((2, n_ages))
    picks = np.empty(n_regions, dtype=np.int64)
    level = np.zeros(n_regions)
    e = np.empty(n_groups)
    factor = np.empty(n_groups)
    total = np.empty((2, n_ages))
    scale_to = np.empty((2, n_ages))
    size = np.empty(n_regions)
    both = np.empty(n_ages)
    for d in range(n):
        nation[:] = start
        local[:] = m_start
        for h in range(horizon):
            _implied_ratios_into(nation, paths[d, h], ccr)
            nation[:] = paths[d, h]
            _group_totals_into(nation, out_lo, out_hi, both, out[d, 0, h])
            _municipal_year(
                rng,
                ccr,
                nation,
                local,
                lnext,
                excess,
                group_of_age,
                total_sd,
                pool,
                group_sd,
                persistence,
                h == 0,
                level,
                out_lo,
                out_hi,
                out[d, 1:, h],
                rccr,
                picks,
                e,
                factor,
                total,
                scale_to,
                size,
                both,
            )
    return out


def reconcile_to_paths_numba(
    rng: np.random.Generator,
    start: np.ndarray,
    paths: np.ndarray,
    out_lo: np.ndarray,
    out_hi: np.ndarray,
    m: MunicipalInputs,
) -> np.ndarray:
    """Compiled :func:`reconcile_to_paths_numpy`: same contract, same use of the generator."""
    f = np.ascontiguousarray
    return _reconcile_to_paths_numba(
        rng,
        f(start, dtype=np.float64),
        f(paths, dtype=np.float64),
        f(out_lo, dtype=np.int64),
        f(out_hi, dtype=np.int64),
        f(m.start, dtype=np.float64),
        f(m.excess, dtype=np.float64),
        f(m.group_of_age, dtype=np.int64),
        f(m.total_sd, dtype=np.float64),
        f(m.pool, dtype=np.float64),
        f(m.group_sd, dtype=np.float64),
        float(m.persistence),
    )


def project_numba(
    rng: np.random.Generator, n: int, x: ProjectionInputs, m: MunicipalInputs | None = None
) -> np.ndarray:
    """Compiled projection; same contract and generator use as :func:`project_numpy`."""
    m = _municipal_or_empty(m)
    return _project_numba(rng, int(n), *x, *m[:-1], float(m.persistence))


def project_python(
    rng: np.random.Generator, n: int, x: ProjectionInputs, m: MunicipalInputs | None = None
) -> np.ndarray:
    """The numba kernel's own code run by the interpreter, one draw and one cell at a time.

    What a per-case Monte Carlo tool does with a scalar model; for benchmarks, not production
    runs (it is thousands of times slower). Same contract and generator use as
    :func:`project_numpy`.
    """
    m = _municipal_or_empty(m)
    return _project_numba.py_func(rng, int(n), *x, *m[:-1], float(m.persistence))


def _municipal_or_empty(m: MunicipalInputs | None) -> MunicipalInputs:
    if m is None:  # no municipalities: empty arrays of the right types
        m = MunicipalInputs(
            np.zeros((0, 2, 106)),
            np.zeros((0, 1)),
            np.zeros(106, dtype=np.int64),
            np.zeros(0),
            np.zeros(1),
            np.zeros((0, 1)),
        )
    return m
