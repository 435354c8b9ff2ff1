"""Border changes.

The mapping facts used here:
- 1 January 2020: Kristiansand (1001), Songdalen (1017) and Søgne (1018) merged into Kristiansand,
  code 4204; Mandal (1002) did *not* go to Kristiansand but, with Marnardal (1021) and Lindesnes
  (1029), into Lindesnes, 4205 (Store norske leksikon, "Songdalen"; Wikipedia, "Mandals kommun";
  SSB's classification of municipalities).
- Halden: 0101 in Østfold, 3001 in Viken from 2020 (SSB's change table as reproduced on
  genealogi.no, "Kommune- og regionreformen 2020"), 3101 in Østfold again from 2024
  (../shared/data/municipalities_2024.csv).
The counts are made up; only the codes are real.
"""

import numpy as np
import pandas as pd
import pytest

from mc.data.borders import (
    BorderChange,
    BorderMapping,
    border_mapping_from_frame,
    harmonize,
    read_border_mapping,
)
from mc.errors import DataError

MAPPING = """old_code,new_code,from_year
1001,4204,2020
1017,4204,2020
1018,4204,2020
1002,4205,2020
1021,4205,2020
1029,4205,2020
0101,3001,2020
3001,3101,2024
"""


@pytest.fixture
def mapping(tmp_path):
    path = tmp_path / "borders.csv"
    path.write_text(MAPPING)
    return read_border_mapping(path)


def rows(year, counts):
    return pd.DataFrame(
        [
            {"year": year, "municipality": code, "age": 0, "sex": "female", "population": n}
            for code, n in counts.items()
        ]
    )


def test_kristiansand_merger_of_2020(mapping):
    before = rows(2019, {"1001": 1000, "1017": 70, "1018": 110, "1002": 150, "0301": 7000})
    after = harmonize(before, mapping, 2024)
    got = dict(zip(after["municipality"], after["population"], strict=True))
    assert got == {"0301": 7000, "4204": 1000 + 70 + 110, "4205": 150}
    assert after["population"].sum() == before["population"].sum()
    assert after["population"].dtype == np.int64
    assert list(after.columns) == list(before.columns)


def test_codes_already_in_target_borders_are_kept(mapping):
    later = rows(2021, {"4204": 1200, "4205": 160})
    pd.testing.assert_frame_equal(harmonize(later, mapping, 2024), later)


def test_changes_chain_oldest_first(mapping):
    # Halden: 0101 -> 3001 (2020) -> 3101 (2024)
    data = pd.concat([rows(2019, {"0101": 300}), rows(2023, {"3001": 310})], ignore_index=True)
    assert harmonize(data, mapping, 2024)["municipality"].tolist() == ["3101", "3101"]
    # to the 2020 borders only the 2020 changes apply
    assert harmonize(data, mapping, 2020)["municipality"].tolist() == ["3001", "3001"]
    assert harmonize(data, mapping, 2019)["municipality"].tolist() == ["0101", "3001"]


def test_rows_are_summed_per_key_only(mapping):
    data = pd.concat(
        [rows(2019, {"1001": 10, "1018": 1}), rows(2019, {"1001": 5}).assign(sex="male")],
        ignore_index=True,
    )
    out = harmonize(data, mapping, 2024)
    assert out[["sex", "population"]].values.tolist() == [["female", 11], ["male", 5]]


def test_split_by_share_keeps_whole_persons():
    mapping = BorderMapping(
        (BorderChange("1507", "1508", 2024, 0.75), BorderChange("1507", "1580", 2024, 0.25))
    )
    out = harmonize(rows(2023, {"1507": 101}), mapping, 2024)
    assert dict(zip(out["municipality"], out["population"], strict=True)) == {
        "1508": 76,
        "1580": 25,
    }


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("old_code,new_code\n1001,4204\n", r"missing column\(s\) \['from_year'\]", None),
        ("old_code,new_code,from_year\n1001,4204,2020\n101,3001,2020\n", "'101'", 3),
        ("old_code,new_code,from_year\n1001,42O4,2020\n", "column 'new_code' = '42O4'", 2),
        ("old_code,new_code,from_year\n1001,4204,next\n", "expected a year", 2),
        ("old_code,new_code,from_year\n1001,4204,2020\n1001,4204,2020\n", "repeats line 2", 3),
        ("old_code,new_code,from_year,share\n1507,1508,2024,1.5\n", r"in \(0, 1\]", 2),
        (
            "old_code,new_code,from_year\n1507,1508,2024\n1507,1580,2024\n",
            "add up to 2, not 1",
            None,
        ),
    ],
)
def test_bad_mapping_files_name_line_and_rule(tmp_path, text, message, line):
    path = tmp_path / "map.csv"
    path.write_text(text)
    with pytest.raises(DataError, match=message) as info:
        read_border_mapping(path)
    assert info.value.row == line and info.value.source == str(path)


def test_codes_are_text_even_when_they_look_like_numbers():
    frame = pd.DataFrame({"old_code": ["0101"], "new_code": ["3001"], "from_year": ["2020"]})
    assert border_mapping_from_frame(frame, "m").changes[0].old_code == "0101"
    with pytest.raises(DataError, match="file not found"):
        read_border_mapping("no-such-mapping.csv")
