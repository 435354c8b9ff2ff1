import json

import pandas as pd
import pytest
from ssb_fake import FakeSsb, offline_error, population_cells, population_metadata

from mc.cli.main import main


@pytest.fixture
def ssb(monkeypatch, make_client):
    """`tbu-mc data fetch` talks to a fake SSB (national rows: age + 10 persons, both sexes)."""
    rows = pd.DataFrame(
        [
            {"year": y, "age": a, "sex": s, "population": a + 10}
            for y in (2023, 2024)
            for s in ("female", "male")
            for a in range(106)
        ]
    )
    fake = FakeSsb(
        {"07459": (population_metadata({"0": "Hele landet"}, [2023, 2024]), population_cells(rows))}
    )
    monkeypatch.setattr("mc.data.fetch.PxWebClient", lambda: make_client(fake))
    return fake


def test_fetch_population_into_a_cache(ssb, tmp_path, capsys):
    code = main(["data", "fetch", "population", "--years", "2023-2024", "--cache", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert "SSB table 07459 (population): 1 query, years 2023-2024, 424 rows" in out
    assert "SSB updated 2024-02-21T07:00:00Z" in out
    path = tmp_path / "ssb" / "07459" / "07459-population-national-2023-2024.csv"
    assert f"wrote {path}" in out
    assert json.loads(path.with_suffix(".json").read_text())["rows"] == 424

    assert main(["data", "list", "--cache", str(tmp_path)]) == 0
    assert "07459 population" in capsys.readouterr().out

    assert main(["data", "check", str(path)]) == 0
    assert "ok: " in capsys.readouterr().out


def test_offline_fetch_exits_2_with_the_way_out(ssb, tmp_path, capsys):
    ssb.script = [offline_error()]
    code = main(["data", "fetch", "population", "--cache", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("tbu-mc: error: ")
    assert "could not reach data.ssb.no (offline?)" in err and "use files instead" in err


def test_unknown_year_exits_2(ssb, tmp_path, capsys):
    assert main(["data", "fetch", "population", "--years", "1850", "--cache", str(tmp_path)]) == 2
    assert "year(s) ['1850'] not in the table (it covers 2023-2024)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["data", "fetch", "population", "--years", "2024-2020"], "first year is after the last"),
        (["data", "fetch", "population", "--regions", "Oslo!"], "expected one of"),
        (["data", "fetch", "people"], "invalid choice: 'people'"),
        (["data", "check", "x.csv", "--tolerance", "2"], "must be in [0, 1)"),
    ],
)
def test_bad_arguments_are_usage_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_check_municipal_file_warns_on_totals(tmp_path, capsys):
    rows = [
        {"year": 2024, "municipality": m, "age": a, "sex": s, "population": 1}
        for m in ("0301", "4204")
        for s in ("female", "male")
        for a in range(106)
    ]
    municipal = tmp_path / "mun.csv"
    pd.DataFrame(rows).to_csv(municipal, index=False)
    national = tmp_path / "nat.csv"
    whole = pd.DataFrame(rows).drop(columns="municipality").drop_duplicates()
    whole.assign(population=3).to_csv(national, index=False)  # 636 persons, municipalities 424
    code = main(["data", "check", str(municipal), "--municipal", "--national", str(national)])
    captured = capsys.readouterr()
    assert code == 0
    assert "ok: " in captured.out and "2 municipalities" in captured.out
    assert captured.err.startswith("warning: ") and "municipal total 424" in captured.err
    assert "tolerance 0.5%" in captured.err
    code = main(
        ["data", "check", str(municipal), "--national", str(national), "--tolerance", "60%"]
    )
    assert code == 0 and "warning" not in capsys.readouterr().err


def test_check_names_the_broken_rule(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("year,age,sex,population\n2024,0,female,-1\n")
    assert main(["data", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}, line 2: column 'population' = -1" in err
