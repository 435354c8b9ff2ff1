"""Multi-year runs (issue 17): every year in the outputs, the headline of every year asked."""

from __future__ import annotations

import contextlib
import io
import re

import pandas as pd
import pytest

from mc.cli.main import main
from tests.conftest import CONFIGS

CONFIG = CONFIGS / "tbu-2030.yaml"
SMALL = ["--sync", "--draws", "1000", "--block-size", "500", "--seed", "7", "--quiet"]
RUN_YEARS = list(range(2025, 2031))  # tbu-2030 projects from 1.1.2024 to its cost year 2030


def _main(argv: list[str]) -> tuple[int, str]:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(argv)
    return code, buffer.getvalue()


def _heading_years(printed: str) -> list[int]:
    """The years named by the headline tables' headings (``bn 2024 NOK, 2026``)."""
    return [int(y) for y in re.findall(r"^Scenario .*NOK, (\d{4})", printed, re.MULTILINE)]


@pytest.fixture(scope="module")
def run_2030(tmp_path_factory, data_dir):
    out = tmp_path_factory.mktemp("years") / "tbu-2030"
    code, printed = _main(["run", str(CONFIG), *SMALL, "--lang", "en", "--out", str(out)])
    assert code == 0
    return out, printed


def test_every_year_is_in_the_outputs_and_the_console(run_2030):
    out, printed = run_2030
    summary = pd.read_csv(out / "summary.csv")
    assert sorted(summary["year"].unique()) == RUN_YEARS
    for variable in ("demographic_cost_total_bn", "net_operating_result_pct"):
        assert sorted(summary.loc[summary["variable"] == variable, "year"]) == sorted(
            RUN_YEARS * 3  # three scenarios
        )
    # without --years every year's table is printed, each headed by its year
    assert _heading_years(printed) == RUN_YEARS


def test_years_chooses_the_tables(tmp_path, data_dir):
    code, printed = _main(
        ["run", str(CONFIG), *SMALL, "--lang", "en", "--years", "2027,2025", "--out", str(tmp_path)]
    )
    assert code == 0
    assert _heading_years(printed) == [2025, 2027]
    # the folder still holds every year
    assert sorted(pd.read_csv(tmp_path / "summary.csv")["year"].unique()) == RUN_YEARS


def test_a_year_outside_the_run_is_one_line_before_any_draw(tmp_path, capsys, data_dir):
    code = main(["run", str(CONFIG), *SMALL, "--years", "2029-2031", "--out", str(tmp_path / "x")])
    err = capsys.readouterr().err.strip()
    assert code != 0
    assert len(err.splitlines()) == 1
    assert "--years" in err and "2031" in err and "2025-2030" in err
    assert not (tmp_path / "x").exists()  # refused before the folder was claimed


def test_the_report_follows_years(run_2030, tmp_path, capsys):
    import shutil

    folder = tmp_path / "run"
    shutil.copytree(run_2030[0], folder)
    assert main(["report", str(folder), "--lang", "en", "--years", "2026-2027"]) == 0
    page = (folder / "report.html").read_text()
    assert re.findall(r'id="table-(headline[^"]*)"', page) == ["headline-2026", "headline-2027"]
    capsys.readouterr()
    assert main(["report", str(folder), "--years", "2024"]) != 0
    err = capsys.readouterr().err
    assert "--years" in err and "2025-2030" in err


def test_every_cost_and_economy_output_gets_a_fan_over_the_years(run_2030):
    from mc.report.charts import fan_variables
    from mc.report.labels import variables_of

    out, _ = run_2030
    outputs = set(pd.read_csv(out / "summary.csv")["variable"])
    demographic, economy = fan_variables(outputs)
    grouped = {*variables_of("demographic"), *variables_of("economy")} & outputs
    assert set(demographic) | set(economy) == grouped
    assert {
        "free_revenues_bn",
        "tax_growth_pct",
        "handlingsrom_ex_ante_bn",
        "realised_room_bn",
    } <= set(economy)
    for name in ("fan_demographic_cost.png", "fan_economy.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
