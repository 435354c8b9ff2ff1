"""Run-time changes to a configuration's raw mapping (mc/model/config/overrides.py)."""

from __future__ import annotations

import pytest

from mc.data.yamlio import read_yaml_file
from mc.errors import ConfigError
from mc.model.config import apply_overrides, load_config, parse_assignment
from tests.conftest import CONFIGS

CONFIG = CONFIGS / "tbu-2025.yaml"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("run.draws=5000", ("run.draws", 5000)),
        ("uncertainty.births.sd=0.5", ("uncertainty.births.sd", 0.5)),
        ("allow_implausible=true", ("allow_implausible", True)),
        ("age_groups=[0, 1-5]", ("age_groups", [0, "1-5"])),
        ("description=a=b", ("description", "a=b")),  # only the first '=' splits
        # exponents without a dot are numbers (YAML 1.1 would read them as text)
        ("scenarios.main.extra_net_immigration=3e4", ("scenarios.main.extra_net_immigration", 3e4)),
        ("uncertainty.births.sd=-2.5E-3", ("uncertainty.births.sd", -2.5e-3)),
        ("name=a1e5", ("name", "a1e5")),
    ],
)
def test_an_assignment_is_a_key_and_a_yaml_value(text, expected):
    assert parse_assignment(text) == expected


@pytest.mark.parametrize("text", ["run.draws", "=3", "run..draws=3", ".draws=3", "x=" + "1" * 3000])
def test_a_malformed_assignment_is_refused_naming_the_flag(text):
    with pytest.raises(ConfigError) as info:
        parse_assignment(text, "--set")
    assert info.value.field == "--set"


def test_changes_leave_the_input_alone_and_inline_a_table_file():
    data = read_yaml_file(CONFIG, "config")
    before = repr(data)
    out, lines = apply_overrides(
        data, ["uncertainty.births.sd=0"], {"x": 1000}, base_dir=CONFIGS, source=str(CONFIG)
    )
    assert repr(data) == before
    assert isinstance(data["uncertainty"], str)  # the file's path, untouched
    assert out["uncertainty"]["births"]["sd"] == 0  # the table, read and changed
    assert out["scenarios"]["x"] == {"extra_net_immigration": 1000}
    assert lines == ("uncertainty.births.sd=0", "scenarios.x.extra_net_immigration=1000")


def test_only_the_changed_field_differs():
    plain = load_config(CONFIG).to_dict()
    changed = load_config(CONFIG, sets=["uncertainty.births.sd=0"]).to_dict()
    assert changed["uncertainty"]["births"]["sd"] == 0
    changed["uncertainty"]["births"]["sd"] = plain["uncertainty"]["births"]["sd"]
    assert changed == plain


def test_a_later_set_wins_and_both_are_recorded():
    config = load_config(CONFIG, sets=["run.draws=5000", "run.draws=6000"])
    assert config.run.draws == 6000
    assert config.overrides == ("run.draws=5000", "run.draws=6000")


def test_an_exponent_reaches_the_field_check_as_a_number():
    # YAML 1.1 read 1e12 as text, so the user met "expected a number" instead of the bound
    with pytest.raises(ConfigError) as info:
        load_config(CONFIG, sets=["scenarios.main.extra_net_immigration=1e12"])
    assert "at most 200,000" in str(info.value)
    assert load_config(CONFIG, sets=["scenarios.main.extra_net_immigration=3e4"]).to_dict() == (
        load_config(CONFIG, sets=["scenarios.main.extra_net_immigration=30000"]).to_dict()
    )
