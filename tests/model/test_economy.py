"""The sector's economy: identities in every draw, degenerate runs, agreement, config errors."""

import copy
import dataclasses
import warnings

import numpy as np
import pytest
import yaml

from mc.data.economy_facts import ndr_history
from mc.errors import ConfigError
from mc.kernels.economy import OUTPUTS, EconomyInputs, accounts_numba, accounts_numpy
from mc.model.config import Config
from mc.model.economy import (
    EconomyModel,
    economy_inputs,
    fit_ndr_regime,
    ndr_backtest,
)
from mc.model.economy_spec import ECONOMY_OUTPUTS
from mc.sampling.marginals import Marginal
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
    for name in ECONOMY_OUTPUTS:
        assert model.dims[name] == ("scenario", "year")


def test_identities_hold_in_every_draw(model, config_2025):
    out = model.simulate(np.random.default_rng(5), 2000)
    plan = dict(config_2025.economy.plan)[2025]
    demo = out["demographic_cost_free_bn"]  # 2024-kroner; the rooms count it in 2025-kroner
    np.testing.assert_allclose(
        out["handlingsrom_ex_ante_bn"],
        plan.real_growth_free_revenues_bn - demo * (1 + plan.deflator_pct / 100) - plan.pension_bn,
        rtol=0,
        atol=1e-9,
    )
    np.testing.assert_allclose(
        out["realised_room_bn"],
        out["real_growth_free_revenues_bn"]
        - demo * (1 + out["deflator_pct"] / 100)
        - plan.pension_bn,
        rtol=0,
        atol=1e-9,
    )
    # the sector's result is the revenue-weighted mean of the levels in every draw
    w = config_2025.economy.levels.county_share
    np.testing.assert_allclose(
        out["net_operating_result_pct"],
        (1 - w) * out["net_operating_result_municipalities_pct"]
        + w * out["net_operating_result_counties_pct"],
        rtol=0,
        atol=1e-9,
    )
    # scenarios differ only through demographic costs: deflator and taxes are common draws
    np.testing.assert_array_equal(out["deflator_pct"][:, 0], out["deflator_pct"][:, 1])
    assert np.isfinite(np.concatenate([out[n].ravel() for n in ECONOMY_OUTPUTS])).all()


def hand_inputs(**changes):
    """One planned year from a base year: free revenues 500, taxes 250, revenues 700 bn."""
    x = dict(
        deflator_b=np.array([4.0]),
        tax_growth_b=np.array([5.0]),
        real_growth_plan=np.array([6.0]),
        pension=np.array([0.5]),
        demographic_b=np.array([3.0]),
        demographic_lag=np.array([1]),
        free_revenues0=500.0,
        taxes0=250.0,
        revenues0=700.0,
        ndr0=2.0,
        mu=3.0,
        phi=0.5,
        debt_share=0.4,
        surprise_centre=np.zeros(3),
    )
    x.update(changes)
    return EconomyInputs(**x)


@pytest.mark.parametrize("kernel", [accounts_numpy, accounts_numba])
def test_both_rooms_on_a_hand_example(kernel):
    # Demography 3.0 bn in last year's kroner; plan: real growth 6.0, pension 0.5, deflator 4 %.
    # Ex ante (the budget's room): 6.0 - 3.0 x 1.04 - 0.5 = 2.38, whatever the surprises.
    # A deflator surprise of +1 pp and a tax surprise of +2 bn: free revenues are
    # 500 x 1.04 + 6.0 + 2.0 = 528.0, real growth 528.0 - 500 x 1.05 = 3.0, and what the surprises
    # left is 3.0 - 3.0 x 1.05 - 0.5 = -0.65. TBU's way, demography in last year's kroner
    # subtracted from this year's real growth, would say 6.0 - 3.0 - 0.5 = 2.5 ex ante.
    x = hand_inputs()
    surprises = np.array([[[1.0, 2.0, 0.0]]])
    demo = np.full((1, 1, 1), 3.0)
    out = kernel(x, surprises, np.zeros((1, 1)), demo, demo)
    ex_ante = out[0, 0, 0, OUTPUTS.index("handlingsrom_ex_ante_bn")]
    realised = out[0, 0, 0, OUTPUTS.index("realised_room_bn")]
    assert out[0, 0, 0, OUTPUTS.index("real_growth_free_revenues_bn")] == pytest.approx(3.0)
    assert ex_ante == pytest.approx(2.38)
    assert realised == pytest.approx(-0.65)
    # no surprise: the realised room is the ex-ante room
    calm = kernel(x, np.zeros((1, 1, 3)), np.zeros((1, 1)), demo, demo)
    assert calm[0, 0, 0, OUTPUTS.index("realised_room_bn")] == pytest.approx(2.38)
    # shock: +2 bn of taxes, -1 pp on 500 bn of free revenues, and demography dearer by the
    # surprise (3.0 x 1.05 - 3.0 x 1.04 = 0.03 bn); revenues 700 x 1.05 + 3.0 = 738.0
    assert out[0, 0, 0, OUTPUTS.index("net_operating_result_pct")] == pytest.approx(
        3 + 0.5 * (2 - 3) + 100 * (2 - 5 - 0.03) / 738.0
    )


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


