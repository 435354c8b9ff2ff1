"""The information date: every config states as_of, and inputs published later are refused."""

import datetime as dt
import warnings

import pytest
import yaml

from mc.errors import ConfigError
from mc.model.config import Config, load_config
from mc.model.config.top import LateInputWarning
from mc.report.manifest import late_inputs
from tests.conftest import CONFIGS
from tests.model.test_config import raw


def march(**changes):
    """configs/tbu-2025.yaml with its economy table inlined and ``changes`` applied."""
    data = raw("tbu-2025.yaml")
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
    Config.from_dict(data, base_dir=CONFIGS)  # everything else was public by 2024-03-31
    data["economy"]["plan"][2025]["published"] = "2024-10-07"  # e.g. NB25's deflator
    with pytest.raises(ConfigError) as err:
        Config.from_dict(data, base_dir=CONFIGS)
    assert err.value.field == "economy.plan.2025.published"
    assert err.value.value == "2024-10-07"
    assert "after as_of 2024-03-31" in str(err.value)


def test_the_march_config_without_its_flag_is_refused():
    with pytest.raises(ConfigError, match=r"economy\.accounts\.published"):
        Config.from_dict(march(flag_late_inputs=False), base_dir=CONFIGS)


def test_a_flagged_input_warns_and_reaches_the_manifest():
    with pytest.warns(LateInputWarning, match=r"economy\.accounts\.published"):
        config = Config.from_dict(march(), base_dir=CONFIGS)
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
