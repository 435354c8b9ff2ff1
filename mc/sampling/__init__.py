"""Random streams and sampling designs (numpy only)."""

from mc.sampling.seeds import as_generator, block_generator, block_seed_sequence, resolve_entropy

__all__ = ["as_generator", "block_generator", "block_seed_sequence", "resolve_entropy"]
