"""Slow: the backtests the population issue asks for, on SSB's data.

National: origins 2010-2023, horizons 1-3; municipal: same origins, horizon 1. Coverage is an
estimate from a few hundred (national) or thousands (municipal) of outcomes that share years, so
the +-10 point band is wide enough for a calibrated model and narrow enough to catch one that is
not.
"""

import pytest

from mc.workflow.population import backtest

pytestmark = pytest.mark.slow
TOLERANCE = 0.10  # the issue's +-10 percentage points


@pytest.fixture(scope="module")
def national(population):
    # 10,000 draws: the pooled three-year 50 % band covers about 0.42, near the line, and band
    # edges from 2,000 draws moved it between 0.396 and 0.438 across seeds (docs/population.md)
    return backtest(population, range(2010, 2024), 3, draws=10_000, entropy=11)


@pytest.fixture(scope="module")
def municipal(population, data_dir):
    from mc.data.population import read_data_dir

    regional = read_data_dir(data_dir, municipal=True)[1]
    return backtest(population, range(2010, 2024), 1, regional=regional, draws=1000, entropy=11)


@pytest.mark.parametrize("horizon", [1, 2, 3])
def test_national_coverage_pooled_over_groups(national, horizon):
    cov = national.coverage
    rows = cov[(cov["age_group"] == "all") & (cov["horizon"] == horizon)]
    assert len(rows) == 3
    for row in rows.itertuples():
        assert abs(row.empirical - row.nominal) <= TOLERANCE, row


def test_national_model_beats_naive_interval_scores(national):
    s = national.scores
    s = s[s["age_group"] == "total"].pivot_table(
        index="horizon", columns="method", values="interval_score_80_pct"
    )
    assert (s["model"] < s["naive_no_change"]).all()
    assert (s["model"] < s["naive_growth"]).all()


def test_municipal_coverage_of_totals(municipal):
    cov = municipal.coverage
    row = cov[(cov["age_group"] == "total") & (cov["band"] == "80%")].iloc[0]
    assert row.n == 357 * 14
    assert abs(row.empirical - 0.8) <= TOLERANCE


def test_municipal_median_at_least_as_accurate_as_naive(municipal):
    s = municipal.scores
    s = s[s["age_group"] == "total"].set_index("method")
    assert s.loc["model", "mae"] <= s.loc["naive_growth", "mae"]
    assert s.loc["model", "mae"] <= s.loc["naive_no_change", "mae"]
    assert s.loc["model", "mape_pct"] <= s.loc["naive_growth", "mape_pct"]
