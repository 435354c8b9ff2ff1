"""The net-migration error estimator: known answers on synthetic series, then the real history.

Tolerances are K_SIGMA Monte Carlo standard errors of each statistic (fixed seeds): a correct
estimator fails about once in 1.7 million runs.
"""

import math
from pathlib import Path

import numpy as np
import pytest
import yaml

from mc.calibration.migration_spreads import (
    ErrorSummary,
    backtest_errors,
    estimate_migration_spreads,
    fit_split_normal,
    widening,
)
from mc.data.migration_history import (
    NetMigrationHistory,
    read_net_migration,
    read_ssb_net_migration,
)
from mc.errors import DataError
from mc.kernels.spreads import split_normal_moments, spread_values

K_SIGMA = 5.0  # 5 standard errors: a false alarm about once in 1.7 million
LOW, HIGH = 5000.0, 12000.0


def split_normal_draws(rng, n):
    return spread_values(4, LOW, rng.standard_normal(n), HIGH)


def test_split_normal_fit_recovers_both_sides():
    n = 100_000
    errors = split_normal_draws(np.random.default_rng(1), n)
    sd_low, sd_high, n_low, n_high = fit_split_normal(errors)
    # an RMS of m half-normal points has relative se 1/sqrt(2m)
    assert abs(sd_low - LOW) < K_SIGMA * LOW / math.sqrt(2 * n_low)
    assert abs(sd_high - HIGH) < K_SIGMA * HIGH / math.sqrt(2 * n_high)
    assert abs(n_low - n / 2) < K_SIGMA * math.sqrt(n / 4)  # binomial(n, 1/2)


def test_ar1_backtest_errors_recover_the_shocks_sd_and_skew():
    # a long AR(1) with split-normal shocks: the refitted AR(1)'s one-step errors are the shocks
    # up to the estimation error of (c, phi), which is small after the first few hundred years
    rng = np.random.default_rng(2)
    n = 1500
    shocks = split_normal_draws(rng, n)
    series = np.empty(n)
    series[0] = 20_000.0
    for t in range(1, n):
        series[t] = 4000.0 + 0.8 * series[t - 1] + shocks[t]
    history = NetMigrationHistory(np.arange(1, n + 1), series, "synthetic")
    years, errors = backtest_errors(history, "ar1", first=301, last=n)
    summary = ErrorSummary.of(years, errors)
    mean, sd, skew = split_normal_moments(LOW, HIGH)
    m = summary.n
    assert m == n - 300
    # the intercept absorbs the shocks' mean, so the errors are the centred shocks
    assert abs(summary.mean) < K_SIGMA * sd / math.sqrt(m)
    assert mean > 2000  # (the shocks themselves are not centred: the check above can fail)
    # se of a sample sd is about sd * sqrt((kurtosis - 1) / (4m)); kurtosis < 4 for this shape
    assert abs(summary.sd - sd) < K_SIGMA * sd * math.sqrt(3 / (4 * m))
    # se of a sample skewness: about sqrt(6/m) near normal, doubled for the heavier upper tail
    assert abs(summary.skewness - skew) < K_SIGMA * 2 * math.sqrt(6 / m)


def test_last_level_errors_are_the_year_on_year_changes():
    history = NetMigrationHistory(np.arange(2000, 2010), np.arange(10.0) ** 2, "synthetic")
    years, errors = backtest_errors(history, "last_level", 2003, 2009)
    np.testing.assert_array_equal(years, np.arange(2003, 2010))
    np.testing.assert_array_equal(errors, np.diff(np.arange(10.0) ** 2)[2:])


def test_widening_is_the_t_predictive_at_the_90_percent_interval():
    assert widening(34) == pytest.approx(1.044, abs=0.001)
    assert widening(10_000) == pytest.approx(1.0, abs=0.001)
    assert widening(5) > widening(15) > widening(34)


@pytest.fixture(scope="module")
def spreads(data_dir):
    folder = data_dir
    return estimate_migration_spreads(read_net_migration(folder), read_ssb_net_migration(folder))


def test_history_supports_an_upward_skew(spreads):
    s = spreads.summary
    assert (s.first, s.last, s.n) == (1990, 2023, 34)
    assert s.skewness > 2 * s.skewness_se  # 1.78 against a normal sample's s.e. of 0.40
    assert spreads.sd_high > 1.5 * spreads.sd_low
    # without the 2022 wave the ordinary years show no skew worth modelling
    assert abs(spreads.regular.skewness) < 2 * spreads.regular.skewness_se
    assert spreads.ssb and spreads.ssb[0].year == 2022 and spreads.ssb[0].error > 20_000


def test_table_entries_are_a_valid_uncertainty_section(spreads):
    entries = spreads.table_entries()
    extra = entries["extra_net_immigration"]
    assert extra["distribution"] == "split_normal"
    assert extra["sd_high"] > extra["sd_low"] >= 0
    assert "1990-2023" in extra["source"] and "n = 34" in extra["source"]
    # the two entries together have the widened fit's mean and variance (up to rounding to 100)
    low, high = spreads.widened
    mean, sd, _ = split_normal_moments(low, high)
    e_mean, e_sd, _ = split_normal_moments(extra["sd_low"], extra["sd_high"])
    regular = entries["regular_net_immigration"]["sd"]
    assert e_mean == pytest.approx(mean, abs=50)
    assert math.hypot(e_sd, regular) == pytest.approx(sd, abs=100)


def test_a_gap_in_the_years_is_a_data_error(tmp_path):
    (tmp_path / "nor_hmd_balancing_equation.csv").write_text(
        "year,net_migration_residual\n2000,1\n2002,3\n", encoding="utf-8"
    )
    with pytest.raises(DataError, match="contiguous"):
        read_net_migration(tmp_path)


def test_shipped_table_carries_the_estimated_entries(spreads):
    path = Path(__file__).resolve().parents[2] / "configs" / "tables" / "uncertainty-2025.yaml"
    table = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key, entry in spreads.table_entries().items():
        assert table[key] == entry, f"{key} is stale: rerun tbu-mc calibrate"
