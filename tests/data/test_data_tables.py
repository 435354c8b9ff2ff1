"""Projection and KOSTRA tables through the fake SSB.

Their metadata here are made up in SSB's layout: the projection's alternative sits in
ContentsCode with a label naming it, as in SSB's projection tables (table 10213 labels its
statistics variables "Middels nasjonal vekst (Alternativ MMMM)" and so on); the KOSTRA variables
FunksjonKostra and ArtGruppe are the ones code that reads SSB's KOSTRA tables uses. The fetch code
finds the alternative and the regions from the metadata, so it does not depend on these details.
"""

import pandas as pd
import pytest
from ssb_fake import AGE_CODES, FakeSsb, population_metadata

from mc.data.fetch import fetch_table
from mc.data.loaders import load_population_source
from mc.data.pxweb import TableMetadata
from mc.data.request import FetchRequest, Kind
from mc.data.tables import build_selection, region_values
from mc.errors import DataError


def projection_metadata():
    return {
        "title": "13599: Framskrevet folkemengde 1. januar, etter kjønn, alder og år",
        "variables": [
            {
                "code": "Kjonn",
                "text": "kjønn",
                "values": ["1", "2"],
                "valueTexts": ["Menn", "Kvinner"],
            },
            {
                "code": "Alder",
                "text": "alder",
                "values": [*AGE_CODES, "999"],
                "valueTexts": [*AGE_CODES, "Alle aldre"],
            },
            {
                "code": "ContentsCode",
                "text": "statistikkvariabel",
                "values": ["Personer1", "Personer2"],
                "valueTexts": ["Hovedalternativet (MMMM)", "Lav nasjonal vekst (LLML)"],
            },
            {
                "code": "Tid",
                "text": "år",
                "values": ["2025", "2026", "2027"],
                "valueTexts": ["2025", "2026", "2027"],
                "time": True,
            },
        ],
    }


def projection_cells(key):
    _, age, alternative, year = key
    if age == "999":
        raise AssertionError("the age total must not be asked for")
    return 1000 + int(age.rstrip("+")) + int(year) - 2025 + (0 if alternative == "Personer1" else 7)


def test_projection_alternative_is_found_by_its_label(make_client, tmp_path):
    ssb = FakeSsb({"13599": (projection_metadata(), projection_cells)})
    result = fetch_table(
        FetchRequest(Kind.PROJECTION, years=(2026, 2027)),
        cache_dir=tmp_path,
        client=make_client(ssb),
    )
    [body] = ssb.posts
    chosen = {q["code"]: q["selection"]["values"] for q in body["query"]}
    assert chosen["ContentsCode"] == ["Personer1"] and len(chosen["Alder"]) == 106
    frame = pd.read_csv(result.path)
    assert list(frame.columns) == ["year", "age", "sex", "population", "alternative"]
    assert set(frame["alternative"]) == {"MMMM"}
    table = load_population_source(result.path)
    assert table.years == range(2026, 2028) and table.at(2027)[0, 3] == 1000 + 3 + 2


def test_projection_other_alternative_and_unknown_one(make_client, tmp_path):
    ssb = FakeSsb({"13599": (projection_metadata(), projection_cells)})
    low = fetch_table(
        FetchRequest(Kind.PROJECTION, years=(2025,), alternative="LLML"),
        cache_dir=tmp_path,
        client=make_client(ssb),
    )
    assert low.frame["population"].iloc[0] == 1007
    with pytest.raises(DataError, match="alternative 'HHMH' not found"):
        fetch_table(
            FetchRequest(Kind.PROJECTION, alternative="HHMH"),
            cache_dir=tmp_path,
            client=make_client(ssb),
        )


def kostra_metadata():
    return {
        "title": "12362: Utgifter etter funksjon og art (K)",
        "variables": [
            {
                "code": "Region",
                "text": "region",
                "values": ["EAK", "EAKUO", "0301", "4204"],
                "valueTexts": ["Landet", "Landet uten Oslo", "Oslo kommune", "Kristiansand"],
            },
            {
                "code": "FunksjonKostra",
                "text": "funksjon",
                "values": ["201", "202"],
                "valueTexts": ["Barnehage", "Grunnskole"],
            },
            {
                "code": "ArtGruppe",
                "text": "art",
                "values": ["AGD2", "AGD9"],
                "valueTexts": ["Brutto driftsutgifter", "Korrigerte brutto driftsutgifter"],
            },
            {
                "code": "ContentsCode",
                "text": "statistikkvariabel",
                "values": ["Belop"],
                "valueTexts": ["Beløp (1000 kr)"],
            },
            {
                "code": "Tid",
                "text": "år",
                "values": ["2022", "2023"],
                "valueTexts": ["2022", "2023"],
                "time": True,
            },
        ],
    }


def kostra_cells(key):
    region, function, _, _, year = key
    if region == "4204" and function == "202" and year == "2022":
        return None  # SSB: ".." no figure
    return 1000.5 * (1 + ["0301", "4204", "EAK", "EAKUO"].index(region)) + int(function)


def test_kostra_is_a_generic_tidy_table(make_client, tmp_path):
    ssb = FakeSsb({"12362": (kostra_metadata(), kostra_cells)}, max_cells=8)
    client = make_client(ssb, max_cells=8)
    result = fetch_table(FetchRequest(Kind.KOSTRA), cache_dir=tmp_path, client=client)
    assert len(ssb.posts) == 2  # 16 cells, one year per query
    frame = pd.read_csv(result.path, dtype=str)
    assert list(frame.columns) == [
        "year",
        "region",
        "funksjonkostra",
        "artgruppe",
        "contentscode",
        "value",
    ]
    assert set(frame["region"]) == {"0301", "4204"}  # 'all' means municipalities
    assert len(frame) == 16 - 2  # the two cells without a figure are left out
    assert float(frame["value"].iloc[0]) == 1000.5 + 201
    national = fetch_table(
        FetchRequest(Kind.KOSTRA, regions="national", years=(2023,)),
        cache_dir=tmp_path,
        client=make_client(ssb),
    )
    assert set(national.frame["region"]) == {"EAK"}  # "Landet", not "Landet uten Oslo"


def test_selection_errors_name_the_value():
    meta = TableMetadata.from_json("07459", population_metadata({"0": "Hele landet"}, [2024]))
    with pytest.raises(
        DataError, match=r"year\(s\) \['2030'\] not in the table \(it covers 2024-2024\)"
    ):
        build_selection(Kind.POPULATION, meta, years=[2030])
    with pytest.raises(DataError, match=r"region code\(s\) \['9999'\] not in variable 'Region'"):
        build_selection(Kind.POPULATION, meta, regions=["9999"])
    with pytest.raises(DataError, match="no all regions"):
        region_values(meta, "all")
    with pytest.raises(DataError, match="regions = 'some'"):
        region_values(meta, "some")
