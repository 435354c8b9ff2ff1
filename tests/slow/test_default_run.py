"""Slow: the default configuration on a LocalCluster equals the default (in-process) run."""

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
    assert main(["run", config, "--workers", "2", "--quiet", "--out", str(sync)]) == 0
    assert (default / "summary.csv").read_bytes() == (sync / "summary.csv").read_bytes()
    # both views and their reconciliation are as bit-identical across schedulers as the headline
    for name in ("views.csv", "reconciliation.csv"):
        assert (default / name).read_bytes() == (sync / name).read_bytes()
    manifest = json.loads((default / "manifest.json").read_text())
    assert manifest["draws"] == 100_000 and manifest["blocks"] == 4
    # under a second of work: the default run stays in this process and says why
    assert manifest["scheduler"].startswith("sync")
    assert any(note.startswith("ran in this process") for note in manifest["notes"])
    cluster = json.loads((sync / "manifest.json").read_text())
    assert cluster["scheduler"].startswith("LocalCluster")
    out = capsys.readouterr().out
    assert "Hovedalternativ" in out and "skrev" in out
