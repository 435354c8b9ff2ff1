"""Each driver has the distribution the config asks for.

Tolerances come from the Monte Carlo error: K_SIGMA standard errors of the statistic at N draws,
and Kolmogorov-Smirnov tests at level ALPHA. The seed is fixed, so the outcome is reproducible;
the tolerances say how surprising a failure would be under a correct sampler.
"""

import numpy as np
import pytest
from scipy import stats

from mc.kernels import SPREAD_CODES, KernelInputs, simulate_costs

N = 200_000
K_SIGMA = 5.0  # a correct sampler fails a 5-sigma check about once in 1.7 million
ALPHA = 1e-4  # KS level: a correct sampler fails once in 10,000
A = 106


def make_inputs(**changes):
    """One sector costing 1 kr per person of any age, one scenario, nothing uncertain."""
    base = dict(
        base_change=np.zeros((2, A)),
        births_sd=0.0,
        expected_deaths=np.zeros((2, A)),
        deaths_relative_sd=0.0,
        regular_profile=np.zeros((2, A)),
        regular_sd=0.0,
        extra_levels=np.array([0.0]),
        spread_kind=0,
        spread_scale=0.0,
        band_lo=np.array([0]),
        band_hi=np.array([0]),
        band_share=np.array([1.0]),
        profile_log_sd=0.0,
        unit_costs=np.ones((1, A)),
        sector_log_sd=0.0,
    )
    base.update(changes)
    return KernelInputs(**base)


def draw(inputs, backend="numba", seed=123):
    return simulate_costs(np.random.default_rng(seed), N, inputs, backend)


def check_mean(x, mean, sd):
    assert abs(x.mean() - mean) < K_SIGMA * sd / np.sqrt(x.size)


def check_variance(x, var, fourth_moment):
    se = np.sqrt((fourth_moment - var**2) / x.size)  # standard error of the sample variance
    assert abs(x.var() - var) < K_SIGMA * se


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_normal_spread(backend):
    _, _, extra = draw(
        make_inputs(
            spread_kind=SPREAD_CODES["normal"],
            spread_scale=8000.0,
            extra_levels=np.array([28000.0, 36000.0]),
        ),
        backend,
    )
    x = extra[:, 0]
    check_mean(x, 28000, 8000)
    check_variance(x, 8000**2, 3 * 8000**4)
    assert stats.kstest(x, stats.norm(28000, 8000).cdf).pvalue > ALPHA
    # scenarios share their random numbers: the gap is exactly the gap in levels
    np.testing.assert_allclose(extra[:, 1] - extra[:, 0], 8000.0, rtol=0, atol=1e-8)


@pytest.mark.parametrize(
    ("kind", "dist", "var", "fourth"),
    [
        ("uniform", stats.uniform(-3000, 6000), 3000**2 / 3, 3000**4 / 5),
        ("triangular", stats.triang(0.5, loc=-3000, scale=6000), 3000**2 / 6, 3000**4 / 15),
    ],
)
def test_bounded_spreads(kind, dist, var, fourth):
    _, _, extra = draw(make_inputs(spread_kind=SPREAD_CODES[kind], spread_scale=3000.0))
    x = extra[:, 0]
    assert np.abs(x).max() <= 3000.0
    check_mean(x, 0.0, np.sqrt(var))
    check_variance(x, var, fourth)
    assert stats.kstest(x, dist.cdf).pvalue > ALPHA


def test_births_deaths_and_regular_migration_move_growth():
    deaths = np.zeros((2, A))
    deaths[:, 85] = 20_000.0  # 40,000 expected deaths in all
    regular = np.zeros((2, A))
    regular[:, 25] = 0.5
    for changes, sd in (
        ({"births_sd": 1500.0}, 1500.0),
        ({"deaths_relative_sd": 0.02, "expected_deaths": deaths}, 0.02 * 40_000),
        ({"regular_sd": 7400.0, "regular_profile": regular}, 7400.0),
    ):
        _, growth, _ = draw(make_inputs(**changes))
        assert stats.kstest(growth[:, 0], stats.norm(0, sd).cdf).pvalue > ALPHA


def test_sector_factors_are_mean_one_lognormal():
    base = np.zeros((2, A))
    base[0, 40] = 1e9  # one sector, cost 1e9 kr before the factor
    sigma = 0.08
    cost, _, _ = draw(
        make_inputs(base_change=base, sector_log_sd=sigma, unit_costs=np.ones((2, A)))
    )
    factor = cost[:, 0, :] / 1e9
    for k in range(2):
        sd = np.sqrt(np.exp(sigma**2) - 1)
        check_mean(factor[:, k], 1.0, sd)
        assert (
            stats.kstest(np.log(factor[:, k]), stats.norm(-(sigma**2) / 2, sigma).cdf).pvalue
            > ALPHA
        )
    # the sectors' factors are independent
    r = np.corrcoef(np.log(factor.T))[0, 1]
    assert abs(r) < K_SIGMA / np.sqrt(N)


def test_profile_composition_is_logistic_normal():
    shares = np.array([0.5, 0.3, 0.2])
    lo, hi = np.array([0, 20, 70]), np.array([9, 39, 79])
    costs = np.zeros((3, A))  # sector j costs 1 kr per person in band j only
    for j in range(3):
        costs[j, lo[j] : hi[j] + 1] = 1.0
    tau = 0.2
    cost, _, _ = draw(
        make_inputs(
            extra_levels=np.array([1.0]),
            band_lo=lo,
            band_hi=hi,
            band_share=shares,
            profile_log_sd=tau,
            unit_costs=costs,
        )
    )
    w = cost[:, 0, :]
    np.testing.assert_allclose(w.sum(axis=1), 1.0, rtol=1e-12)  # a composition sums to one
    log_ratio = np.log(w[:, 0] / w[:, 1])
    # log(w_i / w_j) = log(p_i / p_j) + tau (z_i - z_j) exactly
    dist = stats.norm(np.log(shares[0] / shares[1]), tau * np.sqrt(2))
    assert stats.kstest(log_ratio, dist.cdf).pvalue > ALPHA
