"""Municipalities reconciled to national paths drawn elsewhere (a component national draw).

The kernels under test read the ratios each year of a national path implies and run the same
municipal step as the Hamilton-Perry kernel; the books must balance cell by cell and the numba
kernel must agree with the NumPy reference.
"""

import numpy as np
import pytest

from mc.kernels.cohort import project_numba as cohort_numba
from mc.kernels.cohort import project_numpy as cohort_numpy
from mc.kernels.projection import (
    MunicipalInputs,
    _municipal_year_numpy,
    advance,
    implied_ratios,
    reconcile_to_paths_numba,
    reconcile_to_paths_numpy,
)
from tests.kernels.test_cohort import inputs as cohort_inputs

A = 106
R = 5  # municipalities
G = 4  # excess groups
SINGLE = np.arange(A)  # report single ages (both sexes): the groups are the cells summed by sex


def municipal_inputs(
    empty_cohort: bool = False, persistence: float = 0.0
) -> tuple[np.ndarray, MunicipalInputs]:
    """Five municipalities of different sizes and excesses; the nation is their sum."""
    rng = np.random.default_rng(11)
    local = rng.uniform(50.0, 400.0, (R, 2, A)) * np.array([1, 3, 10, 0.2, 5])[:, None, None]
    if empty_cohort:  # no one aged 60 anywhere: next year's 61-year-olds are migrants only
        local[:, :, 60] = 0.0
    m = MunicipalInputs(
        start=local,
        excess=rng.normal(0.0, 0.05, (R, G)),
        group_of_age=np.minimum(SINGLE // 30, G - 1).astype(np.int64),
        total_sd=np.full(R, 0.02),
        pool=np.sort(rng.standard_normal(50)),
        group_sd=np.full((R, G), 0.03),
        persistence=persistence,
    )
    return local.sum(axis=0), m


def national_paths(start: np.ndarray, n: int, horizon: int) -> np.ndarray:
    """Paths ``(n, H, 2, A)``: the start advanced with noisy ratios near one, plus migrants."""
    rng = np.random.default_rng(3)
    paths = np.empty((n, horizon, 2, A))
    for d in range(n):
        now = start
        for h in range(horizon):
            ccr = rng.uniform(0.97, 1.02, (2, A))
            ccr[:, 0] = rng.uniform(0.02, 0.03, 2)
            now = advance(now, ccr) + rng.uniform(0.0, 5.0, (2, A))  # never empty a year on
            paths[d, h] = now
    return paths


def test_implied_ratios_invert_advance():
    start, _ = municipal_inputs()
    after = national_paths(start, 1, 1)[0, 0]
    np.testing.assert_allclose(advance(start, implied_ratios(start, after)), after, rtol=1e-13)


def test_an_empty_denominator_gives_zero_not_nan():
    start, _ = municipal_inputs(empty_cohort=True)
    after = national_paths(start, 1, 1)[0, 0]
    ccr = implied_ratios(start, after)
    assert np.isfinite(ccr).all()
    assert (ccr[:, 61] == 0).all() and (after[:, 61] > 0).all()


@pytest.mark.parametrize("empty_cohort", [False, True])
def test_municipalities_add_up_to_the_nation_in_every_cell(empty_cohort):
    start, m = municipal_inputs(empty_cohort)
    after = national_paths(start, 1, 1)[0, 0]
    local = _municipal_year_numpy(
        np.random.default_rng(1), m.start, implied_ratios(start, after), after, m
    )
    # sex x single age: exact up to the rounding of a share times the national cell
    np.testing.assert_allclose(local.sum(axis=0), after, rtol=1e-12)
    assert local.min() >= 0
    if empty_cohort:  # the migrants into the empty cohort are shared out by municipal size
        share = local[:, :, 61] / after[:, 61]
        np.testing.assert_allclose(share[:, 0], share[:, 1], rtol=1e-12)
        assert (share > 0).all()


@pytest.mark.parametrize("persistence", [0.0, 0.4])
@pytest.mark.parametrize("empty_cohort", [False, True])
@pytest.mark.parametrize("horizon", [1, 3])
def test_numba_matches_numpy(empty_cohort, horizon, persistence):
    start, m = municipal_inputs(empty_cohort, persistence)
    paths = national_paths(start, 4, horizon)
    lo = np.concatenate([[0], SINGLE])  # total, then every single age
    hi = np.concatenate([[A - 1], SINGLE])
    a, b = np.random.default_rng(9), np.random.default_rng(9)
    slow = reconcile_to_paths_numpy(a, start, paths, lo, hi, m)
    fast = reconcile_to_paths_numba(b, start, paths, lo, hi, m)
    assert a.bit_generator.state == b.bit_generator.state  # the same use of the stream
    assert fast.shape == (4, 1 + R, horizon, 1 + A)
    # the same stream and arithmetic; sums run in another order (numpy's pairwise sums)
    np.testing.assert_allclose(fast, slow, rtol=1e-12)
    # region 0 is the path itself, and the municipalities add up to it at every single age
    np.testing.assert_allclose(fast[:, 0, :, 1:], paths.sum(axis=2), rtol=1e-12)
    np.testing.assert_allclose(fast[:, 1:].sum(axis=1), fast[:, 0], rtol=1e-12)
    assert fast.min() >= 0


def test_persistence_widens_later_years_only():
    """A level kept for the path: year 1 as wide as without it, year 3 as ``3 + 6 p`` says.

    Only the municipality shock is on (no excess, no age-group shock) and the nation does not
    move, so municipality 3's (the smallest, 1 % of the people: reconciliation barely pulls it)
    log share after ``h`` years is nearly its summed shocks, whose variance is ``h`` times a
    year's plus ``h (h - 1) p`` times it for pairs of years correlated ``p``: at ``h`` = 3 and
    ``p`` = 0.5, 6 against 3 (sd ratio 1.41). With 4,000 draws an sd is known to about
    ``1 / sqrt(2 * 4000)`` = 1.1 %, so a ratio of two independent ones to 1.6 %; the bounds
    below are about four of those.
    """
    start, m = municipal_inputs()
    m = m._replace(excess=np.zeros((R, G)), group_sd=np.zeros((R, G)))
    n = 4000
    paths = np.broadcast_to(start, (n, 3, 2, A)).copy()  # births and deaths ignored: ratio 1
    lo, hi = np.array([0]), np.array([A - 1])
    spread = {}
    for p in (0.0, 0.5):
        out = reconcile_to_paths_numba(
            np.random.default_rng(21), start, paths, lo, hi, m._replace(persistence=p)
        )
        share = np.log(out[:, 4, :, 0] / out[:, 0, :, 0])  # (n, H)
        spread[p] = share.std(axis=0)
    ratio = spread[0.5] / spread[0.0]
    assert abs(ratio[0] - 1.0) < 0.07
    assert abs(ratio[2] - np.sqrt(6 / 3)) < 0.09


def test_the_municipalities_follow_the_paths_shape_not_their_own():
    """With no excess and no noise every municipality keeps its share of each cohort."""
    start, m = municipal_inputs()
    quiet = m._replace(excess=np.zeros((R, G)), total_sd=np.zeros(R), group_sd=np.zeros((R, G)))
    paths = national_paths(start, 1, 1)
    lo, hi = np.array([0]), np.array([A - 1])
    out = reconcile_to_paths_numba(np.random.default_rng(0), start, paths, lo, hi, quiet)
    # the nation grows by the path; each municipality by the same ratios cohort by cohort
    expected = advance(m.start, implied_ratios(start, paths[0, 0])[None]).sum(axis=(1, 2))
    np.testing.assert_allclose(out[0, 1:, 0, 0], expected, rtol=1e-12)


@pytest.mark.parametrize("kernel", [cohort_numpy, cohort_numba], ids=["numpy", "numba"])
def test_cohort_cells_are_the_reported_groups_and_leave_the_stream_alone(kernel):
    x = cohort_inputs(horizon=3)
    plain = kernel(np.random.default_rng(4), 5, x)
    cells = np.full((5, 3, 2, A), np.nan)
    with_cells = kernel(np.random.default_rng(4), 5, x, cells)
    for a, b in zip(plain, with_cells, strict=True):
        np.testing.assert_array_equal(a, b)
    both = cells.sum(axis=2)  # (n, H, A)
    groups = np.stack(
        [both[..., lo : hi + 1].sum(axis=-1) for lo, hi in zip(x.out_lo, x.out_hi, strict=True)]
    )
    np.testing.assert_allclose(np.moveaxis(groups, 0, -1), plain[0][:, 0], rtol=1e-12)


def test_cohort_cells_agree_between_kernels():
    x = cohort_inputs(horizon=2)
    slow, fast = np.empty((6, 2, 2, A)), np.empty((6, 2, 2, A))
    cohort_numpy(np.random.default_rng(8), 6, x, slow)
    cohort_numba(np.random.default_rng(8), 6, x, fast)
    # as the cohort kernels' own test: exp and sums in another order move the last bits
    np.testing.assert_allclose(fast, slow, rtol=1e-10, atol=1e-6)
