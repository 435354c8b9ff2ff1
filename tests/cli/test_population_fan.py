"""``tbu-mc population forecast`` draws its fan beside its bands, and ``tbu-mc report`` accepts
its folder (a population report: the fan chart and the bands table)."""

from __future__ import annotations

import base64
import re
import shutil
from pathlib import Path

import matplotlib.image as mpimg
import pandas as pd
import pytest

from mc.cli.main import main
from mc.report import layout
from tests.conftest import listing

ARGS = ["--origin", "2024", "--horizon", "4", "--draws", "200", "--seed", "2", "--quiet"]


@pytest.fixture(scope="module")
def forecast(tmp_path_factory, data_dir) -> Path:
    """A small national forecast in English, with its report."""
    out = tmp_path_factory.mktemp("population-fan") / "forecast"
    args = ["population", "forecast", "--data", str(data_dir), *ARGS, "--lang", "en"]
    assert main([*args, "--out", str(out)]) == 0
    assert main(["report", str(out), "--lang", "en"]) == 0
    return out


def test_the_forecast_writes_its_fan_beside_its_bands(forecast):
    written = set(listing(forecast)) - set(layout.REPORT_FILES)
    assert written == {layout.POPULATION_BANDS, layout.FAN_POPULATION, layout.MANIFEST}
    png = forecast / layout.FAN_POPULATION
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = mpimg.imread(png)[..., :3]
    # the bands are blue: a chart with no fan drawn would have none
    blue = (pixels[..., 2] - pixels[..., 0] > 0.12) & (pixels[..., 2] > 0.5)
    assert blue.sum() > 10_000


def test_the_report_of_a_forecast_shows_the_fan_and_every_band(forecast):
    page = (forecast / "report.html").read_text(encoding="utf-8")
    assert re.findall(r'<section id="([^"]+)"', page) == ["fan", "bands", "reproduce"]
    (src,) = re.findall(r'<img src="data:image/png;base64,([^"]+)"', page)
    assert base64.b64decode(src)[:8] == b"\x89PNG\r\n\x1a\n"
    bands = pd.read_csv(forecast / layout.POPULATION_BANDS, dtype={"region": str})
    nation = bands[bands["region"] == "0000"]
    table = page[page.index('id="table-population-bands"') :]
    table = table[: table.index("</table>")]
    assert table.count("<tr>") == 1 + len(nation)  # the header, then one row per year and group
    # the whole population's median in the last year, as the CSV has it
    last = nation[(nation["age_group"] == "total")].sort_values("year").iloc[-1]
    assert f"{last['q50']:,.0f}" in table
    for level in ("50 % band", "80 % band", "90 % band"):
        assert level in table


def test_a_norwegian_report_of_the_same_folder(forecast, tmp_path):
    folder = tmp_path / "nb"
    shutil.copytree(forecast, folder)
    assert main(["report", str(folder), "--lang", "nb"]) == 0
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "Befolkningsframskriving fra 2024" in page and "Hele befolkningen" in page
    assert "Whole population" not in page
