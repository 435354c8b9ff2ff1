"""Sensitivity: Sobol indices against the Ishigami function's analytic values, tornado, ranks."""

import numpy as np
import pytest

from mc.summary.sensitivity import (
    analyse_sensitivity,
    contribution_to_variance,
    directions,
    sobol_indices,
    tornado,
)

A, B = 7.0, 0.1
# analytic indices of Ishigami (Saltelli et al. 2008; SALib's tests use the same values)
VAR = A**2 / 8 + B * np.pi**4 / 5 + B**2 * np.pi**8 / 18 + 0.5
V1 = 0.5 * (1 + B * np.pi**4 / 5) ** 2
V2 = A**2 / 8
V13 = B**2 * np.pi**8 * (1 / 18 - 1 / 50)
S1 = np.array([V1, V2, 0.0]) / VAR
ST = np.array([V1 + V13, V2, V13]) / VAR
K_SE = 4.0  # a correct estimator lands outside 4 bootstrap SEs about once in 16,000 checks


def ishigami(x):
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def uniform(rng, n):
    return rng.uniform(-np.pi, np.pi, (n, 3))


def test_analytic_values():
    np.testing.assert_allclose(S1, [0.3139, 0.4424, 0.0], atol=1e-4)
    np.testing.assert_allclose(ST, [0.5576, 0.4424, 0.2437], atol=1e-4)


def test_sobol_indices_of_ishigami():
    groups = [(f"x{i + 1}", np.array([i])) for i in range(3)]
    est = sobol_indices(ishigami, uniform, groups, 2**14, np.random.default_rng(5), bootstrap=400)
    for g, e in enumerate(est):
        # the bootstrap interval is +-1.96 SE wide: its half-width / 1.96 is the SE
        se1 = (e.s1_high - e.s1_low) / (2 * 1.96)
        set_ = (e.st_high - e.st_low) / (2 * 1.96)
        assert abs(e.s1 - S1[g]) < K_SE * se1 + 1e-3, (e.driver, e.s1, S1[g], se1)
        assert abs(e.st - ST[g]) < K_SE * set_ + 1e-3, (e.driver, e.st, ST[g], set_)
        assert e.s1_low <= e.s1 <= e.s1_high and e.st_low <= e.st <= e.st_high


def test_tornado_and_directions_on_a_linear_model():
    coef = np.array([3.0, -1.0, 0.5, 0.5])
    f = lambda z: z @ coef  # noqa: E731
    groups = [("a", np.array([0])), ("b", np.array([1])), ("cd", np.array([2, 3]))]
    dirs = directions(f, groups, 4)
    np.testing.assert_allclose(dirs["cd"], [2**-0.5, 2**-0.5], rtol=1e-6)
    t = tornado(f, groups, 4).set_index("driver")
    z90 = 1.2815515655446004
    assert t.loc["a", "high"] == pytest.approx(3 * z90) and t.loc["a", "low"] == pytest.approx(
        -3 * z90
    )
    # a group moves along its direction by z: output changes by |coef| * z
    assert t.loc["cd", "high"] == pytest.approx(np.hypot(0.5, 0.5) * z90)
    assert list(t.index) == ["a", "b", "cd"]  # sorted by swing
    rng = np.random.default_rng(0)
    z = rng.standard_normal((20_000, 4))
    c = contribution_to_variance(z, f(z), groups, dirs).set_index("driver")
    assert c["contribution"].sum() == pytest.approx(1.0)
    share = np.array([9, 1, 0.5]) / 10.5  # variance shares of a linear model
    np.testing.assert_allclose(c["contribution"], share, atol=0.02)


def test_demographic_sensitivity(config_2025):
    from mc.model.demographic import build_model

    tornado_rows, indices = analyse_sensitivity(build_model(config_2025), 1, n=2048)
    total = indices[indices["variable"] == "demographic_cost_total_bn"].set_index("driver")
    # with sourced unit costs (log-sd 0.15, judgement) and the refugee spread estimated from
    # history (split normal 3,200 / 9,700) the two lead, far ahead of births and deaths
    leading = set(total["contribution"].nlargest(2).index)
    assert leading == {"unit_costs", "extra_net_immigration"}
    assert total.loc["extra_net_immigration", "st"] > total.loc["births", "st"]
    assert set(tornado_rows["driver"]) == set(total.index)
    assert (tornado_rows["low"] <= tornado_rows["base"]).all()
