"""A national run's statistics from merged summaries agree with the exact ones over every draw.

The same run (seed, blocks) twice: once keeping every draw (exact quantiles and ArviZ's ESS and
MCSE, as national runs always computed them) and once keeping none (everything from the blocks'
merged sketches, counts and moments). Tolerances follow from the sketch's stated error and the
Monte Carlo error of each estimator, as each comment says.
"""

import numpy as np
import pandas as pd
import pytest

from mc.engine import SchedulerSpec
from mc.workflow import RunOptions, analyse

DRAWS, BLOCK = 20_000, 2_000
KEYS = ["variable", "scenario", "year", "sector", "region"]


def run(config, population, keep, **extra):
    options = RunOptions(
        draws=DRAWS,
        block_size=BLOCK,
        seed=11,
        keep_draws=keep,
        scheduler=SchedulerSpec("sync"),
        **extra,
    )
    return analyse(config, options, population=population)


@pytest.fixture(scope="module")
def pair(config_2025):
    from mc.workflow.analysis import run_population

    population = run_population(config_2025)
    return run(config_2025, population, DRAWS), run(config_2025, population, 0)


@pytest.fixture(scope="module")
def tables(pair):
    exact, sketch = pair
    merged = exact.summary.merge(sketch.summary, on=KEYS, suffixes=("_x", "_s"))
    assert len(merged) == len(exact.summary) == len(sketch.summary)
    return merged


def test_the_two_runs_took_the_two_paths(pair):
    exact, sketch = pair
    assert exact.simulation.complete and exact.tree is not None
    assert sketch.simulation.kept == 0 and sketch.tree is None
    assert "sketch_error" in sketch.summary and "sketch_error" not in exact.summary


def test_quantiles_agree_within_the_sketch_error(tables):
    width = tables["sketch_error"].to_numpy()
    assert (width > 0).any()
    # The sketch puts a quantile inside the bin where the counts cross p N: within one bin width
    # of the draws there. np.quantile interpolates between two neighbouring order statistics,
    # and the neighbour may sit in the next bin; neighbours are about 1 / (N f) apart (f the
    # density), at N = 20,000 under 0.001 sd even at the 5 % tails, while a bin here is about
    # 0.002 sd wide (7 x the pilot's 99 % range / 20,000 bins). So two bin widths bound it.
    for q in ("q05", "q10", "q25", "q50", "q75", "q90", "q95"):
        gap = np.abs(tables[f"{q}_x"] - tables[f"{q}_s"]).to_numpy()
        assert np.all(gap <= 2 * width + 1e-12), q


def test_moments_are_bit_identical(tables):
    # the same blocks merged in the same fixed tree: the exact path's moments are the stream's
    np.testing.assert_array_equal(tables["mean_x"], tables["mean_s"])
    np.testing.assert_array_equal(tables["sd_x"], tables["sd_s"])


def test_exceedance_probabilities_are_exact_and_their_errors_agree(pair):
    exact, sketch = pair
    keys = ["variable", "scenario", "year", "threshold", "direction"]
    both = exact.exceedance.merge(sketch.exceedance, on=keys, suffixes=("_x", "_s"))
    assert len(both) == len(exact.exceedance) > 0
    # counts of draws beyond the threshold add exactly: the same share as over the draws
    np.testing.assert_array_equal(both["probability_x"], both["probability_s"])
    # the binomial MCSE assumes independent draws (ESS = N); ArviZ estimates the ESS from the
    # draws, and an ESS estimate of N independent draws scatters by a few per cent at N = 20,000
    # (its autocorrelation sum over ~10 lags, each with sd 1/sqrt(N) = 0.7 %): 10 % is > 4 sd
    p = both["probability_s"]
    inside = (p > 0) & (p < 1)
    np.testing.assert_allclose(both["mcse_x"][inside], both["mcse_s"][inside], rtol=0.10)


def test_ess_and_quantile_mcse_estimate_the_same_thing(tables):
    varies = tables["sd_x"] > 0
    t = tables[varies]
    # stream: ESS = N (independent streams); ArviZ's bulk ESS of the same draws: a few % off
    np.testing.assert_allclose(t["ess_x"], DRAWS, rtol=0.10)
    assert (t["ess_s"] == DRAWS).all()
    # Both estimate sqrt(p (1 - p) / N) / f(Q_p). ArviZ reads the slope over +-1 MCSE in
    # probability: about 2 sqrt(p (1 - p) N) draws, 62 at p = 0.05, so a relative scatter of
    # 1 / sqrt(62) = 13 %; the sketch over p +- 0.01 (800 draws, 3.5 %). 4 sd of the two: 55 %.
    for q in ("05", "50", "95"):
        ratio = t[f"mcse_q{q}_s"] / t[f"mcse_q{q}_x"]
        assert np.all(np.abs(np.log(ratio)) < np.log(1.55)), q


def test_rhat_from_block_moments_is_near_one(tables):
    t = tables[tables["sd_x"] > 0]
    # 10 independent blocks of 2,000: R-hat - 1 is of order 1 / (block draws) = 0.0005
    assert np.all(np.abs(t["rhat_s"] - 1) < 0.01)
    assert np.all(np.abs(t["rhat_x"] - 1) < 0.01)


def test_stopping_rule_on_sketches_matches_the_exact_one(config_2025):
    from mc.workflow.analysis import run_population

    population = run_population(config_2025)
    targets = ("mean=0.02", "q95=1%")
    exact = run(config_2025, population, DRAWS, precision=targets, wave=2)
    sketch = run(config_2025, population, 0, precision=targets, wave=2)
    a, b = exact.simulation.stopping, sketch.simulation.stopping
    assert a["blocks"] == b["blocks"] and a["draws"] == b["draws"]
    assert a["targets"]["mean=0.02"] == b["targets"]["mean=0.02"]
    # the stopping rule's q95 from the sketch: within two bin widths (see above) of the exact one
    width = sketch.simulation.grids["demographic_cost_total_bn"].width
    estimate = (a["targets"]["q95=1%"]["estimate"], b["targets"]["q95=1%"]["estimate"])
    assert abs(estimate[0] - estimate[1]) <= 2 * float(np.max(width))


def test_summary_columns_are_the_same_but_sketch_error(pair):
    exact, sketch = pair
    assert list(sketch.summary.columns) == [*exact.summary.columns, "sketch_error"]
    assert isinstance(sketch.summary, pd.DataFrame)


def test_keep_draws_comes_from_the_run_section_unless_a_flag_says_otherwise():
    from mc.model.config import RunDefaults
    from mc.workflow.options import DEFAULT_KEEP_DRAWS

    assert RunOptions().kept_draws == DEFAULT_KEEP_DRAWS
    assert RunOptions.from_config(RunDefaults(keep_draws=5)).kept_draws == 5
    assert RunOptions.from_config(RunDefaults(keep_draws=5), keep_draws=0).kept_draws == 0


def test_negative_keep_draws_is_refused_naming_the_flag():
    from mc.errors import ConfigError

    with pytest.raises(ConfigError, match="--keep-draws"):
        RunOptions(keep_draws=-1)
