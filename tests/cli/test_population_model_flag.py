"""`tbu-mc population forecast | backtest --model components|ratios` (components: nation only)."""

from __future__ import annotations

import pandas as pd
import pytest

from mc.cli.main import main
from mc.summary.population import BAND_COLUMNS


def _run(*argv: str) -> int:
    return main(["population", *argv])


def test_backtest_components_is_the_api_backtest(tmp_path, data_dir, population):
    from mc.data.components import read_components
    from mc.workflow.components import backtest_components

    out = tmp_path / "bt"
    argv = ["backtest", "--data", str(data_dir), "--origins", "2021-2022", "--horizon", "1"]
    assert (
        _run(*argv, "--draws", "300", "--seed", "3", "--model", "components", "--out", str(out))
        == 0
    )
    written = pd.read_csv(out / "backtest.csv", dtype={"region": str})
    api, _ = backtest_components(
        population, read_components(data_dir), [2021, 2022], 1, draws=300, entropy=3
    )
    pd.testing.assert_frame_equal(written, api.rows, check_dtype=False, rtol=1e-9)
    # the default is still Hamilton-Perry, whose bands differ
    other = tmp_path / "hp"
    assert _run(*argv, "--draws", "300", "--seed", "3", "--out", str(other)) == 0
    ratios = pd.read_csv(other / "backtest.csv", dtype={"region": str})
    assert not ratios["q50"].equals(written["q50"])


def test_forecast_components(tmp_path, data_dir, capsys):
    out = tmp_path / "fc"
    argv = ["forecast", "--data", str(data_dir), "--origin", "2024", "--horizon", "2"]
    assert (
        _run(
            *argv,
            "--draws",
            "300",
            "--seed",
            "1",
            "--model",
            "components",
            "--out",
            str(out),
            "--quiet",
        )
        == 0
    )
    bands = pd.read_csv(out / "population_bands.csv", dtype={"region": str})
    assert list(bands.columns) == list(BAND_COLUMNS)
    assert set(bands["year"]) == {2025, 2026} and set(bands["region"]) == {"0000"}
    assert "2025: median" in capsys.readouterr().out


@pytest.mark.parametrize("step", ["forecast", "backtest"])
def test_components_refuse_municipalities(tmp_path, data_dir, capsys, step):
    when = (
        ["--origin", "2024", "--horizon", "1"]
        if step == "forecast"
        else ["--origins", "2022", "--horizon", "1"]
    )
    argv = [
        step,
        "--data",
        str(data_dir),
        "--level",
        "municipality",
        "--model",
        "components",
        *when,
    ]
    assert _run(*argv, "--out", str(tmp_path / "x")) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--model" in err and "nation only" in err
    assert not (tmp_path / "x").exists()  # refused before any work
