"""``tbu-mc backtest economy``: bands as of each budget against the outcome, and coverage."""

import datetime as dt
import json

import pandas as pd
import pytest

from mc.cli.main import main
from mc.data.forecast_errors import load_forecast_errors
from mc.workflow.economy_backtest import ROW_COLUMNS, error_rows, survey_rows
from tests.conftest import CONFIGS

METHODS = ("budget_survey", "ar1")


@pytest.fixture(scope="module")
def run(tmp_path_factory, data_dir):
    out = tmp_path_factory.mktemp("bt") / "economy"
    code = main(
        [
            "backtest",
            "economy",
            "--years",
            "2021-2024",
            "--out",
            str(out),
            "--facts",
            str(data_dir / "facts"),
            "--config",
            str(CONFIGS / "tbu-2025.yaml"),
            "--draws",
            "4000",
        ]
    )
    assert code == 0
    return out


def test_the_small_window_writes_its_tables(run):
    rows = pd.read_csv(run / "backtest_economy.csv")
    assert tuple(rows.columns) == ROW_COLUMNS
    levels = {f"ndr_{lv}_{m}_pct" for lv in ("municipalities", "counties") for m in METHODS}
    assert set(rows["variable"]) == {
        "deflator_pct",
        "tax_revenue_bn",
        "net_operating_result_pct",
        *levels,
    }
    assert rows["year"].between(2021, 2024).all()
    coverage = pd.read_csv(run / "coverage.csv")
    assert set(coverage["band"]) == {"50%", "80%", "90%"}
    assert coverage["p_value"].between(0, 1).all()
    for part in coverage.itertuples():
        assert part.empirical == pytest.approx(
            rows.loc[rows["variable"] == part.variable, f"in_{part.band[:-1]}"].mean()
        )
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["mode"] == "backtest economy"
    assert manifest["economy_surprises"]["deflator_surprise_pp"]["as_of"] == "2024-03-31"


def test_each_band_uses_only_errors_known_on_its_date():
    table = load_forecast_errors()
    for row in error_rows(table, 2016, 2025):
        as_of = dt.date.fromisoformat(row["as_of"])
        known = table.sample(row["variable"], as_of, horizons=("budget", "late"), late="drop")
        assert all(r.known_on <= as_of for r in known.rows)
        assert row["year"] not in [r.year for r in known.rows]  # its own outcome came later
    # 2022's band knew one deflator error (2021, from NB22 the same day), not 2022's own
    rows = {(r["variable"], r["year"]): r for r in error_rows(table, 2022, 2022)}
    assert rows[("deflator_pct", 2022)]["n_known"] == 1
    assert not rows[("deflator_pct", 2022)]["in_90"]  # the 4.2 pp miss


def test_the_march_2024_run_places_the_2024_outcomes(run):
    levels = pd.read_csv(run / "levels.csv")
    assert set(levels["budget_survey"]) == {True, False}  # the shipped config gives one
    levels = levels[levels["budget_survey"]]
    known = levels.dropna(subset=["outcome"]).set_index("level")
    assert dict(known["outcome"]) == {"sector": 0.1, "municipalities": -0.4, "counties": 2.8}
    assert (known["year"] == 2024).all()
    # the outcome's percentile and P(below norm) are probabilities; both years are reported
    assert known["outcome_percentile"].between(0, 1).all()
    assert set(levels["year"]) == {2024, 2025}
    assert levels["p_below_norm"].between(0, 1).all()


@pytest.mark.parametrize("years", ["2024-2016", "twenty", "2016-20x4"])
def test_a_bad_range_is_one_error_line(years, tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["backtest", "economy", "--years", years, "--out", str(tmp_path / "x")])
    assert "--years" in capsys.readouterr().err


def test_survey_bands_use_only_surveys_and_pairs_known_in_march(data_dir):
    table = load_forecast_errors()
    rows = pd.DataFrame(survey_rows(table, data_dir / "facts", 2020, 2024))
    survey = rows[rows["variable"].str.contains("budget_survey")].set_index(["variable", "year"])
    # the municipalities' 2024 figure was not found; the counties' 2022 figure is dated Dec 2022
    assert ("ndr_municipalities_budget_survey_pct", 2024) not in survey.index
    assert ("ndr_counties_budget_survey_pct", 2022) not in survey.index
    # 2022 knew no pair (prior only); March 2024 knew five (municipalities 2021-2023, counties
    # 2022-2023), not the counties' 2024 outcome (NOU 2025:10)
    assert survey.loc[("ndr_municipalities_budget_survey_pct", 2022), "n_known"] == 0
    assert survey.loc[("ndr_counties_budget_survey_pct", 2024), "n_known"] == 5
    # the survey's band places the counties' 2024 outcome (2.8 %) inside its 90 % band; the
    # band without it (AR(1) + 2023's county offset) does not: the point of the survey
    assert survey.loc[("ndr_counties_budget_survey_pct", 2024), "in_90"]
    plain = rows.set_index(["variable", "year"]).loc[("ndr_counties_ar1_pct", 2024)]
    assert not plain["in_90"]
    assert plain["outcome"] == survey.loc[("ndr_counties_budget_survey_pct", 2024), "outcome"]
