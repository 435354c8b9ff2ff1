import numpy as np
import pytest

from mc.engine import SchedulerSpec
from mc.summary.population import BAND_COLUMNS, interval_score
from mc.workflow.population import backtest, forecast


@pytest.fixture(scope="module")
def regional(data_dir):
    from mc.data.population import read_data_dir

    return read_data_dir(data_dir, municipal=True)[1]


def test_forecast_bands(population):
    bands, _model, sim = forecast(population, 2020, 3, draws=400, entropy=3)
    assert tuple(bands.columns) == BAND_COLUMNS
    assert set(bands["region"]) == {"0000"}
    assert sorted(bands["year"].unique()) == [2021, 2022, 2023]
    assert list(bands["age_group"].unique()) == [
        "total",
        "0-5",
        "6-15",
        "16-19",
        "20-66",
        "67-79",
        "80-89",
        "90+",
    ]
    q = bands[[c for c in BAND_COLUMNS if c.startswith("q")]].to_numpy()
    assert np.all(np.diff(q, axis=1) >= 0)
    # bands widen with the horizon
    total = bands[bands["age_group"] == "total"].set_index("year")
    width = total["q90"] - total["q10"]
    assert width[2021] < width[2022] < width[2023]
    assert sim.plan.draws == 400


def test_municipal_forecast_is_reproducible_across_schedulers(population, regional):
    a, _, _ = forecast(
        population,
        2022,
        1,
        regional=regional,
        draws=40,
        block_size=10,
        entropy=5,
        scheduler=SchedulerSpec("sync"),
    )
    b, _, _ = forecast(
        population,
        2022,
        1,
        regional=regional,
        draws=40,
        block_size=10,
        entropy=5,
        scheduler=SchedulerSpec("threads", workers=2),
    )
    assert a.equals(b)
    assert a["region"].str.fullmatch(r"\d{4}").all()
    nation = a[(a["region"] == "0000") & (a["age_group"] == "total")]["mean"].iloc[0]
    local = a[(a["region"] != "0000") & (a["age_group"] == "total")]["mean"].sum()
    assert local == pytest.approx(nation, rel=1e-9)


def test_small_national_backtest(population):
    result = backtest(population, [2015, 2016, 2017, 2023], 2, draws=300, entropy=1)
    rows = result.rows
    assert set(rows["origin"]) == {2015, 2016, 2017, 2023}
    assert rows[rows["origin"] == 2023]["horizon"].max() == 1  # 2025 is not in the data
    for column in ("actual", "naive_growth", "naive_no_change", "q10", "q90"):
        assert rows[column].notna().all(), column
    cov = result.coverage
    assert list(cov.columns[:6]) == ["level", "horizon", "band", "nominal", "empirical", "n"]
    assert cov["empirical"].between(0, 1).all()
    assert set(result.scores["method"]) == {"model", "naive_growth", "naive_no_change"}


def test_interval_score():
    # inside: the width; outside: width plus 2/alpha times the miss
    assert interval_score(np.array([1.0]), np.array([3.0]), np.array([2.0]), 0.2)[0] == 2.0
    assert interval_score(np.array([1.0]), np.array([3.0]), np.array([4.0]), 0.2)[0] == 12.0


def test_binomial_calibration_by_hand():
    """14 outcomes, 80 % band: counts 10-12 are within 10 points (0.714-0.857), the rest miss."""
    from scipy.stats import binom

    from mc.summary.population import _binomial_calibration

    p_value, miss = _binomial_calibration(9, 14, 0.8)
    outside = [k for k in range(15) if abs(k / 14 - 0.8) > 0.1]
    assert outside == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 14]
    assert miss == pytest.approx(sum(binom.pmf(k, 14, 0.8) for k in outside))
    # as far from 0.8 as 9/14 (0.157) or farther: k <= 9 and k = 14 (13/14 is only 0.129 away)
    assert p_value == pytest.approx(binom.cdf(9, 14, 0.8) + binom.pmf(14, 14, 0.8))
    assert _binomial_calibration(7, 14, 0.5)[0] == pytest.approx(1.0)  # dead on


def test_calibrated_forecast_misses_as_often_as_the_check_says():
    """Outcomes drawn from the forecast itself: misses beyond 10 points match the expectation."""
    import pandas as pd

    from mc.summary.population import calibration_summary, coverage_table

    rng = np.random.default_rng(7)
    rows = []
    for origin in range(2010, 2024):  # one outcome per origin and cell, like the backtest
        for h in (1, 2, 3):
            for group in ("a", "b", "c", "d"):
                pit = rng.random()  # a calibrated forecast's PIT is uniform
                rows.append(
                    {
                        "origin": origin,
                        "horizon": h,
                        "age_group": group,
                        "actual": pit,
                        **{f"q{round(100 * q):02d}": q for q in (0.05, 0.1, 0.25, 0.75, 0.9, 0.95)},
                    }
                )
    summary = calibration_summary(coverage_table(pd.DataFrame(rows), "national"))
    assert summary["cells"] == 36
    # the count is a sum of 36 indicators with probabilities summing to `expected`: its sd is
    # at most sqrt(expected), so 4 sd is a safe two-sided bound for a fixed seed
    expected = summary["expected_if_calibrated"]
    assert abs(summary["outside"] - expected) < 4 * np.sqrt(expected)
    assert 8 < expected < 16  # about a third of the cells miss by chance at n = 14
