"""National runs stream: sketches, exceedance counts, block statistics and the first draws kept.

The same guarantees as the gathered path: bit-identical under every scheduler and worker count,
the kept draws are exactly the stream's first ones, and a checkpoint holds summaries whose size
does not grow with the block's draw count.
"""

import json

import numpy as np
import pytest

from mc.engine import BlockPlan, SchedulerSpec, pilot_grids, simulate
from mc.engine.checkpoint import load_block, save_block
from mc.engine.reduce import PILOT_KEY, Reducer, kept_draws, kept_total
from mc.model.demographic import build_model
from mc.sampling import block_generator

ENTROPY = 987654321
PLAN = BlockPlan(20_000, 5_000)
TOTAL = "demographic_cost_total_bn"
THRESHOLDS = ((TOTAL, 4.0, "above"), (TOTAL, 3.0, "below"), ("not_an_output", 1.0, "above"))


@pytest.fixture(scope="module")
def model(config_2025):
    return build_model(config_2025)


@pytest.fixture(scope="module")
def reducer(model):
    pilot = model.simulate(block_generator(ENTROPY, PILOT_KEY), 200)
    return Reducer("stream", pilot_grids(pilot, bins=20_000), keep=10_000, thresholds=THRESHOLDS)


@pytest.fixture(scope="module")
def gathered(model):
    return simulate(model, PLAN, ENTROPY, SchedulerSpec("sync"))


@pytest.fixture(scope="module")
def streamed(model, reducer):
    return simulate(model, PLAN, ENTROPY, SchedulerSpec("sync"), reducer=reducer)


def assert_identical(a, b):
    for table in ("draws", "counts", "block_mean", "block_m2", "hits"):
        left, right = getattr(a, table), getattr(b, table)
        assert left.keys() == right.keys(), table
        for name in left:
            np.testing.assert_array_equal(left[name], right[name], err_msg=f"{table} {name}")
    for name in a.moments:
        np.testing.assert_array_equal(a.moments[name].mean, b.moments[name].mean, err_msg=name)
        np.testing.assert_array_equal(a.moments[name].m2, b.moments[name].m2, err_msg=name)


@pytest.mark.parametrize(
    "spec",
    [
        SchedulerSpec("threads", workers=2),
        SchedulerSpec("processes", workers=1),
        SchedulerSpec("processes", workers=2),
    ],
    ids=lambda s: s.describe(),
)
def test_streamed_national_run_is_bit_identical_across_schedulers(model, reducer, streamed, spec):
    assert_identical(streamed, simulate(model, PLAN, ENTROPY, spec, reducer=reducer))


def test_the_kept_draws_are_the_first_draws_of_the_stream(streamed, gathered):
    assert streamed.kept == 10_000 and not streamed.complete
    for name, values in streamed.draws.items():
        assert values.shape[:2] == (2, 5_000)
        np.testing.assert_array_equal(values, gathered.draws[name][:2], err_msg=name)


def test_moments_are_those_of_the_gathered_run(streamed, gathered):
    # the same blocks merged in the same fixed tree: bit-identical, not merely close
    for name, m in gathered.moments.items():
        np.testing.assert_array_equal(streamed.moments[name].mean, m.mean)
        np.testing.assert_array_equal(streamed.moments[name].m2, m.m2)


def test_exceedance_counts_are_exact(streamed, gathered):
    every = gathered.draws[TOTAL]
    np.testing.assert_array_equal(streamed.hits["0"], (every > 4.0).sum(axis=(0, 1)))
    np.testing.assert_array_equal(streamed.hits["1"], (every < 3.0).sum(axis=(0, 1)))
    assert "2" not in streamed.hits  # a threshold on a variable the model lacks counts nothing


def test_block_statistics_are_each_blocks_moments(streamed, gathered):
    x = gathered.draws[TOTAL].reshape(4, 5_000, -1)
    np.testing.assert_allclose(streamed.block_mean[TOTAL], x.mean(axis=1), rtol=1e-12)


@pytest.mark.parametrize(
    ("keep", "size", "blocks", "expected"),
    [
        (0, 100, 5, [0, 0, 0, 0, 0]),
        (250, 100, 5, [100, 100, 0, 0, 0]),  # whole blocks only: 200 of the 250
        (40, 100, 5, [40, 0, 0, 0, 0]),  # fewer than a block: the start of block 0
        (10**6, 100, 5, [100] * 5),
    ],
)
def test_kept_draws_per_block(keep, size, blocks, expected):
    assert [kept_draws(k, size, keep) for k in range(blocks)] == expected
    assert kept_total(blocks, size, keep) == sum(expected)


def test_checkpoint_bytes_do_not_depend_on_the_blocks_draws(model, tmp_path):
    pilot = model.simulate(block_generator(ENTROPY, PILOT_KEY), 200)
    grids = pilot_grids(pilot, bins=20_000)
    reducer = Reducer("stream", grids, keep=0, thresholds=THRESHOLDS)
    from mc.engine.blocks import run_block

    sizes = []
    for size in (1_000, 16_000, 70_000):  # 16-bit and 32-bit counts in the block alike
        folder = tmp_path / str(size)
        folder.mkdir()
        summary = run_block(model, ENTROPY, 3, size, reducer)
        path = save_block(folder, summary)
        sizes.append(path.stat().st_size)
        cells = sum(int(np.prod(s)) if s else 1 for s in summary.shapes.values())
        # the national grid is stored whole: cells x (bins + 2) 32-bit counts, set by the grid
        with np.load(path) as saved:
            counts = [saved[k] for k in saved.files if k.startswith("c/")]
        assert sum(c.nbytes for c in counts) == cells * (20_000 + 2) * 4
        loaded = load_block(folder, 3)
        assert loaded.hits.keys() == summary.hits.keys()
        for table in ("counts", "hits", "block_mean"):
            for name, values in getattr(summary, table).items():
                np.testing.assert_array_equal(getattr(loaded, table)[name], values)
                assert getattr(loaded, table)[name].dtype == values.dtype
    assert len(set(sizes)) == 1, sizes


