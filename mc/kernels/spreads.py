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
SPREAD_CODES = {"fixed": 0, "normal": 1, "uniform": 2, "triangular": 3, "split_normal": 4}
_SQRT2 = math.sqrt(2.0)


@njit(cache=True, nogil=True)
def spread_value(kind: int, scale: float, z: float, scale_high: float = 0.0) -> float:
    """Value of a zero-centred spread of shape ``kind`` and size ``scale`` at latent ``z``.

    ``normal``: sd ``scale``; ``uniform`` and ``triangular`` (symmetric, mode 0): half-width
    ``scale``; ``fixed``: always 0; ``split_normal``: a two-piece normal with median 0, sd
    ``scale`` below it and ``scale_high`` above it (``scale * z`` for ``z < 0``, else
    ``scale_high * z``), so an overshoot is as likely as a shortfall but can be larger.
    """
    if kind == 1:
        return scale * z
    if kind == 0:
        return 0.0
    if kind == 4:
        return scale * z if z < 0.0 else scale_high * z
    u = 0.5 * math.erfc(-z / _SQRT2)
    if kind == 2:
        return scale * (2.0 * u - 1.0)
    if u < 0.5:
        return scale * (math.sqrt(2.0 * u) - 1.0)
    return scale * (1.0 - math.sqrt(2.0 * (1.0 - u)))


def spread_values(kind: int, scale: float, z: np.ndarray, scale_high: float = 0.0) -> np.ndarray:
    """Vectorised NumPy version of :func:`spread_value`."""
    z = np.asarray(z, dtype=float)
    if kind == 1:
        return scale * z
    if kind == 0:
        return np.zeros_like(z)
    if kind == 4:
        return np.where(z < 0.0, scale * z, scale_high * z)
    u: np.ndarray = ndtr(z)  # scipy ships no types
    if kind == 2:
        return scale * (2.0 * u - 1.0)
    low = scale * (np.sqrt(2.0 * u) - 1.0)
    high = scale * (1.0 - np.sqrt(2.0 * (1.0 - u)))
    return np.where(u < 0.5, low, high)


def split_normal_moments(sd_low: float, sd_high: float) -> tuple[float, float, float]:
    """Mean, standard deviation and skewness of the median-zero two-piece normal.

    Half the mass is ``-|Z| sd_low`` and half ``|Z| sd_high``; with ``E|Z| = sqrt(2/pi)``,
    ``E Z^2 = 1`` and ``E|Z|^3 = 2 sqrt(2/pi)`` the raw moments are ``(sd_high - sd_low) /
    sqrt(2 pi)``, ``(sd_low^2 + sd_high^2) / 2`` and ``(sd_high^3 - sd_low^3) sqrt(2/pi)``.
    """
    m1 = (sd_high - sd_low) / math.sqrt(2.0 * math.pi)
    m2 = 0.5 * (sd_low**2 + sd_high**2)
    m3 = (sd_high**3 - sd_low**3) * math.sqrt(2.0 / math.pi)
    var = m2 - m1 * m1
    third = m3 - 3.0 * m1 * m2 + 2.0 * m1**3
    sd = math.sqrt(var)
    return m1, sd, third / sd**3 if sd > 0 else 0.0
