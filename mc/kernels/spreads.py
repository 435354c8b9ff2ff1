"""Turning standard-normal latent draws into driver values.

Every stochastic driver is a transform of one standard normal, so that each draw consumes a fixed
number of normals from its block's stream. That keeps streams aligned draw by draw (the first
``n`` draws of a block do not depend on the block's length) and lets the NumPy reference and the
numba kernel read the same numbers in the same order.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from scipy.special import ndtr

#: Integer codes of the spread shapes, as the kernels see them.
SPREAD_CODES = {"fixed": 0, "normal": 1, "uniform": 2, "triangular": 3}
_SQRT2 = math.sqrt(2.0)


@njit(cache=True, nogil=True)
def spread_value(kind: int, scale: float, z: float) -> float:
    """Value of a zero-centred spread of shape ``kind`` and size ``scale`` at latent ``z``.

    ``normal``: sd ``scale``; ``uniform`` and ``triangular`` (symmetric, mode 0): half-width
    ``scale``; ``fixed``: always 0.
    """
    if kind == 1:
        return scale * z
    if kind == 0:
        return 0.0
    u = 0.5 * math.erfc(-z / _SQRT2)
    if kind == 2:
        return scale * (2.0 * u - 1.0)
    if u < 0.5:
        return scale * (math.sqrt(2.0 * u) - 1.0)
    return scale * (1.0 - math.sqrt(2.0 * (1.0 - u)))


def spread_values(kind: int, scale: float, z: np.ndarray) -> np.ndarray:
    """Vectorised NumPy version of :func:`spread_value`."""
    z = np.asarray(z, dtype=float)
    if kind == 1:
        return scale * z
    if kind == 0:
        return np.zeros_like(z)
    u: np.ndarray = ndtr(z)  # scipy ships no types
    if kind == 2:
        return scale * (2.0 * u - 1.0)
    low = scale * (np.sqrt(2.0 * u) - 1.0)
    high = scale * (1.0 - np.sqrt(2.0 * (1.0 - u)))
    return np.where(u < 0.5, low, high)
