"""The deterministic model against TBU's figures (consultation material 2024, ch. 3).

The default tables are made from sourced inputs and not fitted to TBU, so the model does not
reproduce TBU's totals by construction: tests/calibration/test_tbu_check.py reports the gaps. What
must hold here is what does not depend on the tables' levels.
"""

import numpy as np

from mc.model.demographic import deterministic_outputs


def test_2024_actual_growth(config_2024, population):
    out = deterministic_outputs(config_2024, population)
    assert out["population_growth"].shape == (1, 1)  # one scenario, one year
    assert out["population_growth"][0, 0] == 61_219  # SSB: growth 2023


def test_scenario_steps_match_published_spacing(config_2025):
    # 8,000 more or fewer immigrants move the total by 0.8 / 0.7 bn in TBU's table: the refugee
    # slope is not fitted either (it follows from the 2022 refugee profile and the unit costs)
    out = deterministic_outputs(config_2025)["demographic_cost_total_bn"][:, 0]
    per_person = (out[1] - out[2]) / 16_000 * 1e9
    assert 87_500 <= per_person <= 100_000  # the range the rounded published figures allow


def test_scenarios_differ_only_by_extra_immigration(config_2025):
    out = deterministic_outputs(config_2025)
    extra = np.array([s.extra_net_immigration for s in config_2025.scenarios])
    growth = out["population_growth"][:, 0]
    np.testing.assert_allclose(growth - extra, growth[0] - extra[0], atol=1e-6)


def test_sectors_add_up_and_free_share_is_between_sector_shares(config_2025):
    out = deterministic_outputs(config_2025)
    np.testing.assert_allclose(
        out["demographic_cost_sector_bn"].sum(axis=-1), out["demographic_cost_total_bn"], rtol=1e-12
    )
    share = out["demographic_cost_free_bn"] / out["demographic_cost_total_bn"]
    assert np.all((share > 0.5) & (share < 1.0))
