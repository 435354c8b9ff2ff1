"""Which drivers make the uncertainty: tornado, contribution to variance, Sobol indices.

All three act on *driver groups*: the latent standard normals behind one driver (the extra
immigration has one, the immigrant profile one per age band, the unit costs one per sector). A
group's *direction* is the unit vector along which the output changes fastest at the centre
(a numerical gradient); moving the group's normals by ``z`` along it moves the driver to its
``Phi(z)`` quantile, since the projection of independent standard normals on a unit vector is
itself standard normal. For one-normal drivers the direction is just the sign.

- **Tornado** (one at a time): every group at its centre but one, set to its ``low`` and
  ``high`` quantile (10 % / 90 % by default).
- **Contribution to variance**: squared Spearman correlation between the output and each group's
  projected driver, normalised to sum to one (what @RISK and Crystal Ball report).
- **Sobol indices** (pick-freeze): first order by Saltelli (2010), total by Jansen (1999), from
  matrices ``A``, ``B`` and ``A`` with one group taken from ``B``; bootstrap percentile intervals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

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
    """Squared rank correlations of output and drivers, normalised.

    Returns a frame ``driver, spearman, contribution`` (contributions sum to one).
    """
    rows = []
    for name, idx in groups:
        driver = latent[:, idx] @ dirs[name]
        rho = stats.spearmanr(driver, output).statistic
        rows.append({"driver": name, "spearman": float(rho)})
    frame = pd.DataFrame(rows)
    squared = frame["spearman"] ** 2
    frame["contribution"] = squared / squared.sum() if squared.sum() > 0 else 0.0
    return frame


@dataclass(frozen=True)
class SobolEstimate:
    """First-order and total indices of one group, with bootstrap intervals."""

    driver: str
    s1: float
    s1_low: float
    s1_high: float
    st: float
    st_low: float
    st_high: float


def sobol_indices(
    f: Evaluate,
    sample: Sampler,
    groups: Groups,
    n: int,
    rng: np.random.Generator,
    *,
    bootstrap: int = 300,
    level: float = 0.95,
) -> list[SobolEstimate]:
    """Sobol first-order (Saltelli 2010) and total (Jansen 1999) indices of each group.

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
    rng : numpy.random.Generator
        Source of ``A``, ``B`` and the bootstrap.
    bootstrap : int
        Bootstrap resamples for the intervals.
    level : float
        Interval coverage.
    """
    a, b = sample(rng, n), sample(rng, n)
    fa, fb = f(a), f(b)
    fab = []
    for _, idx in groups:
        ab = a.copy()
        ab[:, idx] = b[:, idx]
        fab.append(f(ab))
    fab_arr = np.array(fab)  # (groups, n)

    def estimate(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ya, yb, yab = fa[rows], fb[rows], fab_arr[:, rows]
        var = np.var(np.concatenate([ya, yb]))
        s1 = np.mean(yb * (yab - ya), axis=1) / var
        st = 0.5 * np.mean((ya - yab) ** 2, axis=1) / var
        return s1, st

    s1, st = estimate(np.arange(n))
    boot = [estimate(rng.integers(0, n, n)) for _ in range(bootstrap)]
    s1_boot = np.array([x[0] for x in boot])
    st_boot = np.array([x[1] for x in boot])
    tail = (1 - level) / 2 * 100
    s1_lo, s1_hi = np.percentile(s1_boot, [tail, 100 - tail], axis=0)
    st_lo, st_hi = np.percentile(st_boot, [tail, 100 - tail], axis=0)
    return [
        SobolEstimate(
            name,
            float(s1[g]),
            float(s1_lo[g]),
            float(s1_hi[g]),
            float(st[g]),
            float(st_lo[g]),
            float(st_hi[g]),
        )
        for g, (name, _) in enumerate(groups)
    ]


SENSITIVITY_KEY = 2**31 - 2  # spawn key of a run's sensitivity stream (never a block)
TORNADO_COLUMNS = ("variable", "scenario", "year", "driver", "low", "high", "base")
VARIABLES = ("demographic_cost_total_bn", "demographic_cost_free_bn")


def analyse_sensitivity(
    model: object, entropy: int, n: int = 16384
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tornado and indices of the demographic costs (first scenario, last year) of a model.

    Parameters
    ----------
    model : DemographicModel or EconomyModel
        Needs ``simulate_latent``, ``driver_groups`` and ``latent_width`` (an economy model is
        analysed through its demographic part).
    entropy : int
        The run's seed entropy; the analysis draws from ``SeedSequence(entropy,
        spawn_key=(SENSITIVITY_KEY,))``.
    n : int
        Base sample size (the model runs ``n * (groups + 3)`` times).

    Returns
    -------
    tornado : DataFrame
        :data:`TORNADO_COLUMNS`.
    indices : DataFrame
        ``variable, scenario, year, driver, spearman, contribution, s1, s1_low, s1_high, st,
        st_low, st_high``.

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
    groups = base.driver_groups
    width = base.latent_width
    scenario = base.scenarios[0]
    year = base.years[-1]
    rng = np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(SENSITIVITY_KEY,)))
    tornadoes, indices = [], []
    latent = rng.standard_normal((n, width))
    outputs = base.simulate_latent(latent)
    for variable in VARIABLES:

        def f(z: np.ndarray, variable: str = variable) -> np.ndarray:
            return base.simulate_latent(z)[variable][:, 0, -1]

        t = tornado(f, groups, width)
        t.insert(0, "variable", variable)
        t.insert(1, "scenario", scenario)
        t.insert(2, "year", year)
        tornadoes.append(t)
        dirs = directions(f, groups, width)
        c = contribution_to_variance(latent, outputs[variable][:, 0, -1], groups, dirs)
        sob = sobol_indices(f, lambda r, m: r.standard_normal((m, width)), groups, n, rng)
        c["s1"] = [e.s1 for e in sob]
        c["s1_low"] = [e.s1_low for e in sob]
        c["s1_high"] = [e.s1_high for e in sob]
        c["st"] = [e.st for e in sob]
        c["st_low"] = [e.st_low for e in sob]
        c["st_high"] = [e.st_high for e in sob]
        c.insert(0, "variable", variable)
        c.insert(1, "scenario", scenario)
        c.insert(2, "year", year)
        indices.append(c)
    return pd.concat(tornadoes, ignore_index=True), pd.concat(indices, ignore_index=True)
