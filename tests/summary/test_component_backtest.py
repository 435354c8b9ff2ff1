"""Component bands and backtests: same tables as Hamilton-Perry, same draws under any scheduler."""

import numpy as np
import pytest

from mc.engine import SchedulerSpec
from mc.workflow.components import backtest_components, compare_scores, forecast_components
from mc.workflow.population import backtest


@pytest.fixture(scope="module")
def history(data_dir):
    from mc.data.components import read_components

    return read_components(data_dir)


def test_bands_identical_across_schedulers_and_blocks(population, history):
    sync, _, _ = forecast_components(
        population, history, 2020, 2, draws=400, block_size=400, entropy=5
    )
    threads, _, _ = forecast_components(
        population,
        history,
        2020,
        2,
        draws=400,
        block_size=100,
        entropy=5,
        scheduler=SchedulerSpec("threads", workers=2),
    )
    again, _, _ = forecast_components(
        population, history, 2020, 2, draws=400, block_size=100, entropy=5
    )
    assert threads.equals(again)  # same blocks: bit-identical whatever runs them
    # other block sizes give other draws; the bands agree within Monte Carlo error: a 10-90 %
    # band edge from 400 draws moves by ~2.5 % of the band's width, 4x that is generous
    width = (sync["q90"] - sync["q10"]).to_numpy()
    assert np.all(np.abs(sync["q50"] - again["q50"]).to_numpy() < 0.1 * width + 1e-9)


def test_small_backtest_gives_the_hamilton_perry_tables(population, history):
    cc, fits = backtest_components(population, history, [2021, 2022], 1, draws=300, entropy=3)
    hp = backtest(population, [2021, 2022], 1, draws=300, entropy=3)
    assert list(cc.coverage.columns) == list(hp.coverage.columns)
    assert len(cc.coverage) == len(hp.coverage)
    assert list(cc.rows.columns) == list(hp.rows.columns)
    assert (
        (cc.rows[["origin", "horizon", "age_group"]] == hp.rows[["origin", "horizon", "age_group"]])
        .all()
        .all()
    )
    assert set(fits) == {2021, 2022}
    assert fits[2022]["migration"]["half_life"] > 0
    assert 0 <= fits[2022]["clipped_share"] <= 1
    table = compare_scores(("components", cc), ("hamilton-perry", hp))
    # one-year relative interval scores of national groups are a few percent, not 0 or 100
    assert ((table > 0.05) & (table < 20)).all().all()
