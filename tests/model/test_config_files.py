"""Configuration files a user can get wrong: each is refused with one line naming field and file."""

import copy
import re

import pytest
import yaml

from mc.data import yamlio
from mc.errors import ConfigError
from mc.model.config import MAX_NET_IMMIGRATION, Config, load_config
from mc.model.fields import MAX_TEXT
from tests.conftest import CONFIGS
from tests.model.test_config import build, inline_tables, raw

SHIPPED = (CONFIGS / "tbu-2025.yaml").read_text(encoding="utf-8")


def write_config(tmp_path, text, name="cfg.yaml"):
    """A config in ``tmp_path`` whose table paths still point at the shipped tables."""
    text = text.replace("tables/", f"{CONFIGS}/tables/")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def one_line(error):
    message = str(error)
    assert "\n" not in message
    return message


# -- item 1: duplicate keys -------------------------------------------------------------------


def test_duplicate_price_year_is_refused_naming_key_and_both_lines(tmp_path):
    lines = SHIPPED.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("price_year:")) + 1
    text = SHIPPED + "price_year: 2023\n"
    last = len(text.splitlines())
    with pytest.raises(ConfigError) as info:
        load_config(write_config(tmp_path, text))
    message = one_line(info.value)
    assert "duplicate key 'price_year'" in message
    assert f"lines {first} and {last}" in message
    assert info.value.field == "config"


def test_duplicate_key_in_a_referenced_table_names_the_table_field(tmp_path):
    table = tmp_path / "uncertainty.yaml"
    table.write_text("births: {sd: 1000}\nbirths: {sd: 2000}\n", encoding="utf-8")
    text = SHIPPED.replace("tables/uncertainty-2025.yaml", str(table))
    with pytest.raises(ConfigError, match="duplicate key 'births' on lines 1 and 2") as info:
        load_config(write_config(tmp_path, text))
    assert info.value.field == "uncertainty"


def test_nested_duplicate_and_merge_keys():
    with pytest.raises(yamlio.DuplicateKeyError) as info:
        yamlio.loads("a:\n  b: 1\n  c: 2\n  b: 3\n")
    assert (info.value.key, info.value.first_line, info.value.second_line) == ("b", 2, 4)
    # a merge key brings defaults that the mapping may override: not a duplicate
    merged = yamlio.loads("base: &d {x: 1, y: 2}\nuse:\n  <<: *d\n  x: 5\n")
    assert merged["use"] == {"x": 5, "y": 2}


def test_a_year_given_as_number_and_as_text_is_a_duplicate():
    data = inline_tables(raw())
    data["deflator"] = {2024: 4.3, "2024": 9.9}
    with pytest.raises(ConfigError, match="the year 2024 is given twice"):
        build(data)


# -- item 2: plausibility ---------------------------------------------------------------------


def with_value(data: dict, path: tuple, value: object) -> dict:
    """``data`` with the value at ``path`` (keys and list indices) replaced."""
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("scenarios", "main", "extra_net_immigration"), -5_000_000, "extra_net_immigration"),
        (("uncertainty", "extra_net_immigration", "sd_low"), 1e7, "extra_net_immigration.sd_low"),
        (("uncertainty", "extra_net_immigration", "sd_high"), 1e7, "extra_net_immigration.sd_high"),
        (("uncertainty", "regular_net_immigration", "sd"), 1e6, "regular_net_immigration.sd"),
        (("unit_costs", "sectors", "care", "unit_costs", "90+"), 1e9, "unit_costs.90+"),
    ],
)
def test_judgement_bounds_refuse_and_say_how_to_override(path, value, field):
    data = with_value(inline_tables(raw()), path, value)
    with pytest.raises(ConfigError) as info:
        build(data)
    message = one_line(info.value)
    assert info.value.field.endswith(field)
    assert "judgement bound" in message and "allow_implausible: true" in message
    data["allow_implausible"] = True
    config = build(data)
    assert config.allow_implausible
    assert config.to_dict()["allow_implausible"] is True
    assert Config.from_dict(config.to_dict(), base_dir=CONFIGS) == config


def test_the_bound_allows_what_norway_has_seen():
    data = inline_tables(raw())
    data["scenarios"]["main"]["extra_net_immigration"] = MAX_NET_IMMIGRATION
    config = build(data)
    assert "allow_implausible" not in config.to_dict()  # checksums of ordinary configs unchanged


def test_baseline_growth_beyond_the_bound_is_a_judgement():
    data = inline_tables(raw())
    data["population"]["baseline"]["change"]["female"][4] = 500_000
    with pytest.raises(ConfigError, match="judgement bound") as info:
        build(data)
    assert info.value.field == "population.baseline.change"


