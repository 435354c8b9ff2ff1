"""Fitting the component model: residual migrants, the AR(1), and what an origin may see."""

import dataclasses

import numpy as np
import pytest

from mc.model.components import (
    ComponentModel,
    ComponentSettings,
    cohort_residuals,
    fit_ar1,
    fit_components,
    migration_series,
)


@pytest.fixture(scope="module")
def history(data_dir):
    from mc.data.components import read_components

    return read_components(data_dir)


def test_cohort_residuals_sum_to_the_balancing_equation(population, history):
    for year in (1990, 2015, 2022):
        before, after = population.at(year), population.at(year + 1)
        deaths, births = history.deaths_in(year), history.births_in(year)
        cells = cohort_residuals(before, after, deaths, births)
        balance = after.sum() - before.sum() - births.sum() + deaths.sum()
        assert cells.sum() == pytest.approx(balance, abs=1e-6)


def test_migration_totals_match_hmd_residual(population, history):
    # SSB's stocks and HMD's agree: the 2023 residual is 53,007 in HMD's balancing file
    _, totals = migration_series(history, population, 2024)
    assert totals[-1] == pytest.approx(53_007, rel=0.002)


def test_ar1_recovers_a_synthetic_process():
    rng = np.random.default_rng(11)
    mu, phi, sigma, n = 20_000.0, 0.6, 3_000.0, 400
    series = np.empty(n)
    series[0] = mu
    for t in range(1, n):
        series[t] = mu + phi * (series[t - 1] - mu) + sigma * rng.standard_normal()
    fit = fit_ar1(series)
    # the estimates' own standard errors set the tolerance: 4 of them
    assert abs(fit["phi"] - phi) < 4 * fit["phi_se"]
    assert abs(fit["sigma"] - sigma) < 4 * fit["sigma"] * fit["sigma_sd"]
    assert abs(fit["mu"] - mu) < 4 * sigma / (1 - phi) / np.sqrt(n)
    assert fit["half_life"] == pytest.approx(np.log(0.5) / np.log(fit["phi"]))


def test_fit_sees_nothing_after_the_origin(population, history):
    base = fit_components(population, history, 2016)
    later = dataclasses.replace(history, deaths=history.deaths * 2.0, mx=history.mx * 2.0)
    later = dataclasses.replace(
        later,
        deaths=np.where(
            np.arange(later.deaths.shape[0])[:, None, None] >= 2016 - 1986,
            later.deaths,
            history.deaths,
        ),
    )
    mx = history.mx.copy()
    mx[2016 - 1986 :] *= 2.0
    births = history.births.copy()
    births[2016 - 1946 :] *= 2.0
    changed = dataclasses.replace(history, deaths=later.deaths, mx=mx, births=births)
    refit = fit_components(population, changed, 2016)
    np.testing.assert_array_equal(base.log_mx, refit.log_mx)
    np.testing.assert_array_equal(base.profile, refit.profile)
    assert base.estimates == refit.estimates


def test_missing_last_asfr_falls_back_to_births(population, history):
    fit = fit_components(population, history, 2024)
    tfr = fit.estimates["fertility"]["tfr_last_from_births"]
    # WPP2024 puts 2023's TFR at 1.40 (the ASFR source notes); births over women must land near
    assert tfr == pytest.approx(1.40, abs=0.03)
    assert (
        fit_components(population, history, 2023).estimates["fertility"]["tfr_last_from_births"]
        is None
    )


