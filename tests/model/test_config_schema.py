"""The declared schema: one declaration gives the parser, the defaults, the messages and to_dict."""

from dataclasses import dataclass

import pytest
import yaml

from mc.errors import ConfigError
from mc.model.config import ClusterSpec, Config, RunDefaults
from mc.model.fields import Section
from mc.model.schema import declared, read, setting, write
from tests.conftest import CONFIGS
from tests.model.test_config import build, inline_tables, raw


def with_options(**sections):
    data = inline_tables(raw())
    data.update(sections)
    return data


def test_optional_sections_round_trip():
    cluster = {
        "kind": "pbs",
        "jobs": 3,
        "cores": 8,
        "processes": 4,
        "memory": "7.5GiB",
        "walltime": "1-12:00:00",
        "queue": "normal",
        "account": "nn1234k",
        "job_extra": ["--exclusive"],
        "local_directory": "/scratch",
    }
    data = with_options(
        run={"draws": 500, "block_size": 50, "seed": 11},
        cluster=cluster,
        allow_implausible=True,
    )
    config = build(data)
    assert config.run == RunDefaults(draws=500, block_size=50, seed=11)
    assert config.cluster == ClusterSpec(
        "pbs", 3, 8, 4, "7.5GiB", "1-12:00:00", "normal", "nn1234k", ("--exclusive",), "/scratch"
    )
    written = config.to_dict()
    assert written["cluster"] == cluster
    assert written["run"] == {"draws": 500, "block_size": 50, "seed": 11}
    assert Config.from_dict(written, base_dir=CONFIGS) == config


def test_defaults_come_from_the_declaration():
    data = with_options(cluster={})
    del data["run"]
    config = build(data)
    assert config.run == RunDefaults()
    assert config.cluster == ClusterSpec()
    # optional fields that are unset are left out of the written form, as before
    assert config.to_dict()["run"] == {"draws": 100_000, "block_size": 10_000}
    assert config.to_dict()["cluster"] == {
        "kind": "slurm",
        "jobs": 1,
        "cores": 1,
        "memory": "4GB",
        "walltime": "01:00:00",
        "job_extra": [],
    }
    assert "cluster" not in build(with_options()).to_dict()
    # an empty ``cluster:`` (YAML null) asks for the default cluster, as before the schema
    assert build(with_options(cluster=None)).cluster == ClusterSpec()


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (("cost_year",), "cost_year"),
        (("unit_costs", "sectors", "care", "free_share"), "free_share"),
    ],
)
def test_a_missing_required_field_is_named(path, field):
    data = inline_tables(raw())
    node = data
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    with pytest.raises(ConfigError, match="this field is required") as info:
        build(data)
    assert info.value.field == ".".join(path)


@pytest.mark.parametrize(
    ("section", "value", "field", "rule"),
    [
        ("cluster", {"cores": 4, "processes": 5}, "cluster.processes", "must be in [1, 4]"),
        ("cluster", {"memory": "lots"}, "cluster.memory", "a size such as '32GB'"),
        ("cluster", {"walltime": "2h"}, "cluster.walltime", "a time such as '02:00:00'"),
        ("cluster", {"kind": "sge"}, "cluster.kind", "must be one of ['slurm', 'pbs']"),
        ("cluster", {"job_extra": "-x"}, "cluster.job_extra", "expected a list"),
        ("cluster", {"queue": 7}, "cluster.queue", "expected text"),
        ("run", {"seed": -1}, "run.seed", "must be in [0, inf]"),
        ("run", {"block_size": 0.5}, "run.block_size", "whole number"),
        ("run", {"blocksize": 10}, "run.blocksize", "did you mean 'block_size'"),
    ],
)
def test_messages_name_field_value_and_rule(section, value, field, rule):
    with pytest.raises(ConfigError) as info:
        build(with_options(**{section: value}))
    assert info.value.field == field
    assert rule in str(info.value)
    assert repr(next(iter(value.values()))) in str(info.value)


def test_nested_keys_are_read_and_written_one_level_down():
    data = inline_tables(raw())
    data["uncertainty"]["births"] = {"sd": 250.0}
    config = build(data)
    assert config.uncertainty.births_sd == 250.0
    assert config.to_dict()["uncertainty"]["births"] == {"sd": 250.0}
    data["uncertainty"]["births"] = {"sd": 250.0, "sdd": 1}
    with pytest.raises(ConfigError, match="did you mean 'sd'") as info:
        build(data)
    assert info.value.field == "uncertainty.births.sdd"


@dataclass(frozen=True)
class Options:
    """A section as a future run option would declare it."""

    design: str = setting("choice", "lhs", choices=("lhs", "random", "sobol"))
    precision: float = setting("number", 0.01, low=0.0, low_open=True, key="target.precision")
    note_text: str | None = setting("text", None, key="note_text")


def test_a_new_section_needs_only_its_declaration():
    sec = Section({"design": "sobol", "target": {"precision": 0.5}}, "run", "cfg.yaml")
    options = Options(**read(Options, sec))
    sec.done()
    assert options == Options("sobol", 0.5)
    assert write(options) == {"design": "sobol", "target": {"precision": 0.5}}
    assert Options(**read(Options, Section({}, "run"))) == Options()
    with pytest.raises(ConfigError, match=r"must be one of \['lhs', 'random', 'sobol'\]") as info:
        read(Options, Section({"design": "lhc"}, "run"))
    assert info.value.field == "run.design" and info.value.value == "lhc"
    with pytest.raises(ConfigError, match=r"must be in \(0, inf\]") as info:
        read(Options, Section({"target": {"precision": 0}}, "run"))
    assert info.value.field == "run.target.precision"


@pytest.mark.parametrize("cls", [RunDefaults, ClusterSpec, Config])
def test_every_field_is_declared(cls):
    # a field without a declaration would be silently missing from to_dict and the checksum
    assert len(declared(cls)) == len(cls.__dataclass_fields__)


@pytest.mark.parametrize(
    ("path", "value", "field", "rule"),
    [
        (("accounts", "free_revenues_bn"), 0, "accounts.free_revenues_bn", "must be in (0, inf]"),
        (("accounts", "free_revenuez_bn"), 1, "accounts.free_revenuez_bn", "did you mean"),
        (("net_operating_result", "persistence"), 2, "persistence", "must be in [-1, 1]"),
        (("plan", 2024, "pension_bn"), "x", "plan.2024.pension_bn", "expected a number"),
    ],
)
def test_economy_fields_are_declared_too(path, value, field, rule):
    data = inline_tables(raw())
    economy = yaml.safe_load(
        (CONFIGS / "tables" / "economy-2024-03.yaml").read_text(encoding="utf-8")
    )
    node = data["economy"] = economy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(ConfigError) as info:
        build(data)
    assert info.value.field == f"economy.{'.'.join(map(str, path))}"
    assert info.value.field.endswith(field)
    assert rule in str(info.value)


def test_economy_round_trips():
    config = build(inline_tables(raw()))
    assert config.economy is not None
    again = build(config.to_dict())
    assert again.economy == config.economy
    assert again.to_dict()["economy"] == config.to_dict()["economy"]
