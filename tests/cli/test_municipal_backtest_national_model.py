"""``tbu-mc population backtest --level municipality --national-model ratios|components``.

The municipal backtest reconciles the municipalities to the national draw a municipal run would
use; with ``components`` that is the cohort-component projection fitted at each origin.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from mc.cli.main import main
from mc.model.municipal import MunicipalProjection
from mc.workflow.population import backtest, forecast

ORIGIN = 2022
DRAWS = 100  # one block at either level (default_block: 250 municipal, 10,000 national)
SEED = 3


def _argv(data_dir, out, *extra: str) -> list[str]:
    return [
        "population",
        "backtest",
        "--data",
        str(data_dir),
        "--origins",
        str(ORIGIN),
        "--horizon",
        "1",
        "--draws",
        str(DRAWS),
        "--seed",
        str(SEED),
        "--sync",
        "--out",
        str(out),
        *extra,
    ]


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--level", "municipality", "--national-model", "cohort"], ["'ratios'", "'components'"]),
        (["--national-model", "components"], ["--level municipality"]),  # national level
    ],
)
def test_a_bad_national_model_is_one_line_before_any_work(tmp_path, data_dir, capsys, extra, words):
    out = tmp_path / "x"
    assert main(_argv(data_dir, out, *extra)) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--national-model" in err
    assert extra[-1] in err and all(word in err for word in words)
    assert not out.exists()


@pytest.fixture(scope="module")
def component_backtest(tmp_path_factory, data_dir):
    out = tmp_path_factory.mktemp("munibt") / "components"
    argv = _argv(data_dir, out, "--level", "municipality", "--national-model", "components")
    assert main(argv) == 0
    return out


def test_the_component_backtest_runs_and_records_its_national_model(component_backtest):
    rows = pd.read_csv(component_backtest / "backtest.csv", dtype={"region": str})
    assert "0000" not in set(rows["region"])  # scored on municipalities only
    assert rows["region"].nunique() == 357 and set(rows["origin"]) == {ORIGIN}
    coverage = pd.read_csv(component_backtest / "coverage.csv")
    assert set(coverage["level"]) == {"municipality"}
    manifest = json.loads((component_backtest / "manifest.json").read_text())
    assert manifest["config"]["national_model"] == "components"


def test_its_municipalities_add_up_to_the_national_component_backtest(
    component_backtest, data_dir, population
):
    """Same origin, seed and block: the municipal draws sum to the national component draws.

    Each draw's municipalities are scaled to its national cells, so the municipal means per
    group add up to the national mean draw for draw. The per-origin seed is the same at both
    levels and, with one block of ``DRAWS`` at both, so is the stream the nation reads.
    """
    from mc.data.components import read_components
    from mc.workflow.components import backtest_components

    rows = pd.read_csv(component_backtest / "backtest.csv", dtype={"region": str})
    summed = rows.groupby("age_group")["mean"].sum()
    nation, _ = backtest_components(
        population, read_components(data_dir), [ORIGIN], 1, draws=DRAWS, entropy=SEED
    )
    expected = nation.rows.set_index("age_group")["mean"].loc[summed.index]
    # equal but for the order of the sums over 357 municipalities and 100 draws (~1e-15 each),
    # and the 10 significant digits pandas writes to CSV: 1e-9 is far below any model difference
    np.testing.assert_allclose(summed.to_numpy(), expected.to_numpy(), rtol=1e-9)
    # ... which the Hamilton-Perry nation would not meet: its mean total lies thousands away
    ratios = backtest(population, [ORIGIN], 1, draws=DRAWS, entropy=SEED).rows
    hp_total = float(ratios.loc[ratios["age_group"] == "total", "mean"].iloc[0])
    assert abs(hp_total - summed["total"]) > 1e-6 * summed["total"]


def test_the_backtest_model_draws_what_the_cost_model_draws(data_dir):
    """MunicipalProjection.simulate gives the streams as MunicipalCostModel.simulate does."""
    from mc.model.municipal import build_municipal_model
    from tests.model.test_municipal_components import draw, municipal_config

    cost_model = build_municipal_model(municipal_config(data_dir, "components"))
    projection = MunicipalProjection(cost_model.projection, cost_model.national)
    drawn = projection.simulate(np.random.default_rng(5), 8)["population"]
    np.testing.assert_array_equal(drawn, draw(cost_model, 5, 8))


def test_components_need_municipalities(data_dir, population):
    from mc.data.components import read_components

    with pytest.raises(ValueError, match="forecast_components"):
        forecast(population, ORIGIN, 1, draws=10, components=read_components(data_dir))
