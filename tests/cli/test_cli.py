"""The command line end to end."""

import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest
import xarray as xr

from mc.cli.main import main
from mc.report.layout import FAN_DEMOGRAPHIC, RunKind, run_files
from mc.summary import SUMMARY_COLUMNS
from tests.conftest import CONFIGS, ROOT, listing

SMALL = ["--draws", "20000", "--block-size", "10000", "--seed", "1", "--quiet"]


@pytest.fixture(scope="module")
def sync_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "sync"
    assert main(["run", str(CONFIGS / "tbu-2025.yaml"), "--sync", *SMALL, "--out", str(out)]) == 0
    return out


def test_run_writes_every_output(sync_run, capsys):
    names = sorted(p.name for p in sync_run.iterdir() if not p.name.startswith("."))
    ledger = json.loads((sync_run / ".tbu-mc.json").read_text())["files"]
    assert ledger == names  # the ledger names exactly what the run wrote
    assert names == list(run_files(RunKind.MONTE_CARLO, economy=True, exceedance=True, views=True))
    exceedance = pd.read_csv(sync_run / "exceedance.csv")
    assert list(exceedance.columns) == [
        "variable",
        "scenario",
        "year",
        "threshold",
        "direction",
        "probability",
        "mcse",
    ]
    below_two = exceedance[(exceedance["threshold"] == 2.0) & (exceedance["scenario"] == "main")]
    assert 0 < below_two["probability"].iloc[0] < 1 and below_two["mcse"].iloc[0] > 0
    summary = pd.read_csv(sync_run / "summary.csv")
    assert tuple(summary.columns) == SUMMARY_COLUMNS
    assert {
        "demographic_cost_total_bn",
        "demographic_cost_free_bn",
        "deflator_pct",
        "tax_growth_pct",
        "real_growth_free_revenues_bn",
        "handlingsrom_ex_ante_bn",
        "realised_room_bn",
        "net_operating_result_pct",
        "net_operating_result_municipalities_pct",
        "net_operating_result_counties_pct",
    } <= set(summary["variable"])
    tree = xr.open_datatree(sync_run / "draws.nc", engine="h5netcdf")
    assert dict(tree["posterior"].sizes)["chain"] == 2
    assert dict(tree["posterior"].sizes)["draw"] == 10_000
    manifest = json.loads((sync_run / "manifest.json").read_text())
    for key in (
        "config",
        "config_sha256",
        "seed_entropy",
        "block_size",
        "blocks",
        "draws",
        "packages",
        "scheduler",
        "wall_seconds",
    ):
        assert manifest[key] is not None, key
    assert manifest["seed_entropy"] == 1 and manifest["blocks"] == 2
    assert manifest["packages"]["arviz"].startswith("1.")
    assert (sync_run / FAN_DEMOGRAPHIC).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_manifest_reproduces_the_run(sync_run, tmp_path):
    """The resolved config in the manifest, with its seed and block size, gives the same draws."""
    manifest = json.loads((sync_run / "manifest.json").read_text())
    config = tmp_path / "from-manifest.yaml"
    config.write_text(json.dumps(manifest["config"]))  # JSON is YAML
    out = tmp_path / "again"
    args = [
        "run",
        str(config),
        "--sync",
        "--quiet",
        "--out",
        str(out),
        "--draws",
        str(manifest["draws"]),
        "--block-size",
        str(manifest["block_size"]),
        "--seed",
        str(manifest["seed_entropy"]),
    ]
    assert main(args) == 0
    assert (out / "summary.csv").read_bytes() == (sync_run / "summary.csv").read_bytes()


def test_threads_give_the_same_summary(sync_run, tmp_path):
    out = tmp_path / "threads"
    assert (
        main(["run", str(CONFIGS / "tbu-2025.yaml"), "--threads", "2", *SMALL, "--out", str(out)])
        == 0
    )
    assert (out / "summary.csv").read_bytes() == (sync_run / "summary.csv").read_bytes()


