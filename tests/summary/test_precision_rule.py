"""Stopping by precision: targets parsed, checked per wave, results equal to a plain run."""

import numpy as np
import pytest

from mc.engine import BlockPlan, SchedulerSpec, Stopping, simulate
from mc.errors import ConfigError
from mc.model.demographic import build_model
from mc.summary.precision import PrecisionRule, parse_target


@pytest.mark.parametrize(
    ("text", "stat", "tol", "relative"),
    [
        ("mean=0.01", "mean", 0.01, False),
        ("q95=1%", "q95", 0.01, True),
        (" q5 = 2 ", "q5", 2, False),
    ],
)
def test_parse_target(text, stat, tol, relative):
    t = parse_target(text)
    assert (t.statistic, t.relative) == (stat, relative) and t.tolerance == pytest.approx(tol)


@pytest.mark.parametrize(
    ("text", "rule"),
    [("median=1", "write e.g."), ("q0=1", "q1 to q99"), ("mean=0", "must be positive")],
)
def test_bad_targets(text, rule):
    with pytest.raises(ConfigError, match=rule):
        parse_target(text)


@pytest.fixture(scope="module")
def model(config_2025):
    return build_model(config_2025)


def rule(*targets):
    # demographic_cost_total_bn, cell 0 = (main, 2025)
    return PrecisionRule("demographic_cost_total_bn", 0, tuple(parse_target(t) for t in targets))


def test_stops_early_and_equals_a_plain_run_of_that_length(model):
    cap = BlockPlan(200_000, 10_000)
    result = simulate(
        model, cap, 3, SchedulerSpec("sync"), stopping=Stopping(2, rule("mean=0.01").check)
    )
    # sd is about 1.20 bn: z * sd / sqrt(N) <= 0.01 needs N >= 55,000, i.e. 6 blocks, checked in
    # waves of 2: the run stops after 6 blocks
    assert result.plan.n_blocks == 6
    assert result.stopping["targets"]["mean=0.01"]["met"]
    plain = simulate(model, BlockPlan(60_000, 10_000), 3, SchedulerSpec("sync"))
    for name in plain.draws:
        np.testing.assert_array_equal(result.draws[name], plain.draws[name])
        np.testing.assert_array_equal(result.moments[name].m2, plain.moments[name].m2)


def test_cap_is_reported(model):
    result = simulate(
        model,
        BlockPlan(20_000, 5_000),
        3,
        SchedulerSpec("sync"),
        stopping=Stopping(1, rule("mean=0.0001", "q95=1%").check),
    )
    assert result.plan.n_blocks == 4
    targets = result.stopping["targets"]
    assert not targets["mean=0.0001"]["met"]
    assert targets["q95=1%"]["half_width"] > 0


def test_same_stop_under_threads(model):
    cap = BlockPlan(100_000, 5_000)
    stop = Stopping(3, rule("q95=1%").check)
    a = simulate(model, cap, 8, SchedulerSpec("sync"), stopping=stop)
    b = simulate(model, cap, 8, SchedulerSpec("threads", workers=2), stopping=stop)
    assert a.plan.n_blocks == b.plan.n_blocks < 20
    np.testing.assert_array_equal(
        a.draws["demographic_cost_total_bn"], b.draws["demographic_cost_total_bn"]
    )
