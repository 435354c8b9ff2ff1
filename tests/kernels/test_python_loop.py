"""The plain-Python per-draw loop against the NumPy reference: same numbers, same stream use."""

from __future__ import annotations

import numpy as np
import pytest

from mc.kernels import SPREAD_CODES, simulate_costs_numpy
from mc.kernels.python_loop import simulate_costs_python, spread_value_py
from mc.kernels.spreads import spread_values
from mc.model.demographic import build_model

SEED = 20240321
N_DRAWS = 200
# Both evaluate the same formulas in float64 but sum in different orders (matrix products and
# broadcasting against scalar loops); the differences are a few ulps of sums of ~1e9-kroner terms.
RTOL = 1e-10


@pytest.fixture(scope="module")
def inputs(config_2025):
    return build_model(config_2025).inputs


@pytest.mark.parametrize("kind", sorted(SPREAD_CODES.values()))
def test_python_loop_matches_numpy_and_consumes_same_stream(inputs, kind):
    x = inputs._replace(spread_kind=kind)
    rng_py = np.random.default_rng(SEED)
    rng_np = np.random.default_rng(SEED)

    got = simulate_costs_python(rng_py, N_DRAWS, x)
    want = simulate_costs_numpy(rng_np, N_DRAWS, x)

    for name, g, w in zip(("sector_cost", "growth", "extra"), got, want, strict=True):
        assert g.shape == w.shape, name
        np.testing.assert_allclose(g, w, rtol=RTOL, err_msg=name)
    assert rng_py.bit_generator.state == rng_np.bit_generator.state


@pytest.mark.parametrize("kind", sorted(SPREAD_CODES.values()))
def test_spread_value_py_matches_vectorised(kind):
    z = np.linspace(-5.0, 5.0, 41)
    got = np.array([spread_value_py(kind, 3.0, float(v)) for v in z])
    # erfc (here) and scipy's ndtr (there) round differently in the far tails.
    np.testing.assert_allclose(got, spread_values(kind, 3.0, z), rtol=1e-12, atol=1e-12)


def test_zero_draws_give_empty_arrays(inputs):
    sector_cost, growth, extra = simulate_costs_python(np.random.default_rng(SEED), 0, inputs)
    n_scen, n_sect = inputs.extra_levels.size, inputs.unit_costs.shape[0]
    assert sector_cost.shape == (0, n_scen, n_sect)
    assert growth.shape == extra.shape == (0, n_scen)


def test_projected_national_model_runs_in_all_three_backends(data_dir):
    """The national model on the stochastic projection, as the benchmark times it."""
    from mc.model.config import load_config
    from mc.model.demographic import config_population
    from tests.conftest import CONFIGS

    config = load_config(CONFIGS / "tbu-2025-projection.yaml")
    model = build_model(config, config_population(config))
    runs = {
        b: model.simulate(np.random.default_rng(SEED), 20, b) for b in ("numba", "numpy", "python")
    }
    for backend in ("numpy", "python"):
        for name, want in runs["numba"].items():
            np.testing.assert_allclose(runs[backend][name], want, rtol=RTOL, err_msg=name)
    with pytest.raises(ValueError, match="'python' without latent normals"):
        from mc.kernels.demography import simulate_costs

        simulate_costs(None, 1, model.costs.inputs, "python", latent=np.zeros((1, 1)))
