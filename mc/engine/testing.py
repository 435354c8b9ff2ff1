"""Helpers for fault-injection tests and demonstrations of the engine."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Slowed:
    """A model that takes at least ``seconds`` per block and otherwise is ``model`` unchanged.

    Useful to keep blocks in flight long enough to kill a worker or the client mid-run; the
    draws are exactly those of ``model``.
    """

    model: Any
    seconds: float

    @property
    def coords(self) -> Any:
        """The wrapped model's coordinates."""
        return self.model.coords

    @property
    def dims(self) -> Any:
        """The wrapped model's dimensions."""
        return self.model.dims

    def simulate(self, rng: np.random.Generator, n: int, **options: Any) -> dict[str, np.ndarray]:
        """The wrapped model's draws, after a pause."""
        time.sleep(self.seconds)
        draws: dict[str, np.ndarray] = self.model.simulate(rng, n, **options)
        return draws
