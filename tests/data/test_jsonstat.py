import math

import numpy as np
import pandas as pd
import pytest
from ssb_fake import load_fixture

from mc.data.jsonstat import parse_jsonstat2
from mc.errors import DataError


def test_recorded_response_parses_in_row_major_order():
    data = parse_jsonstat2(load_fixture("07459_0301_4204_2023-2024.json"))
    frame = data.frame
    assert data.dimensions == ("Region", "Kjonn", "Alder", "ContentsCode", "Tid")
    assert data.updated == "2024-02-21T07:00:00Z" and data.table == "07459"
    assert len(frame) == 2 * 2 * 3 * 1 * 2
    # the last dimension (Tid) varies fastest, the first (Region) slowest
    assert frame["Tid"].tolist()[:4] == ["2023", "2024", "2023", "2024"]
    assert frame["Region"].tolist()[:12] == ["0301"] * 12
    assert frame["Alder"].iloc[4] == "105+"
    assert data.labels["Kjonn"] == {"1": "Menn", "2": "Kvinner"}
    assert frame["value"].dtype == float and frame["status"].isna().all()


def test_recorded_response_holds_ssb_numbers(municipal_rows):
    # the fixture was built from ../shared/data (SSB table 07459): every cell must match it
    frame = parse_jsonstat2(load_fixture("07459_0301_4204_2023-2024.json")).frame
    truth = municipal_rows[
        municipal_rows["municipality"].isin(["0301", "4204"])
        & municipal_rows["year"].isin([2023, 2024])
    ]
    sex = {"1": "male", "2": "female"}
    for row in frame.itertuples():
        age = int(row.Alder.rstrip("+"))
        match = truth[
            (truth["municipality"] == row.Region)
            & (truth["year"] == int(row.Tid))
            & (truth["sex"] == sex[row.Kjonn])
            & (truth["age"] == age)
        ]
        assert match["population"].item() == row.value


def small(**changes):
    doc = {
        "class": "dataset",
        "id": ["Region", "Tid"],
        "size": [2, 2],
        "dimension": {
            "Region": {"category": {"index": {"0301": 0, "4204": 1}}},
            "Tid": {"category": {"index": ["2023", "2024"]}},  # index as a list is allowed too
        },
        "value": [1, 2, 3, None],
        "status": {"3": ".."},
    }
    doc.update(changes)
    return doc


def test_list_index_nulls_and_status():
    frame = parse_jsonstat2(small()).frame
    assert frame["Tid"].tolist() == ["2023", "2024", "2023", "2024"]
    assert math.isnan(frame["value"].iloc[3]) and frame["status"].iloc[3] == ".."
    assert pd.isna(frame["status"].iloc[0])


def test_sparse_values_and_single_category_without_index():
    doc = small(value={"0": 5}, status="..")
    doc["dimension"]["Tid"] = {"category": {"label": {"2024": "2024"}}}
    doc["size"] = [2, 1]
    frame = parse_jsonstat2(doc).frame
    np.testing.assert_array_equal(frame["value"], [5.0, np.nan])  # absent positions are null
    assert frame["Tid"].tolist() == ["2024", "2024"]
    assert (frame["status"] == "..").all()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"class": "collection"}, "expected 'dataset'"),
        ({"id": None}, "'id', 'size' and 'dimension' are required"),
        ({"size": [2]}, "'id' has 2 dimensions but 'size' has 1"),
        ({"size": [2, 3]}, "dimension 'Tid' has 2 categories but size says 3"),
        ({"value": [1, 2, 3]}, "'value' has 3 cells but the sizes multiply to 4"),
        ({"value": {"9": 1}}, "'value' position 9 is outside 0-3"),
        ({"value": [1, 2, 3, "x"]}, "'value' holds a cell that is not a number"),
        ({"id": ["Region", "Alder"]}, "dimension 'Alder' is listed in 'id' but not described"),
    ],
)
def test_malformed_documents_are_named(changes, message):
    with pytest.raises(DataError, match=message) as info:
        parse_jsonstat2(small(**changes), "answer.json")
    assert info.value.source == "answer.json"