def test_console_script_with_local_cluster(sync_run, tmp_path):
    exe = shutil.which("tbu-mc", path=str(ROOT / ".venv" / "bin")) or shutil.which("tbu-mc")
    cmd = [exe] if exe else [sys.executable, "-m", "mc.cli.main"]
    out = tmp_path / "cluster"
    done = subprocess.run(
        [*cmd, "run", str(CONFIGS / "tbu-2025.yaml"), "--workers", "2", *SMALL, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "LocalCluster (2 arbeidsprosesser" in done.stdout  # the run's language: nb
    assert (out / "summary.csv").read_bytes() == (sync_run / "summary.csv").read_bytes()


def test_deterministic_2024(tmp_path, data_dir, capsys):
    out = tmp_path / "det"
    assert (
        main(
            [
                "run",
                str(CONFIGS / "tbu-2024-actual.yaml"),
                "--deterministic",
                "--population",
                str(data_dir / "population_norway_by_age_sex.csv"),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert listing(out) == list(run_files(RunKind.DETERMINISTIC))
    det = pd.read_csv(out / "deterministic.csv").set_index(["variable", "sector"])
    # the sourced tables public by March 2024: 4.16 / 3.41 bn against 5.2 / 4.3 (docs/tbu-check.md)
    assert det.loc[("demographic_cost_total_bn", "all"), "value"] == pytest.approx(4.16, abs=0.01)
    assert det.loc[("demographic_cost_free_bn", "all"), "value"] == pytest.approx(3.41, abs=0.01)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["mode"] == "deterministic" and len(manifest["data"][0]["sha256"]) == 64
    assert "Faktisk vekst" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra_args", "message"),
    [
        (["--draws", "25000", "--block-size", "10000"], "multiple of block_size=10000"),
        (["--population", "/no/such/file.csv"], "file not found"),
    ],
)
def test_bad_arguments_stop_before_any_output(tmp_path, capsys, extra_args, message):
    out = tmp_path / "never"
    code = main(
        ["run", str(CONFIGS / "tbu-2025.yaml"), "--sync", "--quiet", "--out", str(out), *extra_args]
    )
    assert code == 2
    assert message in capsys.readouterr().err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_bad_config_names_the_field(tmp_path, capsys):
    text = (CONFIGS / "tbu-2025.yaml").read_text()
    text = text.replace("extra_net_immigration: 28000", "extra_net_immigration: lots")
    text = text.replace(" tables/", f" {CONFIGS}/tables/")  # table paths are relative to the file
    config = tmp_path / "bad.yaml"
    config.write_text(text)
    assert main(["run", str(config), "--sync", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "scenarios.main.extra_net_immigration" in err and "'lots'" in err
    assert "expected a number" in err
    assert not (tmp_path / "x").exists()


def test_history(tmp_path, data_dir, capsys):
    out = tmp_path / "hist"
    national = str(data_dir / "population_norway_by_age_sex.csv")
    assert (
        main(
            [
                "history",
                str(CONFIGS / "tbu-2024-actual.yaml"),
                "--population",
                national,
                "--from",
                "2006",
                "--to",
                "2024",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    frame = pd.read_csv(out / "history.csv")
    assert list(frame.columns) == ["year", "variable", "value"]
    assert sorted(frame["year"].unique()) == list(range(2006, 2025))
    total = frame[(frame["year"] == 2024) & (frame["variable"] == "demographic_cost_total_bn")]
    assert total["value"].iloc[0] == pytest.approx(4.16, abs=0.01)  # as test_deterministic_2024
    growth = frame[(frame["year"] == 2024) & (frame["variable"] == "population_growth")]
    assert growth["value"].iloc[0] == 61_219
    sectors = frame[frame["variable"].str.match(r"demographic_cost_(?!total|free).*_bn")]
    by_year = sectors.groupby("year")["value"].sum()
    totals = frame[frame["variable"] == "demographic_cost_total_bn"].set_index("year")["value"]
    pd.testing.assert_series_equal(by_year, totals, check_names=False, rtol=1e-12)
    assert "wrote" in capsys.readouterr().out


def test_history_outside_the_data(tmp_path, data_dir, capsys):
    national = str(data_dir / "population_norway_by_age_sex.csv")
    code = main(
        [
            "history",
            str(CONFIGS / "tbu-2024-actual.yaml"),
            "--population",
            national,
            "--from",
            "1986",
            "--to",
            "1990",
            "--out",
            str(tmp_path / "h"),
        ]
    )
    assert code == 2
    assert "year 1985 is not in the data" in capsys.readouterr().err
    assert not (tmp_path / "h").exists()


def test_history_reads_the_configs_population_without_the_flag(tmp_path, data_dir, capsys):
    national = str(data_dir / "population_norway_by_age_sex.csv")
    period = ["--from", "2022", "--to", "2024"]
    config = str(CONFIGS / "tbu-2024-actual.yaml")
    assert (
        main(["history", config, *period, "--population", national, "--out", str(tmp_path / "a")])
        == 0
    )
    assert main(["history", config, *period, "--out", str(tmp_path / "b")]) == 0
    a = pd.read_csv(tmp_path / "a" / "history.csv")
    b = pd.read_csv(tmp_path / "b" / "history.csv")
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    capsys.readouterr()
    # a configuration without a population file: one line saying what to give
    assert (
        main(["history", str(CONFIGS / "tbu-2025.yaml"), *period, "--out", str(tmp_path / "c")])
        == 2
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "give --population" in err[0]
    assert not (tmp_path / "c").exists()
