"""One block of draws: a pure function of (model, entropy, block index, size)."""

from __future__ import annotations

import os
import time
from typing import Any, Protocol

import numpy as np

from mc.engine.checkpoint import load_block, save_block
from mc.engine.reduce import BlockSummary, Reducer
from mc.sampling import block_generator


class Model(Protocol):
    """What the engine needs from a model."""

    def simulate(self, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
        """Draw ``n`` outcomes; each array has the draw on axis 0."""
        ...


def run_block(
    model: Model,
    entropy: int,
    block: int,
    size: int,
    reducer: Reducer | None = None,
    checkpoint: str | None = None,
    **options: Any,
) -> BlockSummary:
    """Run block ``block`` of ``size`` draws from its own stream and summarise it.

    The stream comes from ``SeedSequence(entropy, spawn_key=(block,))``, so the result is the
    same on any worker, in any order and after any number of retries. With a ``checkpoint``
    folder, a block saved there earlier is loaded instead of recomputed, and a new one is saved
    as soon as it is done.

    Raises
    ------
    FloatingPointError
        If the model produced a NaN or infinite value (naming the variable), so that no
        non-finite number reaches a summary.
    """
    if checkpoint is not None and not os.path.isdir(checkpoint):
        checkpoint = None  # a worker that cannot see the client's folder computes, not saves
    if checkpoint is not None:
        saved = load_block(checkpoint, block)
        if saved is not None:
            return saved
    start = time.perf_counter()
    draws = model.simulate(block_generator(entropy, block), size, **options)
    summary = (reducer or Reducer()).summarize(block, draws, 0.0)
    for name, m in summary.moments.items():
        if not m.finite:
            raise FloatingPointError(
                f"block {block}: variable {name!r} has non-finite draws; check the inputs"
            )
    summary.seconds = [time.perf_counter() - start]
    if checkpoint is not None:
        save_block(checkpoint, summary)
    return summary
