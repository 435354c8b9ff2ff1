"""What-if runs without editing YAML: ``--scenario``, ``--set``, a configuration copied anywhere."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml

from mc.cli.main import main
from mc.data.yamlio import read_yaml_file
from mc.errors import ConfigError
from mc.model.config import load_config
from mc.report import layout
from tests.conftest import CONFIGS

CONFIG = CONFIGS / "tbu-2025.yaml"
SMALL = ["--sync", "--draws", "4000", "--block-size", "1000", "--seed", "7", "--quiet"]
NAME, EXTRA = "refugees_30k", 30000


@pytest.fixture(scope="module")
def flag_output(tmp_path_factory):
    """The shipped configuration with a scenario added on the command line, and what it printed."""
    out = tmp_path_factory.mktemp("whatif") / "flag"
    argv = ["run", str(CONFIG), "--scenario", f"{NAME}={EXTRA}", *SMALL, "--lang", "en"]
    buffer = io.StringIO()  # capsys is per test; this run is shared by two
    with contextlib.redirect_stdout(buffer):
        assert main([*argv, "--out", str(out)]) == 0
    return out, buffer.getvalue()


def _rows(folder, name, scenario):
    frame = pd.read_csv(folder / name)
    return frame[frame["scenario"] == scenario].reset_index(drop=True)


def test_scenario_flag_equals_the_scenario_written_out(flag_output, tmp_path, monkeypatch):
    out, _ = flag_output
    data = read_yaml_file(CONFIG, "config")
    data["scenarios"][NAME] = {"extra_net_immigration": EXTRA}
    written = tmp_path / "copy" / "written-out.yaml"  # outside configs/: tables fall back
    written.parent.mkdir()
    written.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    ref = tmp_path / "ref"
    assert main(["run", str(written), *SMALL, "--out", str(ref)]) == 0
    for name in (layout.SUMMARY, layout.DETERMINISTIC):
        ours, theirs = _rows(out, name, NAME), _rows(ref, name, NAME)
        assert len(ours) > 0
        # same seed, same scenarios in the same order: every number bit for bit
        pd.testing.assert_frame_equal(ours, theirs, check_exact=True)
    # the resolved configurations agree too; only the manifest's record of the flag differs
    ours = json.loads((out / layout.MANIFEST).read_text())
    theirs = json.loads((ref / layout.MANIFEST).read_text())
    assert ours[layout.KEY_CONFIG_SHA256] == theirs[layout.KEY_CONFIG_SHA256]
    assert ours[layout.KEY_OVERRIDES] == [f"scenarios.{NAME}.extra_net_immigration={EXTRA}"]
    assert layout.KEY_OVERRIDES not in theirs


def test_the_console_places_the_new_scenario_in_the_main_distribution(flag_output):
    out, printed = flag_output
    found = re.search(
        rf"^{NAME}: ([\d.]+) bn 2024 NOK, the (\d+)(st|nd|rd|th) percentile of Main", printed, re.M
    )
    assert found, printed
    # the same placement the report makes: the point estimate among the main scenario's draws
    det = pd.read_csv(out / layout.DETERMINISTIC)
    point = det[
        (det["variable"] == "demographic_cost_total_bn")
        & (det["scenario"] == NAME)
        & (det["sector"] == "all")
    ]["value"].iloc[0]
    tree = xr.open_datatree(out / layout.DRAWS)
    draws = tree["posterior"]["demographic_cost_total_bn"].sel(scenario="main").values
    assert int(found.group(2)) == round(100 * float(np.mean(draws <= point)))
    assert float(found.group(1)) == pytest.approx(point, abs=0.005)  # printed with 2 decimals
    # 30,000 is more than the main alternative's 28,000: it lies above the middle
    assert int(found.group(2)) > 50


def test_set_changes_the_field_and_the_manifest_records_it(tmp_path):
    out = tmp_path / "set"
    argv = ["run", str(CONFIG), "--sync", "--seed", "1", "--quiet", "--out", str(out)]
    argv += ["--set", "run.draws=3000", "--set", "run.block_size=1000"]
    argv += ["--set", "uncertainty.births.sd=0"]  # reaches into the uncertainty table's file
    assert main(argv) == 0
    manifest = json.loads((out / layout.MANIFEST).read_text())
    assert manifest[layout.KEY_DRAWS] == 3000 and manifest[layout.KEY_BLOCKS] == 3
    assert manifest[layout.KEY_CONFIG]["uncertainty"]["births"]["sd"] == 0
    assert manifest[layout.KEY_OVERRIDES] == [
        "run.draws=3000",
        "run.block_size=1000",
        "uncertainty.births.sd=0",
    ]


@pytest.mark.parametrize(
    ("flags", "field"),
    [
        (["--set", "run.drawz=10"], "run.drawz"),  # unknown key, refused by the schema
        (["--set", "run.draws=-5"], "run.draws"),  # out of range, same check as the file
        (["--set", "nosuch.key=1"], "nosuch.key"),  # not a top-level field
        (["--set", "name.part=1"], "name.part"),  # runs through a text value
        (["--set", "run.draws=[1"], "run.draws"),  # not YAML
        (["--set", "run.draws"], "--set"),  # no '='
        (["--scenario", "main=30000"], "--scenario"),  # the file has it
        (["--scenario", "x=1", "--scenario", "x=2"], "--scenario"),  # twice
        (["--scenario", "x=lots"], "scenarios.x.extra_net_immigration"),
        (["--scenario", "x=900000"], "scenarios.x.extra_net_immigration"),  # judgement bound
    ],
)
def test_a_bad_override_is_one_error_line_naming_the_field(flags, field, tmp_path, capsys):
    out = tmp_path / "never"
    assert main(["run", str(CONFIG), *SMALL, *flags, "--out", str(out)]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("tbu-mc: error:"), err
    assert f"'{field}'" in err[0]
    assert not out.exists()  # refused before anything was written


def test_a_copied_config_runs_from_another_directory(tmp_path, monkeypatch):
    (tmp_path / "mine").mkdir()
    copy = shutil.copy(CONFIG, tmp_path / "mine" / "tbu-2025.yaml")
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    assert main(["run", str(copy), *SMALL, "--out", "out"]) == 0
    assert (tmp_path / "cwd" / "out" / layout.SUMMARY).is_file()
    assert load_config(copy).sha256() == load_config(CONFIG).sha256()


def test_a_table_in_neither_place_names_both(tmp_path):
    text = CONFIG.read_text().replace("tables/unit-costs-2024-03.yaml", "tables/nowhere.yaml")
    (tmp_path / "c.yaml").write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "c.yaml")
    assert info.value.field == "unit_costs"
    message = str(info.value)
    assert str(tmp_path / "tables" / "nowhere.yaml") in message
    assert str(CONFIGS / "tables" / "nowhere.yaml") in message


def test_the_api_adds_a_scenario_after_the_files():
    config = load_config(CONFIG, scenarios={NAME: EXTRA})
    assert config.scenario_names == ("main", "high", "low", NAME)
    assert config.scenarios[-1].extra_net_immigration == EXTRA
    assert config.overrides == (f"scenarios.{NAME}.extra_net_immigration={EXTRA}",)
    assert load_config(CONFIG).overrides == ()


def test_the_report_places_the_new_scenario_as_the_console_does(flag_output):
    from mc.report.build import build_report

    out, printed = flag_output
    tables = build_report(out, lang="en").tables
    scenarios = next(t for t in tables if t.id == "scenarios")
    row = next(r for r in scenarios.rows if r[0] == NAME)
    rank = re.search(rf"^{NAME}: .* the (\d+)", printed, re.M)
    assert rank is not None
    assert row[4] == rank.group(1)  # the total's percentile column, whole percent


@pytest.mark.parametrize("name", ["tbu-2024-actual.yaml", "tbu-2025-projection.yaml"])
def test_a_copied_config_finds_its_population_files(name, tmp_path, monkeypatch):
    # an observed population file and a projection's fit and data folder, all named relative
    # to configs/, are found from the copy's folder through the shipped configs/
    (tmp_path / "mine").mkdir()
    copy = shutil.copy(CONFIGS / name, tmp_path / "mine" / name)
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    assert main(["run", str(copy), "--deterministic", "--out", "out"]) == 0
    assert (tmp_path / "cwd" / "out" / layout.DETERMINISTIC).is_file()


def test_the_report_names_the_run_time_changes(flag_output):
    from mc.report.build import build_report

    out, _ = flag_output
    manifest = next(t for t in build_report(out, lang="en").tables if t.id == "manifest")
    rows = dict(manifest.rows)
    assert rows["Changed at run time (--set, --scenario)"] == (
        f"scenarios.{NAME}.extra_net_immigration={EXTRA}"
    )
