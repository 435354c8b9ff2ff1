"""``tbu-mc report`` on a municipal run folder, driven through the command line and rendered in
headless Chromium: Norway's headline, a searchable table of every region, the ranking by size,
the county panels and the reproduction section."""

from __future__ import annotations

import base64
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from mc.cli.main import main
from tests.conftest import CONFIGS
from tests.report.test_report_browser import run_chromium

SMALL = ["--sync", "--quiet", "--seed", "11", "--draws", "400", "--block-size", "100"]
SECTIONS = ("headline", "regions", "ranked", "counties", "reproduce")
#: 357 municipalities and 15 counties in SSB's 2024 classification.
REGIONS = 357 + 15


@pytest.fixture(scope="module")
def municipal_run(tmp_path_factory, data_dir) -> Path:
    """A small English municipal run, and its report with a limit of 10,000 inhabitants."""
    out = tmp_path_factory.mktemp("municipal-report") / "run"
    args = ["run", str(CONFIGS / "municipalities-2025.yaml"), *SMALL, "--lang", "en"]
    assert main([*args, "--out", str(out)]) == 0
    assert main(["report", str(out), "--lang", "en", "--min-population", "10000"]) == 0
    return out


class Page(HTMLParser):
    """Section ids, images, table rows (and which are hidden) and the search count."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self.rows: list[bool] = []  # per row of the regions table: hidden?
        self.cells: list[list[str]] = []
        self.count = ""
        self.scripts = 0
        self._table: str | None = None
        self._in_body = False
        self._in_count = False
        self._in_cell = False
        self.feed(source)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.sections.append(attrs.get("id") or "")
        elif tag == "img":
            self.images.append(attrs)
        elif tag == "table":
            self._table = attrs.get("id")
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body and self._table == "table-regions":
            self.rows.append("hidden" in attrs)
            self.cells.append([])
        elif tag == "td" and self._in_body and self._table == "table-regions":
            self._in_cell = True
            self.cells[-1].append("")
        elif tag == "span" and attrs.get("id") == "region-count":
            self._in_count = True
        elif tag == "script":
            self.scripts += 1

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag == "span":
            self._in_count = False
        elif tag == "td":
            self._in_cell = False

    def handle_data(self, data):
        if self._in_count:
            self.count += data
        if self._in_cell:
            self.cells[-1][-1] += data


def test_the_report_has_every_section_and_every_region(municipal_run):
    page = Page((municipal_run / "report.html").read_text(encoding="utf-8"))
    assert page.sections == list(SECTIONS)
    assert len(page.rows) == REGIONS
    names = {row[1] for row in page.cells}
    assert {"Oslo-Oslove", "Utsira", "Rogaland", "Vindafjord"} <= names
    kinds = [row[2] for row in page.cells]
    assert kinds.count("county") == 15 and kinds.count("municipality") == 357
    # offline: one inline script (the search), no address outside the page
    html = (municipal_run / "report.html").read_text(encoding="utf-8")
    assert page.scripts == 1 and "http://" not in html and "https://" not in html
    assert 'src="data:image/png;base64,' in html
    # the user's limit is stated with the ranking
    assert "10,000" in html and "--min-population" in html


def test_the_headline_is_norway_from_summary_csv(municipal_run):
    md = (municipal_run / "tables.md").read_text(encoding="utf-8")
    summary = pd.read_csv(municipal_run / "summary.csv", dtype={"region": str})
    total = summary[(summary["variable"] == "national_cost_bn") & (summary["region"] == "0000")]
    median = f"{float(total['q50'].iloc[0]):.2f}"
    line = next(x for x in md.splitlines() if x.startswith("| Total extra costs"))
    assert median in line


def test_the_report_follows_its_language(municipal_run, tmp_path):
    folder = tmp_path / "nb"
    shutil.copytree(municipal_run, folder)
    assert main(["report", str(folder), "--lang", "nb"]) == 0
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert '<html lang="nb">' in html and "Hele landet" in html
    for word in ("municipality", "Every municipality", "Norway", "inhabitants"):
        assert word not in html, word


def test_a_band_summary_csv_cannot_bound_is_refused_in_one_line(municipal_run, capsys):
    code = main(["report", str(municipal_run), "--bands", "50,80,99"])
    assert code != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--bands" in err and "99" in err


@pytest.mark.browser
def test_the_municipal_report_renders_and_searches_in_chromium(municipal_run, tmp_path):
    # the browser tests' rule: without Chromium, fail on CI (which installs it), else skip
    chromium = shutil.which("chromium")
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("chromium not found: CI installs it in .ci/run")
        pytest.skip("chromium not found (apt-get install chromium)")
    url = (municipal_run / "report.html").resolve().as_uri()
    dom = Page(run_chromium(chromium, tmp_path / "all", "--dump-dom", url).stdout)
    assert dom.sections == list(SECTIONS)
    assert len(dom.images) == 2
    for image in dom.images:
        png = base64.b64decode(str(image["src"]).split(",", 1)[1], validate=True)
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and image.get("alt")
    # the script ran: every row shown, and counted
    assert not any(dom.rows) and re.fullmatch(rf"rows shown: {REGIONS}", dom.count.strip())

    # a search in the address ("#Utsira") leaves Utsira's row alone in view
    found = Page(run_chromium(chromium, tmp_path / "one", "--dump-dom", url + "#Utsira").stdout)
    shown = [cells for cells, hidden in zip(found.cells, found.rows, strict=True) if not hidden]
    assert [cells[:2] for cells in shown] == [["1151", "Utsira"]]
    assert found.count.strip() == "rows shown: 1"


def test_the_ranking_ranks_only_municipalities_above_the_limit(monkeypatch):
    import matplotlib.pyplot as plt

    from mc.report import charts

    figures: list[plt.Figure] = []
    render = charts._png

    def keep(fig):
        png = render(fig)  # saving lays out the ticks; the closed figure keeps its artists
        figures.append(fig)
        return png

    monkeypatch.setattr(charts, "_png", keep)
    # Utsira has the highest median but 216 inhabitants: it belongs in the panel apart
    summary = pd.DataFrame(
        {
            "variable": "municipal_cost_per_inhabitant_kr",
            "year": 2025,
            "region": ["0301", "1151", "4601"],
            **{f"q{p:02d}": [p * 10.0, p * 90.0, p * 20.0] for p in range(5, 100, 5)},
        }
    )
    edges = charts.summary_band_edges(summary, charts.DEFAULT_LEVELS)
    names = {"0301": "Oslo", "1151": "Utsira", "4601": "Bergen"}
    population = {"0301": 725_000.0, "1151": 216.0, "4601": 295_000.0}
    charts.municipal_ranking(
        edges, names, year=2025, price_year=2024, lang="en", population=population
    )
    (fig,) = figures
    left, right = fig.axes[:2]
    assert [t.get_text() for t in left.get_yticklabels()] == ["Oslo (0301)", "Bergen (4601)"]
    assert [t.get_text() for t in right.get_yticklabels()] == ["Utsira (1151)"]
    assert "at least 5,000 inhabitants (2)" in left.get_title()
    assert "under 5,000 inhabitants (n = 1)" in right.get_title()
