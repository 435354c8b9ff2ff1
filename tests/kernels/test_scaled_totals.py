"""The compiled scaled totals add in NumPy's order: the same numbers to the bit."""

import numpy as np
import pytest

from mc.kernels.totals import MAX_WIDTH, scaled_totals, scaled_totals_numpy


@pytest.mark.parametrize("width", [*range(1, 20), 24, 31, 64, 127, MAX_WIDTH, MAX_WIDTH + 1, 300])
def test_scaled_totals_equal_numpy(width):
    rng = np.random.default_rng(width)
    # magnitudes spread over 16 decades: any other order of the adds would round differently
    x = rng.normal(size=(2_000, width)) * 10.0 ** rng.integers(-8, 8, size=(2_000, width))
    fast = scaled_totals(x, 1e9)
    slow = scaled_totals_numpy(x, 1e9)
    for a, b in zip(fast, slow, strict=True):
        assert a.shape == b.shape
        np.testing.assert_array_equal(a, b)


def test_scaled_totals_keep_leading_axes_and_negative_zero():
    x = np.full((4, 3, 8), -0.0)
    x[0, 1] = np.arange(8.0)
    scaled, totals = scaled_totals(x, 1e9)
    ref_scaled, ref_totals = scaled_totals_numpy(x, 1e9)
    assert totals.shape == (4, 3)
    np.testing.assert_array_equal(scaled, ref_scaled)
    np.testing.assert_array_equal(totals, ref_totals)
    np.testing.assert_array_equal(np.signbit(totals), np.signbit(ref_totals))  # -0.0 sums to 0.0
