"""Runs that keep some or none of their draws still write every file and a report."""

import json

import pytest
import xarray as xr

from mc.cli.main import main
from tests.conftest import CONFIGS

QUICK = ["--draws", "4000", "--block-size", "1000", "--seed", "3", "--sync", "--quiet"]


@pytest.mark.parametrize(("keep", "kept"), [("0", 0), ("2500", 2000), ("600", 600)])
def test_kept_draws_are_stated_and_the_report_works(tmp_path, capsys, keep, kept):
    out = tmp_path / "run"
    config = str(CONFIGS / "tbu-2025.yaml")
    assert main(["run", config, *QUICK, "--keep-draws", keep, "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kept_draws"]["draws"] == kept and manifest["kept_draws"]["of"] == 4000
    assert (out / "draws.nc").is_file() == bool(kept)
    if kept:
        with xr.open_datatree(out / "draws.nc", engine="h5netcdf") as tree:
            post = tree["posterior"]
            assert post.sizes["chain"] * post.sizes["draw"] == kept
            assert tree.attrs["draws_kept"] == kept and tree.attrs["draws_total"] == 4000
    for name in ("summary.csv", "exceedance.csv", "fan_demographic_cost.png"):
        assert (out / name).is_file(), name
    # placing a scenario among the draws needs every draw: no such line from a part of them
    assert "persentil" not in capsys.readouterr().out
    assert main(["report", str(out)]) == 0
    assert (out / "report.html").is_file()


def test_report_bands_beyond_the_summary_quantiles_are_refused_in_one_line(tmp_path, capsys):
    out = tmp_path / "run"
    config = str(CONFIGS / "tbu-2025.yaml")
    assert main(["run", config, *QUICK, "--keep-draws", "0", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["report", str(out), "--bands", "boe"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--keep-draws" in err and "30, 50, 70, 80 or 90" in err


@pytest.mark.parametrize("keep", ["600", "4000"])
@pytest.mark.parametrize("config_name", ["tbu-2025.yaml", "tbu-2025-autumn.yaml"])  # 2 views; 1
def test_the_report_says_how_its_bands_were_computed_and_gives_p_above_tbu(
    tmp_path, keep, config_name
):
    import pandas as pd

    from mc.report.tables import number

    out = tmp_path / "run"
    config = str(CONFIGS / config_name)
    assert main(["run", config, *QUICK, "--keep-draws", keep, "--out", str(out)]) == 0
    assert main(["report", str(out)]) == 0
    tables = (out / "tables.md").read_text(encoding="utf-8")
    every = keep == "4000"
    # tables.md holds the words Markdown-escaped: look for a phrase without special characters
    assert ("eksakt over alle trekningene i draws.nc" in tables) == every
    assert ("sammenslåtte histogrammer" in tables) == (not every)
    # P(> TBU) of the headline table: counted over every draw in the blocks, so the column is
    # filled when draws.nc holds only some; the manifest, and views.csv if any, say the same
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    (p,) = [
        e["probability"]
        for e in manifest["above_published"]
        if e["scenario"] == "main" and e["variable"] == "demographic_cost_total_bn"
    ]
    if (out / "views.csv").is_file():
        views = pd.read_csv(out / "views.csv")
        row = views[(views["view"] == "tbu") & (views["scenario"] == "main")]
        row = row[row["variable"] == "demographic_cost_total_bn"]
        assert float(row["p_above_published"].iloc[0]) == p
    (row,) = [
        line
        for line in tables.splitlines()
        if line.startswith("| Hovedalternativ | Merutgifter til demografi, i alt")
    ][:1]
    assert row.rstrip(" |").rsplit("|", 1)[1].strip() == number(p, 2, "nb")
