"""Forecast-error samples as of a date, and their Student-t predictive."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from scipy import stats

from mc.errors import ConfigError, DataError
from mc.model.forecast_errors import (
    PRIORS,
    ErrorPrior,
    ErrorSample,
    ForecastErrorRow,
    ForecastErrorTable,
    LateInputWarning,
    fit_errors,
    summary_table,
)

# k in the k * sigma / sqrt(n) tolerances below: with a fixed seed a correct implementation is
# then outside the band with probability about 6e-5 per check (two-sided normal tail at 4).
K = 4.0


def row(year, error, published, outcome_published, *, horizon="budget", vintage=None, line=None):
    """A deflator row with just what the as-of rule and the fit look at."""
    return ForecastErrorRow(
        variable="deflator_pct",
        year=year,
        horizon=horizon,
        vintage=vintage or f"NB{year % 100}",
        published=dt.date.fromisoformat(published),
        outcome_vintage=f"outcome {outcome_published}",
        outcome_published=dt.date.fromisoformat(outcome_published),
        error=error,
        source="test",
        outcome_source="test",
        line=line,
    )


ROWS = (
    row(2021, 0.6, "2020-10-07", "2021-10-12", line=10),
    row(2022, 4.2, "2021-10-12", "2024-06-25", line=20),
    row(2023, 0.6, "2022-10-06", "2024-06-25", line=30),
)


# ------------------------------------------------------------------------------- the as-of rule


def test_a_row_published_after_as_of_is_refused_naming_the_row_and_the_dates():
    with pytest.raises(DataError) as err:
        ErrorSample.build(ROWS, "deflator_pct", "2024-03-21", source="table.yaml")
    message = str(err.value)
    assert err.value.row == 20  # the first late row's line in its file
    assert "deflator_pct 2022" in message
    assert "2021-10-12" in message and "2024-06-25" in message and "2024-03-21" in message
    assert "table.yaml" in message


def test_a_forecast_published_after_as_of_is_refused_too():
    late_forecast = row(2025, 0.6, "2024-10-07", "2024-10-07")
    with pytest.raises(DataError, match="2024-10-07"):
        ErrorSample.build([late_forecast], "deflator_pct", dt.date(2024, 10, 6))


def test_a_row_published_on_as_of_is_allowed():
    sample = ErrorSample.build(ROWS, "deflator_pct", "2024-06-25")
    assert sample.years == (2021, 2022, 2023)
    assert sample.flagged == () and sample.dropped == ()


def test_late_rows_are_flagged_when_asked():
    with pytest.warns(LateInputWarning, match="after as_of 2024-03-21"):
        sample = ErrorSample.build(ROWS, "deflator_pct", "2024-03-21", late="flag")
    assert sample.years == (2021, 2022, 2023)
    assert [r.year for r in sample.flagged] == [2022, 2023]
    table = summary_table([sample.fit()])
    assert table.loc[0, "flagged"] == 2


def test_late_rows_are_dropped_when_asked():
    sample = ErrorSample.build(ROWS, "deflator_pct", "2024-03-21", late="drop")
    assert sample.years == (2021,)
    assert [r.year for r in sample.dropped] == [2022, 2023]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"late": "ignore"}, "late"),
        ({"horizons": ("budget", "nb")}, "horizons"),
        ({"horizons": ()}, "horizons"),
    ],
)
def test_bad_arguments_name_the_field(kwargs, field):
    with pytest.raises(ConfigError) as err:
        ErrorSample.build(ROWS, "deflator_pct", "2026-01-01", **kwargs)
    assert err.value.field == field


def test_as_of_must_be_a_date():
    with pytest.raises(ConfigError, match="YYYY-MM-DD"):
        ErrorSample.build(ROWS, "deflator_pct", "March 2024")


def test_the_latest_outcome_known_on_as_of_is_used():
    early = row(2021, 0.6, "2020-10-07", "2021-10-12")
    final = row(2021, 1.7, "2020-10-07", "2026-05-18")
    then = ErrorSample.build([early, final], "deflator_pct", "2024-01-01", late="drop")
    now = ErrorSample.build([early, final], "deflator_pct", "2026-06-01")
    assert then.errors.tolist() == [0.6] and then.dropped == (final,)
    assert now.errors.tolist() == [1.7] and now.superseded == (early,)


def test_a_year_keeps_the_first_horizon_listed():
    budget = row(2023, 0.6, "2022-10-06", "2024-06-25")
    revised = row(2023, -0.9, "2023-05-11", "2024-06-25", horizon="revised", vintage="RNB23")
    both = [budget, revised]
    assert ErrorSample.build(both, "deflator_pct", "2025-01-01").errors.tolist() == [0.6]
    pooled = ErrorSample.build(both, "deflator_pct", "2025-01-01", horizons=("revised", "budget"))
    assert pooled.errors.tolist() == [-0.9]


def test_a_table_refuses_an_unknown_variable():
    table = ForecastErrorTable(rows=ROWS, units=(("deflator_pct", "pp"),), source="t.yaml")
    with pytest.raises(ConfigError, match="deflator_pct"):
        table.sample("deflator", "2026-01-01")
    assert table.sample("deflator_pct", "2026-01-01").n == 3


# ------------------------------------------------------------------------------- the fit


def test_the_fit_is_the_conjugate_update():
    # Hand computation for errors (1, 3), prior mu0=0, kappa0=1, a0=1/2, b0=2:
    # kappa_n = 3, mu_n = 4/3, a_n = 3/2, b_n = 2 + 2/2 + 1*2*(2-0)^2/(2*3) = 13/3.
    fit = fit_errors([1.0, 3.0], ErrorPrior(mu0=0.0, kappa0=1.0, a0=0.5, b0=2.0))
    assert (fit.kappa_n, fit.a_n) == (3.0, 1.5)
    assert fit.mu_n == pytest.approx(4 / 3)
    assert fit.b_n == pytest.approx(13 / 3)
    p = fit.predictive
    assert p.df == 3.0
    assert p.scale == pytest.approx(math.sqrt((13 / 3) * (3 + 1) / (1.5 * 3)))


def test_a_large_normal_sample_recovers_its_mean_and_sd(rng):
    n, mu, sigma = 20_000, 1.5, 0.8
    x = rng.normal(mu, sigma, n)
    fit = fit_errors(x, ErrorPrior.weak(0.94))
    p = fit.predictive
    # Sampling error of the mean is sigma/sqrt(n); of the sd, sigma/sqrt(2(n-1)). The prior
    # (one pseudo-observation) moves them by O(1/n), far below either.
    assert p.loc == pytest.approx(mu, abs=K * sigma / math.sqrt(n))
    assert p.sd == pytest.approx(sigma, abs=K * sigma / math.sqrt(2 * (n - 1)))
    assert fit.mean == pytest.approx(p.loc, abs=1e-3) and fit.sd == pytest.approx(p.sd, rel=1e-3)


@pytest.mark.parametrize("s0", [1e-3, 0.94, 10.0])
@pytest.mark.parametrize("errors", [[0.6, 4.2, 0.6], [0.3, 0.6, 0.6], [-1.0, 0.0, 1.0]])
def test_three_errors_give_a_predictive_wider_than_the_sample(errors, s0):
    # Honest widening: whatever the prior's scale, the predictive's sd and its 90 % interval
    # exceed what a normal with the sample's own mean and sd would give.
    fit = fit_errors(errors, ErrorPrior.weak(s0))
    p = fit.predictive
    assert p.df == 4.0
    assert p.sd > fit.sd
    q05, q95 = p.ppf([0.05, 0.95])
    z = stats.norm.ppf(0.95)
    assert q95 - q05 > 2 * z * fit.sd


def test_a_tiny_sample_is_heavy_tailed_and_an_empty_one_is_the_prior():
    one = fit_errors([11.3], PRIORS["real_growth_free_revenues_bn"])
    assert one.predictive.df == 2.0 and math.isinf(one.predictive.sd)
    assert math.isnan(one.sd) and math.isnan(one.skewness)
    none = fit_errors([], ErrorPrior.weak(2.0))
    assert none.predictive.loc == 0.0 and none.predictive.df == 1.0


def test_non_finite_errors_are_refused():
    with pytest.raises(DataError, match="finite"):
        fit_errors([0.1, math.nan], ErrorPrior.weak(1.0))


@pytest.mark.parametrize("bad", [{"a0": 0.0}, {"b0": -1.0}, {"kappa0": math.inf}])
def test_a_prior_must_be_proper(bad):
    values = {"mu0": 0.0, "kappa0": 1.0, "a0": 0.5, "b0": 1.0, **bad}
    with pytest.raises(ConfigError, match="> 0"):
        ErrorPrior(**values)


def test_skew_is_reported_but_not_supported_by_a_small_sample():
    errors = [-0.1, 0.4, 1.7, 4.2, 0.6, 0.7, 0.6]  # the shipped deflator sample, 2016-2025
    fit = fit_errors(errors, PRIORS["deflator_pct"])
    assert fit.skewness == pytest.approx(stats.skew(errors, bias=False))
    assert fit.skewness > 1.5
    assert not fit.skew_supported  # n = 7 is below the minimum of 8
    wide = fit_errors(errors * 2, PRIORS["deflator_pct"])
    assert wide.skew_supported  # the same shape with n = 14 would support it


# ------------------------------------------------------------------------------- the draws

DRAWS = 400_000


def _quantile_mcse(p, q, dist):
    """Monte Carlo SE of the q-quantile of DRAWS draws: sqrt(q(1-q)/N) / f(x_q)."""
    return math.sqrt(q * (1 - q) / DRAWS) / dist.pdf(p)


@pytest.mark.parametrize("errors", [[0.6, 4.2, 0.6, 0.3, -0.1, 0.4, 1.7], [0.6, 0.6, 0.3]])
def test_draws_reproduce_the_predictive_mean_and_spread(rng, errors):
    fit = fit_errors(errors, PRIORS["deflator_pct"])
    p = fit.predictive
    dist = stats.t(p.df, p.loc, p.scale)
    x = fit.sample(rng, DRAWS)
    # The mean of N draws has sd sigma/sqrt(N) when the t has df > 2 (both cases here: 8 and 4).
    assert x.mean() == pytest.approx(p.mean, abs=K * p.sd / math.sqrt(DRAWS))
    # Spread through the quartiles: they have a finite Monte Carlo error for any df, unlike the
    # sample sd (which needs df > 4).
    for q in (0.25, 0.75, 0.05, 0.95):
        xq = float(dist.ppf(q))
        assert np.quantile(x, q) == pytest.approx(xq, abs=K * _quantile_mcse(xq, q, dist))


def test_each_year_of_a_path_follows_the_predictive(rng):
    fit = fit_errors([0.6, 4.2, 0.6, 0.3], PRIORS["deflator_pct"])
    p = fit.predictive
    dist = stats.t(p.df, p.loc, p.scale)
    paths = fit.sample_paths(rng, DRAWS, 3)
    assert paths.shape == (DRAWS, 3)
    for year in range(3):
        for q in (0.05, 0.5, 0.95):
            xq = float(dist.ppf(q))
            got = np.quantile(paths[:, year], q)
            assert got == pytest.approx(xq, abs=K * _quantile_mcse(xq, q, dist))


def test_years_of_a_path_share_the_uncertain_mean(rng):
    # Exchangeable, not independent: a run of same-signed misses is likelier than p**k.
    fit = fit_errors([0.6, 0.6, 0.3], PRIORS["deflator_pct"])
    p_one = fit.prob_above(0.3)
    p_run, se = fit.prob_run(0.3, 4, rng, draws=DRAWS)
    assert p_run > p_one**4 + K * se


def test_same_seed_same_draws():
    fit = fit_errors([0.6, 4.2, 0.6], PRIORS["deflator_pct"])
    assert np.array_equal(fit.sample(7, 10), fit.sample(7, 10))
    assert not np.array_equal(fit.sample(7, 10), fit.sample(8, 10))


def test_the_summary_table_has_one_row_per_variable():
    sample = ErrorSample.build(ROWS, "deflator_pct", "2026-01-01")
    table = summary_table({"deflator_pct": sample.fit()})
    assert table.loc[0, "n"] == 3 and table.loc[0, "years"] == "2021 2022 2023"
    assert table.loc[0, "mean"] == pytest.approx(np.mean([0.6, 4.2, 0.6]))
    assert table.loc[0, "q05"] < table.loc[0, "q50"] < table.loc[0, "q95"]
    assert table.loc[0, "pred_sd"] > table.loc[0, "sd"]
