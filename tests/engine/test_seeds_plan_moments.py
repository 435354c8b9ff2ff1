import numpy as np
import pytest

from mc.engine import BlockPlan, Moments
from mc.engine.moments import merge_all
from mc.errors import ConfigError
from mc.sampling import as_generator, block_generator, block_seed_sequence, resolve_entropy


def test_block_stream_equals_spawned_child():
    children = np.random.SeedSequence(12345).spawn(6)
    for k in (0, 3, 5):
        a = block_generator(12345, k).standard_normal(4)
        b = np.random.default_rng(children[k]).standard_normal(4)
        np.testing.assert_array_equal(a, b)
    assert block_seed_sequence(1, 0).spawn_key == (0,)


def test_blocks_and_seeds_differ():
    a = block_generator(1, 0).standard_normal(8)
    assert not np.array_equal(a, block_generator(1, 1).standard_normal(8))
    assert not np.array_equal(a, block_generator(2, 0).standard_normal(8))


def test_entropy_and_rng_normalisation():
    assert resolve_entropy(42) == 42
    assert resolve_entropy(None) != resolve_entropy(None)
    with pytest.raises(ValueError, match="seed=-1"):
        resolve_entropy(-1)
    g = np.random.default_rng(1)
    assert as_generator(g) is g
    assert as_generator(5).random() == np.random.default_rng(5).random()
    with pytest.raises(TypeError, match="rng='x'"):
        as_generator("x")


def test_plan():
    plan = BlockPlan(100_000, 25_000)
    assert plan.n_blocks == 4
    with pytest.raises(ConfigError, match="multiple of block_size=30000") as info:
        BlockPlan(100_000, 30_000)
    assert "draws=90000" in str(info.value)
    with pytest.raises(ConfigError, match="must not exceed"):
        BlockPlan(10, 20)
    with pytest.raises(ConfigError, match="whole number"):
        BlockPlan(0, 1)


def test_moments_merge_matches_direct(rng):
    x = rng.normal(3.0, 2.0, size=(1000, 3))
    parts = [Moments.of(x[i : i + 250]) for i in range(0, 1000, 250)]
    merged = merge_all(parts)
    direct = Moments.of(x)
    assert merged.count == 1000
    np.testing.assert_allclose(merged.mean, x.mean(axis=0), rtol=1e-13)
    np.testing.assert_allclose(merged.sd, x.std(axis=0, ddof=1), rtol=1e-12)
    np.testing.assert_array_equal(merged.min, direct.min)
    np.testing.assert_array_equal(merged.max, direct.max)


def test_compiled_moments_match_numpy(rng):
    from mc.kernels.moments import column_moments, column_moments_numpy

    x = rng.normal(1e9, 3e8, size=(5000, 7))  # large offset: the two-pass sum stays accurate
    for fast, ref in zip(column_moments(x), column_moments_numpy(x), strict=True):
        np.testing.assert_allclose(fast, ref, rtol=1e-11)


def test_non_finite_draws_are_flagged():
    x = np.ones((10, 2))
    assert Moments.of(x).finite
    x[3, 1] = np.inf
    assert not Moments.of(x).finite
    x[3, 1] = np.nan
    assert not Moments.of(x).finite
