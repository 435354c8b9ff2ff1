"""The shipped tables are what `tbu-mc calibrate` makes from sourced inputs, and nothing else."""

import shutil

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
    assert shipped("unit-costs-2023.yaml") == result.unit_costs


def test_baseline_and_spreads_are_reproducible(result):
    assert shipped("baseline-2025.yaml") == result.baseline
    assert shipped("uncertainty-2025.yaml") == result.uncertainty


MARCH = CONFIGS / "calibration" / "building-blocks-2024-03.yaml"


def test_the_march_unit_costs_are_reproducible_and_public_by_march(data_dir):
    march = calibrate(MARCH, data_dir)
    assert shipped("unit-costs-2024-03.yaml") == march.unit_costs
    dates = [s["published"] for s in march.unit_costs["sectors"].values()]
    assert max(dates) <= "2024-03-31"
    care = next(t for t in march.sector_totals if t.sector == "care")
    # 154.8 bn of 2022 (SSB's 2023 release) moved to 2023-kroner with the 2023 deflator 4.5 %
    assert care.blocks_bn == pytest.approx(154.8 * 1.045, abs=1e-9)


def test_the_march_blocks_share_the_baseline_and_spreads():
    # the March file writes only its unit costs: what it would write otherwise must be the same
    a = yaml.safe_load(BLOCKS.read_text(encoding="utf-8"))
    b = yaml.safe_load(MARCH.read_text(encoding="utf-8"))
    for key in ("baseline", "uncertainty", "age_groups", "price_year", "population_year"):
        assert a[key] == b[key], key
    assert set(b["tables"]) == {"unit_costs"}


def test_every_sector_gives_back_its_blocks(result, population):
    # unit costs are rounded to 10 kroner: at most 5 kroner per inhabitant off in every group
    rounding_bn = 5 * population.at(2023).sum() / 1e9
    for total in result.sector_totals:
        assert abs(total.recomputed_bn - total.blocks_bn) <= rounding_bn, total
    care = next(t for t in result.sector_totals if t.sector == "care")
    # the cited block: 171.9 bn for care services in 2023 (SSB), already in 2023-kroner
    assert care.blocks_bn == pytest.approx(171.9, abs=1e-9)
    assert round(care.recomputed_bn, 1) == 171.9
    assert "171.9" in result.unit_costs["sectors"]["care"]["note"]


def test_free_revenue_shares_are_the_stated_priors(result):
    blocks = yaml.safe_load(BLOCKS.read_text(encoding="utf-8"))
    for name, sector in result.unit_costs["sectors"].items():
        assert sector["free_share"] == blocks["sectors"][name]["free_share"]["prior"]


def _copy_with_other_published(tmp_path, factor):
    """The blocks and the checked configs, with TBU's published figures scaled by ``factor``."""
    (tmp_path / "calibration").mkdir()
    blocks = tmp_path / "calibration" / BLOCKS.name
    shutil.copy(BLOCKS, blocks)
    for name in ("tbu-2024-actual.yaml", "tbu-2025.yaml"):
        raw = yaml.safe_load((CONFIGS / name).read_text(encoding="utf-8"))
        for scenario in raw["scenarios"].values():
            published = scenario["published"]  # the figures; its date stays
            published.update({k: published[k] * factor for k in ("total_bn", "free_bn")})
        (tmp_path / name).write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return blocks


def test_tbu_published_figures_do_not_move_the_tables(tmp_path, data_dir, result):
    # nothing is fitted to TBU's results: doubling every published figure changes no table
    blocks = _copy_with_other_published(tmp_path, 2.0)
    other = calibrate(blocks, data_dir)
    for key in ("change", "expected_deaths", "regular_net_immigration_profile"):
        assert other.baseline[key] == result.baseline[key]
    assert other.baseline["assumptions"] == result.baseline["assumptions"]
    for name, sector in result.unit_costs["sectors"].items():
        mine = other.unit_costs["sectors"][name]
        assert mine["unit_costs"] == sector["unit_costs"]
        assert mine["free_share"] == sector["free_share"]
    assert other.uncertainty == result.uncertainty


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


def test_baseline_change_adds_up(result):
    change = result.baseline["change"]
    growth = sum(change["female"]) + sum(change["male"])
    assert growth == result.baseline["assumptions"]["growth"]
    assert abs(growth - result.growth[2024]) <= len(change["female"]) * 2  # rounding per cell
    assert np.isclose(
        sum(result.baseline["regular_net_immigration_profile"]["female"])
        + sum(result.baseline["regular_net_immigration_profile"]["male"]),
        1.0,
        atol=1e-5,
    )


def test_a_projection_file_gives_the_baseline_change(tmp_path, data_dir, result):
    import pandas as pd

    # a stand-in for SSB's series: 1.1.2024 as observed, 1.1.2025 with 1,000 more women aged 30
    frame = pd.read_csv(data_dir / "population_norway_by_age_sex.csv")
    start = frame[frame["year"] == 2024].copy()
    later = start.assign(year=2025)
    later.loc[(later["age"] == 30) & (later["sex"] == "female"), "population"] += 1000
    path = tmp_path / "mmm.csv"
    pd.concat([start, later]).assign(alternative="MMMM").to_csv(path, index=False)
    other = calibrate(BLOCKS, data_dir, projection=path)
    change = other.baseline["change"]
    band = change["bands"].index("30-49")
    assert change["female"][band] == 1000
    assert sum(change["female"]) + sum(change["male"]) == 1000
    assert "mmm.csv" in other.baseline["source"]
    # only the change comes from the file; the shapes of the shocks are the rebuild's
    assert other.baseline["expected_deaths"] == result.baseline["expected_deaths"]
    assert other.unit_costs == result.unit_costs


def test_a_projection_without_the_years_is_refused(tmp_path, data_dir):
    import pandas as pd

    from mc.errors import DataError

    frame = pd.read_csv(data_dir / "population_norway_by_age_sex.csv")
    path = tmp_path / "short.csv"
    frame[frame["year"].isin([2022, 2023])].to_csv(path, index=False)
    with pytest.raises(DataError, match="must hold 1 January 2024 and 2025"):
        calibrate(BLOCKS, data_dir, projection=path)


@pytest.mark.parametrize(
    ("tables", "field"),
    [
        ({"unit_cost": "u.yaml"}, "tables.unit_cost"),  # a kind that does not exist
        ({"unit_costs": "../u.yaml"}, "tables.unit_costs"),  # a name, not a path
        ({"unit_costs": "u.csv"}, "tables.unit_costs"),
        ([], "tables"),
    ],
)
def test_a_bad_tables_mapping_names_the_field(tables, field):
    from mc.calibration.fit import table_names
    from mc.errors import ConfigError

    with pytest.raises(ConfigError) as err:
        table_names({"tables": tables})
    assert err.value.field == field


def test_without_tables_a_blocks_file_writes_all_three():
    from mc.calibration.fit import DEFAULT_TABLES, table_names

    assert table_names({}) == DEFAULT_TABLES
