"""What every engine benchmark records about one :func:`mc.engine.simulate` run."""

from __future__ import annotations

from typing import Any


def run_facts(result: Any, workers: int, share_key: str = "outside_blocks_share") -> dict[str, Any]:
    """Draws, blocks, wall time, throughput and the share of wall time spent outside blocks.

    ``result`` is a :class:`mc.engine.SimulationResult`; the share is
    ``1 - sum(block_seconds) / (wall_seconds * workers)`` and is stored under ``share_key``.
    """
    plan, wall = result.plan, result.wall_seconds
    in_blocks = sum(result.block_seconds)
    return {
        "workers": workers,
        "draws": plan.draws,
        "block_size": plan.block_size,
        "blocks": plan.n_blocks,
        "wall_seconds": wall,
        "draws_per_second": plan.draws / wall,
        "block_seconds": result.block_seconds,
        "sum_block_seconds": in_blocks,
        share_key: 1.0 - in_blocks / (wall * workers),
    }
