"""The component reader: HMD/HFD series as arrays, and errors that name file, line and rule."""

import shutil

import numpy as np
import pytest

from mc.data.components import FILES, read_components
from mc.errors import DataError


@pytest.fixture(scope="module")
def history(data_dir):
    return read_components(data_dir)


def test_series_cover_the_documented_years(history):
    assert history.last_year == {"deaths": 2023, "births": 2023, "asfr": 2022}
    assert history.deaths_first == 1986 and history.asfr_first == 1967
    assert history.deaths.shape == (38, 2, 106)
    assert history.mx.shape == (38, 2, 111)


def test_open_age_collects_deaths_from_105(history):
    # the source's check figure: 43,803 deaths in 2023, kept when 105-110+ fold into 105
    assert history.deaths_in(2023).sum() == pytest.approx(43_803, abs=1)


def test_tfr_check_figures(history):
    tfr = history.asfr.sum(axis=1)
    assert tfr[2022 - 1967] == pytest.approx(1.41, abs=0.005)
    assert tfr[2009 - 1967] == pytest.approx(1.98, abs=0.005)


def test_until_keeps_only_earlier_years(history):
    past = history.until(2010)
    assert past.last_year == {"deaths": 2009, "births": 2009, "asfr": 2009}
    with pytest.raises(DataError, match="2010"):
        past.deaths_in(2010)


def _copy(data_dir, tmp_path):
    for name in FILES.values():
        shutil.copy(data_dir / "components" / name, tmp_path / name)
    return tmp_path


def test_negative_deaths_name_the_line(data_dir, tmp_path):
    folder = _copy(data_dir, tmp_path)
    path = folder / FILES["deaths"]
    lines = path.read_text().splitlines()
    fields = lines[5].split(",")
    fields[3] = "-1"
    lines[5] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as info:
        read_components(folder)
    assert info.value.row == 6 and "deaths_female" in info.value.rule


def test_missing_file_is_named(data_dir, tmp_path):
    folder = _copy(data_dir, tmp_path)
    (folder / FILES["asfr"]).unlink()
    with pytest.raises(DataError, match="file not found"):
        read_components(folder)


def test_missing_age_is_named(data_dir, tmp_path):
    folder = _copy(data_dir, tmp_path)
    path = folder / FILES["mx"]
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:10] + lines[11:]) + "\n")
    with pytest.raises(DataError, match="exactly once"):
        read_components(folder)
    assert np.isfinite(read_components(data_dir).births).all()
