"""KS's budget survey in a configuration: validation, its date, and how it moves the bands."""

import dataclasses
import datetime as dt
import warnings

import numpy as np
import pytest
from scipy import stats

from mc.errors import ConfigError
from mc.model.config import Config
from mc.model.config.top import LateInputWarning
from mc.model.economy import EconomyModel, budget_gap_fit
from mc.model.economy_spec import LEVEL_OUTPUTS, BudgetSurvey
from mc.workflow.build import build_cost_model
from tests.conftest import CONFIGS
from tests.model.test_as_of import march

N = 40_000
YEAR0 = 0  # 2024, the survey's year, is the first planned year of the March config


def _config(survey):
    data = march()
    if survey is None:
        data["economy"]["net_operating_result"].pop("budget_survey", None)
    else:
        data["economy"]["net_operating_result"]["budget_survey"] = survey
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LateInputWarning)
        return Config.from_dict(data, base_dir=CONFIGS)


def _survey(**changes):
    base = {
        "year": 2024,
        "counties_pct": 2.4,
        "published": "2024-03-31",
        "source": "KS budget survey 2024",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


@pytest.fixture(scope="module")
def without():
    return build_cost_model(_config(None))


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"counties_pct": None}, "budget_survey.sector_pct", "at least one of"),
        (
            {"sector_pct": 1.0, "municipalities_pct": 0.0},
            "budget_survey.sector_pct",
            "at most two",
        ),
        ({"year": 2031}, "budget_survey.year", "a planned year, 2024-2025"),
        ({"counties_pct": 80}, "budget_survey.counties_pct", "50"),
        ({"published": "soon"}, "budget_survey.published", "date"),
        ({"source": " "}, "budget_survey.source", "not empty"),
        ({"typo_pct": 1.0}, "budget_survey", "typo_pct"),
    ],
)
def test_a_bad_survey_names_its_field_value_and_rule(changes, field, rule):
    with pytest.raises(ConfigError) as err:
        _config(_survey(**changes))
    assert field in err.value.field or field in str(err.value)
    assert rule in str(err.value)


def test_a_survey_published_after_as_of_is_refused():
    data = march(flag_late_inputs=False)
    for section in ("accounts", "net_operating_result"):  # the flagged rows, made early
        data["economy"][section]["published"] = "2024-03-01"
    for sector in data["unit_costs"]["sectors"].values():
        sector["published"] = "2024-03-01"
    data["economy"]["net_operating_result"]["budget_survey"] = _survey(published="2024-04-02")
    with pytest.raises(ConfigError) as err:
        Config.from_dict(data, base_dir=CONFIGS)
    assert err.value.field == "economy.net_operating_result.budget_survey.published"
    assert "after as_of 2024-03-31" in str(err.value)


def test_the_gap_is_the_record_known_on_as_of():
    spec = _config(None).economy
    fit = budget_gap_fit(spec)
    # municipalities 2021-2023 and counties 2022-2023: the counties' 2024 outcome came later
    assert sorted(fit.errors.round(2).tolist()) == [0.4, 1.4, 1.75, 2.9, 3.65]
    assert fit.predictive.df == 6.0
    later = budget_gap_fit(dataclasses.replace(spec, as_of=dt.date(2026, 1, 1)))
    assert later.n == 6  # the 2024 counties' pair and 2022's final municipal outcome


def test_without_a_survey_the_run_is_bit_identical(without):
    """The survey touches nothing but the net operating results, and nothing without it.

    Against the code before the survey existed, the no-survey path is pinned by the golden
    digests of tbu-2025-autumn and tbu-2030 (tests/golden/outputs.json), which this change left
    as they were; here: the same seed with and without a survey gives bit-identical arrays for
    every output the survey does not condition, and for the results before the survey's year.
    """
    assert without.spec.budget_survey is None and without.survey_gap is None
    survey = build_cost_model(_config(_survey(year=2025)))
    a = without.simulate(np.random.default_rng(7), 500, every_year=True)
    b = survey.simulate(np.random.default_rng(7), 500, every_year=True)
    ndr = {"net_operating_result_pct", *LEVEL_OUTPUTS}
    for name in a:
        if name in ndr:
            assert np.array_equal(a[name][..., 0], b[name][..., 0]), name  # 2024: before it
            if name != LEVEL_OUTPUTS[0]:  # the municipalities stay as drawn (to rounding)
                assert not np.allclose(a[name][..., 1], b[name][..., 1]), name
        else:
            assert np.array_equal(a[name], b[name]), name


def test_the_survey_moves_the_counties_as_the_gap_model_says(without):
    model = build_cost_model(_config(_survey()))
    assert isinstance(model, EconomyModel)
    g = model.survey_gap
    out = model.simulate(np.random.default_rng(11), N, every_year=True)
    base = without.simulate(np.random.default_rng(11), N, every_year=True)
    counties = out["net_operating_result_counties_pct"][:, 0, YEAR0]
    # centre: 2.4 + the t's location; the median's MC error is about 1.25 sd / sqrt(N) and the
    # t6's sd is 1.78 pp, so 0.011 pp; 5 of those
    assert np.median(counties) == pytest.approx(2.4 + g.loc, abs=5 * 1.25 * 1.78 / np.sqrt(N))
    # spread: the 5-95 % width of 2.4 + t6 (loc, scale); the quantiles' MC error is about
    # sqrt(p(1-p)/N) / density ~ 0.03 pp each, so 0.15 pp on the width
    width = np.subtract(*np.percentile(counties, [95, 5]))
    assert width == pytest.approx(2 * stats.t.ppf(0.95, g.df) * g.scale, abs=0.15)
    # the municipalities' draws are not moved by news about the counties
    m = "net_operating_result_municipalities_pct"
    np.testing.assert_allclose(out[m][:, :, YEAR0], base[m][:, :, YEAR0], atol=1e-12)
    # the sector is the revenue-weighted mean of the two levels in every draw
    w = model.spec.levels.county_share
    sector = out["net_operating_result_pct"][:, :, YEAR0]
    np.testing.assert_allclose(
        sector,
        (1 - w) * out[m][:, :, YEAR0] + w * out["net_operating_result_counties_pct"][:, :, YEAR0],
        atol=1e-12,
    )
    # the next year carries the change in the sector's result with weight phi
    shift = sector - base["net_operating_result_pct"][:, :, YEAR0]
    after = out["net_operating_result_pct"][:, :, 1] - base["net_operating_result_pct"][:, :, 1]
    np.testing.assert_allclose(after, model.spec.ndr_persistence * shift, atol=1e-12)


def test_a_sector_figure_pins_the_sector_on_a_hand_example():
    model = build_cost_model(_config(_survey(counties_pct=None, sector_pct=0.5)))
    g = model.survey_gap
    out = model.simulate(np.random.default_rng(3), N, every_year=True)
    sector = out["net_operating_result_pct"][:, 0, YEAR0]
    # 0.5 % budgeted + the gap's location (+1.68 pp); MC error of the median as above
    assert np.median(sector) == pytest.approx(0.5 + g.loc, abs=5 * 1.25 * 1.78 / np.sqrt(N))


def test_the_survey_round_trips():
    config = _config(_survey())
    assert isinstance(config.economy.budget_survey, BudgetSurvey)
    again = Config.from_dict(config.to_dict(), base_dir=CONFIGS)
    assert again.economy.budget_survey == config.economy.budget_survey
