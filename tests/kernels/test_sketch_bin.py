"""The NumPy reference of the histogram binning agrees with the compiled one, count for count."""

import numpy as np
import pytest

from mc.kernels.sketch import bin_into, bin_into_numpy

# (lo, hi, bins) where the largest double below ``hi`` computes to position ``bins`` in floating
# point: it belongs in the last bin, not the overflow bin (found by search; see the test's name)
ROUNDS_UP = (-4.834723644714709, 3.2998460448960127, 13)


def edge_values(lo: np.ndarray, hi: np.ndarray, bins: int) -> np.ndarray:
    """Each cell's bin edges and the doubles either side of them, ``(3 * (bins + 1), cells)``."""
    edges = lo + (hi - lo) * np.linspace(0.0, 1.0, bins + 1)[:, None]
    return np.concatenate([np.nextafter(edges, -np.inf), edges, np.nextafter(edges, np.inf)])


@pytest.mark.parametrize("bins", [1, 7, 64])
@pytest.mark.parametrize("cells", [1, 5])
@pytest.mark.parametrize("kind", ["normal", "edges", "infinite"])
def test_numpy_twin_counts_like_numba(bins, cells, kind):
    rng = np.random.default_rng(20261202)
    lo = rng.uniform(-2.0, 0.0, cells)
    hi = lo + rng.uniform(0.5, 3.0, cells)
    if kind == "normal":  # spreads past both ends of every grid: under- and overflow are used
        values = rng.normal(0.0, 2.0, (5_000, cells))
    elif kind == "edges":
        values = edge_values(lo, hi, bins)
    else:
        values = np.tile([-np.inf, np.inf, 0.0], (cells, 1)).T.copy()
    compiled = np.zeros((cells, bins + 2), dtype=np.int64)
    reference = np.zeros_like(compiled)
    bin_into(values, lo, hi, compiled)
    bin_into_numpy(values, lo, hi, reference)
    np.testing.assert_array_equal(reference, compiled)
    assert compiled.sum() == values.size  # nothing lost or counted twice


def test_value_just_below_hi_that_rounds_to_bins_goes_in_the_last_bin():
    lo, hi, bins = ROUNDS_UP
    value = np.nextafter(hi, -np.inf)
    assert np.floor((value - lo) / (hi - lo) * bins) == bins  # the case is still the case
    for binning in (bin_into, bin_into_numpy):
        counts = np.zeros((1, bins + 2), dtype=np.int64)
        binning(np.array([[value]]), np.array([lo]), np.array([hi]), counts)
        assert counts[0, bins] == 1, binning.__name__


@pytest.mark.parametrize("cells", [1, 3, 24])
@pytest.mark.parametrize("kind", ["normal", "edges", "heavy"])
def test_fused_moments_and_bins_equal_the_separate_kernels(cells, kind):
    # the streamed reducer's one-pass kernel must give the same bits as column_moments and
    # bin_into (each of which is checked against NumPy elsewhere): same sums in the same order
    from mc.kernels.moments import column_moments
    from mc.kernels.sketch import moments_and_bins

    rng = np.random.default_rng(cells)
    lo = rng.uniform(-2.0, 0.0, cells)
    hi = lo + rng.uniform(0.5, 3.0, cells)
    if kind == "normal":
        values = rng.normal(0.0, 2.0, (20_001, cells))
    elif kind == "edges":
        values = edge_values(lo, hi, 64)
    else:  # long sums of very unequal terms: any reordering of the sum would show in the bits
        values = rng.standard_t(1.5, (50_000, cells)) * 1e6
    fused = np.zeros((cells, 66), dtype=np.uint32)
    separate = np.zeros_like(fused)
    got = moments_and_bins(values, lo, hi, fused)
    bin_into(values, lo, hi, separate)
    np.testing.assert_array_equal(fused, separate)
    for a, b in zip(got, column_moments(values), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("direction", ["above", "below"])
@pytest.mark.parametrize("shape", [(60,), (200, 3, 2)])
def test_count_beyond_equals_its_numpy_twin(direction, shape):
    from mc.kernels.sketch import count_beyond, count_beyond_numpy

    rng = np.random.default_rng(7)
    values = rng.normal(1.0, 1.0, shape).round(1)  # rounded: many draws equal the threshold
    values.flat[::17] = np.nan  # a NaN is beyond no threshold in either
    compiled = count_beyond(values, 1.0, direction)
    reference = count_beyond_numpy(values, 1.0, direction)
    assert compiled.dtype == reference.dtype == np.int64
    assert compiled.shape == reference.shape == shape[1:]
    np.testing.assert_array_equal(compiled, reference)
    assert (values == 1.0).any()  # the strict comparison is exercised
