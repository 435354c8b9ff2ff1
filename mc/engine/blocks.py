"""One block of draws: a pure function of (model, entropy, block index, size)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from mc.engine.moments import Moments
from mc.sampling import block_generator


class Model(Protocol):
    """What the engine needs from a model."""

    def simulate(self, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
        """Draw ``n`` outcomes; each array has the draw on axis 0."""
        ...


@dataclass(frozen=True)
class BlockResult:
    """Per-draw outputs and moments of one block."""

    block: int
    draws: dict[str, np.ndarray]
    moments: dict[str, Moments]
    seconds: float


def run_block(model: Model, entropy: int, block: int, size: int, **options: Any) -> BlockResult:
    """Run block ``block`` of ``size`` draws from its own stream.

    The stream comes from ``SeedSequence(entropy, spawn_key=(block,))``, so the result is the
    same on any worker, in any order and after any number of retries.

    Raises
    ------
    FloatingPointError
        If the model produced a NaN or infinite value (naming the variable), so that no
        non-finite number reaches a summary.
    """
    start = time.perf_counter()
    draws = model.simulate(block_generator(entropy, block), size, **options)
    moments = {name: Moments.of(values) for name, values in draws.items()}
    for name, m in moments.items():
        if not m.finite:
            raise FloatingPointError(
                f"block {block}: variable {name!r} has non-finite draws; check the inputs"
            )
    return BlockResult(block, draws, moments, time.perf_counter() - start)
