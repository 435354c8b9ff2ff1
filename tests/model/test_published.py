"""The deterministic model reproduces TBU's published figures (consultation material 2024, ch. 3).

The issue allows +-0.1 bn; the published figures are rounded to 0.1 bn.
"""

import numpy as np
import pytest

from mc.model.demographic import deterministic_outputs

TOLERANCE_BN = 0.1  # what the issue asks; the published figures themselves are rounded to 0.1


def test_2024_actual_growth(config_2024, population):
    out = deterministic_outputs(config_2024, population)
    assert out["population_growth"].shape == (1, 1)  # one scenario, one year
    assert out["population_growth"][0, 0] == 61_219  # SSB: growth 2023
    assert out["demographic_cost_total_bn"][0, 0] == pytest.approx(5.2, abs=TOLERANCE_BN)
    assert out["demographic_cost_free_bn"][0, 0] == pytest.approx(4.3, abs=TOLERANCE_BN)


@pytest.mark.parametrize(
    ("scenario", "total", "free"), [("main", 4.3, 3.6), ("high", 5.1, 4.2), ("low", 3.6, 2.9)]
)
def test_2025_scenarios(config_2025, scenario, total, free):
    out = deterministic_outputs(config_2025)
    i = config_2025.scenario_names.index(scenario)
    assert out["demographic_cost_total_bn"][i, 0] == pytest.approx(total, abs=TOLERANCE_BN)
    assert out["demographic_cost_free_bn"][i, 0] == pytest.approx(free, abs=TOLERANCE_BN)


def test_scenario_steps_match_published_spacing(config_2025):
    # 8,000 more or fewer immigrants move the total by 0.8 / 0.7 bn in TBU's table
    out = deterministic_outputs(config_2025)["demographic_cost_total_bn"][:, 0]
    per_person = (out[1] - out[2]) / 16_000 * 1e9
    assert 87_500 <= per_person <= 100_000  # the range the rounded published figures allow


def test_sectors_add_up_and_free_share_is_between_sector_shares(config_2025):
    out = deterministic_outputs(config_2025)
    np.testing.assert_allclose(
        out["demographic_cost_sector_bn"].sum(axis=-1), out["demographic_cost_total_bn"], rtol=1e-12
    )
    share = out["demographic_cost_free_bn"] / out["demographic_cost_total_bn"]
    assert np.all((share > 0.5) & (share < 1.0))
