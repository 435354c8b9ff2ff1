"""Choosing a block size when only the configuration suggests one; what a run will need."""

import pytest

from mc.engine import BlockPlan, plan_blocks
from mc.engine.plan import (
    GATHER_MEMORY_FACTOR,
    SMALLEST_SHARE,
    TRIMMED_SHARE,
    VALUE_BYTES,
    SizeEstimate,
    cells_per_draw,
    check_size,
    estimate_size,
    free_disk,
    memory_limit,
)
from mc.errors import ConfigError


@pytest.mark.parametrize(
    ("draws", "configured", "size"),
    [
        (100_000, 25_000, 25_000),  # fits: kept, no note
        (10_000, 25_000, 10_000),  # smaller than one block: one block
        (30_000, 25_000, 15_000),  # largest divisor not above the configured size
        (99_999, 25_000, 11_111),
        (1_000, 500, 500),
        (7, 1, 1),
    ],
)
def test_chosen_block_divides_the_draws(draws, configured, size):
    choice = plan_blocks(draws, None, configured)
    assert choice.plan == BlockPlan(draws, size)
    assert (choice.note is None) == (size == configured)
    assert size <= max(configured, 1) or choice.plan.n_blocks == 1
    assert size >= min(draws, configured // SMALLEST_SHARE)


def test_explicit_block_size_is_never_changed():
    assert plan_blocks(100_000, 20_000, 25_000).plan == BlockPlan(100_000, 20_000)
    with pytest.raises(ConfigError, match="multiple of block_size=25000"):
        plan_blocks(30_000, 25_000, 25_000)


def test_no_block_near_the_configured_size_names_draws_that_fit():
    # 100,003 is prime: only blocks of 1 or 100,003 draws would fit
    with pytest.raises(ConfigError, match="draws=100000 or 125000") as info:
        plan_blocks(100_003, None, 25_000)
    assert info.value.field == "draws" and info.value.value == 100_003


def test_huge_draw_counts_are_planned_instantly():
    # the search is bounded; the size check (not this function) refuses such runs
    assert plan_blocks(2**53, None, 25_000).plan.block_size == 2**14
    with pytest.raises(ConfigError, match="no block size between"):
        plan_blocks(2**53 - 111, None, 25_000)  # a prime: no divisor to find
    with pytest.raises(ConfigError, match="at most 2"):
        plan_blocks(10**30, None, 25_000)  # `run.draws: 1e30` in a config


def test_gathered_estimate_counts_every_draw_kept():
    estimate = estimate_size(BlockPlan(1_000, 500), cells=10)
    raw = 1_000 * 10 * VALUE_BYTES
    assert estimate.memory == GATHER_MEMORY_FACTOR * raw
    assert estimate.disk == 2 * raw  # checkpoints and draws.nc
    assert "1,000 draws" in estimate.basis


def test_streamed_estimate_grows_with_blocks_not_draws_per_block():
    small = estimate_size(BlockPlan(1_000, 500), cells=10, histogram_bins=98)
    more = estimate_size(BlockPlan(2_000, 500), cells=10, histogram_bins=98)
    assert more.disk == 2 * small.disk
    assert small.disk == round(2 * 10 * 100 * 2 * TRIMMED_SHARE)  # blocks, cells, counts, uint16


def test_check_size_names_the_estimate_the_limit_and_the_flag():
    estimate = SizeEstimate(memory=3_000_000_000, disk=2_000_000, basis="why")
    check_size(estimate, draws=5, memory=None, disk=None)  # nothing known: nothing refused
    check_size(estimate, draws=5, memory=4_000_000_000, disk=2_000_000)
    with pytest.raises(ConfigError) as info:
        check_size(estimate, draws=5, memory=2_000_000_000, disk=1_000_000, where="results/x")
    message = str(info.value)
    assert "3 GB of memory, more than the 2 GB here" in message
    assert "2 MB of disk, more than the 1 MB free at results/x" in message
    assert "--force-size" in message and info.value.field == "draws"


def test_cells_per_draw_sums_the_variables():
    dims = {"a": ("year",), "b": ("year", "sector"), "c": ()}
    assert cells_per_draw(dims, {"year": [1, 2], "sector": ["x", "y", "z"]}) == 2 + 6 + 1


def test_limits_are_read_from_this_machine(tmp_path):
    assert memory_limit() is None or memory_limit() > 0
    assert free_disk(tmp_path / "not" / "yet") == free_disk(tmp_path)
