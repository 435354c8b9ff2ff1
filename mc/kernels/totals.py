"""Scaled costs and their totals over the last axis in one compiled pass.

:func:`scaled_totals` is :func:`scaled_totals_numpy` (``x / scale`` and its ``sum(axis=-1)``)
without NumPy's reduction machinery, which costs more than the adds on a short last axis (eight
sectors per draw and scenario). To give the same numbers to the bit it adds in the order
NumPy's float sum does along a contiguous axis: eight interleaved partial sums folded as
``((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))``, the rest one by one, and fewer than
eight values one by one from ``0.0``; the result is added to ``0.0`` (the reduction's
identity). A test compares the two for every length up to :data:`MAX_WIDTH`; longer axes,
which NumPy splits recursively, take the NumPy path.
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: The longest axis summed in the compiled pass (NumPy's pairwise block, 128 values).
MAX_WIDTH = 128


@njit(cache=True, nogil=True)
def _scaled_totals(  # pragma: no cover - compiled
    x: np.ndarray, scale: float, scaled: np.ndarray, totals: np.ndarray
) -> None:
    rows, width = x.shape
    r = np.empty(8)
    for i in range(rows):
        for k in range(width):
            scaled[i, k] = x[i, k] / scale
        if width < 8:
            res = 0.0
            for k in range(width):
                res += scaled[i, k]
        else:
            for j in range(8):
                r[j] = scaled[i, j]
            k = 8
            while k < width - width % 8:
                for j in range(8):
                    r[j] += scaled[i, k + j]
                k += 8
            res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
            while k < width:
                res += scaled[i, k]
                k += 1
        totals[i] = 0.0 + res


def scaled_totals(x: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """``x / scale`` and its sum over the last axis, as :func:`scaled_totals_numpy` gives them.

    Parameters
    ----------
    x : ndarray, shape (..., K)
        Values (e.g. a block's costs by sector, kroner).
    scale : float
        The divisor (e.g. ``1e9`` for bn kroner).

    Returns
    -------
    scaled : ndarray, shape (..., K)
    totals : ndarray, shape (...)
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 0 or x.shape[-1] > MAX_WIDTH or x.size == 0:
        return scaled_totals_numpy(x, scale)
    flat = np.ascontiguousarray(x).reshape(-1, x.shape[-1])
    scaled = np.empty_like(flat)
    totals = np.empty(flat.shape[0])
    _scaled_totals(flat, float(scale), scaled, totals)
    return scaled.reshape(x.shape), totals.reshape(x.shape[:-1])


def scaled_totals_numpy(x: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """NumPy reference of :func:`scaled_totals`."""
    scaled = np.asarray(x, dtype=np.float64) / scale
    totals: np.ndarray = scaled.sum(axis=-1)
    return scaled, totals
