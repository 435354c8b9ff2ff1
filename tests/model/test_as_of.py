"""The information date: every config states as_of, and inputs published later are refused."""

import datetime as dt
import warnings

import pytest
import yaml

from mc.errors import ConfigError
from mc.model.config import Config, load_config
from mc.model.config.dates import population_published
from mc.model.config.top import LateInputWarning
from mc.report.manifest import late_inputs
from tests.conftest import CONFIGS
from tests.model.test_config import inline_tables, raw


def march(**changes):
    """configs/tbu-2025.yaml with its tables inlined and ``changes`` applied."""
    data = inline_tables(raw("tbu-2025.yaml"))
    data["economy"] = yaml.safe_load((CONFIGS / data["economy"]).read_text(encoding="utf-8"))
    # inlined here, the economy's own table path is read from the configs folder
    data["economy"]["surprises"]["table"] = "tables/forecast-errors.yaml"
    data.update(changes)
    return data


@pytest.mark.parametrize("path", sorted(CONFIGS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_config_states_as_of(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LateInputWarning)
        assert isinstance(load_config(path).as_of, dt.date)


def test_a_later_input_is_refused_naming_the_row_its_date_and_as_of():
    data = march(flag_late_inputs=False)
    for section in ("accounts", "net_operating_result"):  # the flagged rows, made early
        data["economy"][section]["published"] = "2024-03-01"
    for sector in data["unit_costs"]["sectors"].values():  # the flagged sectors, made early
        sector["published"] = "2024-03-01"
    Config.from_dict(data, base_dir=CONFIGS)  # everything else was public by 2024-03-31
    data["economy"]["plan"][2025]["published"] = "2024-10-07"  # e.g. NB25's deflator
    with pytest.raises(ConfigError) as err:
        Config.from_dict(data, base_dir=CONFIGS)
    assert err.value.field == "economy.plan.2025.published"
    assert err.value.value == "2024-10-07"
    assert "after as_of 2024-03-31" in str(err.value)


def test_the_march_config_loads_with_no_late_input_and_no_flag():
    # the default config is what a user could have run on 2024-03-31: nothing kept late
    with warnings.catch_warnings():
        warnings.simplefilter("error", LateInputWarning)
        config = load_config(CONFIGS / "tbu-2025.yaml")
    assert config.late_inputs() == ()
    assert not raw("tbu-2025.yaml").get("flag_late_inputs", False)


def test_a_flagged_input_warns_and_reaches_the_manifest():
    data = march(flag_late_inputs=True)
    data["economy"]["accounts"]["published"] = "2024-12-31"  # e.g. NOU 2024:23's revenues
    with pytest.warns(LateInputWarning, match=r"economy\.accounts\.published"):
        config = Config.from_dict(data, base_dir=CONFIGS)
    assert [r["field"] for r in late_inputs(config.to_dict())] == [
        f for f, _ in config.late_inputs()
    ]
    assert "economy.accounts.published" in [r["field"] for r in late_inputs(config.to_dict())]


def test_the_march_config_uses_no_later_plan():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LateInputWarning)
        config = load_config(CONFIGS / "tbu-2025.yaml")
    assert config.as_of == dt.date(2024, 3, 31)
    late = [f for f, _ in config.late_inputs()]
    assert not [f for f in late if f.startswith("economy.plan")]
    # NB25's 4.1 % for 2025 (October 2024) is not used
    assert dict(config.economy.plan)[2025].deflator_pct != 4.1


def test_an_economy_needs_as_of():
    data = march()
    del data["as_of"]
    with pytest.raises(ConfigError) as err:
        Config.from_dict(data, base_dir=CONFIGS)
    assert err.value.field == "as_of"


def test_as_of_must_be_a_date():
    with pytest.raises(ConfigError) as err:
        Config.from_dict(march(as_of="March 2024"), base_dir=CONFIGS)
    assert err.value.field == "as_of"


def on_time(**changes):
    """The March config with every flagged input moved before as_of, the flag off."""
    data = march(**{"flag_late_inputs": False, **changes})
    for section in ("accounts", "net_operating_result"):
        data["economy"][section]["published"] = "2024-03-01"
    for sector in data["unit_costs"]["sectors"].values():
        sector["published"] = "2024-03-01"
    return data


def _care(d):
    d["unit_costs"]["sectors"]["care"]["published"] = "2024-06-20"


def _deflator(d):
    d["deflator"][2024]["published"] = "2024-06-20"


def _baseline(d):
    d["population"]["baseline"]["published"] = "2024-06-20"


def _profile(d):
    d["population"]["immigrant_profile"]["published"] = "2024-06-20"


def _uncertainty(d):
    d["uncertainty"]["published"] = "2024-06-20"


def _scenario(d):
    d["scenarios"]["high"]["published"]["date"] = "2024-06-20"


# one case per kind of input: (edit, the field named, its date, the file named: inlined here,
# every table is the configuration's own; see the test after them for a table in its file)
KINDS = [
    (_care, "unit_costs.sectors.care.published", "2024-06-20", "tbu-2025"),
    (_deflator, "deflator.2024", "2024-06-20", "tbu-2025"),
    (_baseline, "population.baseline.published", "2024-06-20", "tbu-2025"),
    (_profile, "population.immigrant_profile.published", "2024-06-20", "tbu-2025"),
    (_uncertainty, "uncertainty.published", "2024-06-20", "tbu-2025"),
    (_scenario, "scenarios.high.published.date", "2024-06-20", "tbu-2025"),
]


def test_every_input_of_the_march_config_was_public_by_as_of():
    Config.from_dict(on_time(), base_dir=CONFIGS)  # the cases below change one input each


@pytest.mark.parametrize(("edit", "field", "date", "table"), KINDS, ids=lambda v: str(v)[:20])
def test_each_kind_of_late_input_is_refused_in_one_line(edit, field, date, table):
    data = on_time()
    edit(data)
    with pytest.raises(ConfigError) as err:
        Config.from_dict(data, base_dir=CONFIGS, source=str(CONFIGS / "tbu-2025.yaml"))
    assert err.value.field == field
    assert err.value.value == date
    message = str(err.value)
    assert "\n" not in message
    assert f"published {date}, after as_of {data['as_of']}" in message
    assert table in message


def test_a_late_row_of_a_table_file_names_the_file():
    data = raw("tbu-2024-actual.yaml")
    data["unit_costs"] = "tables/unit-costs-2023.yaml"  # the 2023 blocks: sources of late 2024
    with pytest.raises(ConfigError) as err:
        Config.from_dict(data, base_dir=CONFIGS)
    assert err.value.field == "unit_costs.sectors.kindergarten.published"
    assert "tables/unit-costs-2023.yaml" in str(err.value)


@pytest.mark.parametrize(("edit", "field", "date", "table"), KINDS, ids=lambda v: str(v)[:20])
def test_each_kind_of_late_input_is_flagged_when_asked(edit, field, date, table):
    data = on_time(flag_late_inputs=True)
    edit(data)
    with pytest.warns(LateInputWarning, match=field.replace(".", r"\.")):
        config = Config.from_dict(data, base_dir=CONFIGS)
    assert config.late_inputs() == ((field, dt.date.fromisoformat(date)),)
    assert [r["field"] for r in late_inputs(config.to_dict())] == [field]


@pytest.mark.parametrize("path", sorted(CONFIGS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_input_of_a_shipped_config_has_a_date(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LateInputWarning)
        config = load_config(path)
    assert config.undated_inputs() == ()
    # and the population it reads was public by as_of (the March configs read 1.1.2024)
    assert all(d <= config.as_of for f, d in config.dated_inputs() if f.startswith("population"))


@pytest.mark.parametrize(
    ("as_of", "late"),
    [
        ("2024-03-31", ["kindergarten", "care", "municipal_health"]),
        # SSB's 2023 municipal-health figures came out on 17 June 2024, before NB25
        ("2024-10-07", ["kindergarten", "care"]),
    ],
)
def test_the_2023_unit_costs_are_late_for_the_shipped_dates(as_of, late):
    """Why the March and October configs read unit-costs-2024-03.yaml: a real finding."""
    data = march(as_of=as_of, unit_costs="tables/unit-costs-2023.yaml", flag_late_inputs=True)
    with pytest.warns(LateInputWarning):
        config = Config.from_dict(data, base_dir=CONFIGS)
    assert [f for f, _ in config.late_inputs()] == [
        f"unit_costs.sectors.{s}.published" for s in late
    ]


def test_an_undated_deflator_year_is_listed_and_not_checked():
    data = on_time()
    data["deflator"] = {2024: 4.3}
    config = Config.from_dict(data, base_dir=CONFIGS)
    assert config.undated_inputs() == ("deflator.2024",)
    assert config.price_factor() == pytest.approx(1.043)  # 2023-kroner to 2024-kroner
    assert config.to_dict()["deflator"] == {2024: 4.3}  # the short form stays short


def test_a_deflator_entry_needs_pct_and_published():
    data = on_time()
    data["deflator"] = {2024: {"pct": 4.3}}
    with pytest.raises(ConfigError) as err:
        Config.from_dict(data, base_dir=CONFIGS)
    assert err.value.field == "deflator.2024.published"


def test_the_population_release_rule():
    # sourced: SSB published the population on 1.1.2024 on 21 February 2024 (consultation
    # material, ch. 3); otherwise the rule's latest day, 31 March of the year
    assert population_published(2024) == dt.date(2024, 2, 21)
    assert population_published(2023) == dt.date(2023, 3, 31)


def observed(as_of, flag=False):
    """configs/tbu-2024-actual.yaml (it reads SSB's population on 1.1.2024) dated early."""
    data = inline_tables(raw("tbu-2024-actual.yaml"))
    for sector in data["unit_costs"]["sectors"].values():
        sector["published"] = "2024-01-01"
    for scenario in data["scenarios"].values():
        scenario["published"]["date"] = "2024-01-01"
    data.update(as_of=as_of, flag_late_inputs=flag)
    return data


def test_the_population_read_is_refused_before_its_release():
    Config.from_dict(observed("2024-02-21"), base_dir=CONFIGS)  # the day SSB published it
    with pytest.raises(ConfigError) as err:
        Config.from_dict(observed("2024-02-20"), base_dir=CONFIGS)
    assert err.value.field == "population.data.1.1.2024"
    assert err.value.value == "2024-02-21"
    assert "after as_of 2024-02-20" in str(err.value)
    with pytest.warns(LateInputWarning, match=r"population\.data\.1\.1\.2024"):
        Config.from_dict(observed("2024-02-20", flag=True), base_dir=CONFIGS)


def test_a_projection_reads_the_population_of_its_origin():
    data = raw("tbu-2030.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LateInputWarning)
        config = Config.from_dict(data, base_dir=CONFIGS)
        assert config.population_years() == (2024,)
        del data["population"]["origin"]  # the default, the year before the cost year
        assert Config.from_dict(data, base_dir=CONFIGS).population_years() == (2029,)
