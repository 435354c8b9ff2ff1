"""The shipped forecast-error table, and the reader's rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from mc.data.forecast_errors import (
    DEFAULT_TABLE,
    ROUNDING,
    load_forecast_errors,
    parse_forecast_errors,
)
from mc.errors import ConfigError, DataError
from mc.model.forecast_errors import HORIZONS, PRIORS

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "configs" / "tables" / "forecast-errors.yaml"


@pytest.fixture(scope="module")
def table():
    return load_forecast_errors(SHIPPED)


def test_the_default_path_is_the_shipped_table():
    assert DEFAULT_TABLE == SHIPPED


def test_every_row_has_sources_and_publication_dates(table):
    assert len(table.rows) >= 15
    for r in table.rows:
        assert r.source.strip() and r.outcome_source.strip(), r.label
        assert isinstance(r.published, dt.date) and isinstance(r.outcome_published, dt.date)
        assert r.published < r.outcome_published, r.label
        assert r.horizon in HORIZONS
        assert r.line is not None
        if r.forecast is not None and r.outcome is not None:
            assert abs(r.outcome - r.forecast - r.error) <= ROUNDING, r.label


def test_every_variable_has_rows_and_a_default_prior(table):
    for variable in table.variables:
        assert any(r.variable == variable for r in table.rows), variable
        assert variable in PRIORS


def test_row_lines_point_at_the_rows(table):
    lines = SHIPPED.read_text(encoding="utf-8").splitlines()
    for r in table.rows:
        assert f"variable: {r.variable}" in lines[r.line - 1]


def test_the_published_2022_deflator_miss_is_in_the_table(table):
    sample = table.sample("deflator_pct", "2026-06-01")
    assert dict(zip(sample.years, sample.errors.tolist(), strict=True))[2022] == pytest.approx(4.2)


def test_the_tbu_march_2024_date_refuses_the_table_and_drop_keeps_what_was_known(table):
    # Most outcomes in the table were published after March 2024: a run dated then must not
    # silently use them.
    with pytest.raises(DataError, match="after as_of 2024-03-21"):
        table.sample("deflator_pct", "2024-03-21")
    then = table.sample("deflator_pct", "2024-03-21", late="drop")
    assert all(r.known_on <= dt.date(2024, 3, 21) for r in then.rows)
    assert then.n < table.sample("deflator_pct", "2026-06-01").n


def _one_row(**changes):
    base = {
        "variable": "deflator_pct",
        "year": 2022,
        "horizon": "budget",
        "vintage": "NB22",
        "forecast": 2.5,
        "published": "2021-10-12",
        "outcome": 6.7,
        "outcome_vintage": "KS",
        "outcome_published": "2024-06-25",
        "error": 4.2,
        "source": "ks.no",
        "outcome_source": "ks.no",
    }
    base.update(changes)
    base = {k: v for k, v in base.items() if v is not None}
    return {"variables": {"deflator_pct": {"unit": "pp"}}, "rows": [base]}


def test_a_good_row_parses_and_dates_may_be_text():
    t = parse_forecast_errors(_one_row(), "t.yaml")
    assert t.rows[0].published == dt.date(2021, 10, 12) and t.rows[0].error == 4.2


def test_the_error_is_computed_when_only_forecast_and_outcome_are_given():
    t = parse_forecast_errors(_one_row(error=None), "t.yaml")
    assert t.rows[0].error == pytest.approx(4.2)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"source": None}, "rows[0].source"),
        ({"source": "  "}, "rows[0].source"),
        ({"published": None}, "rows[0].published"),
        ({"published": "12.10.2021"}, "rows[0].published"),
        ({"outcome_published": "2024-13-01"}, "rows[0].outcome_published"),
        ({"variable": "deflator"}, "rows[0].variable"),
        ({"horizon": "NB"}, "rows[0].horizon"),
        ({"status": "final?"}, "rows[0].status"),
        ({"publised": "2021-10-12"}, "rows[0].publised"),
    ],
)
def test_a_malformed_row_names_its_field(changes, field):
    with pytest.raises(ConfigError) as err:
        parse_forecast_errors(_one_row(**changes), "t.yaml")
    assert err.value.field == field and err.value.source == "t.yaml"


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"error": 3.0}, "must agree"),
        ({"forecast": None, "error": None}, "give 'error'"),
        ({"outcome_published": "2021-01-01"}, "before the forecast"),
    ],
)
def test_an_inconsistent_row_is_refused_with_its_line(tmp_path, changes, words):
    path = tmp_path / "t.yaml"
    text = yaml.safe_dump(_one_row(**changes), sort_keys=False)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=words) as err:
        load_forecast_errors(path)
    first = next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith("- "))
    assert err.value.row == first


def test_an_unreadable_table_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="cannot read"):
        load_forecast_errors(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("rows: [\n", encoding="utf-8")
    with pytest.raises(DataError, match="YAML"):
        load_forecast_errors(bad)