def test_degenerate_distributions_reproduce_the_point_estimates(config_2025):
    fitted = build_cost_model(config_2025)
    fixed = tuple(Marginal("fixed", (("value", m.centre),)) for m in fitted.marginals)
    levels = dataclasses.replace(config_2025.economy.levels, difference_sd_pct=0.0)
    spec = dataclasses.replace(config_2025.economy, levels=levels)
    model = dataclasses.replace(fitted, spec=spec, residual_sd=0.0, marginals=fixed)
    point = point_estimates(config_2025, model)
    out = model.simulate(np.random.default_rng(1), 50)
    for name in ECONOMY_OUTPUTS:
        # the demographic costs stay random: compare where the economy does not depend on them
        if name in ("handlingsrom_ex_ante_bn", "realised_room_bn") or "operating" in name:
            continue
        np.testing.assert_allclose(
            out[name],
            np.broadcast_to(point[name], out[name].shape),
            rtol=1e-13,
            atol=1e-12,
            err_msg=name,
        )
    # at the record's expected surprises the deflator is the budget's plus the bias
    plan = dict(spec.plan)[2025]
    assert point["deflator_pct"][0, 0] == pytest.approx(plan.deflator_pct + fixed[0].centre)


def test_numba_equals_numpy(model):
    rng = np.random.default_rng(3)
    x = economy_inputs(model.spec)
    surprises = rng.normal(size=(40, 2, 3))
    residual = rng.normal(size=(40, 2))
    demo = rng.normal(3.6, 1, size=(40, 3, 2))
    a = accounts_numba(x, surprises, residual, demo, demo * 1.2)
    b = accounts_numpy(x, surprises, residual, demo, demo * 1.2)
    np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.parametrize("name", ["tbu-2025.yaml", "tbu-2025-autumn.yaml"])
def test_ndr_parameters_in_the_config_come_from_the_post_2014_regime(data_dir, name):
    from mc.model.config import load_config
    from mc.model.config.top import LateInputWarning

    series = ndr_history(data_dir / "facts")
    assert series.index.min() == 1990 and series.index.max() == 2023
    fit = fit_ndr_regime(series, 2022)  # 2023's final figure was published after either as_of
    assert fit["pairs"] == 8
    with warnings.catch_warnings():  # the autumn config keeps one late row, flagged
        warnings.simplefilter("ignore", LateInputWarning)
        e = load_config(CONFIGS / name).economy
    assert e.ndr_equilibrium_pct == pytest.approx(fit["mu"], abs=0.005)
    assert e.ndr_persistence == pytest.approx(fit["phi"], abs=0.005)
    assert e.ndr_sd_pct == pytest.approx(fit["sd_pct"], abs=0.005)
    assert e.ndr_df == fit["df"]
    # a short regime widens: the predictive spread is above the residual's
    assert fit["sd_pct"] > fit["sd"]


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
            [[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]],
            "economy.dependence.spearman",
            "positive semi-definite",
        ),
        (
            ("dependence", "spearman"),
            [[1, 1.2, 0], [1.2, 1, 0], [0, 0, 1]],
            "economy.dependence.spearman[deflator_surprise_pp][tax_surprise_bn]",
            "[-1, 1]",
        ),
        (("dependence", "method"), "vine", "economy.dependence.method", "must be one of"),
        (
            ("surprises", "interest_surprise_pp", "sd"),
            -1,
            "economy.surprises.interest_surprise_pp.sd",
            "must be in [0, inf]",
        ),
        (("net_operating_result", "df"), 2, "economy.net_operating_result.df", "(2, inf]"),
        (
            ("net_operating_result", "levels", "county_share"),
            1.4,
            "economy.net_operating_result.levels.county_share",
            "must be in [0, 1]",
        ),
        (("plan", 2025), None, "economy.plan.2025", "the plan needs every year"),
        (
            ("plan", 2025, "demographic_price_year"),
            2026,
            "economy.plan.2025.demographic_price_year",
            "a year from the base year",
        ),
    ],
)
def test_bad_economy_sections(path, value, field, rule):
    data = inline_tables(raw())
    data["economy"] = copy.deepcopy(
        yaml.safe_load((CONFIGS / "tables" / "economy-2024-03.yaml").read_text())
    )
    data["economy"]["surprises"]["table"] = "tables/forecast-errors.yaml"
    node = data["economy"]
    for key in path[:-1]:
        node = node[key]
    if value is None:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    with pytest.raises(ConfigError) as info, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        Config.from_dict(data, base_dir=CONFIGS)
    assert info.value.field == field
    assert rule in str(info.value)


