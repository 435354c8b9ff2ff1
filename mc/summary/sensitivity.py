"""Which drivers make the uncertainty: tornado, contribution to variance, Sobol indices.

All three act on *driver groups*: the latent standard normals behind one driver (the extra
immigration has one, the immigrant profile one per age band, the unit costs one per sector). A
group's *direction* is the unit vector along which the output changes fastest at the centre
(a numerical gradient); moving the group's normals by ``z`` along it moves the driver to its
``Phi(z)`` quantile, since the projection of independent standard normals on a unit vector is
itself standard normal. For one-normal drivers the direction is just the sign.

- **Tornado** (one at a time): every group at its centre but one, set to its ``low`` and
  ``high`` quantile (10 % / 90 % by default).
- **Contribution to variance**: squared correlation between the output and each group's
  projected driver, normalised to sum to one (as @RISK and Crystal Ball report, but Pearson, not
  Spearman: the driver is a standard normal, so this is the correlation on its normal score, and
  unlike ranks of the output it merges from sums across blocks).
- **Sobol indices** (pick-freeze): first order by Saltelli (2010), total by Jansen (1999), from
  matrices ``A``, ``B`` and ``A`` with one group taken from ``B``.

The correlations and indices come from one blocked design run through the engine: each block
draws its own ``A`` and ``B``, evaluates them and returns the estimators' sums (and cross
products for the correlations), merged in the engine's fixed tree. The intervals are batch
means (each block's own estimate a replicate; a ``t`` interval about the merged estimate), not
a bootstrap, so no block needs the others' rows. The tornado stays in-process: a few
deterministic evaluations.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from mc.engine.reduce import tree_merge

Evaluate = Callable[[np.ndarray], np.ndarray]  # latent normals (n, d) -> output (n,)
Sampler = Callable[[np.random.Generator, int], np.ndarray]  # -> inputs (n, d)
Groups = Sequence[tuple[str, np.ndarray]]


def directions(
    f: Evaluate, groups: Groups, width: int, step: float = 1e-3
) -> dict[str, np.ndarray]:
    """Unit direction of steepest change of ``f`` at the centre, per group."""
    base = np.zeros((1, width))
    centre = f(base)[0]
    out = {}
    for name, idx in groups:
        grad = np.empty(idx.size)
        for i, j in enumerate(idx):
            z = base.copy()
            z[0, j] = step
            grad[i] = (f(z)[0] - centre) / step
        norm = np.linalg.norm(grad)
        out[name] = grad / norm if norm > 0 else np.eye(idx.size)[0]
    return out


def tornado(
    f: Evaluate, groups: Groups, width: int, low: float = 0.10, high: float = 0.90
) -> pd.DataFrame:
    """Output with each group at its ``low`` and ``high`` quantile, the others at the centre.

    Returns
    -------
    DataFrame
        ``driver, low, high, base``, sorted by swing (largest first).
    """
    dirs = directions(f, groups, width)
    base = float(f(np.zeros((1, width)))[0])
    rows = []
    for name, idx in groups:
        points = np.zeros((2, width))
        points[0, idx] = stats.norm.ppf(low) * dirs[name]
        points[1, idx] = stats.norm.ppf(high) * dirs[name]
        lo, hi = f(points)
        rows.append({"driver": name, "low": float(lo), "high": float(hi), "base": base})
    frame = pd.DataFrame(rows)
    order = (frame["high"] - frame["low"]).abs().sort_values(ascending=False).index
    return frame.loc[order].reset_index(drop=True)


def contribution_to_variance(
    latent: np.ndarray, output: np.ndarray, groups: Groups, dirs: dict[str, np.ndarray]
) -> pd.DataFrame:
    """Squared correlations of output and drivers, normalised, from one sample in memory.

    The same arithmetic as the blocked analysis (:func:`correlations` on cross products), for
    a sample already at hand. Returns a frame ``driver, spearman, contribution`` (contributions
    sum to one; ``spearman`` holds the Pearson correlation, see :func:`indices_from_sums`).
    """
    x = np.column_stack([latent[:, idx] @ dirs[name] for name, idx in groups])
    xtx, xty, yty = _cross(x, output)
    r = _pearson(output.size, xtx[None], xty[None], np.array([yty]))[0]
    frame = pd.DataFrame({"driver": [name for name, _ in groups], "spearman": r})
    squared = frame["spearman"] ** 2
    frame["contribution"] = squared / squared.sum() if squared.sum() > 0 else 0.0
    return frame


@dataclass(frozen=True)
class SobolEstimate:
    """First-order and total indices of one group, with batch-means intervals."""

    driver: str
    s1: float
    s1_low: float
    s1_high: float
    st: float
    st_low: float
    st_high: float


SENSITIVITY_KEY = 2**31 - 2  # spawn key of a run's sensitivity stream (never a block)
TORNADO_COLUMNS = ("variable", "scenario", "year", "driver", "low", "high", "base")
VARIABLES = ("demographic_cost_total_bn", "demographic_cost_free_bn")
#: Coverage of a run's index intervals: the report's variance table captions them as 90 %
#: intervals (``cap_variance`` in ``mc/report/labels.py``); before, 95 % ones were written.
REPORTED_LEVEL = 0.90


@dataclass(frozen=True)
class SobolDesign:
    """A blocked pick-freeze design: what every block needs to evaluate its rows.

    ``evaluate`` maps inputs ``(m, d)`` to outputs ``(m, len(variables))``; ``sample`` draws inputs
    ``(m, d)`` from a generator (groups independent of each other). Block ``k`` covers rows
    :func:`block_rows` ``(n, blocks, k)`` of the base sample and draws its ``A`` and then its ``B``
    from ``SeedSequence(entropy, spawn_key=(SENSITIVITY_KEY, k))``: a two-element key, so it can
    collide neither with a run's blocks ``(k,)`` nor with the pilot ``(PILOT_KEY,)``.
    ``dirs[v][name]`` projects a group's inputs on one driver for variable ``v`` (the
    correlations); ``shift[v]`` is subtracted from every output of ``v`` before it is summed (the
    output at the centre: it keeps the sums of squares free of cancellation and the Saltelli
    estimator's variance small, without changing what it estimates).
    """

    evaluate: Callable[[np.ndarray], np.ndarray]
    sample: Sampler
    groups: tuple[tuple[str, np.ndarray], ...]
    variables: tuple[str, ...]
    dirs: tuple[dict[str, np.ndarray], ...]
    shift: np.ndarray
    entropy: int
    n: int
    blocks: int


@dataclass(frozen=True)
class SobolSums:
    """Mergeable sums of blocks ``first .. first + len(s1_blocks) - 1`` of a :class:`SobolDesign`.

    Axes: ``V`` variables, ``G`` groups. ``mean``/``m2`` are the pooled mean and sum of squared
    deviations of ``f(A)`` and ``f(B)`` (``2 * n`` values, merged by Chan's formula); ``s1``
    sums ``f(B) (f(AB_i) - f(A))`` and ``st`` sums ``(f(A) - f(AB_i))**2``; ``xtx``/``xty``/``yty``
    are the cross products of ``[1, drivers]`` and ``f(A)`` (for the correlations). The per-block
    estimates ride along in block order for the batch-means intervals.
    """

    first: int
    n: int
    mean: np.ndarray  # (V,)
    m2: np.ndarray  # (V,)
    s1: np.ndarray  # (V, G)
    st: np.ndarray  # (V, G)
    xtx: np.ndarray  # (V, G + 1, G + 1)
    xty: np.ndarray  # (V, G + 1)
    yty: np.ndarray  # (V,)
    s1_blocks: np.ndarray  # (blocks, V, G)
    st_blocks: np.ndarray  # (blocks, V, G)


MIN_BLOCK_ROWS = 64  # fewer rows make the per-block ratio estimates too skewed to average
SOBOL_BLOCKS = 16  # batches: t(15) is 9 % wider than normal, and the sd's own error is ~18 %


def sobol_blocks(n: int) -> int:
    """Blocks of a base sample of ``n`` rows: :data:`SOBOL_BLOCKS`, fewer for small ``n``.

    Never fewer than two when ``n >= 2`` (the smallest ``--sensitivity``), so that every
    interval has a spread to come from, however wide.
    """
    return min(n, max(2, min(SOBOL_BLOCKS, n // MIN_BLOCK_ROWS))) if n >= 2 else 1


def block_rows(n: int, blocks: int, block: int) -> int:
    """Rows of block ``block`` when ``n`` rows go to ``blocks`` blocks (the first get one more)."""
    return n // blocks + (1 if block < n % blocks else 0)


def _cross(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    design = np.column_stack([np.ones(y.size), x])
    return design.T @ design, design.T @ y, float(y @ y)


def _estimates(s: SobolSums) -> tuple[np.ndarray, np.ndarray]:
    var = s.m2 / (2 * s.n)  # population variance of the pooled outputs, as Saltelli (2010)
    with np.errstate(divide="ignore", invalid="ignore"):
        s1 = s.s1 / s.n / var[:, None]
        st = 0.5 * s.st / s.n / var[:, None]
    return s1, st


def sobol_block(design: SobolDesign, block: int) -> SobolSums:
    """Evaluate block ``block`` of ``design``: ``f(A)``, ``f(B)`` and every ``f(AB_i)``."""
    rng = np.random.default_rng(
        np.random.SeedSequence(design.entropy, spawn_key=(SENSITIVITY_KEY, block))
    )
    m = block_rows(design.n, design.blocks, block)
    a, b = design.sample(rng, m), design.sample(rng, m)
    fa = design.evaluate(a) - design.shift  # (m, V)
    fb = design.evaluate(b) - design.shift
    n_v, n_g = len(design.variables), len(design.groups)
    s1 = np.empty((n_v, n_g))
    st = np.empty((n_v, n_g))
    for g, (_, idx) in enumerate(design.groups):
        ab = a.copy()
        ab[:, idx] = b[:, idx]
        fab = design.evaluate(ab) - design.shift
        s1[:, g] = np.sum(fb * (fab - fa), axis=0)
        st[:, g] = np.sum((fa - fab) ** 2, axis=0)
    pooled = np.concatenate([fa, fb])
    mean = pooled.mean(axis=0)
    m2 = np.sum((pooled - mean) ** 2, axis=0)
    xtx = np.empty((n_v, n_g + 1, n_g + 1))
    xty = np.empty((n_v, n_g + 1))
    yty = np.empty(n_v)
    for v in range(n_v):
        x = np.column_stack([a[:, idx] @ design.dirs[v][name] for name, idx in design.groups])
        xtx[v], xty[v], yty[v] = _cross(x, fa[:, v])
    own = SobolSums(block, m, mean, m2, s1, st, xtx, xty, yty, np.empty(0), np.empty(0))
    s1_k, st_k = _estimates(own)
    return replace(own, s1_blocks=s1_k[None], st_blocks=st_k[None])


def merge_sums(a: SobolSums, b: SobolSums) -> SobolSums:
    """Sums of two adjacent runs of blocks (``a`` then ``b``)."""
    if a.first + len(a.s1_blocks) != b.first:
        raise ValueError(f"internal error: blocks from {a.first} and {b.first} are not adjacent")
    na, nb = 2 * a.n, 2 * b.n  # pooled A and B values
    delta = b.mean - a.mean
    return SobolSums(
        first=a.first,
        n=a.n + b.n,
        mean=a.mean + delta * (nb / (na + nb)),
        m2=a.m2 + b.m2 + delta**2 * (na * nb / (na + nb)),
        s1=a.s1 + b.s1,
        st=a.st + b.st,
        xtx=a.xtx + b.xtx,
        xty=a.xty + b.xty,
        yty=a.yty + b.yty,
        s1_blocks=np.concatenate([a.s1_blocks, b.s1_blocks]),
        st_blocks=np.concatenate([a.st_blocks, b.st_blocks]),
    )


def correlations(s: SobolSums) -> np.ndarray:
    """Pearson correlation of each group's driver with the output, ``(V, G)``, from the sums."""
    return _pearson(s.n, s.xtx, s.xty, s.yty)


def _pearson(n: int, xtx: np.ndarray, xty: np.ndarray, yty: np.ndarray) -> np.ndarray:
    sx, sy = xtx[:, 0, 1:], xty[:, 0]
    sxx = np.diagonal(xtx[:, 1:, 1:], axis1=1, axis2=2) - sx**2 / n
    sxy = xty[:, 1:] - sx * sy[:, None] / n
    syy = yty - sy**2 / n
    with np.errstate(divide="ignore", invalid="ignore"):
        r = sxy / np.sqrt(sxx * syy[:, None])
    out: np.ndarray = np.where(np.isfinite(r), r, 0.0)
    return out


def _batch_interval(
    estimate: np.ndarray, per_block: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    k = per_block.shape[0]
    if k < 2:
        nan = np.full_like(estimate, np.nan)
        return nan, nan
    half = stats.t.ppf(0.5 + level / 2, k - 1) * per_block.std(axis=0, ddof=1) / np.sqrt(k)
    return estimate - half, estimate + half


def indices_from_sums(
    s: SobolSums, groups: Groups, variables: Sequence[str], level: float = 0.95
) -> pd.DataFrame:
    """Correlations, contributions and Sobol indices with batch-means intervals, per variable.

    Returns
    -------
    DataFrame
        ``variable, driver, spearman, contribution, s1, s1_low, s1_high, st, st_low, st_high``.
        ``spearman`` keeps its name for the files' format but holds the Pearson correlation of
        the driver (a standard normal: its own normal score) and the output, which merges from
        sums; a rank correlation of the output does not.
    """
    s1, st = _estimates(s)
    s1_lo, s1_hi = _batch_interval(s1, s.s1_blocks, level)
    st_lo, st_hi = _batch_interval(st, s.st_blocks, level)
    r = correlations(s)
    rows = []
    for v, variable in enumerate(variables):
        squared = r[v] ** 2
        share = squared / squared.sum() if squared.sum() > 0 else np.zeros_like(squared)
        for g, (name, _) in enumerate(groups):
            rows.append(
                {
                    "variable": variable,
                    "driver": name,
                    "spearman": float(r[v, g]),
                    "contribution": float(share[g]),
                    "s1": float(s1[v, g]),
                    "s1_low": float(s1_lo[v, g]),
                    "s1_high": float(s1_hi[v, g]),
                    "st": float(st[v, g]),
                    "st_low": float(st_lo[v, g]),
                    "st_high": float(st_hi[v, g]),
                }
            )
    return pd.DataFrame(rows)


#: Runs ``task(shared, block)`` for blocks ``0 .. n - 1`` and merges in the fixed tree
#: (``mc.engine.tasks.run_merged`` bound to a scheduler; by default in this process).
Runner = Callable[[Callable[[Any, int], Any], Any, int, Callable[[Any, Any], Any]], Any]


def run_here(
    task: Callable[[Any, int], Any], shared: Any, n_blocks: int, combine: Callable[[Any, Any], Any]
) -> Any:
    """:data:`Runner` in this process: the same fixed tree as every engine scheduler."""
    return tree_merge([task(shared, block) for block in range(n_blocks)], combine)


@dataclass(frozen=True)
class _Column:
    """One output ``(m,)`` as a one-column table (picklable, for process schedulers)."""

    f: Evaluate

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.f(x)[:, None]


@dataclass(frozen=True)
class _LastYear:
    """``variables`` of the first scenario's last year for latent normals ``(m, width)``."""

    model: Any
    variables: tuple[str, ...]

    def __call__(self, z: np.ndarray) -> np.ndarray:
        out = self.model.simulate_latent(z)
        return np.column_stack([out[v][:, 0, -1] for v in self.variables])


@dataclass(frozen=True)
class _Normals:
    """Independent standard normals ``(m, width)``."""

    width: int

    def __call__(self, rng: np.random.Generator, m: int) -> np.ndarray:
        return rng.standard_normal((m, self.width))


def sobol_indices(
    f: Evaluate,
    sample: Sampler,
    groups: Groups,
    n: int,
    entropy: int,
    *,
    level: float = 0.95,
    blocks: int | None = None,
    run: Runner | None = None,
) -> list[SobolEstimate]:
    """Sobol first-order (Saltelli 2010) and total (Jansen 1999) indices of each group.

    The base sample of ``n`` rows is split into blocks (:func:`sobol_block`); each block returns
    the estimators' sums, merged in the engine's fixed tree (:func:`merge_sums`), and the
    indices are ratios of the merged sums. The intervals are batch means: the blocks' own
    estimates are treated as independent replicates, and the interval is the merged estimate
    plus or minus ``t(blocks - 1)`` times their standard error (NaN with one block).

    Parameters
    ----------
    f : callable
        Model: inputs ``(n, d)`` to one output ``(n,)``.
    sample : callable
        Draws inputs ``(n, d)`` from a generator; groups must be independent of each other.
    groups : sequence of (name, indices)
        Input columns of each group.
    n : int
        Base sample size; the model is evaluated ``n * (len(groups) + 2)`` times.
    entropy : int
        Seed entropy; block ``k`` draws from ``SeedSequence(entropy, spawn_key=(SENSITIVITY_KEY,
        k))``.
    level : float
        Interval coverage.
    blocks : int, optional
        Number of blocks (default :func:`sobol_blocks`).
    run : Runner, optional
        Where the blocks run (default :func:`run_here`); ``f`` and ``sample`` must be picklable
        for process schedulers.

    Returns
    -------
    list of SobolEstimate
        One per group, in order.
    """
    groups = tuple(groups)
    k = blocks or sobol_blocks(n)
    design = SobolDesign(
        _Column(f),
        sample,
        groups,
        ("y",),
        ({name: np.ones(idx.size) / np.sqrt(idx.size) for name, idx in groups},),
        np.zeros(1),
        entropy,
        n,
        k,
    )
    sums = (run or run_here)(sobol_block, design, k, merge_sums)
    frame = indices_from_sums(sums, groups, ("y",), level)
    return [
        SobolEstimate(row.driver, row.s1, row.s1_low, row.s1_high, row.st, row.st_low, row.st_high)
        for row in frame.itertuples()
    ]


def analyse_sensitivity(
    model: object,
    entropy: int,
    n: int = 16384,
    *,
    run: Runner | None = None,
    level: float = REPORTED_LEVEL,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tornado and indices of the demographic costs (first scenario, last year) of a model.

    The tornado and the directions are a few deterministic evaluations, made here. The base
    sample's correlations and Sobol indices run as blocks through ``run`` (the engine's
    schedulers and fixed merge tree, see :func:`sobol_indices`): the same bits on any scheduler
    or worker count, with batch-means intervals over the blocks.

    Parameters
    ----------
    model : DemographicModel or EconomyModel
        Needs ``simulate_latent``, ``driver_groups`` and ``latent_width`` (an economy model is
        analysed through its demographic part).
    entropy : int
        The run's seed entropy; block ``k`` of the design draws from ``SeedSequence(entropy,
        spawn_key=(SENSITIVITY_KEY, k))``.
    n : int
        Base sample size (the model runs ``n * (groups + 2)`` times, in :func:`sobol_blocks`
        blocks).
    run : Runner, optional
        Where the blocks run (default :func:`run_here`).
    level : float
        Coverage of the index intervals (default: the 90 % the report's table states).

    Returns
    -------
    tornado : DataFrame
        :data:`TORNADO_COLUMNS`.
    indices : DataFrame
        ``variable, scenario, year, driver, spearman, contribution, s1, s1_low, s1_high, st,
        st_low, st_high`` (``spearman`` holds a Pearson correlation: see
        :func:`indices_from_sums`).

    Raises
    ------
    ValueError
        If the model's drivers cannot be set one by one (a stochastic population projection).
    """
    base = getattr(model, "demographic", model)
    if not hasattr(base, "simulate_latent"):
        raise ValueError(
            "sensitivity analysis needs the demographic model's own drivers; "
            "it is not available on a stochastic population projection"
        )
    groups = tuple(base.driver_groups)
    width = base.latent_width
    scenario = base.scenarios[0]
    year = base.years[-1]
    evaluate = _LastYear(base, VARIABLES)
    tornadoes, dirs = [], []
    for v, variable in enumerate(VARIABLES):

        def f(z: np.ndarray, v: int = v) -> np.ndarray:
            out: np.ndarray = evaluate(z)[:, v]
            return out

        t = tornado(f, groups, width)
        t.insert(0, "variable", variable)
        t.insert(1, "scenario", scenario)
        t.insert(2, "year", year)
        tornadoes.append(t)
        dirs.append(directions(f, groups, width))
    shift = evaluate(np.zeros((1, width)))[0]
    k = sobol_blocks(n)
    design = SobolDesign(
        evaluate, _Normals(width), groups, VARIABLES, tuple(dirs), shift, entropy, n, k
    )
    sums = (run or run_here)(sobol_block, design, k, merge_sums)
    indices = indices_from_sums(sums, groups, VARIABLES, level)
    indices.insert(1, "scenario", scenario)
    indices.insert(2, "year", year)
    return pd.concat(tornadoes, ignore_index=True), indices
