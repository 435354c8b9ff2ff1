"""Population files a user can get wrong: every reader answers with one DataError line naming it.

The readers a user's file reaches: ``read_population_file`` (a config's ``population.file`` and the
data folder), ``load_population_source`` / ``read_tidy`` (``--population``, ``tbu-mc history``,
``tbu-mc data check``) and ``read_regional_file`` (municipal files).
"""

import gzip

import pandas as pd
import pytest
from ssb_fake import population_metadata

from mc.cli.main import main
from mc.data.loaders import load_population_source, load_regional
from mc.data.population import MAX_PERSONS, read_population_file, read_regional_file
from mc.data.pxweb import TableMetadata
from mc.data.request import Kind
from mc.data.tables import tidy
from mc.errors import DataError
from tests.conftest import CONFIGS

HEADER = "year,age,sex,population\n"


def national_text(years=(2023, 2024), value=lambda y, s, a: 1000 + a):
    rows = [
        f"{y},{a},{s},{value(y, s, a)}\n"
        for y in years
        for s in ("female", "male")
        for a in range(106)
    ]
    return HEADER + "".join(rows)


def truncated_gzip(tmp_path):
    whole = gzip.compress(national_text().encode())
    path = tmp_path / "pop.csv.gz"
    path.write_bytes(whole[: len(whole) // 2])
    return path


def not_gzip(tmp_path):
    path = tmp_path / "pop.csv.gz"
    path.write_bytes(b"this is not gzip at all\n" * 10)
    return path


def write(tmp_path, content, name="pop.csv"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


BROKEN = {
    "empty": (lambda p: write(p, b""), "the file is empty"),
    "header-only": (lambda p: write(p, HEADER), "has a header but no data rows"),
    "truncated-gzip": (truncated_gzip, "damaged or cut short"),
    "not-gzip": (not_gzip, "damaged or cut short"),
    "latin-1": (
        lambda p: write(p, HEADER.encode() + "2024,0,kvinne\xe5,1\n".encode("latin-1")),
        "not UTF-8",
    ),
    "folder": (lambda p: p, "is a folder"),
    "ragged": (
        lambda p: write(p, HEADER + "2024,0,female,1,extra,more\n"),
        "cannot be read as CSV",
    ),
}
READERS = {
    "read_population_file": read_population_file,
    "load_population_source": load_population_source,
    "read_regional_file": read_regional_file,
    "load_regional": load_regional,
}


@pytest.mark.parametrize("broken", list(BROKEN))
@pytest.mark.parametrize("reader", list(READERS))
def test_broken_files_give_one_line_naming_the_file(tmp_path, broken, reader):
    make, rule = BROKEN[broken]
    path = make(tmp_path)
    with pytest.raises(DataError) as info:
        READERS[reader](path)
    message = str(info.value)
    assert "\n" not in message
    assert rule in message
    assert message.startswith(str(path))


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("1e18", f"at most {MAX_PERSONS:,} persons in one cell"),
        ("inf", "expected a whole number >= 0"),
        ("nan", "expected a whole number >= 0"),
    ],
)
@pytest.mark.parametrize("reader", ["read_population_file", "load_population_source"])
def test_absurd_counts_are_refused_with_the_line(tmp_path, reader, value, rule):
    text = national_text(value=lambda y, s, a: value if (y, s, a) == (2024, "male", 3) else 10)
    path = write(tmp_path, text)
    with pytest.raises(DataError, match=rule) as info:
        READERS[reader](path)
    assert info.value.row == 2 + 106 * 3 + 3  # header, 2023 both sexes, 2024 female, age 3


def test_a_year_whose_total_exceeds_the_bound_is_refused(tmp_path):
    path = write(tmp_path, national_text(value=lambda y, s, a: 200_000 if y == 2024 else 10))
    with pytest.raises(DataError, match="1 January 2024 adds up to 42,400,000"):
        read_population_file(path)


def test_absurd_years_are_refused(tmp_path):
    path = write(tmp_path, national_text(years=(99_999,)))
    with pytest.raises(DataError, match="years must be in 1800-2200"):
        read_population_file(path)


def test_a_broken_classification_file_is_a_data_error(tmp_path):
    frame = pd.read_csv(pd.io.common.StringIO(national_text()))
    frame.insert(1, "municipality", "0301")
    population = tmp_path / "mun.csv"
    frame.to_csv(population, index=False)
    classes = write(tmp_path, b"", name="classes.csv")
    with pytest.raises(DataError, match=r"classes\.csv: the file is empty"):
        read_regional_file(population, classes)
    write(tmp_path, "code,name\n0301,Oslo\n", name="classes.csv")
    with pytest.raises(DataError, match="missing column"):
        read_regional_file(population, classes)


def test_ssb_counts_that_are_not_finite_or_absurd_are_refused():
    meta = TableMetadata.from_json("07459", population_metadata({"0": "Hele landet"}, [2024]))
    base = {"Region": "0", "Kjonn": "2", "Alder": "000", "ContentsCode": "Personer1", "Tid": "2024"}
    for value, rule in ((float("inf"), "not a finite"), (-3.0, "negative"), (1e18, "hard bound")):
        frame = pd.DataFrame([{**base, "value": value}])
        with pytest.raises(DataError, match=rule):
            tidy(Kind.POPULATION, frame, meta, national=True)


@pytest.mark.parametrize("broken", ["empty", "header-only", "truncated-gzip"])
def test_cli_commands_answer_with_one_error_line(tmp_path, capsys, broken):
    make, rule = BROKEN[broken]
    path = make(tmp_path)
    out = tmp_path / "out"
    commands = [
        ["data", "check", str(path)],
        [
            "history",
            str(CONFIGS / "tbu-2025.yaml"),
            "--population",
            str(path),
            "--from",
            "2024",
            "--to",
            "2024",
            "--out",
            str(out),
        ],
        [
            "run",
            str(CONFIGS / "tbu-2024-actual.yaml"),
            "--deterministic",
            "--population",
            str(path),
            "--out",
            str(out),
        ],
    ]
    for argv in commands:
        code = main(argv)
        err = capsys.readouterr().err.strip().splitlines()
        assert code != 0, argv
        assert len(err) == 1 and err[0].startswith("tbu-mc: error:"), (argv, err)
        assert rule in err[0] and str(path) in err[0]
    assert not out.exists()


@pytest.mark.parametrize("reader", list(READERS))
def test_names_too_long_and_devices_are_data_errors(reader):
    with pytest.raises(DataError, match="cannot be read"):
        READERS[reader]("/tmp/" + "x" * 300 + ".csv")
    with pytest.raises(DataError, match="not a regular file"):
        READERS[reader]("/dev/null")
