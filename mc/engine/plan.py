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


#: A block chosen for the user is at least this fraction of the configured block size: the
#: configured size is what the config's author measured to be worth a Dask task (>= ~100 ms of
#: work), so a much smaller one would let the per-task overhead grow.
SMALLEST_SHARE = 4
#: Block sizes tried before giving up (keeps the search instant for any draw count).
_SEARCH_LIMIT = 1_000_000


@dataclass(frozen=True)
class PlanChoice:
    """A block plan and, when the block size was chosen rather than given, why."""

    plan: BlockPlan
    note: str | None = None


def plan_blocks(draws: int, block_size: int | None, configured: int) -> PlanChoice:
    """The block plan of a run of ``draws`` draws.

    An explicit ``block_size`` (from the command line or an API call) is used as given and any
    contradiction with ``draws`` is an error. Without one, the configured block size is only a
    preference: it is used when it divides ``draws``; a run smaller than one configured block
    is one block; otherwise the largest block size that divides ``draws`` and is between a
    :data:`SMALLEST_SHARE`-th of the configured size and the configured size is chosen, and
    the returned note says so. The draws asked for are never changed.

    Parameters
    ----------
    draws : int
        Draws asked for.
    block_size : int or None
        Block size asked for explicitly, or ``None``.
    configured : int
        The configuration's ``run.block_size``.

    Returns
    -------
    PlanChoice
        The plan and a one-line note when the block size differs from the configured one.

    Raises
    ------
    ConfigError
        If an explicit block size does not fit ``draws``, or no block size near the configured
        one divides ``draws`` (the message suggests draw counts that fit).

    Examples
    --------
    >>> plan_blocks(30_000, None, 25_000).plan
    BlockPlan(draws=30000, block_size=15000)
    >>> plan_blocks(10_000, None, 25_000).plan.n_blocks
    1
    """
    if block_size is not None:
        return PlanChoice(BlockPlan(draws, block_size))
    BlockPlan(configured, configured)  # the configured size itself must be a whole number >= 1
    BlockPlan(draws, 1)  # and so must the draws
    if draws % configured == 0:
        return PlanChoice(BlockPlan(draws, configured))
    if draws < configured:
        return PlanChoice(
            BlockPlan(draws, draws),
            f"block size {draws:,} (one block): {draws:,} draws are fewer than the "
            f"configured block_size of {configured:,}",
        )
    smallest = max(1, configured // SMALLEST_SHARE)
    for size in range(configured, max(smallest, configured - _SEARCH_LIMIT) - 1, -1):
        if draws % size == 0:
            plan = BlockPlan(draws, size)
            return PlanChoice(
                plan,
                f"block size {size:,} ({plan.n_blocks} blocks): {draws:,} draws are not a "
                f"multiple of the configured block_size of {configured:,}; give --block-size "
                "to choose another",
            )
    lower = draws - draws % configured
    raise ConfigError(
        "draws",
        draws,
        f"no block size between {smallest:,} and the configured {configured:,} divides it "
        f"(blocks are ArviZ chains of equal length); use e.g. draws={lower} or "
        f"{lower + configured}, or give a block size (--block-size)",
    )
