"""The ``split_normal`` spread of extra net immigration in a configuration."""

import copy

import pytest
import yaml

from mc.cli.main import main
from mc.errors import ConfigError
from mc.model.config import Config, Spread
from mc.model.demographic import build_model
from tests.conftest import CONFIGS


def _raw_with_spread(spread):
    data = yaml.safe_load((CONFIGS / "tbu-2025.yaml").read_text(encoding="utf-8"))
    table = yaml.safe_load((CONFIGS / data["uncertainty"]).read_text(encoding="utf-8"))
    data["uncertainty"] = copy.deepcopy(table)
    data["uncertainty"]["extra_net_immigration"] = spread
    return data


def test_split_normal_reaches_the_kernel_and_round_trips():
    spread = {"distribution": "split_normal", "sd_low": 2000.0, "sd_high": 9000.0}
    config = Config.from_dict(_raw_with_spread(spread), base_dir=CONFIGS)
    level = config.uncertainty.extra_net_immigration
    assert (level.distribution, level.scale, level.scale_high) == (
        Spread.SPLIT_NORMAL,
        2000.0,
        9000.0,
    )
    inputs = build_model(config).inputs
    assert (inputs.spread_scale, inputs.spread_scale_high) == (2000.0, 9000.0)
    again = Config.from_dict(config.to_dict(), base_dir=CONFIGS)
    assert again.uncertainty == config.uncertainty


@pytest.mark.parametrize(
    ("spread", "field"),
    [
        ({"distribution": "skewnormal", "sd": 8000}, "distribution"),
        ({"distribution": "split_normal", "sd_low": 2000}, "sd_high"),
        ({"distribution": "split_normal", "sd_low": 2000, "sd_high": -1}, "sd_high"),
    ],
)
def test_bad_spread_is_refused_naming_the_field(spread, field):
    with pytest.raises(ConfigError) as err:
        Config.from_dict(_raw_with_spread(spread), base_dir=CONFIGS)
    assert f"uncertainty.extra_net_immigration.{field}" in str(err.value)


def test_cli_prints_a_wrong_distribution_as_one_line(tmp_path, capsys):
    data = _raw_with_spread({"distribution": "skewnormal", "sd": 8000})
    for key in ("unit_costs",):
        data[key] = str(CONFIGS / data[key])
    for key in ("baseline", "immigrant_profile"):
        if isinstance(data["population"].get(key), str):
            data["population"][key] = str(CONFIGS / data["population"][key])
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["run", str(path), "--sync", "--out", str(tmp_path / "out")]) == 2
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(lines) == 1
    assert "uncertainty.extra_net_immigration.distribution" in lines[0]
    assert "skewnormal" in lines[0] and "split_normal" in lines[0]
