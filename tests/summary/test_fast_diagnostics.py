"""The summary table's fast diagnostics equal ArviZ's to the bit.

``mc.summary.diagnostics`` ranks each cell once and hands the normal scores to ArviZ's public
``identity`` methods; these tests hold it to ``array_stats.ess(method="bulk")``,
``array_stats.rhat(method="rank")`` and ``array_stats.mcse(method="quantile")`` with
``np.array_equal``: not a tolerance, since summary.csv must not move by a single bit. If an ArviZ
upgrade changes its formulas, these tests are the ones that say so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from arviz_stats.base import array_stats
from scipy import stats

import mc.summary.diagnostics as diagnostics
import mc.summary.table as table_module
from mc.engine import BlockPlan, SchedulerSpec, simulate
from mc.model.demographic import VARIABLE_DIMS, build_model
from mc.summary import summary_table, to_datatree
from mc.summary.diagnostics import diagnose, fast_path_applies, split_chains, z_scale

PROBS = (0.05, 0.50, 0.95)
QUANTILES = (0.0, 0.05, 0.10, 0.25, 0.5, 0.9, 0.95, 1.0)


def _cases() -> dict[str, np.ndarray]:
    """Arrays (cells, chain, draw) covering what the fast path must get right."""
    rng = np.random.default_rng(20240321)
    constant = np.full((1, 4, 200), 3.25)
    return {
        "continuous": rng.lognormal(size=(3, 4, 200)),
        # few distinct values: every rank is a tie, bulk and tail alike
        "ties": rng.integers(0, 6, size=(3, 4, 200)).astype(float),
        # one cell varies, one does not (ESS = size, R-hat 0/0)
        "constant": np.concatenate((rng.normal(size=(1, 4, 200)), constant)),
        # the middle draw of every chain is dropped when chains are split
        "odd draws": rng.normal(size=(2, 4, 201)),
        "two chains": rng.standard_t(3, size=(2, 2, 150)),
        "one chain": rng.normal(size=(2, 1, 300)),
        "shortest": rng.normal(size=(2, 3, 8)),
        # a skewed spike: many ties in the folded draws of the tail R-hat
        "no cells": np.empty((0, 4, 100)),
        "spike": np.where(rng.random((2, 4, 200)) < 0.4, 0.0, rng.exponential(size=(2, 4, 200))),
    }


CASES = _cases()


def _arviz_zscale(values: np.ndarray) -> np.ndarray:
    """ArviZ 1.x's ``_z_scale``, written out: average ranks, Blom's offset, normal quantile."""
    ranks = stats.rankdata(values, method="average", nan_policy="omit")
    c = 3 / 8
    return stats.norm.ppf((ranks - c) / (ranks.size - 2 * c + 1)).reshape(values.shape)


@pytest.mark.parametrize("case", sorted(CASES))
def test_zscale_equals_rankdata_and_norm_ppf(case):
    for cell in split_chains(CASES[case]):
        assert np.array_equal(z_scale(cell), _arviz_zscale(cell))
        folded = abs(cell - np.median(cell))
        assert np.array_equal(z_scale(folded), _arviz_zscale(folded))


@pytest.mark.parametrize("case", sorted(CASES))
def test_ess_and_rhat_equal_arviz(case):
    values = CASES[case]
    assert fast_path_applies(values)
    with np.errstate(invalid="ignore", divide="ignore"):
        found = diagnose(values, PROBS)
        ess, rhat = found.ess, found.rhat
        expected_ess = array_stats.ess(values, method="bulk")
        expected_rhat = array_stats.rhat(values, method="rank")
    assert np.array_equal(ess, expected_ess, equal_nan=True)
    if values.shape[1] < 2:
        assert rhat is None  # ArviZ has no R-hat for one chain
        assert np.isnan(expected_rhat).all()
    else:
        assert rhat is not None
        assert np.array_equal(rhat, expected_rhat, equal_nan=True)


@pytest.mark.parametrize("case", sorted(CASES))
def test_quantile_mcse_equals_arviz(case):
    values = CASES[case]
    with np.errstate(invalid="ignore", divide="ignore"):
        mcse = diagnose(values, PROBS).mcse
        for prob in PROBS:
            expected = array_stats.mcse(values, method="quantile", prob=prob)
            assert np.array_equal(mcse[prob], expected, equal_nan=True), prob


@pytest.mark.parametrize("case", sorted(CASES))
def test_quantiles_equal_numpy_over_all_draws(case):
    values = CASES[case]
    with np.errstate(invalid="ignore", divide="ignore"):  # R-hat of the constant cell is 0/0
        found = diagnose(values, PROBS, QUANTILES).quantiles
    # as the plain path computes them: draws stacked (chain, draw) on axis 0
    cells, chains, draws = values.shape
    flat = values.transpose(1, 2, 0).reshape(chains * draws, cells)
    assert np.array_equal(found, np.quantile(flat, QUANTILES, axis=0))


@pytest.mark.parametrize("case", ["continuous", "odd draws", "one chain"])
def test_chunks_of_cells_give_the_same_results(case, monkeypatch):
    values = CASES[case]
    whole = diagnose(values, PROBS, QUANTILES)
    monkeypatch.setattr(diagnostics, "CHUNK_VALUES", 2 * values.shape[1] * values.shape[2])
    chunked = diagnose(values[[0, 1, 0, 1, 1]], PROBS, QUANTILES)  # chunks of 2, 2 and 1 cells
    again = np.array([0, 1, 0, 1, 1])
    assert np.array_equal(chunked.ess, whole.ess[again])
    assert (chunked.rhat is None) == (whole.rhat is None)
    if whole.rhat is not None:
        assert chunked.rhat is not None and np.array_equal(chunked.rhat, whole.rhat[again])
    for prob in PROBS:
        assert np.array_equal(chunked.mcse[prob], whole.mcse[prob][again])
    assert np.array_equal(chunked.quantiles, whole.quantiles[:, again])


def test_rhat_skipped_when_not_asked():
    assert diagnose(CASES["continuous"], PROBS, rhat=False).rhat is None


@pytest.mark.parametrize(
    ("values", "why"),
    [
        (np.full((1, 4, 7), 1.0), "halves of 7 draws are shorter than ArviZ's minimum of 4"),
        (np.where(np.eye(4, 20)[None] > 0, np.nan, 1.0), "NaN draws"),
        (np.ones((4, 20)), "not (cells, chain, draw)"),
        (np.ones((1, 4, 20), dtype=np.float32), "SciPy ranks float32 in float32"),
    ],
)
def test_fast_path_declines(values, why):
    assert not fast_path_applies(values), why


@pytest.fixture(scope="module")
def small_run(config_2025):
    model = build_model(config_2025)
    sim = simulate(model, BlockPlan(4_000, 1_000), 7, SchedulerSpec("sync"))
    return to_datatree(sim.draws, VARIABLE_DIMS, model.coords), sim.moments


def _arviz_only(monkeypatch):
    monkeypatch.setattr(table_module, "fast_path_applies", lambda values: False)


def test_summary_table_is_bit_identical_to_arviz(small_run, monkeypatch):
    tree, moments = small_run
    fast = summary_table(tree, moments, 2025)
    _arviz_only(monkeypatch)
    plain = summary_table(tree, moments, 2025)
    # exact: summary.csv is pinned by digest (tests/test_golden_outputs.py)
    pd.testing.assert_frame_equal(fast, plain, check_exact=True)


def test_summary_table_falls_back_to_arviz_on_nan(small_run, monkeypatch):
    tree, moments = small_run
    calls = []
    real = table_module.fast_path_applies
    monkeypatch.setattr(
        table_module, "fast_path_applies", lambda values: calls.append(1) or real(values)
    )
    bad = tree.copy(deep=True)
    name = "demographic_cost_total_bn"
    post = bad["posterior"].to_dataset()
    post[name][0, 0, ...] = np.nan
    bad["posterior"] = post
    with pytest.raises(FloatingPointError, match=name):
        summary_table(bad, moments, 2025)  # ArviZ's NaN diagnostics are refused, as before
    assert calls  # the fast path was asked and declined
