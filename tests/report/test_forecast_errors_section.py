"""The generated forecast-error section of the docs, and the deflator odds it compares."""

from __future__ import annotations

import math
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from mc.data.forecast_errors import load_forecast_errors
from mc.model.forecast_errors import PRIORS, fit_errors
from mc.report.forecast_errors import (
    MISS_2022,
    fitted_deflator_odds,
    forecast_error_section,
    former_deflator_odds,
)

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "docs" / "make_forecast_errors.py"
K = 4.0  # Monte Carlo tolerance in standard errors: a correct result fails about 6e-5 of the time
DRAWS = 200_000

# The former drivers' odds, from one 2,000,000-draw run (docs/forecast-errors.md): P(miss >= 4.2)
# 0.00140 +- 0.00003 and P(four in a row >= 0.3) 0.0147 +- 0.0001. The issue quotes them as
# "about 1/700" and "about 1.5 %".
REF_MISS, REF_MISS_SE = 0.00140, 0.00003
REF_RUN, REF_RUN_SE = 0.0147, 0.0001


def test_former_drivers_give_the_odds_the_issue_quotes():
    odds = former_deflator_odds(11, draws=DRAWS)
    assert odds.p_miss == pytest.approx(REF_MISS, abs=K * math.hypot(odds.se_miss, REF_MISS_SE))
    assert odds.p_run == pytest.approx(REF_RUN, abs=K * math.hypot(odds.se_run, REF_RUN_SE))
    assert 1 / 800 < odds.p_miss < 1 / 600


def test_fitted_odds_use_the_predictive(rng):
    fit = fit_errors([-0.1, 0.4, 1.7, 4.2, 0.6, 0.7, 0.6], PRIORS["deflator_pct"])
    odds = fitted_deflator_odds(fit, rng, draws=DRAWS)
    assert odds.p_miss == fit.prob_above(MISS_2022)
    assert odds.p_miss > 10 * REF_MISS  # the record is far heavier than today's drivers


def test_the_section_lists_every_error_used(rng):
    table = load_forecast_errors()
    fits = {"deflator_pct": table.sample("deflator_pct", "2026-12-01").fit()}
    today = former_deflator_odds(rng, draws=20_000)
    fitted = fitted_deflator_odds(fits["deflator_pct"], rng, draws=20_000)
    text = forecast_error_section(table, fits, today, fitted)
    for r in fits["deflator_pct"].origin.rows:
        assert f"| deflator_pct | {r.year} | budget |" in text
    assert "| deflator_pct (pp) | budget | 7 |" in text
    assert "1 in" in text


@pytest.mark.slow
def test_the_doc_is_up_to_date():
    # Regenerating takes about 8 s (two runs of 2,000,000 draws), hence the marker.
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr


def test_the_script_is_importable_without_running():
    namespace = runpy.run_path(str(SCRIPT), run_name="not_main")
    assert namespace["AS_OF"] == "2026-12-01"
