"""The console's headline table: words from labels.py, money in named kroner."""

from __future__ import annotations

import pandas as pd

from mc.report import headline_text


def national() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "variable": ["demographic_cost_total_bn", "demographic_cost_free_bn"],
            "scenario": "main",
            "year": 2025,
            "sector": "all",
            "value": [4.3, 3.6],
        }
    )


def municipal() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "variable": [
                "national_cost_bn",
                "national_cost_free_bn",
                "municipal_cost_bn",
                "municipal_cost_per_inhabitant_kr",
            ],
            "region": ["0000", "0000", "1151", "1151"],
            "year": 2025,
            "value": [4.3, 3.6, 0.001, 5000.0],
        }
    )


def test_the_heading_names_the_price_year():
    table = headline_text(national(), None, [("main", "Main")], {}, "nb", price_year=2024)
    assert "mrd. 2024-kr" in table.splitlines()[0]
    assert "Dekket av frie inntekter" in table


def test_the_municipal_table_speaks_the_runs_language():
    summary = municipal().rename(columns={"value": "q50"}).assign(q05=0.0, q95=9.0)
    table = headline_text(municipal(), summary, [], {}, "nb", price_year=2024)
    lines = table.splitlines()
    assert lines[0].startswith("mrd. 2024-kr")
    assert lines[1].startswith("Norge") and lines[2].startswith("  Dekket av frie inntekter")
    assert lines[3] == "høyest kostnad per innbygger, 2024-kroner (2025):"
