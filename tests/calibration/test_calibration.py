"""The shipped tables are what `tbu-mc calibrate` makes from the building blocks and SSB's data."""

import numpy as np
import pytest
import yaml

from mc.calibration import calibrate, fit_mortality, history_spreads, project_one_year
from mc.calibration.baseline import net_migration, net_migration_profile
from tests.conftest import CONFIGS

BLOCKS = CONFIGS / "calibration" / "building-blocks-2023.yaml"


@pytest.fixture(scope="module")
def result(data_dir):
    return calibrate(BLOCKS, data_dir)


def shipped(name):
    return yaml.safe_load((CONFIGS / "tables" / name).read_text(encoding="utf-8"))


def test_unit_cost_table_is_reproducible(result):
    table = shipped("unit-costs-2023.yaml")
    assert table["price_year"] == result.unit_costs["price_year"]
    for name, sector in result.unit_costs["sectors"].items():
        ship = table["sectors"][name]
        assert ship["free_share"] == pytest.approx(sector["free_share"], abs=0.001)
        for group, value in sector["unit_costs"].items():
            assert ship["unit_costs"][group] == pytest.approx(value, abs=10), (name, group)


def test_baseline_and_spreads_are_reproducible(result):
    base = shipped("baseline-2025.yaml")
    for key in ("change", "expected_deaths"):
        for sex in ("female", "male"):
            np.testing.assert_allclose(base[key][sex], result.baseline[key][sex], atol=1)
    assert (
        base["assumptions"]["net_immigration"] == result.baseline["assumptions"]["net_immigration"]
    )
    spreads = shipped("uncertainty-2025.yaml")
    for key, inner in (
        ("births", "sd"),
        ("deaths", "relative_sd"),
        ("regular_net_immigration", "sd"),
        ("unit_costs", "log_sd"),
    ):
        assert spreads[key][inner] == pytest.approx(result.uncertainty[key][inner], rel=1e-6)


def test_fit_reproduces_every_published_figure(result):
    assert len(result.targets) == 8
    for target, fitted in zip(result.targets, result.fitted, strict=True):
        assert fitted == pytest.approx(target.published, abs=0.05), target


def test_scale_factors_stay_plausible(result):
    # the building blocks should need only moderate rescaling; large factors would mean the
    # age split or the sources are off
    assert all(0.75 < s < 1.35 for s in result.scales.values()), result.scales


def test_mortality_fit_matches_published_deaths(population):
    fit = fit_mortality(population, 2023, deaths=43_803)
    assert fit.deaths(population.at(2023)).sum() == pytest.approx(43_803, rel=1e-6)
    assert 0.08 < fit.b < 0.14  # Gompertz slopes of rich countries lie around 0.1
    # modelled net migration in 2023 comes close to SSB's published 52,578 (ages 1+ only)
    migration = net_migration(population, 2023, fit).sum()
    assert migration == pytest.approx(52_578, rel=0.05)


def test_one_year_step_conserves_people(population):
    fit = fit_mortality(population, 2023, deaths=43_803)
    start = population.at(2024)
    profile = net_migration_profile(population, 2010, 2019, fit.b, fit.male_ratio)
    assert profile.sum() == pytest.approx(1.0) and profile.min() >= 0
    step = project_one_year(
        start, fit, births=50_000, net_immigration=10_000, migration_profile=profile
    )
    expected = start.sum() - fit.deaths(start).sum() + 50_000 + 10_000
    assert step.sum() == pytest.approx(expected, rel=1e-12)
    # cohorts age by one year
    assert step[0, 31] == pytest.approx(
        start[0, 30] * (1 - fit.probabilities()[0, 30]) + 10_000 * profile[0, 31]
    )


def test_history_spreads_are_positive_and_of_the_right_size(population):
    fit = fit_mortality(population, 2023, deaths=43_803)
    s = history_spreads(population, 2005, 2021, fit.b, fit.male_ratio)
    assert 500 < s.births_sd < 5_000
    assert 0.005 < s.deaths_relative_sd < 0.1
    assert 2_000 < s.net_migration_sd < 20_000
