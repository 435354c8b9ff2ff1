"""Marginal distributions of scalar drivers, sampled through their quantile functions.

Every driver is drawn as ``ppf(u)`` of a uniform ``u``: the same function serves plain sampling,
Iman-Conover (which then reorders the sampled values; :meth:`Marginal.draw`) and the Gaussian
copula (``u = Phi(z)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats
from scipy.special import ndtri

from mc.errors import ConfigError

KINDS = ("fixed", "normal", "t", "uniform", "triangular", "lognormal")


@dataclass(frozen=True)
class Marginal:
    """A scalar distribution.

    ``fixed``: ``value``; ``normal``: ``mean``, ``sd``; ``t``: ``mean``, ``scale``, ``df``
    (Student's t; the sd is ``scale * sqrt(df / (df - 2))``); ``uniform``: ``low``, ``high``;
    ``triangular``: ``low``, ``mode``, ``high``; ``lognormal``: ``median``, ``log_sd``.
    """

    kind: str
    params: tuple[tuple[str, float], ...]
    source: str = ""

    def _frozen(self) -> Any:
        p = dict(self.params)
        if self.kind == "normal":
            return stats.norm(p["mean"], p["sd"])
        if self.kind == "t":
            return stats.t(p["df"], p["mean"], p["scale"])
        if self.kind == "uniform":
            return stats.uniform(p["low"], p["high"] - p["low"])
        if self.kind == "triangular":
            width = p["high"] - p["low"]
            return stats.triang((p["mode"] - p["low"]) / width, p["low"], width)
        if self.kind == "lognormal":
            return stats.lognorm(p["log_sd"], scale=p["median"])
        raise ValueError(f"no scipy distribution for kind={self.kind!r}")

    @property
    def degenerate(self) -> bool:
        """Whether the distribution is a single point."""
        if self.kind == "fixed":
            return True
        p = dict(self.params)
        return any(p.get(k, 1.0) == 0 for k in ("sd", "scale", "log_sd")) or (
            self.kind in ("uniform", "triangular") and p["high"] == p["low"]
        )

    @property
    def centre(self) -> float:
        """The value a deterministic run uses: the mean (median for the lognormal)."""
        p = dict(self.params)
        if self.kind == "fixed":
            return p["value"]
        if self.kind in ("normal", "t"):
            return p["mean"]
        if self.kind == "uniform":
            return (p["low"] + p["high"]) / 2
        if self.kind == "triangular":
            return (p["low"] + p["mode"] + p["high"]) / 3
        return p["median"]

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Quantile function at probabilities ``u`` in (0, 1)."""
        u = np.asarray(u, dtype=float)
        if self.degenerate:
            return np.full(u.shape, self.centre)
        p = dict(self.params)
        if self.kind == "normal" and p["sd"] > 0:
            # what scipy's norm.ppf computes (``ndtri(u) * scale + loc``) without its argument
            # checks and masked copies, about four times faster; a test pins the two equal
            fast: np.ndarray = ndtri(u) * p["sd"] + p["mean"]  # scipy ships no types
            return fast
        values: np.ndarray = self._frozen().ppf(u)  # scipy ships no types
        return values

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` independent draws: the quantile function at ``n`` uniforms from ``rng``."""
        return self.ppf(check_probability(rng.random(n)))

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """Distribution function (used by tests)."""
        if self.degenerate:
            return (np.asarray(x) >= self.centre).astype(float)
        probs: np.ndarray = self._frozen().cdf(x)  # scipy ships no types
        return probs


#: Parameters of each kind, in the order a config lists them.
PARAMS = {
    "fixed": ("value",),
    "normal": ("mean", "sd"),
    "t": ("mean", "scale", "df"),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "lognormal": ("median", "log_sd"),
}


def marginal_to_dict(m: Marginal) -> dict[str, Any]:
    """The config form of a marginal."""
    out: dict[str, Any] = {"distribution": m.kind, **dict(m.params)}
    if m.source:
        out["source"] = m.source
    return out


def check_probability(u: np.ndarray) -> np.ndarray:
    """Clip uniforms away from 0 and 1 so that unbounded quantile functions stay finite."""
    if not np.isfinite(u).all():
        raise ConfigError("uniforms", "non-finite", "internal error in the sampler")
    tiny = np.finfo(float).eps
    # numpy's stubs type a clip of an array of unknown dtype as Any
    clipped: np.ndarray = np.clip(u, tiny, 1 - tiny)
    return clipped
