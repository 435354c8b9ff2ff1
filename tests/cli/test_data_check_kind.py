"""``tbu-mc data check`` tells a municipal file from a national one by its columns."""

from __future__ import annotations

import pandas as pd
import pytest

from mc.cli.main import main


def test_a_municipal_file_without_the_flag_is_checked_as_municipal(data_dir, capsys):
    municipal = data_dir / "population_municipalities_by_age_sex.csv.gz"
    assert main(["data", "check", str(municipal)]) == 0
    out = capsys.readouterr().out
    assert "national" not in out  # it used to pass as "ok: ...: national"
    assert "357 municipalities (a municipal file: it has a municipality column)" in out
    assert "years 2006-2024" in out  # the municipal rule for incomplete first years applied


def test_the_national_file_still_passes_as_national(data_dir, capsys):
    assert main(["data", "check", str(data_dir / "population_norway_by_age_sex.csv")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: ") and ": national, years 1986-2024, 5,550,203 persons" in out


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_small_municipal_file_gets_the_municipal_checks(tmp_path, capsys, suffix):
    # a municipal code that is not 4-digit text: only the municipal reader checks codes
    rows = [
        {"year": 2024, "municipality": "301", "age": a, "sex": s, "population": 1}
        for a in range(106)
        for s in ("female", "male")
    ]
    path = tmp_path / f"pop{suffix}"
    frame = pd.DataFrame(rows)
    frame.to_csv(path, index=False) if suffix == ".csv" else frame.to_parquet(path)
    assert main(["data", "check", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "expected a 4-digit code as text" in err
