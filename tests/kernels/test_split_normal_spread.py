"""The split-normal spread of extra net immigration: moments, stream use and agreement.

Tolerances are Monte Carlo errors: K_SIGMA standard errors of each statistic at N draws with a
fixed seed, so a correct sampler fails about once in 1.7 million runs.
"""

import math

import numpy as np
import pytest
from scipy import stats

from mc.kernels import SPREAD_CODES, KernelInputs, simulate_costs
from mc.kernels.python_loop import simulate_costs_python
from mc.kernels.spreads import split_normal_moments, spread_value, spread_values

N = 200_000
K_SIGMA = 5.0  # 5 standard errors: a correct sampler fails about once in 1.7 million
A = 106
LOW, HIGH = 5000.0, 12000.0  # a clearly skewed case (skewness about 0.6)


def make_inputs(**changes):
    """One sector costing 1 kr per person, one scenario at 28,000, only the level uncertain."""
    base = dict(
        base_change=np.zeros((2, A)),
        births_sd=0.0,
        expected_deaths=np.zeros((2, A)),
        deaths_relative_sd=0.0,
        regular_profile=np.zeros((2, A)),
        regular_sd=0.0,
        extra_levels=np.array([28000.0]),
        spread_kind=SPREAD_CODES["split_normal"],
        spread_scale=LOW,
        band_lo=np.array([0]),
        band_hi=np.array([0]),
        band_share=np.array([1.0]),
        profile_log_sd=0.0,
        unit_costs=np.ones((1, A)),
        sector_log_sd=0.0,
        spread_scale_high=HIGH,
    )
    base.update(changes)
    return KernelInputs(**base)


def test_moment_formulas_reduce_to_the_normal():
    mean, sd, skew = split_normal_moments(7000.0, 7000.0)
    assert (mean, skew) == (0.0, 0.0)
    assert sd == pytest.approx(7000.0)


def test_moment_formulas_match_numerical_integration():
    # the density is half-normal on each side of 0, each side carrying half the mass
    x = np.linspace(-12 * LOW, 12 * HIGH, 2_000_001)
    dens = np.where(x < 0, stats.norm.pdf(x, 0, LOW), stats.norm.pdf(x, 0, HIGH))
    mean = np.trapezoid(x * dens, x)
    var = np.trapezoid((x - mean) ** 2 * dens, x)
    skew = np.trapezoid((x - mean) ** 3 * dens, x) / var**1.5
    got = split_normal_moments(LOW, HIGH)
    np.testing.assert_allclose(got, (mean, math.sqrt(var), skew), rtol=1e-6)


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_sampled_mean_sd_skew_match_the_formulas(backend):
    _, _, extra = simulate_costs(np.random.default_rng(7), N, make_inputs(), backend)
    x = extra[:, 0] - 28000.0
    mean, sd, skew = split_normal_moments(LOW, HIGH)
    assert abs(x.mean() - mean) < K_SIGMA * sd / math.sqrt(N)
    # se of the sample sd ~ sd * sqrt((kurtosis - 1) / (4 N)); kurtosis below 4 here
    assert abs(x.std() - sd) < K_SIGMA * sd * math.sqrt(3 / (4 * N))
    # se of the sample skewness is about sqrt(6 / N) for near-normal shapes; doubled for the
    # heavier upper tail
    assert abs(stats.skew(x) - skew) < K_SIGMA * 2 * math.sqrt(6 / N)
    assert np.median(x) == pytest.approx(0.0, abs=K_SIGMA * 1.253 * sd / math.sqrt(N))


def test_backends_agree_and_consume_the_same_stream():
    x = make_inputs(extra_levels=np.array([28000.0, 36000.0]))
    out = {}
    states = {}
    for backend in ("numba", "numpy"):
        rng = np.random.default_rng(3)
        out[backend] = simulate_costs(rng, 1000, x, backend)
        states[backend] = rng.bit_generator.state
    rng = np.random.default_rng(3)
    out["python"] = simulate_costs_python(rng, 1000, x)
    states["python"] = rng.bit_generator.state
    for backend in ("numpy", "python"):
        for got, want in zip(out[backend], out["numba"], strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-12)
        assert states[backend] == states["numba"]


def test_scalar_and_vector_transforms_agree():
    z = np.linspace(-5.0, 5.0, 41)
    kind = SPREAD_CODES["split_normal"]
    got = np.array([spread_value.py_func(kind, LOW, float(v), HIGH) for v in z])
    np.testing.assert_array_equal(got, spread_values(kind, LOW, z, HIGH))
    assert (np.diff(got) > 0).all()  # monotone in the latent normal, as a copula needs
