import copy

import pytest
import yaml

from mc.errors import ConfigError
from mc.model.config import Config, PopulationKind, Spread, load_config, price_factor
from tests.conftest import CONFIGS


def raw(name="tbu-2025.yaml"):
    return yaml.safe_load((CONFIGS / name).read_text(encoding="utf-8"))


def inline_tables(data):
    """Replace table paths by their contents, so a test can edit them."""
    data = copy.deepcopy(data)
    for key in ("unit_costs", "uncertainty"):
        if isinstance(data.get(key), str):
            data[key] = yaml.safe_load((CONFIGS / data[key]).read_text(encoding="utf-8"))
    for key in ("baseline", "immigrant_profile"):
        if isinstance(data["population"].get(key), str):
            path = CONFIGS / data["population"][key]
            data["population"][key] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def build(data):
    return Config.from_dict(data, base_dir=CONFIGS)


def test_shipped_config_loads(config_2025):
    assert config_2025.scenario_names == ("main", "high", "low")
    assert config_2025.population.kind is PopulationKind.PROJECTED
    assert config_2025.uncertainty.extra_net_immigration.distribution is Spread.SPLIT_NORMAL
    assert config_2025.price_factor() == pytest.approx(1.043)
    assert len(config_2025.unit_costs.sectors) == 8
    assert config_2025.age_groups.labels[-1] == "90+"


def test_roundtrip_to_dict(config_2025):
    again = Config.from_dict(config_2025.to_dict(), base_dir=CONFIGS)
    assert again == config_2025
    assert again.sha256() == config_2025.sha256()
    # the resolved form is self-contained: tables are inlined
    assert isinstance(config_2025.to_dict()["unit_costs"], dict)


def test_inline_and_file_tables_are_the_same(config_2025):
    assert build(inline_tables(raw())) == config_2025


def test_price_factor_both_ways():
    deflator = {2023: 4.5, 2024: 4.3}
    assert price_factor(deflator, 2022, 2024) == pytest.approx(1.045 * 1.043)
    assert price_factor(deflator, 2024, 2022) == pytest.approx(1 / (1.045 * 1.043))
    assert price_factor(deflator, 2024, 2024) == 1.0
    with pytest.raises(ConfigError, match=r"deflator\.2025"):
        price_factor(deflator, 2024, 2025)


def _set(data, path, value):
    *parents, last = path
    node = data
    for key in parents:
        node = node[key]
    if value is KeyError:
        del node[last]
    else:
        node[last] = value


BAD = [
    # (path, value, field in message, words of the rule)
    (("scenarioz",), {}, "scenarioz", "did you mean 'scenarios'"),
    (
        ("scenarios", "main", "extra_net_immigratoin"),
        1,
        "scenarios.main.extra_net_immigratoin",
        "did you mean 'extra_net_immigration'",
    ),
    (
        ("scenarios", "main", "extra_net_immigration"),
        "many",
        "scenarios.main.extra_net_immigration",
        "expected a number",
    ),
    (("cost_year",), 2025.5, "cost_year", "whole number"),
    (
        ("unit_costs", "sectors", "care", "free_share"),
        1.2,
        "unit_costs.sectors.care.free_share",
        "must be in [0, 1]",
    ),
    (
        ("unit_costs", "sectors", "care", "unit_costs", "110+"),
        5,
        "unit_costs.sectors.care.unit_costs.110+",
        "unknown age group",
    ),
    (
        ("unit_costs", "sectors", "care", "unit_costs", "90+"),
        KeyError,
        "unit_costs.sectors.care.unit_costs.90+",
        "missing unit cost",
    ),
    (
        ("unit_costs", "sectors", "care", "unit_costs", "0"),
        -5,
        "unit_costs.sectors.care.unit_costs.0",
        "must be in [0, inf]",
    ),
    (
        ("uncertainty", "extra_net_immigration", "sd_high"),
        -1,
        "uncertainty.extra_net_immigration.sd_high",
        "must be in [0, inf]",
    ),
    (
        ("uncertainty", "extra_net_immigration", "distribution"),
        "gaussian",
        "uncertainty.extra_net_immigration.distribution",
        "must be one of",
    ),
    (
        ("population", "immigrant_profile", "female", 0),
        -100,
        "population.immigrant_profile.female[0]",
        "must be in [0, inf]",
    ),
    (
        ("population", "immigrant_profile", "male"),
        [1, 2],
        "population.immigrant_profile.male",
        "expected 7 numbers",
    ),
    (("population", "kind"), "guessed", "population.kind", "must be one of"),
    (("price_year",), 2026, "deflator.2025", "give the deflator"),
    (("age_groups",), ["0", "2-105"], "age_groups", "starts at 2"),
    (("cost_year",), 2026, "population.baseline", "must end on 1 January of the cost year 2026"),
    (("run", "draws"), 0, "run.draws", "must be in [1, inf]"),
]


@pytest.mark.parametrize(("path", "value", "field", "rule"), BAD, ids=[b[2] for b in BAD])
def test_bad_config_names_field_value_and_rule(path, value, field, rule):
    data = inline_tables(raw())
    _set(data, path, value)
    with pytest.raises(ConfigError) as info:
        build(data)
    error = info.value
    assert error.field == field
    assert rule in str(error)
    assert f"'{field}'" in str(error)
    if value is not KeyError and not isinstance(value, dict) and field == ".".join(map(str, path)):
        assert repr(value) in str(error)


def test_missing_table_file_is_reported():
    data = raw()
    data["unit_costs"] = "tables/no-such-table.yaml"
    with pytest.raises(ConfigError, match="file not found") as info:
        build(data)
    assert info.value.field == "unit_costs"
    assert "no-such-table.yaml" in str(info.value)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.yaml")


def test_not_yaml(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(path)


def test_observed_population_rejects_population_spreads():
    data = raw("tbu-2024-actual.yaml")
    data["uncertainty"]["births"] = {"sd": 1000}
    with pytest.raises(ConfigError, match=r"must be 0 when population\.kind is 'observed'"):
        Config.from_dict(data, base_dir=CONFIGS)


def test_scenarios_with_immigration_need_a_profile():
    data = inline_tables(raw())
    del data["population"]["immigrant_profile"]
    with pytest.raises(ConfigError, match="immigrant age/sex profile is required"):
        build(data)


def test_documentation_keys_are_allowed_everywhere():
    data = inline_tables(raw())
    data["source"] = "a note"
    data["scenarios"]["main"]["note"] = "why 28,000"
    build(data)