def test_wave_returns_towards_the_long_run_level(population, history):
    """A synthetic wave: last year's migration far above mu; growth then falls back to mu."""
    fit = fit_components(population, history, 2016).quiet()
    c, phi = fit.mig_beta
    mu = c / (1 - phi)
    wave = dataclasses.replace(fit, mig_last=mu + 60_000.0)
    draws = ComponentModel(wave, 8).simulate(np.random.default_rng(0), 1)
    migration = draws["net_migration"][0]
    gap = migration - mu
    np.testing.assert_allclose(gap, 60_000.0 * phi ** np.arange(1, 9), rtol=1e-9)
    # population growth = births - deaths + migration: its migration part shrinks every year
    total = np.concatenate([[fit.start.sum()], draws["population"][0, 0, :, 0]])
    growth = np.diff(total)
    calm = ComponentModel(dataclasses.replace(fit, mig_last=mu), 8).simulate(
        np.random.default_rng(0), 1
    )
    calm_growth = np.diff(np.concatenate([[fit.start.sum()], calm["population"][0, 0, :, 0]]))
    excess = growth - calm_growth
    # the wave's extra migrants also have children, so excess growth falls a little slower than
    # the migration gap itself, but it falls every year
    assert (np.diff(excess) < 0).all()
    assert excess[-1] < phi**4 * excess[0]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("mortality_years", 3),
        ("profile_years", 0),
        ("mortality_trend", "cubic"),
        ("profile", "x"),
        ("k_process", "ar1"),
        ("deviation_scale", "shares"),
        ("shock_scale", "log"),
        ("jump_along", "b"),
        ("old_age", "gompertz-makeham"),
        ("trend_error", "k"),
        ("kannisto_from", 70),
    ],
)
def test_settings_errors_name_field_and_allowed(field, value):
    from mc.errors import ConfigError
    from mc.model.components import ComponentSettings

    with pytest.raises(ConfigError) as info:
        ComponentSettings(**{field: value})
    assert info.value.field == field and info.value.value == value


def test_model_rejects_unknown_backend(population, history):
    from mc.errors import ConfigError

    model = ComponentModel(fit_components(population, history, 2020), 1)
    with pytest.raises(ConfigError, match="backend"):
        model.simulate(np.random.default_rng(0), 2, backend="cuda")


def test_walk_plus_noise_splits_the_steps_of_k(population, history):
    """Steps of k that undo each other are a transient, not a walk: q + 2r = the step variance."""
    walk = fit_components(population, history, 2009, ComponentSettings(k_process="walk"))
    split = fit_components(population, history, 2009, ComponentSettings(k_process="walk+noise"))
    both = split.estimates["mortality"]
    assert walk.k_noise_chol.sum() == 0
    # the steps' lag-1 autocorrelation is about -0.4 for men in this window: a transient exists
    assert min(both["transient_sd"]) > 0
    assert all(w < s for w, s in zip(both["walk_sd"], both["step_sd"], strict=True))
    q = split.k_step_chol @ split.k_step_chol.T
    r = split.k_noise_chol @ split.k_noise_chol.T
    # the moment split keeps the step variance where no eigenvalue was clipped
    step_var = np.array(both["step_sd"]) ** 2
    assert np.all(np.diag(q + 2 * r) <= step_var * (1 + 1e-9))


def test_scaled_deviations_carry_the_mean_level(population, history):
    fit = fit_components(population, history, 2020, ComponentSettings(deviation_scale="level"))
    _, totals = migration_series(history, population, 2020)
    assert fit.deviation_level == pytest.approx(np.abs(totals[-10:]).mean())
    assert fit_components(population, history, 2020).deviation_level == 0.0


def test_shock_scale_reproduces_the_residuals(population, history):
    from mc.model.components import shock_scale

    _, totals = migration_series(history, population, 2024)
    ar = fit_ar1(totals)
    lam, ref, pool = shock_scale(totals, ar)
    assert 0.0 <= lam <= 1.0
    spread = (1 - lam) + lam * np.abs(totals[:-1]) / ref
    resid = totals[1:] - ar["beta"][0] - ar["beta"][1] * totals[:-1]
    # the pool times sigma times each year's spread gives back that year's residual
    np.testing.assert_allclose(np.sort(resid / spread), pool * ar["sigma"], rtol=1e-12)
    fit = fit_components(population, history, 2024, ComponentSettings(shock_scale="level"))
    assert fit.mig_scale[0] == lam and fit.estimates["migration"]["shock_lambda"] == lam


def test_jump_off_keeps_up_with_the_old_age_trend(population, history):
    """Moved along k, the last years' old-age rates stay behind the trend (b is small there)."""
    along_k = fit_components(population, history, 2009, ComponentSettings(jump_along="k"))
    along_trend = fit_components(population, history, 2009)
    old = slice(90, 100)
    gap = (along_trend.log_mx - along_k.log_mx)[:, old].mean(axis=1)
    yearly = along_trend.age_drift[:, old].mean(axis=1)  # log rates fall: negative
    # the trend jump-off is lower by part of the three years' trend, never by more than two
    assert np.all(gap < 0) and np.all(gap > 2 * yearly)
