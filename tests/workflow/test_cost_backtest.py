"""`tbu-mc backtest costs` on a small window: the tables, the outcome as `history` prices it."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from mc.cli.main import main
from mc.model.history import SINGLE_AGES, PricedChange, history_costs, priced_change
from mc.summary.backtest_costs import QUANTILE_COLUMNS, ROW_COLUMNS, cost_coverage, naive_bands
from tests.conftest import CONFIGS, listing

YEARS = [2022, 2023]


@pytest.fixture(scope="module")
def small(tmp_path_factory, data_dir):
    out = tmp_path_factory.mktemp("costbt") / "bt"
    argv = ["backtest", "costs", "--origins", "2022-2023", "--data", str(data_dir)]
    assert main([*argv, "--draws", "400", "--seed", "3", "--out", str(out)]) == 0
    return out


def test_tables_and_columns(small):
    assert listing(small) == ["backtest_costs.csv", "coverage.csv", "manifest.json", "scores.csv"]
    rows = pd.read_csv(small / "backtest_costs.csv")
    assert list(rows.columns[: len(ROW_COLUMNS)]) == list(ROW_COLUMNS)
    for method in ("naive_last", "naive_mean3"):  # the baselines, so scores can be recomputed
        assert [method, *(f"{method}_{q}" for q in QUANTILE_COLUMNS)] == [
            c for c in rows.columns if c.startswith(method)
        ]
    # carried forward: 2023's naive forecast is 2022's realised cost, to the digit
    assert rows["naive_last"].iloc[1] == rows["actual"].iloc[0]
    assert rows["year"].tolist() == YEARS
    assert (rows["origin"] == rows["year"] - 1).all()
    values = rows[[*QUANTILE_COLUMNS, "mean", "actual"]].to_numpy()
    assert np.isfinite(values).all()
    quantiles = rows[list(QUANTILE_COLUMNS)].to_numpy()
    assert (np.diff(quantiles, axis=1) >= 0).all()
    assert (quantiles[:, -1] > quantiles[:, 0]).all()  # a band, not a point
    coverage = pd.read_csv(small / "coverage.csv")
    assert set(coverage["band"]) == {"50%", "80%", "90%"}
    assert set(coverage["method"]) == {"model", "naive_last", "naive_mean3"}
    assert (coverage["n"] == 2).all()
    assert coverage["p_value"].between(0, 1).all()
    scores = pd.read_csv(small / "scores.csv")
    assert list(scores.columns) == [
        "method",
        "n",
        "mae_bn",
        "interval_score_50_bn",
        "interval_score_80_bn",
        "interval_score_90_bn",
    ]
    assert np.isfinite(scores.drop(columns="method").to_numpy()).all()
    manifest = json.loads((small / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["mode"] == "backtest costs (components)" and manifest["seed_entropy"] == 3
    assert any("nor_hmd_deaths" in str(entry) for entry in manifest["data"])


def test_actual_is_what_history_writes(small, tmp_path, data_dir):
    out = tmp_path / "hist"
    national = str(data_dir / "population_norway_by_age_sex.csv")
    argv = ["history", str(CONFIGS / "tbu-2025.yaml"), "--population", national]
    assert main([*argv, "--from", "2022", "--to", "2023", "--out", str(out)]) == 0
    hist = pd.read_csv(out / "history.csv")
    total = hist[hist["variable"] == "demographic_cost_total_bn"]
    rows = pd.read_csv(small / "backtest_costs.csv")
    assert rows["actual"].tolist() == total["value"].tolist()  # exactly, as written


class _Known:
    """A 'projection' whose every draw is the population that came."""

    groups = SINGLE_AGES

    def __init__(self, population: np.ndarray) -> None:
        self.population = population

    def simulate(self, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
        row = np.concatenate([[self.population.sum()], self.population.sum(axis=0)])
        return {"population": np.broadcast_to(row, (n, 1, 1, len(row))).copy()}


def test_priced_change_prices_as_history(config_2025, population):
    # populations are whole numbers, so the change is exact; only the dot product's order of
    # summation can differ from history_costs: agreement to 1e-12 relative
    for year in (2009, 2023):
        model = priced_change(config_2025, _Known(population.at(year)), population.at(year - 1))
        drawn = model.simulate(np.random.default_rng(0), 3)
        hist = history_costs(config_2025, population, year, year).set_index("variable")["value"]
        for name in ("demographic_cost_total_bn", "demographic_cost_free_bn", "population_growth"):
            np.testing.assert_allclose(drawn[name], hist[name], rtol=1e-12)


def test_priced_change_wants_single_ages(config_2025, population):
    class Broad(_Known):
        groups = ("0-5", "6+")

    with pytest.raises(ValueError, match="single-year ages"):
        PricedChange(Broad(population.at(2020)), np.zeros(106), np.zeros((1, 106)), np.ones(1))


def test_naive_bands_from_own_past_errors():
    # a cost rising by 1 a year: carrying the last one forward is always 1 short, the mean of
    # the last three 2 short, so every quantile is the point plus that error
    realised = pd.Series(np.arange(1990, 2011, dtype=float), index=range(1990, 2011))
    bands = naive_bands(realised, [2005, 2010]).set_index(["method", "year"])
    last = bands.loc[("naive_last", 2010)]
    assert last["point"] == 2009 and (last[list(QUANTILE_COLUMNS)] == 2010).all()
    mean3 = bands.loc[("naive_mean3", 2010)]
    assert mean3["point"] == 2008 and (mean3[list(QUANTILE_COLUMNS)] == 2010).all()
    # 2005 has 2005-1991 = 14 past errors for the last value and 12 for the mean: both enough
    assert bands[list(QUANTILE_COLUMNS)].notna().all().all()
    few = naive_bands(realised, [1998])  # 7 and 5 past errors: no interval
    assert few[list(QUANTILE_COLUMNS)].isna().all().all()


def test_coverage_p_value_is_exact_binomial():
    # 10 outcomes, all inside every band: P(10 of 10 | 0.5) = 2 * 0.5**10 two-sided
    rows = pd.DataFrame({"year": range(2000, 2010), "actual": 1.0, "q50": 1.0})
    for column in QUANTILE_COLUMNS:
        rows[column] = 0.0 if column < "q50" else 2.0
    rows["q50"] = 1.0
    naive = pd.DataFrame(columns=["year", "method", "point", *QUANTILE_COLUMNS])
    coverage = cost_coverage(rows, naive).set_index("band")
    assert coverage.loc["50%", "empirical"] == 1.0
    assert coverage.loc["50%", "p_value"] == pytest.approx(2 * 0.5**10)
    # for 90 % only 9 of 10 lies nearer nominal than 10 of 10 does
    assert coverage.loc["90%", "p_value"] == pytest.approx(1 - 10 * 0.9**9 * 0.1)


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--origins", "2006-2030"], "cost years in [1990, 2024]"),
        (["--origins", "2006-2007", "--config", "nope.yaml"], "nope.yaml"),
    ],
)
def test_errors_are_one_line(tmp_path, data_dir, capsys, extra, needle):
    argv = ["backtest", "costs", "--data", str(data_dir), "--out", str(tmp_path / "x"), *extra]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and needle in err


def test_missing_components_is_one_line(tmp_path, data_dir, capsys):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "population_norway_by_age_sex.csv").symlink_to(
        data_dir / "population_norway_by_age_sex.csv"
    )
    argv = ["backtest", "costs", "--origins", "2020", "--data", str(folder)]
    assert main([*argv, "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "components" in err
    # Hamilton-Perry needs no components
    assert main([*argv, "--model", "ratios", "--draws", "200", "--out", str(tmp_path / "y")]) == 0


def test_cost_draws_identical_across_schedulers(config_2025, population, data_dir):
    from mc.data.components import read_components
    from mc.engine import BlockPlan, SchedulerSpec, simulate
    from mc.model.components import ComponentModel, fit_components

    fit = fit_components(population, read_components(data_dir), 2015)
    model = priced_change(config_2025, ComponentModel(fit, 1, SINGLE_AGES), population.at(2015))
    plan = BlockPlan(1000, 250)
    sync = simulate(model, plan, 5, SchedulerSpec("sync")).gathered()
    threads = simulate(model, plan, 5, SchedulerSpec("threads", workers=2)).gathered()
    for name, values in sync.items():
        assert np.array_equal(values, threads[name])  # blocks own their streams: bit-identical
    assert np.unique(sync["demographic_cost_total_bn"]).size > 900  # draws, not one value
