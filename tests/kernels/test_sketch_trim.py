"""Histograms trimmed to their non-empty bins (how checkpoints store them) and expanded back."""

import numpy as np
import pytest

from mc.kernels.sketch import expand_counts, trim_counts


@pytest.mark.parametrize("dtype", [np.uint16, np.uint32, np.int64])
def test_trim_and_expand_give_back_the_counts(dtype):
    rng = np.random.default_rng(0)
    counts = np.zeros((6, 12), dtype=dtype)
    counts[1, 3:7] = rng.integers(1, 9, 4)  # a run inside
    counts[1, 5] = 0  # an empty bin inside the run stays
    counts[2, 0] = 4  # first bin only (the underflow bin)
    counts[3, 11] = 2  # last bin only (the overflow bin)
    counts[4] = rng.integers(1, 9, 12)  # every bin
    # row 0 and row 5 stay empty
    first, used, data = trim_counts(counts)
    np.testing.assert_array_equal(used, [0, 4, 1, 1, 12, 0])
    np.testing.assert_array_equal(first[1:5], [3, 0, 11, 0])
    assert data.dtype == dtype and data.size == used.sum()
    back = expand_counts(first, used, data, counts.shape[1])
    assert back.dtype == dtype
    np.testing.assert_array_equal(back, counts)


def test_trimmed_histograms_are_small_where_the_grid_is_wide():
    rng = np.random.default_rng(1)
    lo, hi = 300, 700  # draws fill a fifth of a 2,002-bin grid, as pilot grids leave them
    counts = np.zeros((50, 2002), dtype=np.uint16)
    for row in counts:
        np.add.at(row, rng.integers(lo, hi, 500), 1)
    first, used, data = trim_counts(counts)
    assert data.nbytes < counts.nbytes / 4
    np.testing.assert_array_equal(expand_counts(first, used, data, 2002), counts)


def test_damaged_parts_are_refused():
    counts = np.zeros((3, 10), dtype=np.uint16)
    counts[:, 4:6] = 1
    first, used, data = trim_counts(counts)
    with pytest.raises(ValueError, match="do not fit a width of 5 bins"):
        expand_counts(first, used, data, 5)  # bins 4-5 do not exist in 5 bins
    with pytest.raises(ValueError, match="do not fit"):
        expand_counts(first, used, data[:-1], 10)  # a count missing
