"""The stochastic population projection: identities, invariants, agreement, reproducibility."""

import dataclasses

import numpy as np
import pytest

from mc.errors import ConfigError, DataError
from mc.kernels.projection import ProjectionInputs, advance, project_numba
from mc.model.projection import (
    ProjectionFit,
    ProjectionModel,
    ProjectionSettings,
    cohort_change_ratios,
    fit_national,
    fit_projection,
    output_groups,
)

ORIGIN = 2018


@pytest.fixture(scope="module")
def regional(data_dir):
    from mc.data.population import read_data_dir

    return read_data_dir(data_dir, municipal=True)[1]


@pytest.fixture(scope="module")
def fit(population, regional):
    return fit_projection(population, ORIGIN, regional)


def test_ccr_and_advance_are_inverse(population):
    before, after = population.at(2020), population.at(2021)
    np.testing.assert_allclose(
        advance(before, cohort_change_ratios(before, after)), after, rtol=1e-12
    )


def test_fit_uses_only_data_up_to_the_origin(population):
    fitted = fit_national(population, ORIGIN)
    # changing every later year must not change the fit
    altered = dataclasses.replace(population, counts=population.counts.copy())
    altered.counts[ORIGIN - population.first_year + 1 :] *= 1.5
    again = fit_national(altered, ORIGIN)
    np.testing.assert_array_equal(fitted.deviations, again.deviations)
    np.testing.assert_array_equal(fitted.base_ccr, again.base_ccr)
    assert fitted.years[-1] == ORIGIN - 1
    np.testing.assert_allclose(fitted.deviations.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_array_equal(fitted.drift, again.drift)
    np.testing.assert_array_equal(fitted.drift_sd, again.drift_sd)
    # by default only the child-woman ratio keeps a drift, and it alone has a drift error
    assert np.all(fitted.drift[:, 1:] == 0)
    assert np.all(fitted.drift_sd[:, 1:] == 0) and np.all(fitted.drift_sd[:, 0] > 0)
    np.testing.assert_array_equal(fitted.step_scale, 1.0)


def test_optional_mortality_trend(population):
    settings = ProjectionSettings(mortality_age=60, mortality_drift_years=10, mortality_scale=0.5)
    fitted = fit_national(population, ORIGIN, settings)
    assert np.all(fitted.drift[:, 1:60] == 0)
    np.testing.assert_array_equal(fitted.step_scale[:, :60], 1.0)
    np.testing.assert_array_equal(fitted.step_scale[:, 60:], 0.5)
    # the trend is the mean change of the last ten ratios, computed the long way
    ccr = [
        cohort_change_ratios(population.at(t), population.at(t + 1))
        for t in range(ORIGIN - 11, ORIGIN)
    ]
    np.testing.assert_allclose(
        fitted.drift[:, 60:], ((ccr[-1] - ccr[0]) / 10)[:, 60:], rtol=1e-9, atol=1e-15
    )
    with pytest.raises(ValueError, match="invalid projection settings"):
        ProjectionSettings(mortality_age=107)


def test_uncertain_fertility_trend_widens_births_not_the_centre(population):
    """The per-draw drift error spreads the births; it leaves their median in place."""
    fitted = fit_projection(population, ORIGIN)
    quiet_drift = dataclasses.replace(
        fitted, national=dataclasses.replace(fitted.national, drift_sd=0 * fitted.national.drift_sd)
    )
    spread = {}
    for name, f in (("with", fitted), ("without", quiet_drift)):
        model = ProjectionModel(f, horizon=3, groups=("0-2",))  # born in the forecast
        births = model.simulate(np.random.default_rng(5), 4000)["population"][:, 0, 2, 1]
        spread[name] = (np.quantile(births, 0.9) - np.quantile(births, 0.1), np.median(births))
    # same stream in both (common random numbers): the widening is not sampling noise
    assert spread["with"][0] > 1.05 * spread["without"][0]
    # medians agree to well within the narrower band's tenth
    assert abs(spread["with"][1] - spread["without"][1]) < 0.1 * spread["without"][0]


def test_origin_without_enough_history(population):
    with pytest.raises(DataError, match="needs at least 5 years of data before it"):
        fit_national(population, population.first_year + 2)
    with pytest.raises(DataError, match="year 2030 is not in the data"):
        fit_national(population, 2030)


def test_cohorts_age_by_one_year(population):
    start = population.at(2020)
    _names, lo, hi = output_groups(tuple(str(a) for a in range(106)))
    x = ProjectionInputs(
        start,
        np.ones((2, 106)),
        np.zeros((2, 106)),
        np.zeros((2, 106)),
        np.zeros((3, 2, 106)),
        np.ones((2, 106)),
        np.zeros(2),
        np.zeros((2, 106)),
        lo,
        hi,
    )
    out = project_numba(np.random.default_rng(0), 1, x)[0, 0]  # (years, groups)
    by_age = start.sum(axis=0)
    np.testing.assert_allclose(out[0, 2:106], by_age[0:104])  # age a+1 next year = a now
    np.testing.assert_allclose(out[0, 106], by_age[104] + by_age[105])  # open age group
    np.testing.assert_allclose(out[1, 3:106], by_age[0:103])
    assert out[0, 0] == pytest.approx(out[0, 1:].sum())  # total


@pytest.mark.parametrize("municipal", [False, True])
def test_numba_equals_numpy(fit, municipal):
    model = ProjectionModel(fit, 3, municipal=municipal)
    a, b = np.random.default_rng(4), np.random.default_rng(4)
    fast = model.simulate(a, 6)["population"]
    ref = model.simulate(b, 6, backend="numpy")["population"]
    np.testing.assert_allclose(fast, ref, rtol=1e-10)
    assert a.bit_generator.state == b.bit_generator.state


def test_python_loop_equals_numba(fit):
    """The interpreter runs the kernel's own code: same draws, same numbers, same stream use."""
    from mc.kernels.projection import MunicipalInputs, project_python

    model = ProjectionModel(fit, 2, municipal=True)
    x, m = model.inputs()
    few = MunicipalInputs(
        m.start[:4],
        m.excess[:4],
        m.group_of_age,
        m.total_sd[:4],
        m.pool,
        m.group_sd[:4],
        m.persistence,
    )  # four municipalities keep the interpreter quick
    assert few.persistence > 0  # the level's draws are exercised too
    for local in (None, few):
        a, b = np.random.default_rng(8), np.random.default_rng(8)
        fast = project_numba(a, 3, x, local)
        slow = project_python(b, 3, x, local)
        np.testing.assert_allclose(fast, slow, rtol=1e-12)
        assert a.bit_generator.state == b.bit_generator.state
    with pytest.raises(ValueError, match="backend='fortran', but it must be one of"):
        model.simulate(np.random.default_rng(0), 1, backend="fortran")


def test_cells_no_municipality_has_go_by_size(fit):
    """A cell empty in every municipality but not in the nation is shared out by region size."""
    from mc.kernels.projection import MunicipalInputs, project_numpy

    model = ProjectionModel(fit, 2, municipal=True)
    x, m = model.inputs()
    start = m.start[:5].copy()
    start[:, :, 95:] = 0.0  # nobody over 94 in any of the five: ages 96+ empty next year
    few = MunicipalInputs(
        start, m.excess[:5], m.group_of_age, m.total_sd[:5], m.pool, m.group_sd[:5]
    )
    x = x._replace(out_lo=np.array([0, 96]), out_hi=np.array([105, 105]))  # total, 96+
    fast = project_numba(np.random.default_rng(5), 4, x, few)
    ref = project_numpy(np.random.default_rng(5), 4, x, few)
    np.testing.assert_allclose(fast, ref, rtol=1e-10)
    np.testing.assert_allclose(fast[:, 1:].sum(axis=1), fast[:, 0], rtol=1e-9)
    assert np.all(fast[:, 0, 0, 1] > 0)  # the nation has people over 95 ...
    assert np.all(fast[:, 1:, 0, 1] > 0)  # ... and every municipality gets some of them


def test_invariants(fit):
    model = ProjectionModel(fit, 6, municipal=True)
    out = model.simulate(np.random.default_rng(1), 20)["population"]
    assert out.shape == (20, 358, 6, 8)
    assert np.all(out >= 0)
    # municipalities add up to the nation in every draw, year and age group
    np.testing.assert_allclose(out[:, 1:].sum(axis=1), out[:, 0], rtol=1e-9)
    # groups add up to the total
    np.testing.assert_allclose(out[..., 1:].sum(axis=-1), out[..., 0], rtol=1e-9)
    assert model.regions[:2] == ("0000", "0301")


def test_first_draws_do_not_depend_on_block_length(fit):
    model = ProjectionModel(fit, 2, municipal=True)
    short = model.simulate(np.random.default_rng(9), 3)["population"]
    long = model.simulate(np.random.default_rng(9), 8)["population"]
    np.testing.assert_array_equal(short, long[:3])


def test_extra_immigration_adds_people(fit):
    profile = np.zeros((2, 106))
    profile[:, 20:40] = 1.0
    plain = ProjectionModel(fit, 1)
    more = ProjectionModel(fit, 1, extra=(10_000.0,), profile=profile)
    a = plain.simulate(np.random.default_rng(2), 50)["population"][:, 0, 0, 0]
    b = more.simulate(np.random.default_rng(2), 50)["population"][:, 0, 0, 0]
    np.testing.assert_allclose(b - a, 10_000.0, rtol=1e-9)


def test_json_roundtrip(fit, population, regional):
    text = fit.to_json()
    assert len(text) < 400_000  # parameters, not data
    assert "start" not in text  # the origin population is SSB's data, not stored
    again = ProjectionFit.from_json(text, population, regional)
    np.testing.assert_allclose(
        again.national.deviations, fit.national.deviations, rtol=1e-5, atol=1e-9
    )
    np.testing.assert_allclose(again.municipal.excess, fit.municipal.excess, rtol=1e-5, atol=1e-9)
    a = ProjectionModel(fit, 2, municipal=True).simulate(np.random.default_rng(1), 3)
    b = ProjectionModel(again, 2, municipal=True).simulate(np.random.default_rng(1), 3)
    np.testing.assert_allclose(a["population"], b["population"], rtol=1e-4)


def test_municipal_fit_shrinks_small_municipalities(fit, regional):
    m = fit.municipal
    assert m.excess.shape == (357, 11)
    # the noise of a municipality's total grows as it gets smaller
    size = regional.at(ORIGIN).sum(axis=(1, 2))
    small, large = m.total_sd[size < 1000], m.total_sd[size > 50_000]
    assert small.min() > large.max()
    assert np.isfinite(m.pool).all() and 0.6 < np.std(m.pool) < 3.0


def test_municipal_persistence_is_fitted_in_sample(fit, population, regional):
    """The shocks' correlation across years comes from data up to the origin, and is kept."""
    import json

    m = fit.municipal
    # errors around one fitted excess stay correlated (about 0.25 in these data): the fit
    # must find some, and 0.95 is the clamp
    assert 0.05 < m.persistence < 0.95
    assert m.noise["persistence_pairs"] > 0
    altered = dataclasses.replace(regional, counts=regional.counts.copy())
    altered.counts[ORIGIN - regional.first_year + 1 :] *= 1.3
    assert fit_projection(population, ORIGIN, altered).municipal.persistence == m.persistence
    again = ProjectionFit.from_json(fit.to_json(), population, regional)
    assert again.municipal.persistence == m.persistence
    old = json.loads(fit.to_json())
    del old["municipal"]["persistence"]  # a fit file written before the level existed
    assert ProjectionFit.from_json(json.dumps(old), population, regional).municipal.persistence == 0


@pytest.mark.parametrize("horizon", [0, 11])
def test_horizon_outside_one_to_ten_is_a_config_error(fit, horizon):
    # the check is shared with ComponentModel; a user sets the horizon, so the error names it
    with pytest.raises(ConfigError) as caught:
        ProjectionModel(fit, horizon=horizon)
    assert caught.value.field == "horizon" and caught.value.value == horizon
