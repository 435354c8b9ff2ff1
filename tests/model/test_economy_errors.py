"""The economy's surprises: each is drawn from its forecast-error predictive, as of as_of."""

import math
import warnings

import numpy as np
import pytest
from scipy import stats

from mc.model.config import load_config
from mc.model.economy import draw_drivers, error_fits, surprise_marginals
from mc.report.manifest import economy_surprises
from tests.conftest import CONFIGS

N = 200_000
K = 5.0  # tolerance in Monte Carlo standard errors: a correct draw fails about 6e-7 of the time
PROBS = (0.05, 0.25, 0.5, 0.75, 0.95)


def load(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return load_config(CONFIGS / name)


@pytest.fixture(scope="module", params=["tbu-2025.yaml", "tbu-2025-autumn.yaml"])
def config(request):
    return load(request.param)


def test_each_surprise_reproduces_its_predictive(config):
    spec = config.economy
    fits = error_fits(spec)
    drawn = draw_drivers(np.random.default_rng(7), N, spec, 1)[:, 0]
    for j, driver in enumerate(("deflator_surprise_pp", "tax_surprise_bn")):
        p = fits[driver].predictive
        x = drawn[:, j]
        # quantiles: P(draw <= predictive quantile) is binomial, se sqrt(p (1 - p) / N)
        for q in PROBS:
            share = np.mean(x <= p.ppf(q))
            assert share == pytest.approx(q, abs=K * math.sqrt(q * (1 - q) / N)), (driver, q)
        # mean: the predictive's sd is finite (df > 2), so the sample mean has se sd / sqrt(N)
        assert p.df > 2
        assert x.mean() == pytest.approx(p.loc, abs=K * p.sd / math.sqrt(N)), driver


def test_each_predictive_keeps_its_samples_mean_and_never_narrows_its_spread(config):
    for driver, fit in error_fits(config.economy, real_growth=True).items():
        p, n = fit.predictive, fit.n
        # the location is the sample mean, shrunk towards 0 by the prior's one observation
        if n:
            assert p.loc == pytest.approx(n * fit.mean / (n + 1)), driver
        # a tiny sample widens: the predictive sd is at least the sample's, and df = n + 1
        if n > 1:
            assert p.sd >= fit.sd, driver
        assert p.df == n + 1
        # every error used was public on as_of
        assert all(r.known_on <= config.as_of for r in fit.origin.rows), driver


def test_the_march_samples_leave_out_what_was_published_later():
    fits = error_fits(load("tbu-2025.yaml").economy)
    deflator = fits["deflator_surprise_pp"].origin
    # 2021 against NB22's estimate and 2023 against TBU's March 2024 figure; 2022's KS outcome
    # (June 2024) and the Ministry's 2026 series come later
    assert deflator.years == (2021, 2023)
    assert len(deflator.dropped) > 0
    assert fits["tax_surprise_bn"].origin.years == (2015, 2016, 2021, 2023)


def test_the_surprises_keep_the_configured_rank_correlation(config):
    spec = config.economy
    drawn = draw_drivers(np.random.default_rng(3), 20_000, spec, 1)[:, 0]
    achieved = stats.spearmanr(drawn).statistic
    # Iman-Conover hits the target within about 0.02 at 10,000 draws (docs/economy.md)
    np.testing.assert_allclose(achieved, np.array(spec.spearman), atol=0.03)


def test_the_manifest_states_each_sample_and_its_size(config):
    record = economy_surprises(config.to_dict())
    marginals = surprise_marginals(config.economy)
    assert record["deflator_surprise_pp"]["n"] == len(record["deflator_surprise_pp"]["years"])
    assert record["deflator_surprise_pp"]["t_loc"] == pytest.approx(marginals[0].loc)
    assert record["tax_surprise_bn"]["drawn"] is True
    assert record["real_growth_free_revenues_bn"]["drawn"] is False


def test_direct_t_draws_match_the_quantile_function(config):
    # FittedSurprise.draw (NumPy's standard_t) replaced ppf on uniforms (scipy's stdtrit) in
    # Iman-Conover; the streams differ, so compare distributions: each against the exact cdf and
    # the two samples against each other, KS at level 1e-4 (a correct draw fails 1 in 10,000)
    from mc.model.economy import FittedSurprise

    for m in surprise_marginals(config.economy):
        if not isinstance(m, FittedSurprise):
            continue
        direct = m.draw(np.random.default_rng(21), N)
        by_ppf = m.ppf(np.random.default_rng(22).random(N))
        cdf = stats.t(m.df, m.loc, m.scale).cdf
        assert stats.kstest(direct, cdf).pvalue > 1e-4, m.variable
        assert stats.ks_2samp(direct, by_ppf).pvalue > 1e-4, m.variable
        # the median is the location: P(draw <= loc) is binomial with se sqrt(0.25 / N)
        assert np.mean(direct <= m.loc) == pytest.approx(0.5, abs=K * math.sqrt(0.25 / N))
