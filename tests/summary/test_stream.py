"""Streamed (municipal) runs: histogram quantiles, diagnostics without draws, bit-identity."""

import numpy as np
import pandas as pd
import pytest

from mc.engine import BlockPlan, Reducer, SchedulerSpec, pilot_grids, simulate
from mc.model.config import load_config
from mc.model.municipal import MUNICIPAL_DIMS, build_municipal_model
from mc.report.layout import RunKind, run_files
from mc.summary.stream import stream_summary_table
from mc.summary.table import QUANTILES
from tests.conftest import CONFIGS, listing

PLAN = BlockPlan(600, 150)


@pytest.fixture(scope="module")
def model(data_dir):
    return build_municipal_model(load_config(CONFIGS / "municipalities-2025.yaml"))


@pytest.fixture(scope="module")
def runs(model):
    pilot = model.simulate(np.random.default_rng(99), 200)
    grids = pilot_grids(pilot, bins=2000)
    gathered = simulate(model, PLAN, 4, SchedulerSpec("sync"))
    streamed = simulate(model, PLAN, 4, SchedulerSpec("sync"), reducer=Reducer("stream", grids))
    return gathered, streamed


def test_accounting_in_every_draw(model):
    out = model.simulate(np.random.default_rng(1), 20)
    assert out["municipal_cost_bn"].shape == (20, 357, 1)
    assert out["county_cost_bn"].shape == (20, 15, 1)
    np.testing.assert_allclose(
        out["municipal_cost_bn"].sum(axis=1) + out["county_cost_bn"].sum(axis=1),
        out["national_cost_bn"],
        rtol=1e-9,
    )
    share = out["national_cost_free_bn"] / out["national_cost_bn"]
    assert np.all((share > 0.8) & (share < 0.87))  # the calibrated sector shares are 0.82-0.86
    point = model.point_estimates()
    assert point["national_cost_bn"].shape == (1,)


def test_costs_equal_the_sector_by_sector_sum(model):
    """The folded matrix products give what pricing each sector and adding them up gives."""
    from mc.model.municipal import BN
    from mc.model.projection import output_groups

    n = 6
    out = model.simulate(np.random.default_rng(3), n)
    rng = np.random.default_rng(3)
    projection_rng, cost_rng = rng.spawn(2)  # the model's own streams
    population = model.populations(rng, projection_rng, n)[:, 1:, :, 1:]
    _, lo, hi = output_groups(model.projection.groups)
    both = model.projection.fit.municipal.start.sum(axis=1)
    start = np.stack(
        [both[:, a : b + 1].sum(axis=1) for a, b in zip(lo[1:], hi[1:], strict=True)], -1
    )
    before = np.concatenate([np.repeat(start[None, :, None], n, 0), population[:, :, :-1]], 2)
    sigma = model.sector_log_sd
    factor = np.exp(
        sigma * cost_rng.standard_normal((n, model.group_costs.shape[0])) - sigma**2 / 2
    )
    sector = np.einsum("nrhg,kg,nk->nrhk", population - before, model.group_costs, factor) / BN
    municipal = ~model.county_sector
    np.testing.assert_allclose(out["municipal_cost_bn"], sector[..., municipal].sum(-1), rtol=1e-9)
    np.testing.assert_allclose(
        out["municipal_cost_free_bn"],
        sector[..., municipal] @ model.free_shares[municipal],
        rtol=1e-9,
    )
    np.testing.assert_allclose(out["national_cost_bn"], sector.sum(axis=(1, 3)), rtol=1e-9)
    np.testing.assert_allclose(
        out["national_cost_free_bn"], (sector @ model.free_shares).sum(axis=1), rtol=1e-9
    )
    county = np.zeros_like(out["county_cost_bn"])
    np.add.at(county, (slice(None), model.county_of), sector[..., model.county_sector].sum(-1))
    np.testing.assert_allclose(out["county_cost_bn"], county, rtol=1e-9)


