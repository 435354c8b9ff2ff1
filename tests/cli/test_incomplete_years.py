"""One rule for a municipal file's incomplete first years, stated alike by ``tbu-mc data check``
and ``tbu-mc population forecast`` (docs/population.md, "Incomplete first years")."""

from __future__ import annotations

import re

import pandas as pd

from mc.cli.main import main

#: SSB's municipal file has no rows in 2005 for these two municipalities.
NOTE = (
    "note: year 2005 is incomplete (no rows for municipalities 1160, 1576): left out; "
    "used: 2006-2024"
)


def test_check_and_forecast_say_the_same_line_and_use_the_same_years(data_dir, tmp_path, capsys):
    municipal = data_dir / "population_municipalities_by_age_sex.csv.gz"
    assert main(["data", "check", "--municipal", str(municipal)]) == 0
    checked = capsys.readouterr()
    assert checked.err.strip().splitlines() == [NOTE]
    assert "357 municipalities, years 2006-2024" in checked.out

    out = tmp_path / "forecast"
    args = ["population", "forecast", "--data", str(data_dir), "--level", "municipality"]
    args += ["--origin", "2024", "--horizon", "1", "--draws", "20", "--seed", "1", "--quiet"]
    assert main([*args, "--out", str(out)]) == 0
    forecast = capsys.readouterr()
    assert forecast.err.strip().splitlines() == [NOTE]


def test_strict_check_refuses_the_incomplete_year(data_dir, capsys):
    municipal = data_dir / "population_municipalities_by_age_sex.csv.gz"
    assert main(["data", "check", "--municipal", "--strict", str(municipal)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert re.search(r"year 2005, municipality 1160, .* is missing", err)


def test_a_gap_after_the_first_complete_year_is_still_an_error(tmp_path, capsys):
    rows = [
        {"year": y, "municipality": m, "age": a, "sex": s, "population": 1}
        for y in (2019, 2020, 2021)
        for m in ("0301", "1101")
        for s in ("female", "male")
        for a in range(106)
        if not (m == "1101" and y in (2019, 2021))  # absent first (left out), then again (error)
    ]
    path = tmp_path / "municipal.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    assert main(["data", "check", "--municipal", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1  # the error alone: the data were not used
    assert re.search(r"year 2021, municipality 1101, .* is missing", err)
