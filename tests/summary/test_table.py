import numpy as np
import pandas as pd
import pytest
import xarray as xr

from mc.engine import BlockPlan, SchedulerSpec, simulate
from mc.engine.moments import Moments
from mc.model.demographic import VARIABLE_DIMS, build_model
from mc.summary import SUMMARY_COLUMNS, summary_table, to_datatree


@pytest.fixture(scope="module")
def run(config_2025):
    model = build_model(config_2025)
    sim = simulate(model, BlockPlan(40_000, 10_000), 99, SchedulerSpec("sync"))
    tree = to_datatree(sim.draws, VARIABLE_DIMS, model.coords, attrs={"seed_entropy": "99"})
    return model, sim, tree, summary_table(tree, sim.moments, 2025)


def test_datatree_layout(run):
    _model, _sim, tree, _ = run
    post = tree["posterior"]
    assert isinstance(tree, xr.DataTree)
    assert dict(post.sizes) == {"chain": 4, "draw": 10_000, "scenario": 3, "year": 1, "sector": 8}
    assert post["demographic_cost_sector_bn"].dims == (
        "chain",
        "draw",
        "scenario",
        "year",
        "sector",
    )
    assert list(post["year"].values) == [2025]
    assert list(post["scenario"].values) == ["main", "high", "low"]
    assert tree.attrs["seed_entropy"] == "99"


def test_columns_and_rows(run):
    _model, _, _, table = run
    assert tuple(table.columns) == SUMMARY_COLUMNS
    # 4 variables x 3 scenarios + 8 sectors x 3 scenarios
    assert len(table) == 4 * 3 + 8 * 3
    totals = table[table["variable"] == "demographic_cost_total_bn"]
    assert set(totals["sector"]) == {"all"} and set(totals["year"]) == {2025}


def test_statistics_match_numpy(run):
    _, sim, _, table = run
    x = sim.draws["demographic_cost_free_bn"].reshape(-1, 3)
    row = table[(table["variable"] == "demographic_cost_free_bn") & (table["scenario"] == "high")]
    row = row.iloc[0]
    assert row["mean"] == pytest.approx(x[:, 1].mean(), rel=1e-12)
    assert row["sd"] == pytest.approx(x[:, 1].std(ddof=1), rel=1e-10)
    assert row["q05"] == pytest.approx(np.quantile(x[:, 1], 0.05), rel=1e-12)
    assert row["q50"] == pytest.approx(np.median(x[:, 1]), rel=1e-12)
    quantiles = row[[c for c in table.columns if c.startswith("q")]].to_numpy(dtype=float)
    assert np.all(np.diff(quantiles) >= 0)


def test_diagnostics_are_sane(run):
    _, _, _, table = run
    # independent blocks: R-hat within 1 +- 0.01 and ESS close to the number of draws
    assert table["rhat"].between(0.99, 1.01).all()
    assert (table["ess"] > 0.8 * 40_000).all()
    # the quantile MCSE is of the order sd * sqrt(p (1 - p) / N) / density: a few thousandths of sd
    ratio = table["mcse_q50"] / table["sd"]
    assert ratio.between(0.002, 0.02).all()


def test_nan_statistics_are_refused(run):
    _model, sim, tree, _ = run
    moments = dict(sim.moments)
    bad = moments["population_growth"]
    moments["population_growth"] = Moments(bad.count, bad.mean * np.nan, bad.m2, bad.min, bad.max)
    with pytest.raises(FloatingPointError, match="population_growth"):
        summary_table(tree, moments, 2025)


def test_summary_is_a_dataframe_with_text_keys(run):
    table = run[3]
    assert isinstance(table, pd.DataFrame)
    assert table["scenario"].map(type).eq(str).all()


def test_constant_cells_have_no_monte_carlo_error(config_2024, population):
    # observed population: growth does not vary, so ArviZ's diagnostics would be 0/0
    model = build_model(config_2024, population)
    sim = simulate(model, BlockPlan(4_000, 1_000), 5, SchedulerSpec("sync"))
    tree = to_datatree(sim.draws, VARIABLE_DIMS, model.coords)
    table = summary_table(tree, sim.moments, 2024)
    growth = table[table["variable"] == "population_growth"].iloc[0]
    assert growth["sd"] == 0 and growth["q05"] == growth["q95"] == 61_219
    assert growth["mcse_q50"] == 0 and growth["ess"] == 4_000 and growth["rhat"] == 1
    cost = table[table["variable"] == "demographic_cost_total_bn"].iloc[0]
    assert cost["sd"] > 0 and cost["mcse_q50"] > 0 and np.isfinite(cost["rhat"])
