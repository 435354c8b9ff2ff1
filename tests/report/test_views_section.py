"""The report's section on the two views of the default 2025 run (views.csv, reconciliation.csv)."""

from __future__ import annotations

import pandas as pd


def test_the_page_says_which_view_the_headline_is(report_en):
    html = report_en.report.html
    assert 'id="headline-view"' in html
    assert "The headline figures below are TBU&#x27;s central path" in html


def test_the_views_section_holds_both_views_and_the_reconciliation(report_en):
    tables = {t.id: t for t in report_en.report.tables}
    views = tables["views"]
    assert {row[2] for row in views.rows} == {"TBU's central path *", "The model's own forecast"}
    steps = [row[0] for row in tables["reconciliation"].rows]
    assert steps[0] == "Median, TBU's central path"
    assert steps[-1] == "Median, the model's forecast"
    assert {"Net immigration (level and ages)", "Births", "Deaths", "Unit costs"} <= set(steps)
    order = [t.id for t in report_en.report.tables]
    assert order.index("views") == order.index("headline") + 1


def test_norwegian_labels_name_the_views(report_nb):
    html = (report_nb / "report.html").read_text(encoding="utf-8")
    assert "TBUs sentrale bane" in html and "Modellens egen prognose" in html


def test_the_run_folder_tables_read_back(run_2025):
    views = pd.read_csv(run_2025 / "views.csv")
    assert set(views["view"]) == {"tbu", "model"}
    steps = pd.read_csv(run_2025 / "reconciliation.csv")
    main = steps[steps["scenario"] == "main"].sort_values("order")["total_bn"].to_numpy()
    # the CSV holds 10 significant digits (OutputDir.write_csv): nine values near 1 round to 1e-9
    assert abs(main[0] + main[1:-1].sum() - main[-1]) < 1e-8


def test_a_model_headline_report_shows_the_model_views_scenarios(data_dir, tmp_path):
    from mc.cli.main import main
    from mc.report.build import build_report
    from tests.conftest import CONFIGS

    out = tmp_path / "run"
    args = ["run", str(CONFIGS / "tbu-2025.yaml"), "--sync", "--draws", "400"]
    args += ["--block-size", "200", "--quiet", "--out", str(out)]
    assert main([*args, "--set", f"model_view.data={data_dir}", "--set", "view=model"]) == 0
    report = build_report(out, lang="en")
    scenarios = next(t for t in report.tables if t.id == "scenarios")
    extra = {row[0]: row[1] for row in scenarios.rows}
    # the headline is the model's view: main adds nothing to its forecast, high 8,000
    assert extra["Main alternative"] in ("0", "+0", "±0")
    assert extra["High immigration"] == "+8,000"
    assert "The headline figures below are The model&#x27;s own forecast" in report.html
