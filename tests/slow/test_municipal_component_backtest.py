"""Slow: the municipal backtest with the component nation (``--national-model components``).

Origins 2010-2023, horizon 1, as the municipal part of tests/slow/test_backtests.py, so the two
national draws are judged on the same outcomes (docs/population.md has horizons 1-3).
"""

import pytest

from mc.workflow.population import backtest

pytestmark = pytest.mark.slow
TOLERANCE = 0.10  # the issue's +-10 percentage points, as tests/slow/test_backtests.py
#: How much worse the component nation's mean relative 80 % interval score of municipal totals
#: may be than the ratios nation's. On horizons 1-3 the two differ by -0.02 +- 0.05 points of
#: 6.8 % (the standard error over 14 origins, docs/population.md): 5 % of the score is about seven
#: standard errors, so this fails on a real loss, not on Monte Carlo noise.
SCORE_MARGIN = 1.05


@pytest.fixture(scope="module")
def regional(data_dir):
    from mc.data.population import read_data_dir

    return read_data_dir(data_dir, municipal=True)[1]


def _run(population, regional, components):
    return backtest(
        population,
        range(2010, 2024),
        1,
        regional=regional,
        draws=1000,
        entropy=11,
        components=components,
    )


@pytest.fixture(scope="module")
def both(population, regional, data_dir):
    from mc.data.components import read_components

    return {
        "components": _run(population, regional, read_components(data_dir)),
        "ratios": _run(population, regional, None),
    }


def _total(result, band="80%"):
    cov = result.coverage
    return cov[(cov["age_group"] == "total") & (cov["band"] == band)].iloc[0]


def test_component_nation_covers_municipal_totals(both):
    row = _total(both["components"])
    assert row.n == 357 * 14
    assert abs(row.empirical - 0.8) <= TOLERANCE


def test_component_nation_scores_municipal_totals_as_well_as_ratios(both):
    def score(result):
        s = result.scores
        s = s[(s["age_group"] == "total") & (s["method"] == "model")]
        return float(s["interval_score_80_pct"].iloc[0])

    assert score(both["components"]) <= SCORE_MARGIN * score(both["ratios"])
