"""Stopping rules: run until the mean and chosen quantiles are known to a stated precision.

A target such as ``mean=0.01`` (absolute, in the variable's unit) or ``q95=1%`` (relative to the
estimate) is met when ``z * MCSE`` is within it, ``z`` the normal quantile of the confidence
level. The check runs after every wave of blocks on the merged summary, as @RISK's convergence
test, Crystal Ball's precision control and OpenTURNS' coefficient-of-variation rule do; the run's
``--draws`` is the cap.

MCSEs: the mean's is ``sd / sqrt(N)``; a quantile's is ``sqrt(p (1 - p) / N)`` times the slope of
the quantile function, read between ``p - 0.01`` and ``p + 0.01``. With Latin hypercube or Sobol
designs these are conservative (they ignore the variance the design removes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from mc.engine.reduce import BlockSummary, Grid
from mc.errors import ConfigError
from mc.kernels.sketch import quantiles_from_counts

_TARGET = re.compile(r"^\s*(mean|q\d{1,2})\s*=\s*([0-9.]+)\s*(%?)\s*$")
_STEP = 0.01


@dataclass(frozen=True)
class PrecisionTarget:
    """One precision target."""

    statistic: str  # "mean" or "qNN"
    tolerance: float
    relative: bool

    def __str__(self) -> str:
        tol = f"{100 * self.tolerance:g}%" if self.relative else f"{self.tolerance:g}"
        return f"{self.statistic}={tol}"


def parse_target(text: str) -> PrecisionTarget:
    """Read ``mean=0.01``, ``q95=1%`` and the like.

    Raises
    ------
    ConfigError
        If the text does not parse, the quantile is not in 1-99 or the tolerance is not positive.
    """
    match = _TARGET.match(text)
    if match is None:
        raise ConfigError("--precision", text, "write e.g. mean=0.01 or q95=1% (statistic=tol)")
    statistic, number, percent = match.groups()
    tolerance = float(number) / (100 if percent else 1)
    if statistic != "mean" and not 1 <= int(statistic[1:]) <= 99:
        raise ConfigError("--precision", text, "quantiles must be q1 to q99")
    if tolerance <= 0:
        raise ConfigError("--precision", text, "the tolerance must be positive")
    return PrecisionTarget(statistic, tolerance, bool(percent))


@dataclass(frozen=True)
class PrecisionRule:
    """Targets on one cell (``index`` into the variable's cells) of one variable."""

    variable: str
    index: int
    targets: tuple[PrecisionTarget, ...]
    confidence: float = 0.95
    grid: Grid | None = None  # set for streamed runs

    def check(self, summary: BlockSummary) -> tuple[bool, dict[str, Any]]:
        """Whether every target is met; the details per target."""
        m = summary.moments[self.variable]
        n = m.count
        probs = sorted(
            {
                p
                for t in self.targets
                if t.statistic != "mean"
                for p in (int(t.statistic[1:]) / 100 + d for d in (-_STEP, 0, _STEP))
            }
        )
        quantiles = self._quantiles(summary, probs) if probs else {}
        z = stats.norm.ppf(0.5 + self.confidence / 2)
        details: dict[str, Any] = {}
        met = True
        for t in self.targets:
            if t.statistic == "mean":
                estimate = float(np.ravel(m.mean)[self.index])
                mcse = float(np.ravel(m.sd)[self.index]) / np.sqrt(n)
            else:
                p = int(t.statistic[1:]) / 100
                estimate = quantiles[p]
                slope = (quantiles[p + _STEP] - quantiles[p - _STEP]) / (2 * _STEP)
                mcse = float(np.sqrt(p * (1 - p) / n) * slope)
            allowed = t.tolerance * abs(estimate) if t.relative else t.tolerance
            ok = z * mcse <= allowed
            met &= ok
            details[str(t)] = {
                "estimate": estimate,
                "mcse": mcse,
                "half_width": z * mcse,
                "allowed": allowed,
                "met": bool(ok),
            }
        return met, {
            "variable": self.variable,
            "draws": int(n),
            "confidence": self.confidence,
            "targets": details,
        }

    def _quantiles(self, summary: BlockSummary, probs: list[float]) -> dict[float, float]:
        values = None if summary.draws is None else summary.draws[self.variable]
        # exact over the draws only when they are all the draws (a streamed run keeps the first)
        if (
            values is not None
            and values.shape[0] * values.shape[1] == summary.moments[self.variable].count
        ):
            cell = values.reshape(values.shape[0] * values.shape[1], -1)[:, self.index]
            return dict(zip(probs, np.quantile(cell, probs), strict=True))
        assert summary.counts is not None and self.grid is not None
        counts = summary.counts[self.variable][self.index : self.index + 1]
        lo, hi = (
            self.grid.lo[self.index : self.index + 1],
            self.grid.hi[self.index : self.index + 1],
        )
        values, _ = quantiles_from_counts(counts, lo, hi, np.array(probs))
        return dict(zip(probs, values[:, 0], strict=True))
