"""Mergeable running moments (count, mean, sum of squared deviations, min, max).

Blocks reduce their draws to :class:`Moments`; merging uses the pairwise update of Chan, Golub and
LeVeque (1979), which is exact in exact arithmetic and stable in floating point. Merging in block
order makes the result independent of which worker finished first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mc.kernels.moments import column_moments


@dataclass(frozen=True)
class Moments:
    """Moments of one variable over the draw axis; arrays have the variable's own shape."""

    count: int
    mean: np.ndarray
    m2: np.ndarray
    min: np.ndarray
    max: np.ndarray

    @classmethod
    def of(cls, draws: np.ndarray) -> Moments:
        """Moments of ``draws`` along axis 0 (one compiled pass; see :mod:`mc.kernels.moments`)."""
        draws = np.asarray(draws, dtype=float)
        shape = draws.shape[1:]
        mean, m2, low, high = column_moments(draws.reshape(draws.shape[0], -1))
        return cls(
            draws.shape[0],
            mean.reshape(shape),
            m2.reshape(shape),
            low.reshape(shape),
            high.reshape(shape),
        )

    @property
    def finite(self) -> bool:
        """Whether every draw was finite (a NaN or infinity makes the mean non-finite)."""
        return bool(np.isfinite(self.mean).all() and np.isfinite(self.m2).all())

    def merge(self, other: Moments) -> Moments:
        """Moments of the union of both samples."""
        n = self.count + other.count
        delta = other.mean - self.mean
        return Moments(
            count=n,
            mean=self.mean + delta * (other.count / n),
            m2=self.m2 + other.m2 + delta**2 * (self.count * other.count / n),
            min=np.minimum(self.min, other.min),
            max=np.maximum(self.max, other.max),
        )

    @property
    def sd(self) -> np.ndarray:
        """Sample standard deviation (``ddof=1``; 0 for a single draw)."""
        if self.count < 2:
            return np.zeros_like(self.m2)
        return np.sqrt(self.m2 / (self.count - 1))


def merge_all(parts: list[Moments]) -> Moments:
    """Merge a list of moments in the given order."""
    total = parts[0]
    for part in parts[1:]:
        total = total.merge(part)
    return total
