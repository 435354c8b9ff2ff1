"""The rebuilt SSB 2022 middle alternative: accounting, the solve, and checks outside the solve."""

import numpy as np
import pytest

from mc.calibration.middle import life_expectancy, read_assumptions, solve_migration, step
from mc.data.components import read_components
from mc.data.projection_summary import read_projection_summary
from mc.errors import DataError


@pytest.fixture(scope="module")
def assumptions(data_dir, population):
    summary = read_projection_summary(data_dir)
    history = read_components(data_dir)
    return read_assumptions(
        summary,
        history,
        population,
        projection_round=2022,
        rates_year=2021,
        profile_years=(2010, 2019),
    )


@pytest.fixture(scope="module")
def rebuilt(assumptions, population):
    return solve_migration(assumptions, population, 2022, 2025, 5_535_390, until=2041)


def test_life_expectancy_of_a_constant_hazard():
    # constant m: e0 = (1 - exp(-m A)) / m + exp(-m A) / m = 1 / m exactly, whatever the open age
    assert life_expectancy(np.full(111, 0.02)) == pytest.approx(50.0, rel=1e-12)


def test_step_accounting_is_exact(assumptions, population):
    start = population.at(2024).astype(float)
    one = step(assumptions, start, 2024, 16_000.0)
    newborn = one.births * np.exp(-assumptions.rates(2024)[:, 0] / 2)
    expected = (
        start.sum()
        - one.deaths.sum()
        + 16_000.0
        + (newborn * np.array([1 - assumptions.boys, assumptions.boys])).sum()
    )
    assert one.population.sum() == pytest.approx(expected, rel=1e-12)
    assert one.population.min() >= 0


def test_step_hits_ssb_life_expectancy_and_tfr(assumptions):
    m = assumptions.rates(2024)
    e0 = 0.5 * (life_expectancy(m[0]) + life_expectancy(m[1]))
    # only the ages up to 105 are kept; the shift was solved on HMD's 0-110+, so allow 0.01 year
    assert e0 == pytest.approx(83.4 + 2 / 18 * 3.5, abs=0.01)
    assert assumptions.tfr[2022] == 1.50 and assumptions.tfr[2040] == 1.70


def test_rebuilt_path_lands_on_ssb_2025(rebuilt):
    assert rebuilt.totals[2025] == pytest.approx(5_535_390, abs=1.0)  # the solve's xtol is 0.5
    assert rebuilt.net_migration[2022] == 37_251  # SSB's published level for the jump-off year


def test_rebuilt_path_checks_out_of_sample(rebuilt):
    # not used in the solve: SSB's 2040 population (5,887,567) and TBU's 33,600 growth in 2023.
    # Bounds: 1 % for a 15-year path from five published numbers, 15 % for one year's growth
    # (TBU's figure mixes 10,000 refugees SSB assumed for 2023 that the linear path spreads out)
    assert rebuilt.totals[2040] == pytest.approx(5_887_567, rel=0.01)
    assert rebuilt.growth(2023) == pytest.approx(33_600, rel=0.15)


def test_projection_summary_errors_name_the_file(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        read_projection_summary(tmp_path)
    (tmp_path / "nor_ssb_projection_summary.csv").write_text(
        "projection_round,variant,indicator,year,value\n2022,MMM,tfr,2022,x\n", encoding="utf-8"
    )
    with pytest.raises(DataError, match="line 2"):
        read_projection_summary(tmp_path)
