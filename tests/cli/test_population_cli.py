"""`tbu-mc population fit | forecast | backtest` and the cost model on the projection."""

import json

import numpy as np
import pandas as pd
import pytest

from mc.cli.main import main
from mc.summary.population import BAND_COLUMNS
from tests.conftest import CONFIGS, listing


def test_forecast_national(tmp_path, data_dir, capsys):
    out = tmp_path / "fc"
    assert (
        main(
            [
                "population",
                "forecast",
                "--data",
                str(data_dir),
                "--origin",
                "2020",
                "--horizon",
                "3",
                "--level",
                "national",
                "--draws",
                "500",
                "--seed",
                "7",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    bands = pd.read_csv(out / "population_bands.csv", dtype={"region": str})
    assert tuple(bands.columns) == BAND_COLUMNS
    assert set(bands["region"]) == {"0000"}
    assert sorted(bands["year"].unique()) == [2021, 2022, 2023]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed_entropy"] == 7 and manifest["draws"] == 500
    assert "2021: median" in capsys.readouterr().out


def test_forecast_municipal_with_extra_immigration(tmp_path, data_dir):
    out = tmp_path / "fcm"
    profile = CONFIGS / "tables" / "immigrant-profile-ukraine-2022.yaml"
    args = [
        "population",
        "forecast",
        "--data",
        str(data_dir),
        "--origin",
        "2023",
        "--horizon",
        "1",
        "--level",
        "municipality",
        "--draws",
        "40",
        "--seed",
        "1",
        "--age-groups",
        "0-19,20-66,67+",
        "--quiet",
    ]
    assert main([*args, "--out", str(out)]) == 0
    assert (
        main(
            [
                *args,
                "--out",
                str(tmp_path / "more"),
                "--extra-immigration",
                "30000",
                "--profile",
                str(profile),
            ]
        )
        == 0
    )
    plain = pd.read_csv(out / "population_bands.csv", dtype={"region": str})
    more = pd.read_csv(tmp_path / "more" / "population_bands.csv", dtype={"region": str})
    assert len(plain["region"].unique()) == 358 and "0301" in set(plain["region"])
    assert list(plain["age_group"].unique()) == ["total", "0-19", "20-66", "67+"]
    key = (plain["region"] == "0000") & (plain["age_group"] == "total")
    assert more.loc[key, "mean"].iloc[0] - plain.loc[key, "mean"].iloc[0] == pytest.approx(
        30_000, rel=1e-6
    )


def fit_file(tmp_path, data_dir, origin):
    """What `tbu-mc population fit` writes for ``origin``, read back."""
    path = tmp_path / "fit.json"
    args = ["population", "fit", "--data", str(data_dir), "--origin", str(origin)]
    assert main([*args, "--out", str(path)]) == 0
    return json.loads(path.read_text())


def test_fit_writes_parameters(tmp_path, data_dir):
    data = fit_file(tmp_path, data_dir, 2020)
    assert data["origin"] == 2020 and "municipal" not in data
    assert len(data["national"]["deviations"][0][0]) == 106


def test_shipped_national_fit_is_what_fit_writes(tmp_path, data_dir):
    """The shipped national fit is what `make calibrate` writes from SSB's data."""
    fresh = fit_file(tmp_path, data_dir, 2024)
    shipped = json.loads((CONFIGS / "tables" / "population-fit-2024.json").read_text())
    fresh["data"].pop("national"), shipped["data"].pop("national")  # where the file was read
    assert fresh == shipped


def test_backtest_writes_tables(tmp_path, data_dir, capsys):
    out = tmp_path / "bt"
    assert (
        main(
            [
                "population",
                "backtest",
                "--data",
                str(data_dir),
                "--origins",
                "2016-2018",
                "--horizon",
                "2",
                "--level",
                "national",
                "--draws",
                "200",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    names = listing(out)
    assert names == ["backtest.csv", "coverage.csv", "manifest.json", "scores.csv"]
    rows = pd.read_csv(out / "backtest.csv", dtype={"region": str})
    for column in ("origin", "horizon", "region", "age_group", "actual", "q05", "q95"):
        assert column in rows
    printed = capsys.readouterr().out
    assert "national h=1 all" in printed
    assert "single-group cells lie more than 10 points from nominal" in printed
    coverage = pd.read_csv(out / "coverage.csv")
    single = coverage[coverage["age_group"] != "all"]
    assert (
        single["p_value"].between(0, 1).all()
        and coverage.loc[coverage["age_group"] == "all", "p_value"].isna().all()
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--origins", "2020-2010"], "the first year is after the last"),
        (["--origins", "20x0"], "is not a year"),
        (["--age-groups", "0-5,banana"], "must look like"),
    ],
)
def test_bad_population_arguments(tmp_path, data_dir, capsys, args, message):
    base = [
        "population",
        "backtest",
        "--data",
        str(data_dir),
        "--horizon",
        "1",
        "--out",
        str(tmp_path / "x"),
    ]
    if "--origins" not in args:
        base += ["--origins", "2019"]
    with pytest.raises(SystemExit) as info:
        main([*base, *args])
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_missing_data_folder(tmp_path, capsys):
    assert (
        main(
            [
                "population",
                "forecast",
                "--data",
                str(tmp_path / "none"),
                "--origin",
                "2020",
                "--horizon",
                "1",
                "--out",
                str(tmp_path / "o"),
            ]
        )
        == 2
    )
    assert "data folder not found" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_cost_run_on_the_projection(tmp_path, data_dir):
    config = (CONFIGS / "tbu-2025-projection.yaml").read_text()
    config = config.replace("../../shared/data", str(data_dir))
    config = config.replace(" tables/", f" {CONFIGS}/tables/")
    path = tmp_path / "proj.yaml"
    path.write_text(config)
    out = tmp_path / "run"
    assert (
        main(
            [
                "run",
                str(path),
                "--sync",
                "--draws",
                "4000",
                "--block-size",
                "2000",
                "--seed",
                "3",
                "--quiet",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    summary = pd.read_csv(out / "summary.csv")
    det = pd.read_csv(out / "deterministic.csv")
    growth = summary[
        (summary["variable"] == "population_growth") & (summary["scenario"] == "projection")
    ].iloc[0]
    assert growth["sd"] > 1000  # the population change now varies draw by draw
    total = summary[(summary["variable"] == "demographic_cost_total_bn")].set_index("scenario")
    point = det[(det["variable"] == "demographic_cost_total_bn")].set_index("scenario")["value"]
    # the Monte Carlo mean sits near the central path (5 MC errors + the profile's small bias)
    for name in ("projection", "plus8000", "minus8000"):
        mcse = total.loc[name, "sd"] / np.sqrt(4000)
        assert abs(total.loc[name, "mean"] - point[name]) < 5 * mcse + 0.01
    assert (
        total.loc["plus8000", "q50"]
        > total.loc["projection", "q50"]
        > total.loc["minus8000", "q50"]
    )
