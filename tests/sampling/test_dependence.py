"""Iman-Conover and the Gaussian copula hit their target rank correlation."""

import numpy as np
import pytest
from scipy import stats

from mc.errors import ConfigError
from mc.sampling.dependence import check_correlation, gaussian_copula_uniforms, iman_conover
from mc.sampling.marginals import Marginal

TARGET = np.array(
    [[1.0, 0.5, 0.6, 0.3], [0.5, 1.0, 0.3, 0.5], [0.6, 0.3, 1.0, 0.2], [0.3, 0.5, 0.2, 1.0]]
)
NAMES = ("a", "b", "c", "d")
MARGINALS = (
    Marginal("t", (("mean", 0.0), ("scale", 0.5), ("df", 4.0))),
    Marginal("lognormal", (("median", 2.0), ("log_sd", 0.8))),
    Marginal("uniform", (("low", -1.0), ("high", 3.0))),
    Marginal("triangular", (("low", 0.0), ("mode", 1.0), ("high", 5.0))),
)


def spearman(x):
    return stats.spearmanr(x).statistic


def test_iman_conover_hits_target_and_keeps_marginals(rng):
    n = 10_000  # the sample size
    u = rng.random((n, 4))
    raw = np.column_stack([m.ppf(u[:, j]) for j, m in enumerate(MARGINALS)])
    out = iman_conover(raw, TARGET, rng)
    # every marginal sample is kept exactly: only the order changes
    np.testing.assert_array_equal(np.sort(out, axis=0), np.sort(raw, axis=0))
    assert np.abs(spearman(out) - TARGET).max() <= 0.02  # the tolerance


def test_gaussian_copula_hits_target(rng):
    n = 100_000
    u = gaussian_copula_uniforms(rng, n, TARGET)
    assert u.min() > 0 and u.max() < 1
    # Spearman's sampling sd is below (1 - rho^2) / sqrt(n) = 0.0032 here; 5 of them
    assert np.abs(spearman(u) - TARGET).max() <= 5 / np.sqrt(n)
    # each margin is uniform: KS at level 1e-4
    for j in range(4):
        assert stats.kstest(u[:, j], "uniform").pvalue > 1e-4


def test_marginals_through_the_copula_are_exact_in_distribution(rng):
    u = gaussian_copula_uniforms(rng, 50_000, TARGET)
    for j, m in enumerate(MARGINALS):
        x = m.ppf(u[:, j])
        assert stats.kstest(x, m.cdf).pvalue > 1e-4


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        ([[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]], "positive semi-definite"),
        ([[1, 1.5, 0], [1.5, 1, 0], [0, 0, 1]], "must lie in [-1, 1]"),
        ([[1, 0.2, 0], [0.3, 1, 0], [0, 0, 1]], "must equal"),
        ([[0.5, 0, 0], [0, 1, 0], [0, 0, 1]], "must be all 1"),
        ([[1, 0], [0, 1]], "must be 3 x 3"),
    ],
)
def test_bad_correlation_matrices(matrix, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        check_correlation(np.array(matrix, dtype=float), NAMES[:3])


def test_degenerate_marginal_is_constant():
    fixed = Marginal("fixed", (("value", 1.5),))
    np.testing.assert_array_equal(fixed.ppf(np.array([0.1, 0.9])), [1.5, 1.5])
    zero_sd = Marginal("normal", (("mean", 2.0), ("sd", 0.0)))
    assert zero_sd.degenerate and zero_sd.ppf(np.array([0.3]))[0] == 2.0


@pytest.mark.parametrize("n", [3, 10, 1_000, 50_000])
def test_fast_iman_conover_equals_the_reference(n):
    # the fast path (one sort order per column, scattered) must reorder exactly as the double
    # argsort did: same stream in, same array out, element for element
    from mc.sampling.dependence import iman_conover_reference

    raw = np.random.default_rng(n).standard_t(3.0, (n, 4))
    fast = iman_conover(raw, TARGET, np.random.default_rng(11))
    slow = iman_conover_reference(raw, TARGET, np.random.default_rng(11))
    np.testing.assert_array_equal(fast, slow)


def test_fast_iman_conover_equals_the_reference_with_ties():
    # heavy ties in the samples (a discrete marginal): the sorted values are placed the same
    from mc.sampling.dependence import iman_conover_reference

    rng = np.random.default_rng(5)
    raw = rng.integers(0, 3, (2_000, 2)).astype(float)
    target = np.eye(2)
    fast = iman_conover(raw, target, np.random.default_rng(2))
    slow = iman_conover_reference(raw, target, np.random.default_rng(2))
    np.testing.assert_array_equal(fast, slow)


def test_order_falls_back_to_the_stable_sort_on_ties():
    from mc.sampling.dependence import _order

    column = np.array([2.0, 1.0, 2.0, 1.0, 2.0, 0.0] * 50)
    np.testing.assert_array_equal(_order(column), np.argsort(column, kind="stable"))


def test_scores_equal_scipys_normal_quantiles():
    from mc.sampling.dependence import _scores

    n = 10_001
    np.testing.assert_array_equal(_scores(n), stats.norm.ppf(np.arange(1, n + 1) / (n + 1)))


def test_scores_are_computed_once_per_size_and_read_only():
    from mc.sampling.dependence import _scores

    first = _scores(1_003)
    assert _scores(1_003) is first  # cached: every year of every block shares them
    assert not first.flags.writeable  # so no caller can change what the others read
    with pytest.raises(ValueError):
        first[0] = 0.0
