import json
import subprocess
import sys

import pandas as pd
import pytest
from ssb_fake import UPDATED, FakeSsb, offline_error, population_metadata

from mc._files import file_sha256
from mc.data import cache
from mc.data.fetch import fetch_table
from mc.data.loaders import load_population_source, load_regional
from mc.data.request import FetchRequest, Kind, parse_regions, parse_ssb_spec, parse_years
from mc.data.sources import provenance, resolve_population_source
from mc.errors import DataError

REGIONS = {
    "0": "Hele landet",
    "0301": "Oslo",
    "1001": "Kristiansand (-2019)",
    "1018": "Søgne (-2019)",
    "4204": "Kristiansand",
}


def synthetic(key):
    """Made-up persons per cell; SSB's pattern of former and new municipalities."""
    region, sex, age, _, year = key
    year = int(year)
    if region in ("1001", "1018") and year >= 2020:
        return 0  # SSB lists a former municipality with zeros after it is gone
    if region == "4204" and year < 2020:
        return None  # and a new one as empty before it exists
    base = {"0": 5000, "0301": 700, "1001": 90, "1018": 11, "4204": 101}[region]
    return base + int(age.rstrip("+")) + (year - 2019) + int(sex)


@pytest.fixture
def ssb() -> FakeSsb:
    return FakeSsb({"07459": (population_metadata(REGIONS, range(2019, 2025)), synthetic)})


def test_fetch_writes_tidy_typed_file_and_manifest(ssb, make_client, tmp_path):
    request = FetchRequest(Kind.POPULATION, years=(2023, 2024))
    result = fetch_table(request, cache_dir=tmp_path, client=make_client(ssb))
    assert result.path == tmp_path / "ssb" / "07459" / "07459-population-national-2023-2024.csv"
    frame = pd.read_csv(result.path)
    assert list(frame.columns) == ["year", "age", "sex", "population"]
    assert len(frame) == 2 * 2 * 106
    assert frame.query("year == 2024 and sex == 'male' and age == 105")["population"].item() == (
        5000 + 105 + 5 + 1
    )
    manifest = json.loads(result.path.with_suffix(".json").read_text())
    assert manifest["source"] == "Statistics Norway (SSB), table 07459"
    assert manifest["request"] == {
        "kind": "population",
        "table": "07459",
        "years": [2023, 2024],
        "regions": "national",
    }
    assert manifest["updated"] == UPDATED and manifest["rows"] == 424
    assert manifest["sha256"] == file_sha256(result.path)
    assert manifest["queries"] == ssb.posts
    assert manifest["queries"][0]["query"][0] == {
        "code": "Region",
        "selection": {"filter": "item", "values": ["0"]},
    }
    assert manifest["columns"]["population"] == "int64"
    assert manifest["retrieved"].endswith("+00:00")


def test_municipal_fetch_drops_empty_and_former_rows(ssb, make_client, tmp_path):
    request = FetchRequest(Kind.POPULATION, regions="all")  # every 4-digit code, every year
    result = fetch_table(request, cache_dir=tmp_path, client=make_client(ssb))
    frame = pd.read_csv(result.path, dtype={"municipality": str})
    assert list(frame.columns) == ["year", "municipality", "age", "sex", "population"]
    present = frame.groupby("municipality")["year"].agg(["min", "max"])
    assert present.loc["1001"].tolist() == [2019, 2019]
    assert present.loc["4204"].tolist() == [2020, 2024]
    assert present.loc["0301"].tolist() == [2019, 2024]
    assert "0" not in present.index  # the whole country is not a municipality


def test_border_mapping_on_fetch(ssb, make_client, tmp_path):
    borders = tmp_path / "borders.csv"
    borders.write_text("old_code,new_code,from_year\n1001,4204,2020\n1018,4204,2020\n")
    result = fetch_table(
        FetchRequest(Kind.POPULATION, regions="all"),
        cache_dir=tmp_path,
        client=make_client(ssb),
        borders=borders,
    )
    assert "borders2024-" in result.path.name
    assert result.manifest["borders"]["target_year"] == 2024
    table = load_regional(result.path)
    assert table.codes == ("0301", "4204") and table.years == range(2019, 2025)
    # 1 January 2019, a man of 0: 1001 (90 + 1) and 1018 (11 + 1) in today's Kristiansand
    assert table.at(2019)[1, 1, 0] == 91 + 12


def test_resolve_fetches_once_then_reads_the_cache(ssb, make_client, tmp_path):
    client = make_client(ssb)
    path = resolve_population_source("ssb:07459?years=2023-2024", tmp_path, client=client)
    calls = len(ssb.calls)
    ssb.script = [offline_error()]  # the machine goes offline: the cache still answers
    again = resolve_population_source("ssb:07459?years=2023-2024", tmp_path, client=client)
    assert again == path and len(ssb.calls) == calls
    assert load_population_source("ssb:07459?years=2023-2024", cache_dir=tmp_path).years == range(
        2023, 2025
    )
    assert provenance(path)["updated"] == UPDATED
    assert provenance(tmp_path / "elsewhere.csv") is None


