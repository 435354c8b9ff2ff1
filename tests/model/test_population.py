import numpy as np
import pandas as pd
import pytest

from mc.errors import DataError
from mc.model.population import population_from_frame, read_population


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
        read_population(path)
    with pytest.raises(DataError, match="file not found"):
        read_population(tmp_path / "none.csv")
