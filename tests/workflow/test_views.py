"""Both views of the default 2025 run side by side, and the reconciliation of their medians."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from mc.errors import ConfigError
from mc.model.config import Config, load_config
from mc.model.config.population import PopulationKind
from mc.model.config.views import View, view_config
from mc.model.economy import ECONOMY_DIMS
from mc.workflow import RunOptions, analyse
from mc.workflow.views import STEPS, model_parts, other_view_config, tbu_parts
from tests.conftest import CONFIGS

SMALL = RunOptions(draws=2_000, block_size=1_000, seed=11)


def with_data(data_dir, **top) -> Config:
    raw = load_config(CONFIGS / "tbu-2025.yaml").to_dict()
    raw["model_view"] = {"data": str(data_dir)}
    raw.update(top)
    return Config.from_dict(raw, CONFIGS)


@pytest.fixture(scope="module")
def config(data_dir):
    return with_data(data_dir)


@pytest.fixture(scope="module")
def analysis(config):
    return analyse(config, SMALL)


def test_the_shipped_default_run_has_both_views():
    config = load_config(CONFIGS / "tbu-2025.yaml")
    assert config.view is View.TBU and config.model_view is not None


def test_the_model_view_measures_scenarios_from_the_main_one(config):
    model = view_config(config, View.MODEL)
    assert model.population.kind is PopulationKind.COMPONENTS
    assert [s.extra_net_immigration for s in model.scenarios] == [0.0, 8000.0, -8000.0]
    # the projection draws births, deaths and migration: no second spread on top
    assert model.uncertainty.extra_net_immigration.scale == 0
    assert model.uncertainty.regular_net_immigration_sd == 0
    assert model.uncertainty.unit_cost_log_sd == config.uncertainty.unit_cost_log_sd
    tbu = view_config(config, View.TBU)
    assert tbu.model_view is None and tbu.population == config.population
    assert tbu.scenarios == config.scenarios


def test_views_table_holds_both_views_side_by_side(analysis):
    views = analysis.views
    assert len(views) == 2 * 3 * 2  # views x scenarios x (total, free)
    assert set(views["view"]) == {"tbu", "model"}
    assert views.loc[views["view"] == "tbu", "headline"].all()
    assert not views.loc[views["view"] == "model", "headline"].any()
    total = views[views["variable"] == "demographic_cost_total_bn"].set_index(["view", "scenario"])
    # the headline view's bands are the run's own summary
    summary = analysis.summary
    row = summary[
        (summary["variable"] == "demographic_cost_total_bn")
        & (summary["scenario"] == "main")
        & (summary["sector"] == "all")
    ].iloc[0]
    assert total.loc[("tbu", "main"), "median"] == row["q50"]
    assert total.loc[("tbu", "main"), "published"] == 4.3
    assert 0 <= total.loc[("model", "main"), "p_above_published"] <= 1


def test_reconciliation_steps_sum_exactly_to_the_difference(analysis):
    table = analysis.reconciliation
    for scenario, part in table.groupby("scenario"):
        part = part.sort_values("order")
        assert tuple(part["step"]) == STEPS
        start, *steps, end = part["total_bn"].to_numpy()
        # exact up to the rounding of eight additions of numbers below 10
        assert start + sum(steps) == pytest.approx(end, abs=1e-12)
        views = analysis.views
        model_median = views[
            (views["view"] == "model")
            & (views["scenario"] == scenario)
            & (views["variable"] == "demographic_cost_total_bn")
        ]["median"].iloc[0]
        assert end == model_median
        free = part["free_bn"].to_numpy()
        assert free[0] + free[1:-1].sum() == pytest.approx(free[-1], abs=1e-12)
    # both views price with the same unit costs and start from the same population
    assert (table.loc[table["step"].isin(["unit_costs", "ageing"]), "total_bn"] == 0).all()


def test_parts_add_up_to_each_views_point_estimate(config, analysis):
    population = analysis.side.population
    tbu, model = view_config(config, View.TBU), view_config(config, View.MODEL)
    a = tbu_parts(tbu, population, 28_000)
    b = model_parts(model, population, 0.0)
    det = analysis.deterministic
    growth = det[(det["variable"] == "population_growth") & (det["scenario"] == "main")]
    assert a.change.sum() == pytest.approx(growth["value"].iloc[0], abs=1e-6)
    side = analysis.side.deterministic
    growth = side[(side["variable"] == "population_growth") & (side["scenario"] == "main")]
    assert b.change.sum() == pytest.approx(growth["value"].iloc[0], abs=1e-6)
    assert a.births[1:].sum() == 0 and b.births[1:].sum() == 0


def test_view_model_makes_the_model_view_the_headline(data_dir):
    config = with_data(data_dir, view="model")
    analysis = analyse(config, RunOptions(deterministic=True))
    assert analysis.views.loc[analysis.views["view"] == "model", "headline"].all()
    det = analysis.deterministic
    main = det[(det["variable"] == "extra_net_immigration") & (det["scenario"] == "main")]
    assert main["value"].iloc[0] == 0  # the model view's main scenario adds nothing
    assert np.isnan(analysis.views["median"]).all()  # no draws: point estimates only


def test_view_model_needs_a_model_view():
    raw = load_config(CONFIGS / "tbu-2025.yaml").to_dict()
    raw.pop("model_view")
    raw["view"] = "model"
    with pytest.raises(ConfigError, match="model_view"):
        Config.from_dict(raw, CONFIGS)


def test_a_model_view_needs_tbus_projected_baseline(data_dir):
    raw = load_config(CONFIGS / "tbu-2025-projection.yaml").to_dict()
    raw["model_view"] = {"data": str(data_dir)}
    with pytest.raises(ConfigError, match="projected"):
        Config.from_dict(raw, CONFIGS)


def test_an_unknown_reference_scenario_is_refused(data_dir):
    with pytest.raises(ConfigError, match="reference"):
        with_data(data_dir, model_view={"data": str(data_dir), "reference": "mian"})


def test_an_unknown_view_is_refused(data_dir):
    with pytest.raises(ConfigError, match="'tbu', 'model'"):
        with_data(data_dir, view="both")


def test_the_config_round_trips_with_its_views(config):
    again = Config.from_dict(config.to_dict(), CONFIGS)
    assert again == dataclasses.replace(config, source=again.source)
    assert config.to_dict()["view"] == "tbu"


def test_the_console_names_the_view_of_every_band(data_dir, tmp_path, capsys):
    from mc.cli.main import main

    config = CONFIGS / "tbu-2025.yaml"
    out = tmp_path / "run"
    args = ["run", str(config), "--deterministic", "--lang", "en", "--out", str(out)]
    assert main([*args, "--set", f"model_view.data={data_dir}", "--set", "view=model"]) == 0
    printed = capsys.readouterr().out
    assert "The headline figures below are The model's own forecast" in printed
    assert "*The model's own forecast" in printed and " TBU's central path" in printed
    assert (out / "views.csv").is_file() and (out / "reconciliation.csv").is_file()


def test_the_reconciliation_fits_the_components_once_for_every_scenario(
    config, analysis, monkeypatch
):
    # the table is built after the last block: a fit per scenario re-read the data folder each
    # time; the parts are the same either way (the fit does not depend on the scenario)
    import mc.workflow.views as views

    fits = []
    real = views.component_fit
    monkeypatch.setattr(views, "component_fit", lambda *a: fits.append(1) or real(*a))
    by_view = {View.TBU: analysis, View.MODEL: analysis.side}
    table = views.reconciliation_table(config, by_view)
    assert len(config.scenarios) == 3 and len(fits) == 1
    assert table.equals(analysis.reconciliation)


@pytest.mark.parametrize("headline", [View.TBU, View.MODEL])
def test_the_other_view_draws_its_costs_only_and_the_same_draws(config, headline):
    # the other view runs costs_only: its demographic costs must be the ones the full model of
    # that view draws (same stream, same bits), and it must not draw the economy at all
    two = dataclasses.replace(config, view=headline)
    side = analyse(two, SMALL).side
    assert side is not None and side.tree is not None
    full = analyse(other_view_config(two), SMALL)
    drawn = set(side.tree["posterior"].data_vars)
    assert drawn == set(full.tree["posterior"].data_vars) - set(ECONOMY_DIMS)
    assert "demographic_cost_total_bn" in drawn
    for name in drawn:
        np.testing.assert_array_equal(
            side.tree["posterior"][name].values, full.tree["posterior"][name].values
        )
    rows = full.summary[full.summary["variable"].isin(drawn)].reset_index(drop=True)
    assert side.summary.reset_index(drop=True).equals(rows)


def test_a_costs_only_run_refuses_an_exceedance_of_the_economy(config):
    alone = view_config(config, View.TBU)
    assert any(t.variable in ECONOMY_DIMS for t in alone.exceedance)
    with pytest.raises(ConfigError, match="exceedance"):
        analyse(alone, dataclasses.replace(SMALL, costs_only=True))


def _share_of_every_draw(analysis, variable, scenario, level):
    values = analysis.tree["posterior"][variable].sel(
        scenario=scenario, year=analysis.config.cost_year
    )
    return float((values > level).mean())


def test_p_above_published_is_a_share_of_every_draw_not_of_the_kept_ones(config):
    # the same draws twice: once with every draw kept (the share counted from them directly),
    # once keeping only the first 500, where the views table must still give every draw's share
    every = analyse(config, dataclasses.replace(SMALL, keep_draws=SMALL.draws))
    first = analyse(config, dataclasses.replace(SMALL, keep_draws=500))
    assert first.simulation.kept == 500 and not first.simulation.complete
    for view, side in (("tbu", False), ("model", True)):
        whole = every.side if side else every
        rows = first.views[first.views["view"] == view]
        for row in rows.itertuples():
            expected = _share_of_every_draw(whole, row.variable, row.scenario, row.published)
            assert row.p_above_published == expected, (view, row.variable, row.scenario)
    # and the kept draws alone would have said something else somewhere (else the test is void)
    kept = first.tree["posterior"]["demographic_cost_total_bn"].sel(
        scenario="main", year=first.config.cost_year
    )
    alone = float((kept > 4.3).mean())
    total = first.views.set_index(["view", "variable", "scenario"])
    assert alone != total.loc[("tbu", "demographic_cost_total_bn", "main"), "p_above_published"]


def test_a_checkpointed_run_records_the_thresholds_its_blocks_count(config, tmp_path):
    # a resumed block must carry the published figures' counts too: they are in the identity
    import json

    from mc.engine.checkpoint import IDENTITY_FILE

    alone = view_config(config, View.TBU)
    run = analyse(alone, SMALL, checkpoint_dir=tmp_path / "checkpoints")
    identity = json.loads((tmp_path / "checkpoints" / IDENTITY_FILE).read_text())
    counted = [tuple(t) for t in identity["thresholds"]]
    configured = [(t.variable, t.threshold, t.direction) for t in alone.exceedance]
    published = {(variable, value, "above") for (_, variable), value in run.published.items()}
    # the configured thresholds first (exceedance.csv reads them by position), then each
    # published figure not counted already, once
    assert counted[: len(configured)] == configured
    assert set(counted) == set(configured) | published
    assert len(counted) == len(set(counted))
