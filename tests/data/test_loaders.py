import importlib.util
import warnings

import numpy as np
import pandas as pd
import pytest

from mc.data import files
from mc.data.files import read_tidy
from mc.data.loaders import (
    DEFAULT_TOLERANCE,
    TotalsWarning,
    check_totals,
    load_population_source,
    load_regional,
)
from mc.data.population import regional_population_from_frame
from mc.domain.population import PopulationTable
from mc.errors import DataError

CODES = ("0301", "4204")
CLASSES = "municipality,name,county,county_name\n0301,Oslo,03,Oslo\n4204,Kristiansand,42,Agder\n"


def municipal(years=(2023, 2024), codes=CODES):
    return pd.DataFrame(
        [
            {"year": y, "municipality": c, "age": a, "sex": s, "population": 10 + a}
            for y in years
            for c in codes
            for s in ("female", "male")
            for a in range(106)
        ]
    )


def write_csv(frame, tmp_path, name="mun.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def test_regional_csv_loads_with_codes_as_text(tmp_path):
    (tmp_path / "classes.csv").write_text(CLASSES)
    table = load_regional(write_csv(municipal(), tmp_path), tmp_path / "classes.csv")
    assert table.codes == CODES and table.counties == ("03", "42")
    assert table.years == range(2023, 2025)


def _break(rule):
    """A municipal frame that breaks one rule, and the row (CSV line) at fault."""
    frame = municipal()
    if rule == "column":
        return frame.drop(columns="population"), None
    if rule == "type":
        frame["population"] = frame["population"].astype(object)
        frame.loc[5, "population"] = "many"
        return frame, 7
    if rule == "code":
        frame.loc[3, "municipality"] = "301"
        return frame, 5
    if rule == "age":
        return frame.drop(index=10).reset_index(drop=True), None
    if rule == "negative":
        frame.loc[20, "population"] = -1
        return frame, 22
    if rule == "duplicate":
        return pd.concat([frame, frame.iloc[[4]]], ignore_index=True), len(frame) + 2
    if rule == "years":
        return municipal((2021, 2023)), None
    raise AssertionError(rule)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("column", r"missing column\(s\) \['population'\]"),
        ("type", "column 'population' = 'many': expected a whole number >= 0"),
        ("code", "column 'municipality' = '301': expected a 4-digit code as text"),
        ("age", "year 2023, municipality 0301, sex female, age 10 is missing"),
        ("negative", "column 'population' = -1: expected a whole number >= 0"),
        ("duplicate", "duplicate row for"),
        ("years", "years must be contiguous; 2021 is followed by 2023"),
    ],
)
def test_each_rule_names_file_row_and_rule(tmp_path, rule, message):
    frame, line = _break(rule)
    path = write_csv(frame, tmp_path)
    with pytest.raises(DataError, match=message) as info:
        load_regional(path)
    assert info.value.source == str(path)
    assert info.value.row == line
    assert str(info.value).startswith(str(path))


def test_leading_zeros_survive_a_csv_round_trip(tmp_path):
    # read as numbers, '0301' would become 301 and fail the 4-digit rule: the loader reads text
    assert read_tidy(write_csv(municipal(), tmp_path))["municipality"].iloc[0] == "0301"


def test_national_loads_from_file_and_rules_apply(tmp_path):
    national = municipal(codes=("0301",)).drop(columns="municipality")
    table = load_population_source(write_csv(national, tmp_path, "nat.csv"))
    assert table.at(2024)[1, 105] == 115
    national.loc[0, "sex"] = "x"
    with pytest.raises(DataError, match="column 'sex' = 'x'") as info:
        load_population_source(write_csv(national, tmp_path, "nat.csv"))
    assert info.value.row == 2


