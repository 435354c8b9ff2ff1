"""Dependence between drivers: Iman-Conover rank reordering and the Gaussian copula.

Both take a target **Spearman** rank-correlation matrix ``C``.

*Iman-Conover* (Iman & Conover 1982; what @RISK, Crystal Ball and Dakota do) draws every
marginal independently, then reorders each column so that the sample's ranks follow normal
scores whose correlation has been steered to ``2 sin(pi C / 6)`` (the Pearson correlation of
normals with Spearman correlation ``C``). The sampled values are only permuted: every marginal
sample is kept exactly. The reordering acts on a whole block of draws, so one draw depends on its
block; results are still reproducible block by block.

*Gaussian copula*: correlated normals ``z = L u`` with ``L L' = 2 sin(pi C / 6)``, then
``x_j = F_j^-1(Phi(z_j))``. Each draw is independent of the others and the marginal distributions
are exact (in distribution rather than sample by sample).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
from scipy import stats
from scipy.special import ndtr, ndtri

from mc.errors import ConfigError

METHODS = ("iman-conover", "gaussian-copula")


def check_correlation(matrix: np.ndarray, names: Sequence[str], field: str = "correlation") -> None:
    """Reject a target correlation matrix that cannot be one.

    Raises
    ------
    ConfigError
        If the matrix is not square over ``names``, not symmetric, has a diagonal other than 1,
        has entries outside [-1, 1], or is not positive semi-definite (naming its smallest
        eigenvalue).
    """
    m = np.asarray(matrix, dtype=float)
    d = len(names)
    if m.shape != (d, d):
        raise ConfigError(field, m.shape, f"must be {d} x {d} over {list(names)}")
    if not np.isfinite(m).all():
        raise ConfigError(field, "non-finite entries", "every entry must be a number")
    bad = np.argwhere(np.abs(m) > 1)
    if bad.size:
        i, j = bad[0]
        raise ConfigError(
            f"{field}[{names[i]}][{names[j]}]", float(m[i, j]), "correlations must lie in [-1, 1]"
        )
    if not np.allclose(np.diag(m), 1.0):
        raise ConfigError(f"{field} diagonal", np.diag(m).tolist(), "must be all 1")
    if not np.allclose(m, m.T, atol=1e-12):
        i, j = np.argwhere(~np.isclose(m, m.T))[0]
        raise ConfigError(
            f"{field}[{names[i]}][{names[j]}]",
            float(m[i, j]),
            f"must equal {field}[{names[j]}][{names[i]}] = {m[j, i]}",
        )
    smallest = float(np.linalg.eigvalsh(m).min())
    if smallest < -1e-10:
        raise ConfigError(
            field,
            f"smallest eigenvalue {smallest:.4g}",
            "the matrix must be positive semi-definite (a real correlation matrix)",
        )


def normal_correlation(spearman: np.ndarray) -> np.ndarray:
    """Pearson correlation of normals whose Spearman correlation is ``spearman``."""
    out = 2 * np.sin(np.pi * np.asarray(spearman) / 6)
    np.fill_diagonal(out, 1.0)
    return out


def _cholesky(matrix: np.ndarray) -> np.ndarray:
    """Cholesky factor that tolerates a semi-definite matrix (a small ridge if needed)."""
    try:
        return np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        values, vectors = np.linalg.eigh(matrix)
        fixed = vectors @ np.diag(np.maximum(values, 1e-12)) @ vectors.T
        scale = np.sqrt(np.diag(fixed))
        return np.linalg.cholesky(fixed / np.outer(scale, scale))


@functools.lru_cache(maxsize=4)
def _scores(n: int) -> np.ndarray:
    """Van der Waerden normal scores ``Phi^-1(i / (n + 1))``, ``i = 1..n`` (read-only).

    ``ndtri`` is what ``stats.norm.ppf`` computes for the standard normal, without its argument
    checks (a test pins the two equal). Every year of every block of a run has the same ``n``,
    so the scores are computed once per size and shared: read-only, since ``rng.permutation``
    only reads them.
    """
    scores: np.ndarray = ndtri(np.arange(1, n + 1) / (n + 1))  # scipy ships no types
    scores.flags.writeable = False
    return scores


def _target_scores(n: int, d: int, spearman: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The permuted normal scores steered to the target correlation (``n x d``)."""
    scores = _scores(n)
    s = np.column_stack([rng.permutation(scores) for _ in range(d)])
    e = np.corrcoef(s, rowvar=False)
    target = _cholesky(normal_correlation(spearman))
    t: np.ndarray = s @ np.linalg.inv(_cholesky(e)).T @ target.T
    return t


def _order(column: np.ndarray) -> np.ndarray:
    """The stable sort order of ``column``, from the fast (unstable) sort when it has no ties.

    Without ties every sort gives the one order; with ties only a stable sort is the same on
    every machine (NumPy's default sort dispatches on the CPU's vector instructions), so ties fall
    back to it.
    """
    order = np.argsort(column)
    ordered = column[order]
    if np.any(ordered[1:] == ordered[:-1]):
        order = np.argsort(column, kind="stable")
    return order


def iman_conover(samples: np.ndarray, spearman: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Reorder the columns of ``samples`` (n x d) towards the target rank correlation.

    Parameters
    ----------
    samples : ndarray, shape (n, d)
        Independent draws of each marginal.
    spearman : ndarray, shape (d, d)
        Target Spearman correlation (checked with :func:`check_correlation` beforehand).
    rng : numpy.random.Generator
        Shuffles the scores (``d`` permutations of ``n``).

    Returns
    -------
    ndarray, shape (n, d)
        Each column a permutation of the same column of ``samples``; the ``i``-th smallest
        sample goes to the row holding the ``i``-th smallest steered score. The result equals
        :func:`iman_conover_reference`'s element for element (a test checks it): one sort order
        per column placed by scatter replaces the reference's rank-of-rank double sort.
    """
    n, d = samples.shape
    if d < 2 or n < 3:
        return samples.copy()
    # one copy to column-major rows: sorting a contiguous row is about twice as fast as a
    # strided column, and the values (so the orders) are the same
    t_by_column = np.ascontiguousarray(_target_scores(n, d, spearman, rng).T)
    out = np.empty_like(samples)
    for j in range(d):
        out[_order(t_by_column[j]), j] = np.sort(samples[:, j])
    return out


def iman_conover_reference(
    samples: np.ndarray, spearman: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Reference of :func:`iman_conover`: ranks by a double stable argsort (slower, same result)."""
    n, d = samples.shape
    if d < 2 or n < 3:
        return samples.copy()
    scores = stats.norm.ppf(np.arange(1, n + 1) / (n + 1))
    s = np.column_stack([rng.permutation(scores) for _ in range(d)])
    e = np.corrcoef(s, rowvar=False)
    target = _cholesky(normal_correlation(spearman))
    t = s @ np.linalg.inv(_cholesky(e)).T @ target.T
    out = np.empty_like(samples)
    for j in range(d):
        order = np.argsort(np.argsort(t[:, j], kind="stable"), kind="stable")
        out[:, j] = np.sort(samples[:, j], kind="stable")[order]
    return out


def gaussian_copula_uniforms(rng: np.random.Generator, n: int, spearman: np.ndarray) -> np.ndarray:
    """``n`` rows of uniforms with the Gaussian copula of the target Spearman correlation."""
    d = spearman.shape[0]
    z = rng.standard_normal((n, d)) @ _cholesky(normal_correlation(spearman)).T
    uniforms: np.ndarray = ndtr(z)  # scipy ships no types
    return uniforms
