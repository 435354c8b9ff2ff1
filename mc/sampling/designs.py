"""Sampling designs for a block: plain Monte Carlo, Latin hypercube, scrambled Sobol.

A design fills the block's ``n x d`` latent uniforms; they become normals through the normal
quantile function. The design's randomisation (the LHS permutations and jitter, the Sobol
scrambling) is seeded from the block's own generator, so a design is a function of the entropy
and the block index and inherits every reproducibility guarantee of plain sampling.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.special import ndtri
from scipy.stats import qmc

DESIGNS = ("mc", "lhs", "sobol")


def design_uniforms(kind: str, rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """``n`` points in ``[0, 1)^d`` from the design ``kind``.

    Raises
    ------
    ValueError
        If ``kind`` is not one of ``mc``, ``lhs``, ``sobol``.
    """
    points: np.ndarray  # scipy ships no types: its designs are Any without this
    if kind == "mc":
        return rng.random((n, d))
    if kind == "lhs":
        points = qmc.LatinHypercube(d, rng=rng).random(n)
        return points
    if kind == "sobol":
        with warnings.catch_warnings():
            # scipy warns when n is not a power of 2 (the balance properties are then weaker)
            warnings.simplefilter("ignore", UserWarning)
            points = qmc.Sobol(d, scramble=True, rng=rng).random(n)
        return points
    raise ValueError(f"design={kind!r}, but it must be one of {list(DESIGNS)}")


def design_normals(kind: str, rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """Standard normals through the design: ``ndtri`` of its uniforms (kept off 0 and 1)."""
    u = design_uniforms(kind, rng, n, d)
    tiny = np.finfo(float).eps
    normals: np.ndarray = ndtri(np.clip(u, tiny, 1 - tiny))  # scipy ships no types
    return normals
