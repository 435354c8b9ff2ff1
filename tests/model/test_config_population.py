"""Which population a configuration reads (config_population), and that mc.data reads it."""

import numpy as np
import pytest

from mc.data.population import NATIONAL_FILE, read_population_file
from mc.errors import ConfigError, DataError
from mc.model.config import Config
from mc.model.demographic import build_model, config_population
from tests.conftest import CONFIGS
from tests.model.test_config import raw


def test_observed_reads_the_file_relative_to_the_config(config_2024, data_dir):
    table = config_population(config_2024)
    expected = read_population_file(data_dir / NATIONAL_FILE)
    assert table.first_year == expected.first_year
    np.testing.assert_array_equal(table.counts, expected.counts)


def test_override_replaces_the_configured_file(config_2025, data_dir, tmp_path):
    # a projected baseline reads nothing, unless a file is given
    assert config_population(config_2025) is None
    years = read_population_file(data_dir / NATIONAL_FILE).years
    assert config_population(config_2025, data_dir / NATIONAL_FILE).years == years


def test_uncached_ssb_source_is_not_fetched_unless_allowed(config_2025, tmp_path, monkeypatch):
    # no network here: without allow_fetch the error must come before any request
    monkeypatch.setenv("TBU_MC_CACHE", str(tmp_path))
    with pytest.raises(DataError, match="ssb"):
        config_population(config_2025, "ssb:07459")


def test_stochastic_reads_the_data_folder(data_dir):
    data = raw("tbu-2025-projection.yaml")
    data["population"]["data"] = str(data_dir)
    config = Config.from_dict(data, base_dir=CONFIGS)
    assert config_population(config).years == read_population_file(data_dir / NATIONAL_FILE).years


def test_missing_fit_names_the_command_that_makes_it(tmp_path, data_dir):
    data = raw("tbu-2025-projection.yaml")
    data["population"]["fit"] = str(tmp_path / "none.json")
    data["population"]["data"] = str(data_dir)
    config = Config.from_dict(data, base_dir=CONFIGS)
    with pytest.raises(ConfigError, match="file not found; make it with") as info:
        build_model(config)
    assert info.value.field == "population.fit"