@pytest.mark.parametrize(
    ("path", "value", "field", "rule"),
    [
        (("population", "baseline", "change", "male", 0), 1e18, "change.male[0]", "20,000,000"),
        (("cost_year",), 30000, "cost_year", "must be in [1950, 2100]"),
        (("run", "draws"), 10**400, "run.draws", "at most 1e+15"),
        (("scenarios", "main", "published", "total_bn"), 1e300, "total_bn", "at most 1e+15"),
        (("allow_implausible",), "yes", "allow_implausible", "true or false"),
        (("name",), "../../etc", "name", "names the output folder"),
    ],
)
def test_hard_bounds(path, value, field, rule):
    data = with_value(inline_tables(raw()), path, value)
    with pytest.raises(ConfigError) as info:
        build(data)
    assert info.value.field.endswith(field)
    assert rule.replace(",", "") in one_line(info.value).replace(",", "")


# -- item 3: documentation fields and alias bombs ---------------------------------------------


@pytest.mark.parametrize(
    ("where", "value", "rule"),
    [
        ((), {"a": [1, 2]}, "expected text"),
        (("scenarios", "main"), "x" * (MAX_TEXT + 1), f"at most {MAX_TEXT:,} characters"),
        (("unit_costs",), ["a", "list"], "expected text"),
        (("population", "baseline"), 42, "expected text"),
    ],
)
def test_documentation_fields_are_bounded_text(where, value, rule):
    data = inline_tables(raw())
    node = data
    for key in where:
        node = node[key]
    node["source"] = value
    with pytest.raises(ConfigError, match=rule) as info:
        build(data)
    assert info.value.field == ".".join([*where, "source"])
    assert len(one_line(info.value)) < 600  # path, 300 characters of the value, the rule


def test_description_and_labels_are_bounded():
    data = inline_tables(raw())
    data["scenarios"]["main"]["label"]["en"] = "y" * (MAX_TEXT + 1)
    with pytest.raises(ConfigError, match="characters") as info:
        build(data)
    assert info.value.field == "scenarios.main.label.en"
    data = inline_tables(raw())
    data["population"]["baseline"]["assumptions"]["births"] = {"nested": [1]}
    with pytest.raises(ConfigError, match="documentation"):
        build(copy.deepcopy(data))


def billion_laughs(levels=9, width=10):
    lines = ['a0: &a0 ["lol"]']
    for k in range(1, levels + 1):
        refs = ", ".join([f"*a{k - 1}"] * width)
        lines.append(f"a{k}: &a{k} [{refs}]")
    return "\n".join(lines) + "\n"


@pytest.mark.timeout(10)
def test_billion_laughs_in_a_note_fails_fast(tmp_path):
    bomb = billion_laughs().replace("\n", "\n  ").rstrip()
    assert len(bomb) < 3000  # a few kB of text that would expand to 10**9 strings
    text = SHIPPED.replace("name: tbu-2025", f"name: tbu-2025\nnote:\n  {bomb}\n")
    with pytest.raises(ConfigError) as info:
        load_config(write_config(tmp_path, text))
    message = one_line(info.value)
    assert "alias" in message or "expands" in message


@pytest.mark.timeout(10)
def test_expansion_is_bounded_even_with_few_aliases():
    # 6 levels of 10 references: 60 aliases (under the alias bound), 10**6 nodes expanded
    with pytest.raises(yamlio.TooLargeError, match="expands to more than"):
        yamlio.loads(billion_laughs(levels=6))


@pytest.mark.timeout(10)
def test_recursive_alias_and_deep_nesting(tmp_path):
    with pytest.raises(yamlio.TooLargeError, match="recursive alias"):
        yamlio.loads("a: &a [*a]\n")
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "[" * 50_000 + "]" * 50_000 + "\n")
    with pytest.raises(ConfigError, match="nested too deeply"):
        load_config(path)


# -- item 4: never print a file ---------------------------------------------------------------


SECRET = "root:x:0:0:root:/root:/bin/bash\n" + "".join(
    f"user{i}:x:{1000 + i}:{1000 + i}:secret-{i}:/home/user{i}:/bin/sh\n" for i in range(40)
)


@pytest.mark.parametrize(
    "content",
    [SECRET, "- " + SECRET.replace("\n", "\n- "), "key: [unclosed\n" + SECRET, "a: 1\n\tb: 2\n"],
    ids=["text", "list", "broken", "tab"],
)
def test_a_table_path_at_an_arbitrary_file_quotes_at_most_one_line(tmp_path, content):
    target = tmp_path / "passwd"
    target.write_text(content, encoding="utf-8")
    text = SHIPPED.replace("tables/unit-costs-2024-03.yaml", str(target))
    with pytest.raises(ConfigError) as info:
        load_config(write_config(tmp_path, text))
    message = one_line(info.value)
    assert info.value.field == "unit_costs"
    assert str(target) in message
    assert "secret-1" not in message  # at most the first (offending) line
    assert len(message) < 2 * len(str(tmp_path)) + 400


def test_a_binary_table_is_refused_without_a_traceback(tmp_path):
    target = tmp_path / "blob.bin"
    target.write_bytes(bytes(range(256)) * 4)
    text = SHIPPED.replace("tables/unit-costs-2024-03.yaml", str(target))
    with pytest.raises(ConfigError, match="not UTF-8") as info:
        load_config(write_config(tmp_path, text))
    assert info.value.field == "unit_costs"


