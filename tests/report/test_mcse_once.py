"""The MCSE table says a variable no scenario changes once, as the headline table does."""

from __future__ import annotations

import shutil
from collections import defaultdict

from mc.cli.main import main
from tests.report.test_headline_once import _groups as _html_groups

SCENARIOS = ["Main alternative", "High immigration", "Low immigration"]
ALL = "All scenarios"


def _markdown_groups(text: str, header: str) -> dict[str, list[tuple[str, ...]]]:
    """Rows of the Markdown table whose header row starts with ``header``, by group."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    groups: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    name = ""
    for line in lines[start + 2 :]:  # after the header and the alignment row
        if not line.startswith("|"):
            break
        cells = tuple(c.strip() for c in line.strip("|").split("|"))
        name = cells[0] or name
        groups[name].append(cells[1:])
    return groups


def _check(groups: dict[str, list[tuple[str, ...]]]) -> None:
    assert list(groups) == [*SCENARIOS, ALL]
    # no row (label and numbers) repeats identically under two scenarios
    seen: dict[tuple[str, ...], str] = {}
    for scenario in SCENARIOS:
        for cells in groups[scenario]:
            assert cells not in seen, f"{cells[0]} the same under {seen.get(cells)} and {scenario}"
            seen[cells] = scenario
    per_scenario = {cells[0] for cells in groups[SCENARIOS[0]]}
    once = {cells[0] for cells in groups[ALL]}
    assert once and not per_scenario & once
    assert "Municipal deflator (%)" in once
    assert "Demographic extra costs, total (bn 2024 NOK)" in per_scenario


def test_mcse_rows_of_scenario_independent_variables_appear_once(run_2025, tmp_path):
    folder = tmp_path / "run"
    shutil.copytree(run_2025, folder)
    assert main(["report", str(folder), "--lang", "en"]) == 0
    _check(_html_groups((folder / "report.html").read_text(encoding="utf-8"), "table-mcse"))
    tables = (folder / "tables.md").read_text(encoding="utf-8")
    _check(_markdown_groups(tables, "| Scenario | Variable | MCSE q05 |"))
    # the same split as the headline table: both decided from the same draws
    page = (folder / "report.html").read_text(encoding="utf-8")
    headline = _html_groups(page, "table-headline")
    mcse = _html_groups(page, "table-mcse")
    assert [c[0] for c in headline[ALL]] == [c[0] for c in mcse[ALL]]
