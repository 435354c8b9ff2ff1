"""Seeds: one independent stream per block of draws, derived from (entropy, block index) alone.

Block ``k`` draws from ``SeedSequence(entropy, spawn_key=(k,))``, which equals
``SeedSequence(entropy).spawn(n)[k]`` for any ``n > k``. The stream therefore does not depend on
which worker runs the block, in which order, how often it is retried, or how many blocks the run
has in total.
"""

from __future__ import annotations

from typing import cast

import numpy as np


def resolve_entropy(seed: int | None) -> int:
    """Return ``seed``, or fresh entropy from the operating system when ``seed`` is ``None``.

    Raises
    ------
    ValueError
        If ``seed`` is negative.
    """
    if seed is None:
        # drawn from the OS without an argument it is one int; the stub allows the other forms
        return int(cast("int", np.random.SeedSequence().entropy))
    if int(seed) < 0:
        raise ValueError(f"seed={seed}, but it must be >= 0")
    return int(seed)


def block_seed_sequence(entropy: int, block: int) -> np.random.SeedSequence:
    """The seed sequence of block ``block``."""
    if block < 0:
        raise ValueError(f"block={block}, but it must be >= 0")
    return np.random.SeedSequence(entropy, spawn_key=(block,))


def block_generator(entropy: int, block: int) -> np.random.Generator:
    """A fresh generator (PCG64) for block ``block``."""
    return np.random.Generator(np.random.PCG64(block_seed_sequence(entropy, block)))


def as_generator(
    rng: int | np.random.Generator | np.random.SeedSequence | None,
) -> np.random.Generator:
    """Normalise the ``rng`` argument of public functions that draw.

    Parameters
    ----------
    rng : int, Generator, SeedSequence or None
        A generator is used as is; an int or seed sequence seeds a new PCG64 generator;
        ``None`` takes fresh entropy from the operating system.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (int, np.integer, np.random.SeedSequence)):
        return np.random.default_rng(rng)
    raise TypeError(
        f"rng={rng!r}, but it must be an int, numpy.random.Generator, SeedSequence or None"
    )
