"""Band presets, custom levels and exact band edges from the draws."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from mc.cli.main import build_parser
from mc.errors import ConfigError
from mc.summary.bands import (
    PRESETS,
    band_columns,
    band_probabilities,
    band_table,
    parse_bands,
    share_at_or_below,
)

DECILES_TO_90 = (10, 20, 30, 40, 50, 60, 70, 80, 90)


@pytest.mark.parametrize(
    ("name", "levels"),
    [
        ("norges-bank", (30, 50, 70, 90)),
        ("boe", DECILES_TO_90),
        ("cbo", DECILES_TO_90),
        ("obr", DECILES_TO_90[:-1]),
        ("un", (80, 95)),
        ("imf", (50, 80)),  # bounded by the 10/25/75/90 percentiles
    ],
)
def test_presets_are_the_issues(name, levels):
    spec = parse_bands(name)
    assert spec.name == name and spec.levels == tuple(float(v) for v in levels)
    assert parse_bands(name.upper()).levels == spec.levels


def test_imf_edges_are_the_10_25_75_90_percentiles():
    edges = sorted(p for level in PRESETS["imf"] for p in band_probabilities(level))
    assert edges == pytest.approx([0.10, 0.25, 0.75, 0.90])


@pytest.mark.parametrize(
    ("spec", "levels"),
    [
        ("50,80,95", (50.0, 80.0, 95.0)),
        (" 95, 50 ,80% ", (50.0, 80.0, 95.0)),
        ("66.5", (66.5,)),
        ("90,90,50", (50.0, 90.0)),
        ([80, 50], (50.0, 80.0)),
    ],
)
def test_custom_levels(spec, levels):
    parsed = parse_bands(spec)
    assert parsed.name == "custom" and parsed.levels == levels


@pytest.mark.parametrize(
    "spec", ["ecb", "", "50,,80", "0", "100", "-5", "50,abc", "nan", "50,120", []]
)
def test_invalid_bands_name_field_value_and_what_is_allowed(spec):
    with pytest.raises(ConfigError) as caught:
        parse_bands(spec)
    error = caught.value
    assert error.field == "bands"
    assert "(0, 100)" in error.allowed
    assert "bands" in str(error)


def test_cli_help_names_every_preset():
    report = build_parser()._subparsers._group_actions[0].choices["report"]
    help_text = report.format_help()
    for name in PRESETS:
        assert name in help_text


def test_band_probabilities_are_central():
    assert band_probabilities(90) == (0.05, 0.95)
    assert band_probabilities(30) == pytest.approx((0.35, 0.65))
    assert band_columns(66.5) == ("lo_66.5", "hi_66.5")


def _tree(values: np.ndarray) -> xr.DataTree:
    """draws (chain, draw, scenario, year) -> a DataTree like a run's draws.nc."""
    post = xr.Dataset(
        {"x": (("chain", "draw", "scenario", "year"), values)},
        coords={"scenario": ["a", "b"], "year": [2025, 2026]},
    )
    return xr.DataTree.from_dict({"posterior": post})


def test_band_table_pools_chains_and_draws(rng):
    values = rng.normal(size=(3, 500, 2, 2))
    table = band_table(_tree(values), (50, 90))
    assert list(table.columns) == [
        "variable",
        "scenario",
        "year",
        "sector",
        "q50",
        "lo_50",
        "hi_50",
        "lo_90",
        "hi_90",
    ]
    assert len(table) == 4 and set(table["sector"]) == {"all"}
    row = table[(table["scenario"] == "b") & (table["year"] == 2026)].iloc[0]
    pooled = values[:, :, 1, 1].ravel()
    assert row["lo_90"] == np.quantile(pooled, 0.05)
    assert row["hi_50"] == np.quantile(pooled, 0.75)
    assert row["q50"] == np.median(pooled)


def test_band_table_skips_unknown_variables(rng):
    table = band_table(_tree(rng.normal(size=(1, 10, 2, 2))), (50,), variables=["nope"])
    assert table.empty and "lo_50" in table.columns


def test_share_at_or_below(rng):
    values = rng.normal(size=(2, 1000, 2, 2))
    tree = _tree(values)
    share = share_at_or_below(tree, "x", 0.3, scenario="a", year=2025)
    assert share == np.mean(values[:, :, 0, 0] <= 0.3)


def test_norges_bank_edges_equal_the_summarys_quantiles(run_2025):
    """The run's summary.csv has exact quantiles too: the 30/50/70/90 edges must be the same."""
    summary = pd.read_csv(run_2025 / "summary.csv")
    tree = xr.open_datatree(run_2025 / "draws.nc", engine="h5netcdf")
    table = band_table(tree, PRESETS["norges-bank"], variables=["demographic_cost_total_bn"])
    merged = table.merge(summary, on=["variable", "scenario", "year", "sector"])
    assert len(merged) == 3
    # summary.csv is written with 10 significant digits
    for edge, quantile in [
        ("lo_90", "q05"),
        ("hi_90", "q95"),
        ("lo_70", "q15"),
        ("hi_70", "q85"),
        ("lo_50", "q25"),
        ("hi_50", "q75"),
        ("lo_30", "q35"),
        ("hi_30", "q65"),
        ("q50_x", "q50_y"),
    ]:
        np.testing.assert_allclose(merged[edge], merged[quantile], rtol=1e-9)