def test_sketch_quantiles_match_exact_ones_within_a_bin(runs):
    gathered, streamed = runs
    assert streamed.draws is None and gathered.draws is not None
    for name in MUNICIPAL_DIMS:
        flat = gathered.draws[name].reshape(-1, *gathered.draws[name].shape[2:])
        exact = np.quantile(flat, QUANTILES, axis=0)
        summary = stream_summary_table(
            streamed,
            MUNICIPAL_DIMS,
            {
                "municipality": [f"{i:04d}" for i in range(357)],
                "county": list(range(15)),
                "year": [2025],
            },
            2025,
        )
        rows = summary[summary["variable"] == name]
        width = streamed.grids[name].width
        for q, values in zip(QUANTILES, exact, strict=True):
            estimate = rows[f"q{round(100 * q):02d}"].to_numpy()
            # linear interpolation within the histogram and numpy's between draws differ by at
            # most a bin plus the gap between neighbouring order statistics
            gap = np.abs(np.diff(np.sort(flat.reshape(flat.shape[0], -1), axis=0), axis=0)).max(0)
            assert np.all(np.abs(estimate - values.ravel()) <= width + gap + 1e-9), (name, q)
        # moments are exact
        np.testing.assert_array_equal(streamed.moments[name].mean, gathered.moments[name].mean)


def test_stream_summary_columns_and_diagnostics(runs, model):
    _, streamed = runs
    table = stream_summary_table(streamed, model.dims, model.coords, 2025)
    assert list(table.columns[:5]) == ["variable", "scenario", "year", "sector", "region"]
    assert "sketch_error" in table
    regions = table.loc[table["variable"] == "municipal_cost_bn", "region"]
    assert regions.str.fullmatch(r"\d{4}").all() and "0301" in set(regions)
    counties = table.loc[table["variable"] == "county_cost_bn", "region"]
    assert counties.str.fullmatch(r"\d{2}").all()
    assert table.loc[table["variable"] == "national_cost_bn", "region"].iloc[0] == "0000"
    assert table["rhat"].between(0.9, 1.2).all()
    assert (table["ess"] == PLAN.draws).all()
    varying = table["sd"] > 0
    assert (table.loc[varying, "mcse_q50"] > 0).all()


def test_memory_does_not_grow_with_draws(model):
    grids = pilot_grids(model.simulate(np.random.default_rng(3), 100), bins=500)
    small = simulate(
        model, BlockPlan(100, 50), 1, SchedulerSpec("sync"), reducer=Reducer("stream", grids)
    )
    large = simulate(
        model, BlockPlan(400, 50), 1, SchedulerSpec("sync"), reducer=Reducer("stream", grids)
    )
    for name in small.counts:
        assert small.counts[name].shape == large.counts[name].shape
        assert large.counts[name].sum() == 4 * small.counts[name].sum()


def test_municipal_cli_run_is_identical_across_schedulers(tmp_path, data_dir):
    from mc.cli.main import main

    text = (CONFIGS / "municipalities-2025.yaml").read_text()
    text = text.replace("../../shared/data", str(data_dir)).replace(
        " tables/", f" {CONFIGS}/tables/"
    )
    config = tmp_path / "m.yaml"
    config.write_text(text)
    args = ["run", str(config), "--draws", "200", "--block-size", "50", "--seed", "3", "--quiet"]
    assert main([*args, "--sync", "--out", str(tmp_path / "a")]) == 0
    assert main([*args, "--threads", "2", "--out", str(tmp_path / "b")]) == 0
    a = (tmp_path / "a" / "summary.csv").read_bytes()
    assert a == (tmp_path / "b" / "summary.csv").read_bytes()
    names = listing(tmp_path / "a")
    assert names == list(run_files(RunKind.STREAM))
    summary = pd.read_csv(tmp_path / "a" / "summary.csv", dtype={"region": str})
    per = summary[summary["variable"] == "municipal_cost_per_inhabitant_kr"]
    assert len(per) == 357
