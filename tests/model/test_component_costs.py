"""Demographic costs on the cohort-component projection (``population.kind: components``)."""

from __future__ import annotations

import numpy as np
import pytest

from mc.data.components import read_components
from mc.engine import BlockPlan, SchedulerSpec, simulate
from mc.errors import ConfigError
from mc.model.component_costs import ComponentCostModel, central_path, component_fit
from mc.model.config import Config, load_config
from mc.model.demographic import build_model, deterministic_outputs
from mc.workflow.components import forecast_components
from tests.conftest import CONFIGS

ENTROPY = 20240601
PLAN = BlockPlan(2_000, 1_000)


def component_config(data_dir, **population) -> Config:
    """tbu-2025-projection with its population switched to the component projection."""
    raw = load_config(CONFIGS / "tbu-2025-projection.yaml").to_dict()
    profile = raw["population"]["immigrant_profile"]
    raw["population"] = {"kind": "components", "data": str(data_dir), **population}
    raw["population"]["immigrant_profile"] = profile
    return Config.from_dict(raw, CONFIGS)


@pytest.fixture(scope="module")
def config(data_dir):
    return component_config(data_dir)


@pytest.fixture(scope="module")
def model(config):
    return build_model(config)


def test_the_kind_builds_a_component_cost_model(config, model):
    assert isinstance(model, ComponentCostModel)
    assert config.component_origin() == 2024  # the year before the cost year by default
    assert model.coords["year"] == [2025]


def test_population_change_is_forecast_components_draw_for_draw(config, model, population):
    # the projection reads the block's own stream, so the same entropy and block size give
    # the same population paths as the population forecast
    sim = simulate(model, PLAN, ENTROPY, SchedulerSpec("sync"))
    history = read_components(config.component_data())
    _, _, reference = forecast_components(
        population, history, 2024, 1, draws=PLAN.draws, block_size=PLAN.block_size, entropy=ENTROPY
    )
    drawn = reference.gathered()["population"]  # (blocks, draws, region, year, group)
    expected = drawn[..., 0, 0, 0].reshape(-1) - population.at(2024).sum()  # total on 1.1.2025
    growth = sim.gathered()["population_growth"]  # (blocks, draws, scenario, year)
    growth = growth.reshape(-1, *growth.shape[2:])
    zero = config.scenario_names.index("projection")  # no extra immigration
    np.testing.assert_allclose(growth[:, zero, 0], expected, rtol=0, atol=1e-6)
    # the scenarios add their extra immigrants on top of the same paths
    plus = config.scenario_names.index("plus8000")
    np.testing.assert_allclose(growth[:, plus, 0] - growth[:, zero, 0], 8000.0, atol=1e-6)


def test_central_path_accounts_exactly(config, population):
    fit = component_fit(config, population)
    path = central_path(fit, 3)
    np.testing.assert_allclose(
        path.change, path.ageing + path.births - path.deaths + path.migration, atol=1e-6
    )
    assert path.deaths.sum(axis=1).min() > 30_000  # Norway has had 40-46k deaths a year
    assert (path.births[:, 1:] == 0).all()


def test_point_estimates_follow_the_central_path(config, population):
    point = deterministic_outputs(config, population)
    fit = component_fit(config, population)
    growth = central_path(fit, 1).change.sum()
    zero = config.scenario_names.index("projection")
    assert point["population_growth"][zero, 0] == pytest.approx(growth, abs=1e-6)


def test_origin_must_precede_the_cost_year(data_dir):
    with pytest.raises(ConfigError, match="origin"):
        component_config(data_dir, origin=2025)


@pytest.mark.parametrize("years", [1, 3])
def test_stack_years_equals_numpy_stack(years):
    # one year takes a view instead of the stack's copy: the arrays must not change
    from mc.model.demographic import VARIABLE_DIMS, stack_years

    rng = np.random.default_rng(4)
    per_year = [
        {
            name: rng.normal(size=(5, 3, 4) if "sector" in dims else (5, 3))
            for name, dims in VARIABLE_DIMS.items()
        }
        for _ in range(years)
    ]
    out = stack_years(per_year)
    assert list(out) == list(VARIABLE_DIMS)
    for name, dims in VARIABLE_DIMS.items():
        expected = np.stack([o[name] for o in per_year], axis=-2 if "sector" in dims else -1)
        assert out[name].flags.c_contiguous, name
        np.testing.assert_array_equal(out[name], expected, err_msg=name)
        assert out[name].shape == expected.shape, name