def test_resolve_offline_and_not_cached(ssb, make_client, tmp_path):
    ssb.script = [offline_error()]
    with pytest.raises(DataError, match=r"could not reach data\.ssb\.no .*use files instead"):
        resolve_population_source("ssb:07459", tmp_path, client=make_client(ssb))
    with pytest.raises(DataError, match=r"not in the cache .*tbu-mc data fetch population"):
        resolve_population_source("ssb:07459", tmp_path, allow_fetch=False)


def test_resolve_passes_files_through(tmp_path):
    (tmp_path / "pop.csv").write_text("year,age,sex,population\n")
    assert resolve_population_source("pop.csv", base_dir=tmp_path) == tmp_path / "pop.csv"
    with pytest.raises(DataError, match="file not found"):
        resolve_population_source(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="names KOSTRA accounts"):
        resolve_population_source("ssb:12362", tmp_path)


def test_edited_cache_file_is_refused(ssb, make_client, tmp_path):
    path = resolve_population_source("ssb:07459", tmp_path, client=make_client(ssb))
    path.write_text(path.read_text().replace("5001", "5002", 1))
    with pytest.raises(DataError, match="cached file changed since it was fetched"):
        resolve_population_source("ssb:07459", tmp_path, allow_fetch=False)


def test_cache_listing_and_default_folder(ssb, make_client, tmp_path, monkeypatch):
    fetch_table(FetchRequest(Kind.POPULATION, years=(2024,)), client=make_client(ssb))
    [entry] = cache.entries()  # $TBU_MC_CACHE, set per test by conftest.py
    assert entry["path"].startswith(str(tmp_path / "user-cache"))
    monkeypatch.delenv("TBU_MC_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(sys, "platform", "linux")
    assert cache.default_cache_dir() == tmp_path / "xdg" / "tbu-mc"
    monkeypatch.setattr(sys, "platform", "darwin")
    assert cache.default_cache_dir().parts[-3:] == ("Library", "Caches", "tbu-mc")


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    cache.write_bytes_atomic(tmp_path / "a" / "x.csv", b"1")
    cache.write_bytes_atomic(tmp_path / "a" / "x.csv", b"2")
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["x.csv"]
    assert (tmp_path / "a" / "x.csv").read_bytes() == b"2"


@pytest.mark.parametrize(
    ("spec", "kind", "years", "regions", "key"),
    [
        ("ssb:07459", Kind.POPULATION, None, "national", "07459-population-national-all"),
        (
            "ssb:07459?regions=all&years=2005-2007,2010",
            Kind.POPULATION,
            (2005, 2006, 2007, 2010),
            "all",
            "07459-population-all-2005_2006_2007_2010",
        ),
        (
            "ssb:13599?years=2025-2030",
            Kind.PROJECTION,
            tuple(range(2025, 2031)),
            "national",
            "13599-projection-national-2025-2030-MMMM",
        ),
        (
            "ssb:07459?regions=0301,4204&years=2024",
            Kind.POPULATION,
            (2024,),
            ("0301", "4204"),
            "07459-population-r0301_4204-2024",
        ),
        ("ssb:99999?alternative=lhml", Kind.PROJECTION, None, "national", None),
    ],
)
def test_ssb_specs_parse(spec, kind, years, regions, key):
    request = parse_ssb_spec(spec)
    assert (request.kind, request.years, request.region_choice) == (kind, years, regions)
    if key:
        assert request.key() == key
    else:
        assert request.alternative == "LHML"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("ssb:7459", "expected SSB's 5-digit table id"),
        ("ssb:07459?year=2024", r"unknown option\(s\) \['year'\]"),
        ("ssb:07459?years=2024-2020", "the first year is after the last"),
        ("ssb:07459?years=soon", "expected 'all', a year, or a range"),
        ("ssb:07459?regions=Oslo!", "expected one of"),
        ("ssb:07459?kind=people", "kind = 'people': expected one of"),
        ("/data/pop.csv", "expected a source starting with 'ssb:'"),
    ],
)
def test_bad_specs_name_the_part(spec, message):
    with pytest.raises(DataError, match=message):
        parse_ssb_spec(spec)


def test_years_and_regions_parse():
    assert parse_years("all") is None
    assert parse_years("2024, 2020-2021") == (2020, 2021, 2024)
    assert parse_regions("National") == "national"
    assert parse_regions("0301, 4204") == ("0301", "4204")


def test_resolver_module_is_light():
    # the config layer may import it: no pandas, numpy or network code at import
    code = (
        "import sys, mc.data.sources\n"
        "print(','.join(m for m in ('pandas', 'numpy', 'urllib.request') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
