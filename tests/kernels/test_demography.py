"""The numba kernel and the NumPy reference are the same function."""

import numpy as np
import pytest

from mc.kernels import (
    SPREAD_CODES,
    latent_width,
    simulate_costs,
    simulate_costs_numba,
    simulate_costs_numpy,
)
from mc.model.demographic import build_model, deterministic_outputs

RTOL = 1e-10  # same arithmetic, different summation order: agreement to rounding


@pytest.fixture(scope="module")
def inputs(config_2025):
    return build_model(config_2025).inputs


def generators(seed=7):
    return np.random.default_rng(seed), np.random.default_rng(seed)


@pytest.mark.parametrize("spread", list(SPREAD_CODES))
def test_numba_equals_numpy(inputs, spread):
    x = inputs._replace(spread_kind=SPREAD_CODES[spread], spread_scale=9000.0)
    a, b = generators()
    fast = simulate_costs_numba(a, 3000, x)
    ref = simulate_costs_numpy(b, 3000, x)
    for f, r in zip(fast, ref, strict=True):
        assert f.shape == r.shape
        np.testing.assert_allclose(f, r, rtol=RTOL, atol=1e-3)  # atol: 0.001 kr on costs near 0
    # both consumed exactly the same normals
    assert a.bit_generator.state == b.bit_generator.state


def test_consumption_is_one_latent_vector_per_draw(inputs):
    rng = np.random.default_rng(3)
    simulate_costs_numba(rng, 10, inputs)
    expected = np.random.default_rng(3)
    expected.standard_normal(10 * latent_width(inputs.band_share.size, inputs.unit_costs.shape[0]))
    assert rng.bit_generator.state == expected.bit_generator.state


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_first_draws_do_not_depend_on_block_length(inputs, backend):
    short = simulate_costs(np.random.default_rng(11), 50, inputs, backend)
    long = simulate_costs(np.random.default_rng(11), 500, inputs, backend)
    for s, lo in zip(short, long, strict=True):
        np.testing.assert_array_equal(s, lo[:50])


def test_without_uncertainty_every_draw_is_the_point_estimate(config_2025):
    from dataclasses import replace

    from mc.model.config import Uncertainty

    quiet = replace(config_2025, uncertainty=Uncertainty())
    model = build_model(quiet)
    draws = model.simulate(np.random.default_rng(1), 5)
    point = deterministic_outputs(quiet)
    for name, values in draws.items():
        np.testing.assert_allclose(values, np.broadcast_to(point[name], values.shape), rtol=1e-12)


def test_unknown_backend(inputs):
    with pytest.raises(ValueError, match="backend='cuda'"):
        simulate_costs(np.random.default_rng(), 1, inputs, "cuda")
