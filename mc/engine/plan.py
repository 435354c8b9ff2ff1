"""How the draws of a run are cut into blocks, and whether the run fits the machine."""

from __future__ import annotations

import math
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mc.errors import ConfigError

#: Largest run: draw counts stay exact as float64 numbers (the moments use them so).
MAX_DRAWS = 2**53


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
        if self.draws > MAX_DRAWS:
            raise ConfigError("draws", self.draws, f"must be at most 2**53 = {MAX_DRAWS:,}")
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


#: Bytes of one gathered value (the draws are float64).
VALUE_BYTES = 8
#: Peak memory of a gathered run per byte of its draws: the merged draws, the DataTree's stacked
#: copy and the sort behind the exact quantiles. Measured with the 2025 model: 196 MB more peak
#: RSS for 175,000 more draws of 457 bytes each (2.45x), rounded up.
GATHER_MEMORY_FACTOR = 3
#: Share of a histogram block's whole counts that its trimmed checkpoint takes on disk: 1.28 MB of
#: 4.36 MB (29 %) for a block of 500 draws of configs/municipalities-2025.yaml, measured here; the
#: README's multi-year run: 7 of 26 MB. Larger blocks fill more bins, so this is a lower bound.
TRIMMED_SHARE = 0.3


@dataclass(frozen=True)
class SizeEstimate:
    """Memory and disk a run needs at its peak, in bytes, and how they were reckoned."""

    memory: int
    disk: int
    basis: str


def cells_per_draw(dims: dict[str, tuple[str, ...]], coords: dict[str, Any]) -> int:
    """Output values one draw produces: the sum over variables of their cell counts.

    Examples
    --------
    >>> cells_per_draw({"a": ("year",), "b": ("year", "sector")}, {"year": [1, 2], "sector": "xyz"})
    8
    """
    return sum(math.prod(len(coords[d]) for d in names) for names in dims.values())


def estimate_size(
    plan: BlockPlan, cells: int, *, histogram_bins: int | None = None, kept: int = 0
) -> SizeEstimate:
    """What a run of ``plan`` with ``cells`` output values per draw needs.

    Gathered (``histogram_bins`` is None): the client holds every draw, about
    :data:`GATHER_MEMORY_FACTOR` times over while summarising; the checkpoints hold every draw
    and ``draws.nc`` once more. Streamed: a block holds its own draws and histograms of
    ``histogram_bins + 2`` counts per cell; the merge tree keeps about ``log2(blocks) + 2``
    histogram sets; each block's checkpoint takes :data:`TRIMMED_SHARE` of its counts.

    Parameters
    ----------
    plan : BlockPlan
        Draws and block size.
    cells : int
        Values per draw (:func:`cells_per_draw`).
    histogram_bins : int, optional
        Bins per cell of a streamed run.
    kept : int
        Draws a streamed run also returns to the client for ``draws.nc`` (held, checkpointed
        and written as a gathered run's are).

    Returns
    -------
    SizeEstimate
    """
    draw_bytes = cells * VALUE_BYTES
    if histogram_bins is None:
        everything = plan.draws * draw_bytes
        return SizeEstimate(
            memory=GATHER_MEMORY_FACTOR * everything,
            disk=2 * everything,
            basis=f"{plan.draws:,} draws x {cells:,} values x {VALUE_BYTES} bytes, all kept",
        )
    count_bytes = 2 if plan.block_size < 2**16 else 4  # a block's counts: uint16 or uint32
    histograms = cells * (histogram_bins + 2)
    held = math.ceil(math.log2(plan.n_blocks)) + 2 if plan.n_blocks > 1 else 2
    basis = f"{plan.n_blocks:,} blocks x {cells:,} histograms of {histogram_bins + 2} counts"
    if kept:
        basis += f", and the first {kept:,} draws kept"
    return SizeEstimate(
        # each block's mean and sum of squares per cell stay with the merged summary (R-hat)
        memory=held * histograms * VALUE_BYTES
        + plan.block_size * draw_bytes
        + plan.n_blocks * 2 * draw_bytes
        + GATHER_MEMORY_FACTOR * kept * draw_bytes,
        disk=math.ceil(plan.n_blocks * histograms * count_bytes * TRIMMED_SHARE)
        + 2 * kept * draw_bytes,
        basis=basis,
    )


def memory_limit() -> int | None:
    """Physical memory of this machine, or the container's limit if lower (bytes)."""
    limits = []
    try:
        limits.append(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, OSError, ValueError):
        pass
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(path).read_text(encoding="ascii").strip()
        except OSError:
            continue
        if text.isdigit():
            limits.append(int(text))
    return min(limits) if limits else None


def free_disk(folder: str | Path) -> int:
    """Free bytes on the file system that ``folder`` (or its nearest existing parent) is on."""
    path = Path(folder).absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free


def check_size(
    estimate: SizeEstimate,
    *,
    draws: int,
    memory: int | None,
    disk: int | None,
    where: str | Path | None = None,
) -> None:
    """Refuse a run whose estimated size exceeds the memory or the free disk space.

    Parameters
    ----------
    estimate : SizeEstimate
        From :func:`estimate_size`.
    draws : int
        The run's draws (named in the message).
    memory, disk : int or None
        The limits in bytes (:func:`memory_limit`, :func:`free_disk`); ``None`` skips a check.
    where : str or Path, optional
        The output folder, named in the message about disk space.

    Raises
    ------
    ConfigError
        Naming the estimate, the limit and ``--force-size``, the flag that starts it anyway.
    """
    problems = []
    if memory is not None and estimate.memory > memory:
        problems.append(
            f"about {_size(estimate.memory)} of memory, more than the {_size(memory)} here"
        )
    if disk is not None and estimate.disk > disk:
        at = f" at {where}" if where is not None else ""
        problems.append(
            f"about {_size(estimate.disk)} of disk, more than the {_size(disk)} free{at}"
        )
    if problems:
        raise ConfigError(
            "draws",
            draws,
            f"the run would need {' and '.join(problems)} ({estimate.basis}); ask for fewer "
            "draws, or add --force-size to start it anyway",
        )


def _size(n: float) -> str:
    """Bytes in words: ``1.5 GB``.

    Examples
    --------
    >>> _size(1.5e9)
    '1.5 GB'
    """
    for unit in ("bytes", "kB", "MB", "GB", "TB", "PB"):
        if n < 1000 or unit == "PB":
            break
        n /= 1000
    return f"{n:,.0f} {unit}" if n >= 100 else f"{n:.3g} {unit}"
