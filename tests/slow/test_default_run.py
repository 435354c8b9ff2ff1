"""Slow: the default configuration end to end on the default scheduler equals an in-process run."""

import json

import pytest

from mc.cli.main import main
from tests.conftest import CONFIGS

pytestmark = pytest.mark.slow


def test_make_run_equivalent(tmp_path, capsys):
    default = tmp_path / "default"
    sync = tmp_path / "sync"
    config = str(CONFIGS / "tbu-2025.yaml")
    assert main(["run", config, "--quiet", "--out", str(default)]) == 0
    assert main(["run", config, "--sync", "--quiet", "--out", str(sync)]) == 0
    assert (default / "summary.csv").read_bytes() == (sync / "summary.csv").read_bytes()
    manifest = json.loads((default / "manifest.json").read_text())
    assert manifest["draws"] == 100_000 and manifest["blocks"] == 4
    assert manifest["scheduler"].startswith("LocalCluster")
    out = capsys.readouterr().out
    assert "Hovedalternativ" in out and "wrote" in out
