"""Choosing a block size when only the configuration suggests one."""

import pytest

from mc.engine import BlockPlan, plan_blocks
from mc.engine.plan import SMALLEST_SHARE
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
    assert plan_blocks(10**30, None, 25_000).plan.block_size == 25_000
    with pytest.raises(ConfigError):
        plan_blocks(2**61 - 1, None, 25_000)  # a Mersenne prime: no divisor to find
