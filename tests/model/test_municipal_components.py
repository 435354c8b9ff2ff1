"""Municipal runs reconciled to the component projection of the nation
(``population.national_model: components``)."""

from __future__ import annotations

import numpy as np
import pytest

from mc.data.components import read_components
from mc.engine import BlockPlan, SchedulerSpec, simulate
from mc.errors import ConfigError
from mc.model.component_costs import component_model
from mc.model.components import ComponentModel
from mc.model.config import Config, NationalModel, load_config
from mc.model.demographic import config_population
from mc.model.municipal import build_municipal_model
from mc.workflow.components import forecast_components
from tests.conftest import CONFIGS
from tests.engine.test_reproducibility import assert_identical

ENTROPY = 20250101
PLAN = BlockPlan(120, 40)  # three blocks: enough to see the streams cross block borders


def municipal_config(data_dir, national_model: str | None) -> Config:
    """The shipped municipal configuration with the national model given (or left out)."""
    raw = load_config(CONFIGS / "municipalities-2025.yaml").to_dict()
    raw["population"]["data"] = str(data_dir)
    raw["population"].pop("national_model", None)
    if national_model is not None:
        raw["population"]["national_model"] = national_model
    return Config.from_dict(raw, CONFIGS)


def national_component_config(data_dir) -> Config:
    """configs/tbu-2025.yaml with ``population.kind: components`` on the same data folder.

    TBU's view beside the model's and the population drivers a projection already carries are
    left out, as the configuration checks require of a component population.
    """
    raw = load_config(CONFIGS / "tbu-2025.yaml").to_dict()
    raw.pop("model_view", None)
    profile = raw["population"]["immigrant_profile"]
    raw["population"] = {"kind": "components", "data": str(data_dir), "immigrant_profile": profile}
    for key in ("births", "deaths", "regular_net_immigration"):
        raw["uncertainty"].pop(key, None)
    return Config.from_dict(raw, CONFIGS)


@pytest.fixture(scope="module")
def model(data_dir):
    return build_municipal_model(municipal_config(data_dir, "components"))


def draw(model, seed: int, n: int, backend: str = "numba") -> np.ndarray:
    """Populations ``(n, 1 + R, H, G)`` as :meth:`MunicipalCostModel.simulate` draws them."""
    rng = np.random.default_rng(seed)
    projection_rng, _ = rng.spawn(2)
    return model.populations(rng, projection_rng, n, backend)


# -- configuration ------------------------------------------------------------------------------


def test_ratios_is_the_default_and_components_is_read(data_dir, model):
    assert municipal_config(data_dir, None).population.national_model is NationalModel.RATIOS
    assert build_municipal_model(municipal_config(data_dir, "ratios")).national is None
    assert isinstance(model.national, ComponentModel)
    assert model.national.fit.origin == model.projection.fit.origin == 2024


def test_the_key_round_trips(data_dir):
    config = municipal_config(data_dir, "components")
    written = config.to_dict()["population"]
    assert written["national_model"] == "components"
    again = Config.from_dict(config.to_dict(), CONFIGS)
    assert again.population.national_model is NationalModel.COMPONENTS


def test_an_unknown_model_names_field_value_and_choices(data_dir):
    with pytest.raises(ConfigError) as info:
        municipal_config(data_dir, "lee-carter")
    text = str(info.value)
    assert "population.national_model" in text and "lee-carter" in text
    assert "'ratios'" in text and "'components'" in text


def test_a_national_run_refuses_the_key(data_dir):
    raw = national_component_config(data_dir).to_dict()
    assert "national_model" not in raw["population"]  # not written where it does not apply
    raw["population"]["national_model"] = "components"
    with pytest.raises(ConfigError, match=r"population\.national_model.*only a municipal run"):
        Config.from_dict(raw, CONFIGS)


def test_shipped_municipal_config_reconciles_to_components():
    config = load_config(CONFIGS / "municipalities-2025.yaml")
    assert config.population.national_model is NationalModel.COMPONENTS


# -- the draws ----------------------------------------------------------------------------------


def test_municipalities_add_up_to_the_national_draw_and_stay_non_negative(model):
    population = draw(model, 1, 30)
    # each reported group (and the total) of the municipalities sums to the nation's; the kernel
    # test checks every sex x single-age cell
    np.testing.assert_allclose(population[:, 1:].sum(axis=1), population[:, 0], rtol=1e-12)
    assert population.min() >= 0


def test_national_draw_is_the_national_component_runs_draw_for_draw(data_dir, model):
    config = national_component_config(data_dir)
    national = component_model(config, config_population(config))
    # both read the generator they are given first and alike: same seed, same national paths
    expected = national.simulate(np.random.default_rng(5), 40)["population"][:, 0, :, 0]
    drawn = draw(model, 5, 40)
    # the nation, and the municipalities summed, against the national run's total; only the
    # order of the sums differs (rounding at ~1e-16 of 5.6 million)
    np.testing.assert_allclose(drawn[:, 0, :, 0], expected, rtol=1e-12)
    np.testing.assert_allclose(drawn[:, 1:, :, 0].sum(axis=1), expected, rtol=1e-12)


def test_a_municipal_run_through_the_engine_matches_the_population_forecast(data_dir, model):
    """Block by block the engine gives both runs the same streams: draw i agrees exactly."""
    sim = simulate(model, PLAN, ENTROPY, SchedulerSpec("sync"))
    residents = sim.gathered()["municipal_population"]  # (blocks, draws, R, H)
    national = config_population(municipal_config(data_dir, "components"))
    history = read_components(data_dir)
    _, _, reference = forecast_components(
        national, history, 2024, 1, draws=PLAN.draws, block_size=PLAN.block_size, entropy=ENTROPY
    )
    total = reference.gathered()["population"][..., 0, :, 0]  # (blocks, draws, H)
    np.testing.assert_allclose(residents.sum(axis=2), total, rtol=1e-12)


def test_numba_matches_numpy(model):
    fast, slow = draw(model, 2, 2), draw(model, 2, 2, backend="numpy")
    # component kernels agree to 1e-10 (their own test); the municipal step adds sums in
    # another order on top
    np.testing.assert_allclose(fast, slow, rtol=1e-9, atol=1e-6)


def test_threads_give_the_same_bits_as_sync(model):
    reference = simulate(model, PLAN, ENTROPY, SchedulerSpec("sync"))
    assert_identical(reference, simulate(model, PLAN, ENTROPY, SchedulerSpec("threads", workers=2)))


def test_point_estimates_are_on_the_component_central_path(model):
    point = model.point_estimates()
    central = ComponentModel(model.national.fit.quiet(), 1).simulate(np.random.default_rng(0), 1)
    np.testing.assert_allclose(
        point["municipal_population"].sum(axis=0), central["population"][0, 0, :, 0], rtol=1e-12
    )


def test_the_component_draw_differs_from_the_ratios_draw(data_dir, model):
    """The key changes the national draw (so the tests above do not pass on the old path)."""
    ratios = build_municipal_model(municipal_config(data_dir, "ratios"))
    assert not np.allclose(draw(model, 1, 5)[:, 0], draw(ratios, 1, 5)[:, 0])
