"""How the draws of a run are cut into blocks."""

from __future__ import annotations

from dataclasses import dataclass

from mc.errors import ConfigError


@dataclass(frozen=True)
class BlockPlan:
    """``n_blocks`` blocks of ``block_size`` draws each.

    All blocks have the same size so that they can serve as ArviZ chains; ``draws`` must
    therefore be a multiple of ``block_size``. Growing ``draws`` appends blocks and leaves the
    earlier ones unchanged.
    """

    draws: int
    block_size: int

    def __post_init__(self) -> None:
        if isinstance(self.draws, bool) or int(self.draws) != self.draws or self.draws < 1:
            raise ConfigError("draws", self.draws, "must be a whole number >= 1")
        if (
            isinstance(self.block_size, bool)
            or int(self.block_size) != self.block_size
            or self.block_size < 1
        ):
            raise ConfigError("block_size", self.block_size, "must be a whole number >= 1")
        if self.block_size > self.draws:
            raise ConfigError("block_size", self.block_size, f"must not exceed draws={self.draws}")
        if self.draws % self.block_size:
            lower = self.draws - self.draws % self.block_size
            raise ConfigError(
                "draws",
                self.draws,
                f"must be a multiple of block_size={self.block_size} (blocks are ArviZ chains of "
                f"equal length); use e.g. draws={lower or self.block_size} or "
                f"{lower + self.block_size}, or another block size",
            )

    @property
    def n_blocks(self) -> int:
        """Number of blocks."""
        return self.draws // self.block_size
