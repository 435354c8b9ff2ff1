import numpy as np
import pandas as pd
import pytest

from mc.data.population import population_from_frame, read_population_file
from mc.errors import DataError


def test_national_totals_match_ssb(population):
    # the data README states these totals (SSB table 07459)
    assert population.at(2023).sum() == 5_488_984
    assert population.at(2024).sum() == 5_550_203
    assert population.change(2024).sum() == 61_219
    assert population.years == range(1986, 2025)
    assert population.counts.shape == (39, 2, 106)


def test_missing_year_names_the_range(population):
    with pytest.raises(DataError, match="year 1980 is not in the data"):
        population.at(1980)


def tiny(years=(2020, 2021)):
    rows = [
        {"year": y, "age": a, "sex": s, "population": 10 + a}
        for y in years
        for s in ("female", "male")
        for a in range(106)
    ]
    return pd.DataFrame(rows)


def test_tiny_frame_packs():
    table = population_from_frame(tiny(), "tiny")
    assert table.at(2021)[0, 5] == 15
    assert np.all(table.change(2021) == 0)


def _broken(kind):
    frame = tiny()
    if kind == "negative":
        frame.loc[7, "population"] = -3
    elif kind == "fraction":
        frame["population"] = frame["population"].astype(float)
        frame.loc[7, "population"] = 2.5
    elif kind == "sex":
        frame.loc[7, "sex"] = "other"
    elif kind == "age":
        frame.loc[7, "age"] = 106
    elif kind == "duplicate":
        frame = pd.concat([frame, frame.iloc[[3]]], ignore_index=True)
    elif kind == "missing_age":
        frame = frame.drop(index=50).reset_index(drop=True)
    elif kind == "gap":
        frame = tiny((2019, 2021))
    return frame


@pytest.mark.parametrize(
    ("kind", "message", "line"),
    [
        ("negative", "column 'population' = -3: expected a whole number >= 0", 9),
        ("fraction", "column 'population' = 2.5", 9),
        ("sex", "column 'sex' = 'other'", 9),
        ("age", "ages must be 0-105", 9),
        ("duplicate", "duplicate row", 426),
        ("missing_age", "every age 0-105 must be present", None),
        ("gap", "2019 is followed by 2021", None),
    ],
)
def test_bad_rows_are_rejected_with_line(kind, message, line):
    with pytest.raises(DataError) as info:
        population_from_frame(_broken(kind), "pop.csv")
    assert message in str(info.value)
    assert info.value.row == line
    assert str(info.value).startswith("pop.csv")


def test_missing_column_and_file(tmp_path):
    path = tmp_path / "p.csv"
    tiny().drop(columns="sex").to_csv(path, index=False)
    with pytest.raises(DataError, match=r"missing column\(s\) \['sex'\]"):
        read_population_file(path)
    with pytest.raises(DataError, match="file not found"):
        read_population_file(tmp_path / "none.csv")


def regional_frame(years=(2020, 2021), codes=("0301", "1101")):
    rows = [
        {"year": y, "municipality": c, "age": a, "sex": s, "population": 5 + a}
        for y in years
        for c in codes
        for s in ("female", "male")
        for a in range(106)
    ]
    return pd.DataFrame(rows)


def write(frame, tmp_path):
    path = tmp_path / "mun.csv"
    frame.to_csv(path, index=False)
    classes = tmp_path / "classes.csv"
    classes.write_text(
        "municipality,name,county,county_name\n0301,Oslo,03,Oslo\n1101,Eigersund,11,Rogaland\n"
    )
    return path, classes


def test_regional_reads_and_keeps_codes_as_text(tmp_path):
    from mc.data.population import read_regional_file

    path, classes = write(regional_frame(), tmp_path)
    table = read_regional_file(path, classes)
    assert table.codes == ("0301", "1101") and table.counties == ("03", "11")
    assert table.at(2021).shape == (2, 2, 106)
    assert table.national().at(2020)[0, 3] == 16


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("unknown", "unknown municipality code '9999'"),
        ("malformed", "expected a 4-digit code as text"),
        ("gap", "2019 is followed by 2021"),
        ("missing_municipality", "year 2021, municipality 1101, sex female, age 0 is missing"),
    ],
)
def test_regional_bad_input(tmp_path, change, message):
    from mc.data.population import read_regional_file

    frame = regional_frame()
    if change == "unknown":
        frame.loc[frame["municipality"] == "1101", "municipality"] = "9999"
    elif change == "malformed":
        frame["municipality"] = frame["municipality"].astype(object)
        frame.loc[0, "municipality"] = "301"
    elif change == "gap":
        frame = regional_frame((2019, 2021))
    elif change == "missing_municipality":
        frame = frame[~((frame["year"] == 2021) & (frame["municipality"] == "1101"))]
    path, classes = write(frame, tmp_path)
    with pytest.raises(DataError, match=message):
        read_regional_file(path, classes)


def test_regional_trims_leading_years_of_later_municipalities(tmp_path):
    from mc.data.population import read_regional_file

    frame = regional_frame((2019, 2020, 2021))
    frame = frame[~((frame["year"] == 2019) & (frame["municipality"] == "1101"))]
    path, classes = write(frame, tmp_path)
    with pytest.raises(DataError, match="missing"):
        read_regional_file(path, classes)
    table = read_regional_file(path, classes, trim_start=True)
    assert table.years == range(2020, 2022)
    assert table.notes == (
        "year 2019 is incomplete (no rows for municipality 1101): left out; used: 2020-2021",
    )


def test_data_folder_errors(tmp_path):
    from mc.data.population import read_data_dir

    with pytest.raises(DataError, match="data folder not found"):
        read_data_dir(tmp_path / "nope")
    with pytest.raises(DataError, match=r"population_norway_by_age_sex\.csv: file not found"):
        read_data_dir(tmp_path)


def test_municipality_names_fall_back_to_the_code(tmp_path):
    from mc.data.population import CLASSIFICATION_FILE, municipality_names

    (tmp_path / CLASSIFICATION_FILE).write_text(
        "municipality,name,county,county_name\n0301,Oslo,03,Oslo\n", encoding="utf-8"
    )
    assert municipality_names(tmp_path, ("0301", "4204")) == ("Oslo", "4204")
    with pytest.raises(DataError, match="cannot be read"):
        municipality_names(tmp_path / "nope", ("0301",))


def test_data_dir_files_lists_only_population_files(tmp_path):
    from mc.data.population import data_dir_files

    for name in ("population_b.csv", "municipalities_2024.csv", "README.md", "population_a.csv"):
        (tmp_path / name).write_text("x\n", encoding="utf-8")
    assert [p.rsplit("/", 1)[-1] for p in data_dir_files(tmp_path)] == [
        "municipalities_2024.csv",
        "population_a.csv",
        "population_b.csv",
    ]
    with pytest.raises(DataError, match="cannot list"):
        data_dir_files(tmp_path / "nope")


def test_mixed_projection_alternatives_are_rejected_in_any_file(tmp_path):
    # one set of checks: a config's file gets the same rule as `--population` and `data check`
    frame = tiny()
    frame["alternative"] = ["MMMM", "LLML"] * (len(frame) // 2)
    path = tmp_path / "pop.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataError, match="several projection alternatives"):
        read_population_file(path)
