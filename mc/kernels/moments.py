"""Column moments of a block of draws in one compiled pass (plus a NumPy reference).

A block's summary (mean, sum of squared deviations, min, max per output cell) is computed where
the draws are, so only moments need to travel when draws are not gathered. Two passes (mean, then
squared deviations) keep the sum of squares accurate. A non-finite draw makes the mean non-finite,
which is how callers detect it without another pass.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _moments(  # pragma: no cover - compiled
    x: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n, m = x.shape
    mean = np.zeros(m)
    low = np.full(m, np.inf)
    high = np.full(m, -np.inf)
    for i in range(n):
        for j in range(m):
            v = x[i, j]
            mean[j] += v
            if v < low[j]:
                low[j] = v
            if v > high[j]:
                high[j] = v
    mean /= n
    m2 = np.zeros(m)
    for i in range(n):
        for j in range(m):
            d = x[i, j] - mean[j]
            m2[j] += d * d
    return mean, m2, low, high


def column_moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Mean, sum of squared deviations, min and max of each column of a 2-D array.

    Parameters
    ----------
    x : ndarray, shape (n, m)
        Draws on axis 0; ``n >= 1``.
    """
    return _moments(np.ascontiguousarray(x, dtype=np.float64))


def column_moments_numpy(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """NumPy reference of :func:`column_moments`."""
    mean = x.mean(axis=0)
    return mean, ((x - mean) ** 2).sum(axis=0), x.min(axis=0), x.max(axis=0)
