import numpy as np
import pytest

from mc.model.ages import AgeGroups, format_age_group, parse_age_group, spread_over_bands


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("0", (0, 0)),
        ("6-15", (6, 15)),
        ("90+", (90, 105)),
        (" 1 - 2 ", (1, 2)),
        ("105", (105, 105)),
    ],
)
def test_parse(label, expected):
    assert parse_age_group(label) == expected
    assert parse_age_group(format_age_group(*expected)) == expected


@pytest.mark.parametrize("label", ["", "a-b", "5-3", "106", "90++", "-1"])
def test_parse_rejects(label):
    with pytest.raises(ValueError, match="age group"):
        parse_age_group(label)


def test_groups_partition_and_roundtrip():
    groups = AgeGroups(("0", "1-5", "6-66", "67+"))
    per_group = np.array([1.0, 2.0, 3.0, 4.0])
    per_age = groups.expand(per_group)
    assert per_age.shape == (106,)
    assert per_age[0] == 1 and per_age[5] == 2 and per_age[66] == 3 and per_age[105] == 4
    counts = np.arange(106.0)
    assert groups.collapse(counts).sum() == counts.sum()
    assert groups.collapse(counts)[1] == sum(range(1, 6))


@pytest.mark.parametrize(
    ("labels", "message"),
    [(("0", "2-105"), "starts at 2"), (("0-50",), "must reach 105"), (("1-105",), "starts at 1")],
)
def test_groups_must_partition(labels, message):
    with pytest.raises(ValueError, match=message):
        AgeGroups(labels)


def test_spread_over_bands_keeps_totals_and_rejects_overlap():
    out = spread_over_bands(["0-4", "10"], np.array([[10.0, 3.0]]))
    assert out.shape == (1, 106)
    assert out[0, :5].tolist() == [2.0] * 5 and out[0, 10] == 3.0 and out.sum() == 13.0
    with pytest.raises(ValueError, match="overlaps"):
        spread_over_bands(["0-4", "3-6"], np.array([1.0, 1.0]))