# -- item 5: the config file itself -----------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (b"", "the file is empty"),
        (b"# only a comment\n", "the file is empty"),
        (b"- a\n- list\n", "holds a list; expected a YAML mapping"),
        (b"just text\n", "holds a text; expected a YAML mapping"),
        ("name: tbu\u00e5\n".encode("latin-1"), "not UTF-8 text (byte 0xe5"),
        (b"name: a\x00b\n", "not valid YAML"),
    ],
    ids=["empty", "comment", "list", "text", "latin-1", "nul"],
)
def test_config_file_that_is_not_a_config(tmp_path, content, rule):
    path = tmp_path / "cfg.yaml"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=re.escape(rule)) as info:
        load_config(path)
    one_line(info.value)
    assert str(path) in str(info.value)


def test_config_path_is_a_folder(tmp_path):
    with pytest.raises(ConfigError, match="is a folder"):
        load_config(tmp_path)


def test_yaml_errors_are_one_line_with_position(tmp_path):
    path = tmp_path / "cfg.yaml"
    path.write_text("name: x\nscenarios: {main: [1, 2}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = one_line(info.value)
    assert "line 2" in message and "scenarios: {main" in message


def test_strict_loader_reads_the_shipped_configs_like_safe_load():
    for path in sorted(CONFIGS.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert yamlio.loads(text) == yaml.safe_load(text), path


# -- every YAML reader of tbu-mc uses the strict loader ---------------------------------------


def test_no_module_reads_yaml_around_the_strict_loader():
    package = CONFIGS.parent / "mc"
    offenders = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if path.name != "yamlio.py"
        and re.search(r"yaml\.(safe_load|load|full_load|unsafe_load)\(", path.read_text())
    ]
    assert offenders == []


def test_profile_and_calibration_files_are_read_strictly(tmp_path):
    from mc.calibration.fit import calibrate
    from mc.cli.population import _profile

    dup = tmp_path / "dup.yaml"
    dup.write_text("bands: ['0']\nbands: ['1']\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="duplicate key 'bands' on lines 1 and 2") as info:
        _profile(str(dup))
    assert info.value.field == "--profile"
    with pytest.raises(ConfigError, match="file not found"):
        _profile(str(tmp_path / "missing.yaml"))
    with pytest.raises(ConfigError, match="duplicate key") as info:
        calibrate(dup, tmp_path)
    assert info.value.field == "blocks"
    (tmp_path / "list.yaml").write_text("- a\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="mapping of building blocks"):
        calibrate(tmp_path / "list.yaml", tmp_path)


@pytest.mark.parametrize(
    "target",
    ["tbu-2025.yaml", "tables/unit-costs-2024-03.yaml", "x" * 300],
    ids=["yaml", "table", "name-too-long"],
)
def test_a_fit_path_at_the_wrong_file_is_a_config_error(tmp_path, target, data_dir):
    from mc.model.demographic import build_model

    data = raw("tbu-2025-projection.yaml")
    data["population"]["fit"] = str(CONFIGS / target)
    data["population"]["data"] = str(data_dir)
    config = Config.from_dict(data, base_dir=CONFIGS)
    with pytest.raises(ConfigError) as info:
        build_model(config)
    assert info.value.field == "population.fit"
    assert "tbu-mc population fit" in one_line(info.value)


def test_a_table_name_too_long_for_the_file_system(tmp_path):
    text = SHIPPED.replace("tables/unit-costs-2024-03.yaml", str(tmp_path / ("x" * 300)))
    with pytest.raises(ConfigError, match="cannot be read") as info:
        load_config(write_config(tmp_path, text))
    assert info.value.field == "unit_costs"


def test_error_messages_quote_one_short_line_of_a_value():
    from mc.errors import SHOWN_CHARS, SHOWN_TEXT_CHARS

    error = ConfigError("note", "first line\nroot:x:0:0:secret\n", "expected something")
    assert "first line" in str(error) and "secret" not in str(error)
    assert error.value.endswith("secret\n")  # the exception keeps the whole value
    long_list = ConfigError("bands", list(range(10_000)), "at most 13 bands")
    assert len(str(long_list)) < SHOWN_CHARS + 100
    path = "/a/" + "b" * 200 + "/table.yaml"
    assert repr(path) in str(ConfigError("unit_costs", path, "file not found"))
    assert len(str(ConfigError("x", "y" * 10_000, "rule"))) < SHOWN_TEXT_CHARS + 100


@pytest.mark.parametrize("name", ["høy", "plus-8000", "a.b_c"])
def test_names_may_be_any_word(name):
    data = inline_tables(raw())
    data["name"] = name
    data["scenarios"][name] = data["scenarios"].pop("main")
    assert name in build(data).scenario_names


@pytest.mark.parametrize("name", ["a b", "../up", ".hidden", "tbu\n", "x" * 81, ""])
def test_names_that_would_make_odd_folders_are_refused(name):
    data = inline_tables(raw())
    data["name"] = name
    with pytest.raises(ConfigError) as info:
        build(data)
    assert info.value.field == "name"
