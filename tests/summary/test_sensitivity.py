"""Sensitivity: Sobol indices against the Ishigami function's analytic values, tornado, ranks."""

import numpy as np
import pandas as pd
import pytest

from mc.engine import SchedulerSpec
from mc.engine.tasks import run_merged
from mc.summary.sensitivity import (
    SENSITIVITY_KEY,
    SobolDesign,
    analyse_sensitivity,
    block_rows,
    contribution_to_variance,
    directions,
    indices_from_sums,
    merge_sums,
    sobol_block,
    sobol_blocks,
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
K_SE = 4.5  # 4.5 batch-means SEs: t(15) puts about 1 in 2,500 checks of a correct estimator
# outside (the SE itself comes from 16 blocks, hence t rather than the normal's 1 in 150,000)
T15 = 2.131449545559323  # t(15) 97.5 % point: the half-width of a 95 % interval over 16 blocks


def ishigami(x):
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def uniform(rng, n):
    return rng.uniform(-np.pi, np.pi, (n, 3))


def test_analytic_values():
    np.testing.assert_allclose(S1, [0.3139, 0.4424, 0.0], atol=1e-4)
    np.testing.assert_allclose(ST, [0.5576, 0.4424, 0.2437], atol=1e-4)


def test_sobol_indices_of_ishigami():
    groups = [(f"x{i + 1}", np.array([i])) for i in range(3)]
    est = sobol_indices(ishigami, uniform, groups, 2**14, 5)
    for g, e in enumerate(est):
        # the batch-means interval is +-t(15) SE wide over the 16 blocks: half-width / t is the SE
        se1 = (e.s1_high - e.s1_low) / (2 * T15)
        set_ = (e.st_high - e.st_low) / (2 * T15)
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


COEF = np.array([3.0, -1.0, 0.5, 0.5])
LINEAR_GROUPS = (("a", np.array([0])), ("b", np.array([1])), ("cd", np.array([2, 3])))


def linear(z):
    return np.column_stack([z @ COEF, np.sin(z[:, 0]) + z[:, 3] ** 2])


def normals(rng, m):
    return rng.standard_normal((m, 4))


def linear_design(n=1000, blocks=7):
    unit = {"a": np.ones(1), "b": -np.ones(1), "cd": np.full(2, 2**-0.5)}
    return SobolDesign(
        linear,
        normals,
        LINEAR_GROUPS,
        ("lin", "nonlin"),
        (unit, unit),
        np.array([0.2, -0.1]),
        11,
        n,
        blocks,
    )


def test_merged_sums_equal_one_pass_over_the_same_rows():
    design = linear_design()
    merged = run_merged(sobol_block, design, design.blocks, merge_sums)
    # the same rows in one pass: every block's A and B, from its own stream, stacked
    a, b = [], []
    for k in range(design.blocks):
        rng = np.random.default_rng(np.random.SeedSequence(11, spawn_key=(SENSITIVITY_KEY, k)))
        m = block_rows(design.n, design.blocks, k)
        a.append(normals(rng, m))
        b.append(normals(rng, m))
    a, b = np.concatenate(a), np.concatenate(b)
    assert a.shape == (1000, 4)
    fa, fb = linear(a) - design.shift, linear(b) - design.shift
    var = np.var(np.concatenate([fa, fb]), axis=0)
    for g, (_, idx) in enumerate(LINEAR_GROUPS):
        ab = a.copy()
        ab[:, idx] = b[:, idx]
        fab = linear(ab) - design.shift
        s1 = np.mean(fb * (fab - fa), axis=0) / var
        st = 0.5 * np.mean((fa - fab) ** 2, axis=0) / var
        got = indices_from_sums(merged, LINEAR_GROUPS, design.variables)
        got = got[got["driver"] == LINEAR_GROUPS[g][0]]
        # equal to rounding only: the tree adds block sums, one pass adds rows left to right
        np.testing.assert_allclose(got["s1"], s1, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(got["st"], st, rtol=1e-10, atol=1e-13)
    x = np.column_stack([a[:, 0], -a[:, 1], (a[:, 2] + a[:, 3]) * 2**-0.5])
    r = [np.corrcoef(x[:, g], fa[:, 0])[0, 1] for g in range(3)]
    got = indices_from_sums(merged, LINEAR_GROUPS, design.variables)
    np.testing.assert_allclose(got[got["variable"] == "lin"]["spearman"], r, rtol=1e-10)
    assert merged.s1_blocks.shape == (design.blocks, 2, 3)


def test_same_bits_in_process_and_on_threads():
    design = linear_design()
    here = run_merged(sobol_block, design, design.blocks, merge_sums)
    there = run_merged(
        sobol_block, design, design.blocks, merge_sums, SchedulerSpec("threads", workers=2)
    )
    for name in ("mean", "m2", "s1", "st", "xtx", "xty", "yty", "s1_blocks", "st_blocks"):
        np.testing.assert_array_equal(getattr(here, name), getattr(there, name), err_msg=name)
    assert here.n == there.n == design.n


def test_linear_model_variance_shares():
    # a linear model of independent normals: S1 = ST = coef_i^2 / sum(coef^2) for each group
    share = np.array([9.0, 1.0, 0.5]) / 10.5
    groups = list(LINEAR_GROUPS)
    est = sobol_indices(lambda z: z @ COEF, normals, groups, 2**13, 3)
    for g, e in enumerate(est):
        se1 = (e.s1_high - e.s1_low) / (2 * T15)
        set_ = (e.st_high - e.st_low) / (2 * T15)
        assert se1 > 0 and set_ > 0
        assert abs(e.s1 - share[g]) < K_SE * se1, (e.driver, e.s1, share[g], se1)
        assert abs(e.st - share[g]) < K_SE * set_, (e.driver, e.st, share[g], set_)


def test_blocks_draw_from_their_own_streams():
    design = linear_design(n=256, blocks=2)
    one, two = sobol_block(design, 0), sobol_block(design, 1)
    assert not np.array_equal(one.s1, two.s1)
    np.testing.assert_array_equal(sobol_block(design, 1).s1, two.s1)
    with pytest.raises(ValueError, match="not adjacent"):
        merge_sums(two, one)


@pytest.mark.parametrize(
    ("n", "blocks"), [(1, 1), (2, 2), (64, 2), (256, 4), (1024, 16), (2**20, 16)]
)
def test_block_count_follows_the_base_sample(n, blocks):
    assert sobol_blocks(n) == blocks
    assert sum(block_rows(n, blocks, k) for k in range(blocks)) == n


@pytest.mark.slow
def test_demographic_indices_are_the_same_on_two_worker_processes(config_2025):
    import functools

    from mc.model.demographic import build_model

    model = build_model(config_2025)
    _, here = analyse_sensitivity(model, 3, n=256)
    spec = SchedulerSpec("processes", workers=2)
    _, there = analyse_sensitivity(
        model, 3, n=256, run=functools.partial(run_merged, scheduler=spec)
    )
    pd.testing.assert_frame_equal(here, there, check_exact=True)


def test_run_intervals_have_the_coverage_the_report_states(config_2025):
    # the report captions the indices' intervals as 90 % ones: a 95 % interval is wider
    from mc.model.demographic import build_model

    model = build_model(config_2025)
    _, ninety = analyse_sensitivity(model, 2, n=256)
    _, wider = analyse_sensitivity(model, 2, n=256, level=0.95)
    half90 = ninety["s1_high"] - ninety["s1"]
    half95 = wider["s1_high"] - wider["s1"]
    # 4 blocks: the t(3) points 2.353 (90 %) and 3.182 (95 %) set the ratio of half-widths
    np.testing.assert_allclose(half95 / half90, 3.182446305284263 / 2.353363434801823)
