"""`tbu-mc report`: the page, tables.md and tables.tex from a run folder."""

import base64
import hashlib
import json
import re
import shutil
from html.parser import HTMLParser

import pandas as pd
import pytest

from mc.cli.main import main
from mc.errors import DataError
from mc.report.build import build_report
from mc.report.layout import REPORT_FILES, RunKind, run_files
from mc.report.tables import band_range
from tests.conftest import listing

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# tbu-2025 has the economy and exceedance thresholds, and the report fixtures run no sensitivity
RUN_FILES = list(run_files(RunKind.MONTE_CARLO, economy=True, exceedance=True, views=True))
REPORT_FILES = list(REPORT_FILES)


class Page(HTMLParser):
    """What the tests look for in a page: images, tables with captions, links and scripts."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.images: list[str] = []
        self.tables: dict[str, str] = {}
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.scripts = 0
        self._table: str | None = None
        self._caption = False
        self.feed(source)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        elif tag == "table":
            self._table = attrs.get("id", "")
            self.tables[self._table] = ""
        elif tag == "caption":
            self._caption = True
        elif tag in ("script", "iframe", "object", "embed"):
            self.scripts += 1
        for key in ("href", "src"):
            if key in attrs and not str(attrs[key]).startswith("data:"):
                self.links.append(attrs[key])

    def handle_endtag(self, tag):
        if tag == "caption":
            self._caption = False

    def handle_data(self, data):
        if self._caption and self._table is not None:
            self.tables[self._table] += data


def png_of(uri: str) -> bytes:
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix), uri[:40]
    return base64.b64decode(uri[len(prefix) :], validate=True)


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_page_is_self_contained(report_nb):
    source = (report_nb / "report.html").read_text(encoding="utf-8")
    page = Page(source)
    assert page.scripts == 0 and page.links == []
    # nothing fetched from elsewhere: no external href/src (above), no CSS import or url(); an
    # address quoted as text (a source in the embedded configuration) fetches nothing
    assert "@import" not in source
    assert not re.search(r"url\(\s*['\"]?(?!data:)", source)
    assert len(page.images) == 2  # demographic and economy fans; no tornado without sensitivity
    for uri in page.images:
        png = png_of(uri)
        assert png[:8] == PNG_SIGNATURE and len(png) > 1024


def test_page_has_every_table_and_says_no_sensitivity_was_run(report_nb):
    page = Page((report_nb / "report.html").read_text(encoding="utf-8"))
    for table in (
        "table-headline",
        "table-scenarios",
        "table-exceedance",
        "table-precision",
        "table-mcse",
        "table-manifest",
    ):
        assert page.tables.get(table), f"{table} missing or without a caption"
    assert "table-sensitivity" not in page.tables
    assert "no-sensitivity" in page.ids and "fig-tornado" not in page.ids
    assert {"fig-fan-demographic", "fig-fan-economy", "config", "reproduce-command"} <= page.ids


def test_norwegian_labels_use_tbus_terms(report_nb):
    source = (report_nb / "report.html").read_text(encoding="utf-8").lower()
    for term in ("merutgifter", "frie inntekter", "netto driftsresultat", "handlingsrom"):
        assert term in source
    assert '<html lang="nb">' in source


def test_headline_bands_are_exact_quantiles_of_the_draws(report_nb):
    summary = pd.read_csv(report_nb / "summary.csv")
    row = summary[
        (summary["variable"] == "demographic_cost_total_bn") & (summary["scenario"] == "main")
    ].iloc[0]
    # the 90 % band is q05-q95 of summary.csv, in Norwegian number format
    expected = band_range(row["q05"], row["q95"], 2, "nb")
    for name in REPORT_FILES:
        text = (report_nb / name).read_text(encoding="utf-8")
        if name == "tables.tex":
            tex = {"\u00a0": "~", "\u2212": "$-$", "\u2013": "--"}
            assert "".join(tex.get(c, c) for c in expected) in text
        else:
            assert expected in text


def test_reproduce_command_and_resolved_config(report_nb):
    manifest = json.loads((report_nb / "manifest.json").read_text())
    command = f"tbu-mc run {manifest['config_path']} --draws 4000 --block-size 1000 --seed 7"
    source = (report_nb / "report.html").read_text(encoding="utf-8")
    assert command in source
    assert command in (report_nb / "tables.md").read_text(encoding="utf-8")
    assert "<details><summary>" in source and "cost_year: 2025" in source


def test_markdown_and_latex_hold_the_same_tables(report_en):
    folder, report = report_en
    markdown = (folder / "tables.md").read_text(encoding="utf-8")
    latex = (folder / "tables.tex").read_text(encoding="utf-8")
    assert [t.id for t in report.tables] == [
        "headline",
        "views",
        "reconciliation",
        "scenarios",
        "exceedance",
        "sensitivity",
        "variance",
        "precision",
        "mcse",
        "manifest",
    ]
    for table in report.tables:
        assert f"### {table.caption}" in markdown
        assert f"\\label{{tab:tbu-mc-{table.id}}}" in latex
        # markdown: heading row, rule, then one line per row
        block = markdown.split(f"### {table.caption}\n\n", 1)[1].split("\n\n", 1)[0]
        assert len(block.splitlines()) == 2 + len(table.rows)
    assert latex.count(r"\toprule") == latex.count(r"\bottomrule") == len(report.tables)
    assert "\u2212" not in latex and "\u00a0" not in latex  # spelled out for pdfLaTeX
    headline = report.tables[0]
    assert headline.columns[6:15] == tuple(f"{v} % band" for v in range(10, 100, 10))


def test_tornado_from_sensitivity_csv(report_en):
    page = Page((report_en.path / "report.html").read_text(encoding="utf-8"))
    assert "fig-tornado" in page.ids and "no-sensitivity" not in page.ids
    assert len(page.images) == 3
    assert page.tables["table-sensitivity"].startswith("Sensitivity for Main alternative, 2025")
    source = (report_en.path / "report.html").read_text(encoding="utf-8")
    # a driver without a label keeps its name
    assert "a driver without label" in source


def test_sensitivity_rows_are_sorted_by_swing(report_en):
    table = next(t for t in report_en.report.tables if t.id == "sensitivity")
    total = [row for row in table.rows[:5]]
    assert [row[1] for row in total] == [
        "Extra net immigration (refugees)",
        "Other net immigration",
        "Unit costs",
        "Births",
        "Deaths",
    ]
    assert all(row[0] == "" for row in total[1:])


def test_variance_table_sorts_by_share_and_dashes_missing_sobol(report_en):
    table = next(t for t in report_en.report.tables if t.id == "variance")
    assert table.caption.startswith("Share of the variance and Sobol indices for Main alternative")
    assert [row[1] for row in table.rows[:4]] == [
        "Extra net immigration (refugees)",
        "Other net immigration",
        "Unit costs",
        "Births",
    ]
    assert table.rows[0][2:] == (
        "55\u00a0%",
        "0.54 (0.48\u00a0\u2013 0.60)",  # no break before the dash
        "0.50 (0.49\u00a0\u2013 0.51)",
    )
    assert table.rows[3][3] == "0.00 (\u22120.00\u00a0\u2013 0.01)"
    free = table.rows[4:]
    assert len(free) == 2 and free[0][0].startswith("Demographic extra costs financed")
    assert all(row[3] == row[4] == "\u2013" for row in free)  # no Sobol indices for this one
    page = Page((report_en.path / "report.html").read_text(encoding="utf-8"))
    assert "table-variance" in page.tables


def test_several_years(report_years):
    report = report_years.report
    years = range(2025, 2031)
    headlines = report.tables[: len(years)]
    scenarios, exceedance = report.tables[len(years) : len(years) + 2]
    # one headline table per year, each captioned with its year
    assert [t.id for t in headlines] == [f"headline-{y}" for y in years]
    assert [t.caption[-4:] for t in headlines] == [str(y) for y in years]
    assert exceedance.columns[3:] == tuple(str(y) for y in range(2025, 2031))
    assert [row[0] for row in scenarios.rows] == [
        "Projection",
        "+8,000 immigrants/year",
        "-8,000 immigrants/year",
    ]
    page = Page(report.html)
    assert len(page.images) == 2


def test_cli_writes_beside_the_run_leaves_it_alone_and_prints_the_paths(run_2025, tmp_path, capsys):
    folder = tmp_path / "run"
    shutil.copytree(run_2025, folder)
    (folder / "report.html").write_text("an older report")
    before = {name: digest(folder / name) for name in RUN_FILES}
    assert main(["report", str(folder), "--lang", "en", "--bands", "50,80,95"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"wrote {folder / name}" for name in REPORT_FILES]
    assert listing(folder) == sorted(RUN_FILES + REPORT_FILES)
    assert {name: digest(folder / name) for name in RUN_FILES} == before
    assert "50 % band" in (folder / "tables.md").read_text(encoding="utf-8")
    assert (folder / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(
    ("bands", "message"),
    [("ecb", "config field 'bands' = 'ecb'"), ("50,100", "every level must be in (0, 100)")],
)
def test_cli_refuses_a_bad_preset(run_2025, bands, message, capsys):
    assert main(["report", str(run_2025), "--bands", bands]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tbu-mc: error: ") and message in err
    assert not (run_2025 / "report.html").exists()


def test_cli_refuses_a_folder_that_is_not_a_monte_carlo_run(tmp_path, run_2025, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "holds no manifest.json" in capsys.readouterr().err
    shutil.copy(run_2025 / "manifest.json", tmp_path / "manifest.json")
    assert main(["report", str(tmp_path)]) == 2
    assert "holds no summary.csv" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "missing")]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_a_sensitivity_csv_without_its_columns_is_refused(run_2025, tmp_path):
    folder = tmp_path / "run"
    shutil.copytree(run_2025, folder)
    (folder / "sensitivity.csv").write_text("variable,driver,low\nx,y,1\n")
    with pytest.raises(DataError, match="lacks the columns"):
        build_report(folder)
