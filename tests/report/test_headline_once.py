"""The report's headline table says a variable no scenario changes once, not per scenario."""

from __future__ import annotations

import re
from collections import defaultdict

from mc.cli.main import main


def _groups(page: str, table: str) -> dict[str, list[tuple[str, ...]]]:
    """Rows of an HTML table by the group (scenario) named in their first cell."""
    body = re.search(rf'<table id="{table}".*?</table>', page, re.S)[0]
    groups: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    name = ""
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)[1:]:  # after the header row
        cells = tuple(re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td.*?</td>", row))
        name = cells[0] or name
        groups[name].append(cells[1:])
    return groups


def test_scenario_independent_rows_appear_once(run_2025, tmp_path):
    import shutil

    folder = tmp_path / "run"
    shutil.copytree(run_2025, folder)
    assert main(["report", str(folder), "--lang", "en"]) == 0
    page = (folder / "report.html").read_text(encoding="utf-8")
    groups = _groups(page, "table-headline")
    scenarios = ["Main alternative", "High immigration", "Low immigration"]
    assert list(groups) == [*scenarios, "All scenarios"]
    # no row repeats identically (label and numbers) under two scenarios
    seen: dict[tuple[str, ...], str] = {}
    for scenario in scenarios:
        for cells in groups[scenario]:
            assert cells not in seen, f"{cells[0]} the same under {seen.get(cells)} and {scenario}"
            seen[cells] = scenario
    # and every variable is still there: per scenario, or once for all
    per_scenario = {cells[0] for cells in groups["Main alternative"]}
    once = {cells[0] for cells in groups["All scenarios"]}
    assert once and not per_scenario & once
    assert "Municipal deflator (%)" in once
    assert "Demographic extra costs, total (bn 2024 NOK)" in per_scenario
