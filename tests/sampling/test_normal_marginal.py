"""The normal marginal's direct quantile function equals scipy's, to the bit."""

import numpy as np
import pytest
from scipy import stats

from mc.sampling.marginals import Marginal, check_probability


@pytest.mark.parametrize(("mean", "sd"), [(0.0, 1.0), (0.1, 0.7), (-3.0, 25.0)])
def test_normal_ppf_equals_scipys(mean, sd):
    m = Marginal("normal", (("mean", mean), ("sd", sd)))
    rng = np.random.default_rng(5)
    # uniforms as drawn, the clipped extremes, the ends and values outside (0, 1)
    tiny = np.finfo(float).eps
    u = np.concatenate(
        [check_probability(rng.random(10_000)), [tiny, 1 - tiny, 0.0, 1.0, 0.5, -0.1, 1.1, np.nan]]
    )
    np.testing.assert_array_equal(m.ppf(u), stats.norm(mean, sd).ppf(u))


def test_normal_draw_is_unchanged_by_the_direct_path():
    m = Marginal("normal", (("mean", 0.3), ("sd", 1.5)))
    fast = m.draw(np.random.default_rng(9), 5_000)
    u = check_probability(np.random.default_rng(9).random(5_000))
    np.testing.assert_array_equal(fast, stats.norm(0.3, 1.5).ppf(u))