def test_bad_exceedance():
    data = inline_tables(raw())
    data["exceedance"] = [{"variable": "happiness", "threshold": 1, "direction": "below"}]
    with pytest.raises(ConfigError, match=r"exceedance\[0\]\.variable"):
        Config.from_dict(data, base_dir=CONFIGS)


def test_set_reaches_a_plan_year_and_moves_the_ex_ante_room(config_2025):
    # YAML reads plan years as whole numbers; --set names them as text. Before the fix the change
    # went to a second key "2025" and was silently lost.
    from mc.model.config import load_config

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        changed = load_config(CONFIGS / "tbu-2025.yaml", sets=["economy.plan.2025.pension_bn=0.3"])
    assert dict(changed.economy.plan)[2025].pension_bn == 0.3
    base = build_cost_model(config_2025).point_estimates
    demographic = point_estimates(config_2025, build_cost_model(config_2025))
    before = base(demographic)["handlingsrom_ex_ante_bn"]
    after = build_cost_model(changed).point_estimates(demographic)["handlingsrom_ex_ante_bn"]
    np.testing.assert_allclose(before - after, 0.3, atol=1e-12)


#: Budget surveys giving each combination of levels (percent), beside the shipped one.
SURVEYS = {
    "shipped": None,
    "none": {},
    "municipalities": {"municipalities_pct": -0.4},
    "both levels": {"municipalities_pct": -0.4, "counties_pct": 2.4},
    "sector": {"sector_pct": 0.3},
    "sector and counties": {"sector_pct": 0.3, "counties_pct": 2.4},
    "sector and municipalities": {"sector_pct": 0.3, "municipalities_pct": -0.4},
}


@pytest.mark.parametrize("every_year", [False, True])
@pytest.mark.parametrize("survey", list(SURVEYS))
def test_fused_report_equals_the_numpy_steps(model, survey, every_year):
    # the compiled pass must give the reference's numbers to the bit, for every combination of
    # levels a budget survey may give (the shipped config gives the counties'), without one,
    # and for every planned year
    assert model.spec.budget_survey is not None
    if survey != "shipped":
        levels = {"sector_pct": None, "municipalities_pct": None, "counties_pct": None}
        given = dataclasses.replace(model.spec.budget_survey, **{**levels, **SURVEYS[survey]})
        spec = dataclasses.replace(model.spec, budget_survey=given if SURVEYS[survey] else None)
        model = EconomyModel(
            model.demographic, spec, model.residual_sd, model.years, survey_gap=model.survey_gap
        )
    rng = np.random.default_rng(8)
    # more draws than one chunk of the compiled path, and not a multiple of it
    n, scenarios, years = 9_001, len(model.coords["scenario"]), len(model.spec.years)
    x = economy_inputs(model.spec, model.marginals)
    paths = (
        rng.normal(size=(n, years, 3)),
        rng.normal(size=(n, years)),
        rng.normal(3.6, 1.0, size=(n, scenarios, years)),
        rng.normal(4.5, 1.0, size=(n, scenarios, years)),
    )
    accounts = accounts_numba(x, *paths)
    delta = model._difference(rng.standard_t(4.0, size=(n, years)))
    gap = rng.normal(size=n) if model.spec.budget_survey is not None else None
    fast = model._report_fused(x, paths, delta, gap, every_year)
    conditioned, moved = accounts, delta
    if gap is not None:
        conditioned, moved = model._condition(accounts.copy(), delta, gap)
    slow = model._report(conditioned, model._levels(conditioned, moved), every_year)
    assert list(fast) == list(slow)
    for name in slow:
        assert fast[name].flags.c_contiguous, name
        np.testing.assert_array_equal(fast[name], slow[name], err_msg=name)


@pytest.mark.parametrize(("share", "level"), [(1.0, "counties_pct"), (0.0, "municipalities_pct")])
def test_both_report_paths_refuse_a_survey_level_they_cannot_divide_by(model, share, level):
    levels = {"sector_pct": 0.3, "municipalities_pct": None, "counties_pct": None, level: 1.0}
    spec = dataclasses.replace(
        model.spec,
        budget_survey=dataclasses.replace(model.spec.budget_survey, **levels),
        levels=dataclasses.replace(model.spec.levels, county_share=share),
    )
    model = EconomyModel(
        model.demographic, spec, model.residual_sd, model.years, survey_gap=model.survey_gap
    )
    n, years = 10, len(spec.years)
    accounts = np.zeros((n, len(model.coords["scenario"]), years, len(OUTPUTS)))
    delta, gap = model._difference(np.zeros((n, years))), np.zeros(n)
    x = economy_inputs(model.spec, model.marginals)
    paths = (np.zeros((n, years, 3)), np.zeros((n, years)), accounts[..., 0], accounts[..., 0])
    with pytest.raises(ConfigError, match="county_share"):
        model._report_fused(x, paths, delta, gap, False)
    with pytest.raises(ConfigError, match="county_share"):
        model._condition(accounts, delta, gap)