def test_missing_file_and_uncached_source(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        load_population_source(tmp_path / "none.csv")
    with pytest.raises(DataError, match="not in the cache"):
        load_population_source("ssb:07459", cache_dir=tmp_path)


def national_table(total_per_year):
    counts = np.zeros((len(total_per_year), 2, 106))
    counts[:, 0, 0] = total_per_year
    return PopulationTable(2023, counts, "national.csv")


def test_totals_within_tolerance_are_quiet(tmp_path):
    regional = load_regional(write_csv(municipal(), tmp_path))
    total = regional.national().at(2023).sum()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert check_totals(regional, national_table([total * 1.004, total])) == []


def test_totals_beyond_tolerance_warn_with_the_numbers(tmp_path):
    path = write_csv(municipal(), tmp_path)
    regional = load_regional(path)
    total = regional.national().at(2024).sum()  # 2 municipalities * 2 sexes * sum(10..115)
    national = national_table([total, total * 1.02])
    with pytest.warns(TotalsWarning) as caught:
        load_regional(path, national=national)
    [message] = [str(w.message) for w in caught]
    assert "municipal total 26,500 on 1 January 2024" in message
    assert "national total 27,030" in message and "national.csv" in message
    assert "(-1.96%); tolerance 0.5%" in message
    assert DEFAULT_TOLERANCE == 0.005
    # a looser tolerance accepts it
    assert check_totals(regional, national, tolerance=0.03) == []


def test_shared_municipal_file_agrees_with_the_national_file(data_dir, municipal_rows):
    # SSB's municipal sums (2024 borders) differ from the national totals by 0.26 % in 2005, where
    # two municipalities have no rows, and by < 0.002 % in every later year: the 0.5 % default
    # accepts real data, and 0.01 % finds nothing once trim_start has dropped 2005
    national = load_population_source(data_dir / "population_norway_by_age_sex.csv")
    sums = municipal_rows.groupby("year")["population"].sum()
    gaps = sums / national.counts.sum(axis=(1, 2))[sums.index - national.first_year] - 1
    assert gaps.abs().max() < DEFAULT_TOLERANCE and gaps.drop(2005).abs().max() < 0.00002
    early = municipal_rows[municipal_rows["year"] <= 2008]  # all years would take seconds
    regional = regional_population_from_frame(early, "municipal", trim_start=True)
    assert regional.years == range(2006, 2009) and len(regional.codes) == 357
    with warnings.catch_warnings():
        warnings.simplefilter("error", TotalsWarning)
        assert check_totals(regional, national, tolerance=0.0001) == []


def test_several_projection_alternatives_are_refused(tmp_path):
    frame = pd.concat(
        [municipal().assign(alternative="MMMM"), municipal().assign(alternative="LLML")]
    )
    with pytest.raises(DataError, match=r"several projection alternatives \['LLML', 'MMMM'\]"):
        load_regional(write_csv(frame, tmp_path))


HAS_PARQUET = any(importlib.util.find_spec(m) for m in ("pyarrow", "fastparquet"))


@pytest.mark.skipif(HAS_PARQUET, reason="a Parquet engine is installed")
def test_parquet_without_pyarrow_says_what_is_needed(tmp_path):
    path = tmp_path / "mun.parquet"
    path.write_bytes(b"PAR1")
    with pytest.raises(DataError, match="Parquet files need the pyarrow package"):
        load_regional(path)


@pytest.mark.skipif(not HAS_PARQUET, reason="needs pyarrow or fastparquet")
def test_parquet_reads_like_csv_and_numbers_rows_from_one(tmp_path):
    frame = municipal()
    frame.to_parquet(tmp_path / "mun.parquet", index=False)
    table = load_regional(tmp_path / "mun.parquet")
    assert table.codes == CODES
    frame.loc[0, "population"] = -5
    frame.to_parquet(tmp_path / "bad.parquet", index=False)
    with pytest.raises(DataError) as info:
        load_regional(tmp_path / "bad.parquet")
    assert info.value.row == 1


def test_parquet_engine_lookup(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert files._parquet_engine() is None
