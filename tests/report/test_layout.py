"""mc.report.layout is the one description of a run folder: the writers write what it declares."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from mc.model.config import load_config
from mc.report import layout
from mc.report.build import write_report
from mc.report.layout import RunKind, run_files
from mc.report.writer import write_run
from mc.workflow import RunOptions, analyse
from tests.conftest import CONFIGS, listing

PACKAGE = Path(__file__).resolve().parents[2] / "mc"
#: Modules allowed to spell a run folder's file names themselves. io.py's LEGACY_OUTPUTS records
#: what earlier versions wrote, a fact about the past that must not follow a rename.
#: mc/cli/population.py belongs to the CLI's owners: switch it to mc.report.layout, then drop it.
SPELLED_OUT = {"report/layout.py", "report/io.py", "cli/population.py"}


@pytest.fixture(scope="module")
def sensitivity_run(tmp_path_factory) -> Path:
    """A small tbu-2025 run with a sensitivity analysis, written by ``write_run``."""
    config = load_config(CONFIGS / "tbu-2025.yaml")
    # the smallest sizes that run every part; the numbers are not what is tested
    analysis = analyse(config, RunOptions(draws=400, block_size=200, seed=5, sensitivity=8))
    out = tmp_path_factory.mktemp("layout") / "run"
    write_run(out, analysis, lang="en", command=["test"])
    return out


def test_a_monte_carlo_run_writes_exactly_its_declared_files(run_2025):
    declared = run_files(RunKind.MONTE_CARLO, economy=True, exceedance=True, views=True)
    assert listing(run_2025) == list(declared)


def test_a_sensitivity_run_adds_its_tables_and_the_tornado(sensitivity_run):
    declared = run_files("monte-carlo", economy=True, exceedance=True, sensitivity=True, views=True)
    assert listing(sensitivity_run) == list(declared)
    assert {layout.SENSITIVITY, layout.SENSITIVITY_INDICES, layout.TORNADO} <= set(declared)


def test_the_report_writes_exactly_its_declared_files(sensitivity_run, tmp_path):
    written = write_report(sensitivity_run, lang="en")
    assert [p.name for p in written] == list(layout.REPORT_FILES)
    assert set(listing(sensitivity_run)) - set(layout.REPORT_FILES) == set(
        run_files("monte-carlo", economy=True, exceedance=True, sensitivity=True, views=True)
    )


def test_every_declared_name_is_known():
    kinds = [
        run_files(kind, economy=e, exceedance=x, sensitivity=s, views=v)
        for kind in RunKind
        for e in (False, True)
        for x in (False, True)
        for s in (False, True)
        for v in (False, True)
    ]
    assert set().union(*kinds) | set(layout.REPORT_FILES) <= layout.ALL_OUTPUTS
    assert run_files(RunKind.DETERMINISTIC) == (layout.DETERMINISTIC, layout.MANIFEST)


def test_an_unknown_run_kind_is_refused():
    with pytest.raises(ValueError, match="'streamed' is not a valid RunKind"):
        run_files("streamed")


def test_the_manifest_has_the_declared_keys_in_order(run_2025):
    keys = list(json.loads((run_2025 / layout.MANIFEST).read_text(encoding="utf-8")))
    assert keys[: len(layout.MANIFEST_KEYS)] == list(layout.MANIFEST_KEYS)
    assert set(keys[len(layout.MANIFEST_KEYS) :]) <= set(layout.OPTIONAL_MANIFEST_KEYS)


def _file_name_literals(path: Path) -> list[str]:
    names = layout.ALL_OUTPUTS
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names
    ]


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_no_module_spells_a_file_name_itself(path):
    """A run folder's file names appear as literals only in the layout module."""
    if path.relative_to(PACKAGE).as_posix() in SPELLED_OUT:
        return
    assert _file_name_literals(path) == []


def test_the_check_sees_a_spelled_out_name(tmp_path):
    """The scan above is not vacuous: it finds a literal name where one is written."""
    module = tmp_path / "m.py"
    module.write_text('NAME = "summary.csv"\n"""Docstrings naming ``summary.csv`` are fine."""\n')
    assert _file_name_literals(module) == ["summary.csv"]
