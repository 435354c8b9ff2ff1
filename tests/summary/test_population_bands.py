import numpy as np
import pytest

from mc.engine import SchedulerSpec
from mc.summary.population import BAND_COLUMNS, backtest, forecast, interval_score


@pytest.fixture(scope="module")
def regional(data_dir):
    from mc.model.population import read_data_dir

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
