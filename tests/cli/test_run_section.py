"""Run options from the configuration's ``run:`` section, with the flags taking over (issue 13)."""

import json

import pandas as pd
import pytest

from mc.cli.main import main
from mc.model.config import RunDefaults, load_config
from mc.workflow import RunOptions
from tests.conftest import CONFIGS

SMALL = ["--draws", "2000", "--block-size", "500", "--seed", "2", "--sync", "--quiet"]


def config_with_run(tmp_path, run_lines: str):
    text = (CONFIGS / "tbu-2025.yaml").read_text(encoding="utf-8")
    assert "run:\n  draws: 100000\n" in text
    text = text.replace("run:\n  draws: 100000\n", f"run:\n  draws: 100000\n{run_lines}")
    path = tmp_path / "configs" / "run-section.yaml"
    path.parent.mkdir()
    (path.parent / "tables").symlink_to(CONFIGS / "tables")
    path.write_text(text, encoding="utf-8")
    return path


def test_the_file_and_the_flags_give_the_same_run(tmp_path):
    config = config_with_run(tmp_path, "  design: lhs\n  sensitivity: 64\n")
    assert main(["run", str(config), *SMALL, "--out", str(tmp_path / "file")]) == 0
    flags = ["--design", "lhs", "--sensitivity", "64"]
    base = str(CONFIGS / "tbu-2025.yaml")
    assert main(["run", base, *SMALL, *flags, "--out", str(tmp_path / "flags")]) == 0
    for name in ("summary.csv", "sensitivity.csv"):
        a = pd.read_csv(tmp_path / "file" / name)
        b = pd.read_csv(tmp_path / "flags" / name)
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    manifest = json.loads((tmp_path / "file" / "manifest.json").read_text())
    assert manifest["design"] == "lhs"


def test_a_flag_overrides_the_file(tmp_path):
    config = config_with_run(tmp_path, "  design: lhs\n")
    out = tmp_path / "run"
    assert main(["run", str(config), *SMALL, "--design", "sobol", "--out", str(out)]) == 0
    assert json.loads((out / "manifest.json").read_text())["design"] == "sobol"


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ("  design: lhx\n", "run.design"),
        ("  sensitivity: 1\n", "run.sensitivity"),
        ("  confidence: 1.5\n", "run.confidence"),
        ("  wave: 0\n", "run.wave"),
        ("  precision: mean=0.01\n", "run.precision"),
    ],
)
def test_bad_run_options_in_the_file_are_one_line(tmp_path, capsys, lines, field):
    config = config_with_run(tmp_path, lines)
    assert main(["run", str(config), *SMALL, "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and field in err[0], err
    assert not (tmp_path / "x").exists()


def test_options_from_the_file_are_checked_together(tmp_path, capsys):
    config = config_with_run(tmp_path, "  confidence: 0.9\n")  # without precision targets
    assert main(["run", str(config), *SMALL, "--out", str(tmp_path / "x")]) == 2
    assert "applies only with --precision" in capsys.readouterr().err


def test_from_config_keeps_what_the_flags_do_not_give():
    run = RunDefaults(draws=5_000, design="lhs", precision=("q95=1%",), wave=2)
    options = RunOptions.from_config(run, seed=3, design=None, precision=())
    assert (options.draws, options.seed, options.design) == (5_000, 3, "lhs")
    assert options.precision == ("q95=1%",) and options.wave_for(40) == 2
    assert RunOptions.from_config(run, wave=5).wave_for(40) == 5


def test_shipped_configs_leave_the_new_options_unset():
    for name in ("tbu-2025", "tbu-2030", "municipalities-2025"):
        run = load_config(CONFIGS / f"{name}.yaml").run
        assert (run.design, run.sensitivity, run.precision) == (None, None, ())
