"""docs/migration-spreads.md is what docs/make_migration_spreads.py writes (11 runs of 20,000)."""

import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_migration_spreads_doc_is_current(data_dir):
    script = runpy.run_path(str(ROOT / "docs" / "make_migration_spreads.py"))
    assert script["main"](["--check"]) == 0, "run docs/make_migration_spreads.py"
