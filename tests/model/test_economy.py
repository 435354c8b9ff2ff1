"""The sector's economy: identities in every draw, degenerate runs, agreement, config errors."""

import copy

import numpy as np
import pytest
import yaml

from mc.data.economy_facts import ndr_history
from mc.errors import ConfigError
from mc.kernels.economy import OUTPUTS, accounts_numba, accounts_numpy
from mc.model.config import Config
from mc.model.economy import EconomyModel, economy_inputs, fit_ndr, ndr_backtest
from mc.workflow.build import build_cost_model, point_estimates
from tests.conftest import CONFIGS
from tests.model.test_config import inline_tables, raw


@pytest.fixture(scope="module")
def model(config_2025):
    return build_cost_model(config_2025)


def test_economy_model_wraps_the_demographic_model(model, config_2025):
    assert isinstance(model, EconomyModel)
    assert model.years == (2025,)
    assert model.spec.years == (2024, 2025)
    assert 0 < model.residual_sd < config_2025.economy.ndr_sd_pct
    for name in OUTPUTS:
        assert model.dims[name] == ("scenario", "year")


def test_identities_hold_in_every_draw(model, config_2025):
    out = model.simulate(np.random.default_rng(5), 2000)
    plan = dict(config_2025.economy.plan)[2025]
    np.testing.assert_allclose(
        out["handlingsrom_bn"],
        out["real_growth_free_revenues_bn"] - out["demographic_cost_free_bn"] - plan.pension_bn,
        rtol=0,
        atol=1e-9,
    )
    # scenarios differ only through demographic costs: deflator and taxes are common draws
    np.testing.assert_array_equal(out["deflator_pct"][:, 0], out["deflator_pct"][:, 1])
    assert np.isfinite(np.concatenate([out[n].ravel() for n in OUTPUTS])).all()


def test_real_growth_identity_across_years(data_dir):
    from mc.model.config import load_config

    config = load_config(CONFIGS / "tbu-2030.yaml")
    model = build_cost_model(config)
    out = model.simulate(np.random.default_rng(2), 300)
    fi, rg, d = (
        out[k] for k in ("free_revenues_bn", "real_growth_free_revenues_bn", "deflator_pct")
    )
    np.testing.assert_allclose(
        rg[..., 1:], fi[..., 1:] - fi[..., :-1] * (1 + d[..., 1:] / 100), rtol=0, atol=1e-9
    )
    nominal = out["nominal_growth_free_revenues_pct"]
    np.testing.assert_allclose(nominal[..., 1:], 100 * (fi[..., 1:] / fi[..., :-1] - 1), rtol=1e-10)
    assert model.years == tuple(range(2025, 2031))


def degenerate_config():
    data = inline_tables(raw())
    data["economy"] = yaml.safe_load((CONFIGS / "tables" / "economy.yaml").read_text())
    for driver in data["economy"]["drivers"].values():
        for key in list(driver):
            if key != "source":
                del driver[key]
        driver["distribution"] = "fixed"
        driver["value"] = 0.0
    data["economy"]["net_operating_result"]["sd_pct"] = 0.0
    data["uncertainty"] = {}
    return Config.from_dict(data, base_dir=CONFIGS)


def test_degenerate_distributions_reproduce_the_point_estimates():
    config = degenerate_config()
    model = build_cost_model(config)
    assert model.residual_sd == 0.0
    point = point_estimates(config, model)
    out = model.simulate(np.random.default_rng(1), 50)
    for name in (*OUTPUTS, "demographic_cost_free_bn"):
        np.testing.assert_allclose(
            out[name],
            np.broadcast_to(point[name], out[name].shape),
            rtol=1e-13,
            atol=1e-12,
            err_msg=name,
        )
    # no surprises: real growth is the plan, and the deflator the budget's
    assert point["real_growth_free_revenues_bn"][0, 0] == pytest.approx(6.4, abs=1e-9)
    assert point["deflator_pct"][0, 0] == pytest.approx(4.1)


def test_numba_equals_numpy(model):
    rng = np.random.default_rng(3)
    x = economy_inputs(model.spec)
    surprises = rng.normal(size=(40, 2, 4))
    residual = rng.normal(size=(40, 2))
    demo = rng.normal(3.6, 1, size=(40, 3, 2))
    a = accounts_numba(x, surprises, residual, demo, demo * 1.2)
    b = accounts_numpy(x, surprises, residual, demo, demo * 1.2)
    np.testing.assert_allclose(a, b, rtol=1e-12)


def test_ndr_parameters_in_the_config_come_from_history(data_dir, config_2025):
    series = ndr_history(data_dir / "facts")
    assert series.index.min() == 1990 and series.index.max() == 2023
    mu, phi, sd = fit_ndr(series)
    e = config_2025.economy
    assert e.ndr_equilibrium_pct == pytest.approx(mu, abs=0.005)
    assert e.ndr_persistence == pytest.approx(phi, abs=0.005)
    assert e.ndr_sd_pct == pytest.approx(sd, abs=0.005)


def test_ndr_backtest(data_dir):
    result = ndr_backtest(ndr_history(data_dir / "facts"), 2000, 2023)
    assert len(result) == 24
    covered = result[["in_50", "in_80", "in_90"]].sum()
    # docs/economy.md ("Backtest") cites 0.46 / 0.75 / 0.96 of 24 years; the fit has no draws, so
    # the counts are exact, and a change that moves them must update the docs too
    assert covered.to_dict() == {"in_50": 11, "in_80": 18, "in_90": 23}


@pytest.mark.parametrize(
    ("path", "value", "field", "rule"),
    [
        (
            ("dependence", "spearman"),
            [[1, 0.9, -0.9, 0], [0.9, 1, 0.9, 0], [-0.9, 0.9, 1, 0], [0, 0, 0, 1]],
            "economy.dependence.spearman",
            "positive semi-definite",
        ),
        (
            ("dependence", "spearman"),
            [[1, 1.2, 0, 0], [1.2, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]],
            "economy.dependence.spearman[wage_surprise_pp][price_surprise_pp]",
            "[-1, 1]",
        ),
        (("dependence", "method"), "vine", "economy.dependence.method", "must be one of"),
        (
            ("drivers", "tax_surprise_pct", "sd"),
            -1,
            "economy.drivers.tax_surprise_pct.sd",
            "must be in [0, inf]",
        ),
        (
            ("drivers", "wage_surprise_pp", "df"),
            1,
            "economy.drivers.wage_surprise_pp.df",
            "must be in (2, inf]",
        ),
        (("deflator_wage_weight",), 1.4, "economy.deflator_wage_weight", "must be in [0, 1]"),
        (("plan", 2025), None, "economy.plan.2025", "the plan needs every year"),
    ],
)
def test_bad_economy_sections(path, value, field, rule):
    data = inline_tables(raw())
    data["economy"] = copy.deepcopy(
        yaml.safe_load((CONFIGS / "tables" / "economy.yaml").read_text())
    )
    node = data["economy"]
    for key in path[:-1]:
        node = node[key]
    if value is None:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    with pytest.raises(ConfigError) as info:
        Config.from_dict(data, base_dir=CONFIGS)
    assert info.value.field == field
    assert rule in str(info.value)


def test_bad_exceedance():
    data = inline_tables(raw())
    data["exceedance"] = [{"variable": "happiness", "threshold": 1, "direction": "below"}]
    with pytest.raises(ConfigError, match=r"exceedance\[0\]\.variable"):
        Config.from_dict(data, base_dir=CONFIGS)