def test_checkpoint_bytes_grow_far_slower_than_the_draws(model, tmp_path):
    pilot = model.simulate(block_generator(ENTROPY, PILOT_KEY), 200)
    reducer = Reducer("stream", pilot_grids(pilot, bins=20_000))
    from mc.engine.blocks import run_block

    sizes = {}
    for size in (2_000, 32_000):
        (tmp_path / str(size)).mkdir()
        path = save_block(tmp_path / str(size), run_block(model, ENTROPY, 0, size, reducer))
        sizes[size] = path.stat().st_size
    # 16x the draws: the trimmed histograms widen only as far as the tails reach (a few bins
    # more per cell) and the counts go from 16- to 32-bit; the draws themselves would grow 16x
    assert sizes[32_000] < 3 * sizes[2_000]


def test_resumed_streamed_run_is_bit_identical_with_its_kept_draws(model, reducer, tmp_path):
    from mc.engine import Checkpoints
    from mc.engine.checkpoint import block_path

    reference = simulate(model, PLAN, ENTROPY, SchedulerSpec("sync"), reducer=reducer)
    store = Checkpoints(tmp_path / "ck", {"entropy": ENTROPY, "keep_draws": reducer.keep})
    simulate(model, PLAN, ENTROPY, SchedulerSpec("sync"), reducer=reducer, checkpoints=store)
    # as if the run had stopped before blocks 1 (one that keeps its draws) and 3 (one that not)
    block_path(tmp_path / "ck", 1).unlink()
    block_path(tmp_path / "ck", 3).unlink()
    resumed = simulate(
        model,
        PLAN,
        ENTROPY,
        SchedulerSpec("threads", workers=2),
        reducer=reducer,
        checkpoints=store,
        resume=True,
    )
    assert resumed.resumed_blocks == 2
    assert_identical(reference, resumed)


def test_resuming_with_other_kept_draws_is_refused(tmp_path):
    from mc.engine import Checkpoints
    from mc.errors import OutputError

    Checkpoints(tmp_path / "ck", {"entropy": 1, "keep_draws": 10_000}).open(resume=False)
    with pytest.raises(OutputError, match="keep_draws: 10000 -> 5000"):
        Checkpoints(tmp_path / "ck", {"entropy": 1, "keep_draws": 5_000}).open(resume=True)


@pytest.mark.parametrize("keep", [0, 20_000])
def test_analyse_records_kept_draws_in_the_checkpoint_identity(config_2025, tmp_path, keep):
    from mc.workflow import RunOptions, analyse

    options = RunOptions(
        draws=4_000, block_size=2_000, seed=1, keep_draws=keep, scheduler=SchedulerSpec("sync")
    )
    analyse(config_2025, options, checkpoint_dir=tmp_path / "ck")
    identity = json.loads((tmp_path / "ck" / "run.json").read_text(encoding="utf-8"))
    assert identity.get("keep_draws") == (keep or None) and identity["reducer"] == "stream"


def test_kept_draws_reach_the_client_outside_the_merge_tree(model, reducer, streamed):
    # the first draws (tens of MB in a national run) are fetched when their block is done; the
    # root the client waits for after the last block is histograms and moments only
    from mc.engine.reduce import MergeStack
    from mc.engine.schedulers import dask_client
    from mc.engine.simulation import _ClientRunner

    with dask_client(SchedulerSpec("threads", workers=2)) as client:
        runner = _ClientRunner(client, model, PLAN, ENTROPY, 0, reducer, None)
        stack = MergeStack(runner.combine)
        runner.run(range(PLAN.n_blocks), stack, None)
        root = stack.root()
        assert root.result().draws is None
        assert sorted(runner.kept) == [0, 1]  # keep=10,000 of blocks of 5,000: two blocks
        whole = runner.result(root)
    assert whole.draws is not None and streamed.draws is not None
    for name, values in streamed.draws.items():
        np.testing.assert_array_equal(whole.draws[name], values, err_msg=name)


def test_client_side_checkpoints_resume_with_kept_draws(model, reducer, tmp_path, monkeypatch):
    # workers that do not see the checkpoint folder: the client saves and loads the blocks, and
    # a loaded block's kept draws leave the tree as a computed block's do
    import mc.engine.simulation as simulation
    from mc.engine import Checkpoints
    from mc.engine.checkpoint import block_path

    monkeypatch.setattr(simulation, "workers_share", lambda client, folder: False)
    reference = simulate(model, PLAN, ENTROPY, SchedulerSpec("sync"), reducer=reducer)
    store = Checkpoints(tmp_path / "ck", {"entropy": ENTROPY, "keep_draws": reducer.keep})
    spec = SchedulerSpec("threads", workers=2)
    first = simulate(model, PLAN, ENTROPY, spec, reducer=reducer, checkpoints=store)
    assert_identical(reference, first)
    block_path(tmp_path / "ck", 1).unlink()  # block 0 (kept draws) loads, block 1 recomputes
    block_path(tmp_path / "ck", 3).unlink()
    resumed = simulate(model, PLAN, ENTROPY, spec, reducer=reducer, checkpoints=store, resume=True)
    assert resumed.resumed_blocks == 2
    assert_identical(reference, resumed)
