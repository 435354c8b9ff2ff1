"""One chart module: the run folder and the report draw the same charts, in labels.py's words."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from mc.report import charts, layout
from mc.report.build import build_report
from mc.report.labels import LANGS, driver_label, labelled_variables, text, variable_label
from mc.summary.bands import DEFAULT_PRESET, PRESETS, band_columns

#: A label that counts money ...
MONEY = re.compile(r"\bmrd\.|\bbn\b|\bkr\b|\bkroner\b|\bNOK\b")
#: ... must say in which kroner: a year's, or each year's own over several years.
PRICED = re.compile(
    r"\d{4}-kr\b|\d{4}-kroner|\bbn \d{4} (NOK|kroner)|\(\d{4} prices\)|"
    r"hvert års priser|each year's prices|løpende priser \d{4}-\d{4}|current prices \d{4}-\d{4}"
)


@pytest.fixture
def drawn(monkeypatch) -> list[plt.Figure]:
    """The figures the chart module renders while the test runs (inspected after saving)."""
    figures: list[plt.Figure] = []
    render = charts._png

    def keep(fig: plt.Figure) -> bytes:
        png = render(fig)  # saving lays out the ticks; the closed figure keeps its artists
        figures.append(fig)
        return png

    monkeypatch.setattr(charts, "_png", keep)
    return figures


def words(fig: plt.Figure) -> list[str]:
    """Every piece of text in a figure: titles, notes, legends, axis and tick labels."""
    out = [t.get_text() for t in fig.texts]
    for legend in fig.legends:
        out += [t.get_text() for t in legend.get_texts()]
    for ax in fig.axes:
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        out += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
    return [w for w in out if w]


def legend_labels(fig: plt.Figure) -> list[str]:
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


@pytest.mark.parametrize("lang", LANGS)
def test_every_money_variable_label_names_its_prices(lang):
    money = [v for v in labelled_variables() if v.endswith(("_bn", "_kr"))]
    assert {"handlingsrom_ex_ante_bn", "realised_room_bn", "real_growth_free_revenues_bn"} <= set(
        money
    )
    for variable in money:
        for year in (2031, None):
            label = variable_label(variable, lang, 2024, year)
            assert PRICED.search(label), label
            assert "2031" in label or "2024" in label or year is None, label


def test_labels_name_the_right_kroner():
    # demographic costs are in the price year; the economy's kroner in the year's own prices
    assert "2024" in variable_label("demographic_cost_total_bn", "nb", 2024, 2025)
    assert variable_label("handlingsrom_ex_ante_bn", "nb", 2024, 2025) == (
        "Handlingsrom i budsjettet, før overraskelser (mrd. 2025-kr)"
    )
    assert variable_label("realised_room_bn", "en", 2024) == (
        "Realised room after the surprises, ex post (bn NOK, each year's prices)"
    )


def test_the_two_rooms_are_never_labelled_alike():
    # ex ante (the budget's room) and ex post (what the surprises left) must not be confused
    for lang in LANGS:
        ante = variable_label("handlingsrom_ex_ante_bn", lang, 2024, 2025)
        post = variable_label("realised_room_bn", lang, 2024, 2025)
        assert ante != post
        assert ("før" in ante or "ex ante" in ante) and ("etter" in post or "ex post" in post)


def test_births_and_deaths_use_ssbs_terms():
    assert driver_label("births", "nb") == "Fødte"
    assert driver_label("deaths", "nb") == "Døde"


@pytest.mark.parametrize("lang", LANGS)
def test_every_money_label_in_every_chart_names_its_prices(report_en, report_years, lang, drawn):
    build_report(report_en.path, lang=lang)  # one year, with the tornado chart
    build_report(report_years.path, lang=lang)  # 2025-2030
    assert len(drawn) == 5
    checked = 0
    for fig in drawn:
        for word in words(fig):
            word = " ".join(word.split())  # a long panel title is wrapped onto two lines
            if MONEY.search(word):
                assert PRICED.search(word), word
                checked += 1
    assert checked >= 10  # the check saw the money labels it is about


def test_the_tornado_uses_labels_py_and_shows_variance_shares(report_en, drawn):
    build_report(report_en.path, lang="nb")
    tornado = drawn[-1]
    ticks = words(tornado)
    assert any(t.startswith("Fødte\n") for t in ticks)  # conftest's sensitivity.csv has births
    assert any("% av variansen" in t for t in ticks)
    assert tornado.texts[0].get_text() == text(
        "nb", "tornado_title", scenario="Hovedalternativ", year=2025
    )


def test_the_run_folder_draws_the_reports_figures(run_2025):
    """One chart for both: tbu-mc run's PNGs are the report's, pixel for pixel."""
    report = build_report(run_2025, lang="nb", bands=DEFAULT_PRESET)
    assert (run_2025 / layout.FAN_DEMOGRAPHIC).read_bytes() == report.figures["fig-fan-demographic"]
    assert (run_2025 / layout.FAN_ECONOMY).read_bytes() == report.figures["fig-fan-economy"]


def test_one_year_of_the_economy_has_bars_per_scenario(run_2025, drawn):
    """Issue 17: not one band stretched over the axis with every scenario's marker on it."""
    build_report(run_2025, lang="en")
    economy = drawn[1]
    labels = ["Main alternative", "High immigration", "Low immigration"]
    for ax in economy.axes:
        assert [t.get_text() for t in ax.get_xticklabels()] == labels
    # bands of the default preset, widest first, and nothing hard-coded beside them
    assert charts.DEFAULT_LEVELS == PRESETS[DEFAULT_PRESET]
    bands = [text("en", "band", level=f"{v:g}") for v in sorted(PRESETS[DEFAULT_PRESET])[::-1]]
    assert legend_labels(economy)[: len(bands)] == bands


def test_a_fan_over_years_marks_tbus_figure_at_the_cost_year(drawn):
    """The published figure belongs to the cost year, which a several-year fan must put it at."""
    variable = "demographic_cost_total_bn"
    levels = (50.0, 90.0)
    rows = []
    for year, centre in ((2025, 1.0), (2030, 9.0)):
        row = {"variable": variable, "scenario": "main", "year": year, "sector": "all"}
        row["q50"] = centre
        for level in levels:
            lo, hi = band_columns(level)
            row[lo], row[hi] = centre - level / 100, centre + level / 100
        rows.append(row)
    bands = pd.DataFrame(rows)
    published = {("main", variable): 8.5}
    png = charts.demographic_fan(
        bands,
        None,
        [("main", "Main")],
        published,
        levels=levels,
        lang="en",
        price_year=2024,
        year=2030,
    )
    assert png[:4] == b"\x89PNG"
    (fig,) = drawn
    title = text("en", "fan_title_years", first=2025, last=2030, price_year=2024)
    assert fig.texts[0].get_text() == title
    (ax,) = fig.axes
    marks = [line for line in ax.lines if line.get_label() == text("en", "published")]
    assert [list(line.get_xdata()) for line in marks] == [[2030]]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2025", "2030"]


def test_the_ranking_draws_the_presets_bands_from_summary_quantiles(drawn):
    summary = pd.DataFrame(
        {
            "variable": "municipal_cost_per_inhabitant_kr",
            "year": 2025,
            "region": ["0301", "1151", "4629"],
            **{f"q{p:02d}": [p * 10.0, p * 30.0, p * 20.0] for p in range(5, 100, 5)},
        }
    )
    edges = charts.summary_band_edges(summary, charts.DEFAULT_LEVELS)
    charts.municipal_ranking(
        edges, {"1151": "Utsira"}, year=2025, price_year=2024, lang="nb", top=2
    )
    (fig,) = drawn
    left, right = fig.axes
    assert [t.get_text() for t in left.get_yticklabels()] == ["4629 (4629)", "Utsira (1151)"]
    assert right.get_title() == "Bredest 90 %-intervall"
    assert PRICED.search(fig.texts[0].get_text())
    bands = [text("nb", "band", level=f"{v:g}") for v in sorted(charts.DEFAULT_LEVELS)[::-1]]
    assert legend_labels(fig)[: len(bands)] == bands


def test_summary_band_edges_refuses_a_band_summary_csv_cannot_bound():
    summary = pd.DataFrame({"q05": [1.0], "q95": [2.0]})
    assert charts.summary_band_edges(summary, [90])[["lo_90", "hi_90"]].values.tolist() == [
        [1.0, 2.0]
    ]
    with pytest.raises(ValueError, match=r"a 80 % band needs the quantile 0\.1"):
        charts.summary_band_edges(summary, [80])
