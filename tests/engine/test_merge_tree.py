"""The merge tree: built while blocks arrive, equal to the fixed balanced tree, bounded memory."""

import numpy as np
import pytest

from mc.engine import BlockPlan, Reducer, SchedulerSpec, pilot_grids, simulate
from mc.engine.moments import Moments
from mc.engine.reduce import BlockSummary, MergeStack, _count_dtype, merge, tree_merge
from mc.model.demographic import build_model


def pair(a: str, b: str) -> str:
    return f"({a},{b})"


@pytest.mark.parametrize("n", range(1, 301))
def test_merge_stack_builds_the_fixed_tree(n):
    items = [str(i) for i in range(n)]
    stack = MergeStack(pair)
    for item in items:
        stack.push(item)
    assert stack.root() == tree_merge(items, pair)
    assert len(stack.held) == bin(n).count("1")  # one subtree per set bit of n, no more


def test_root_leaves_the_stack_ready_for_more():
    stack = MergeStack(pair)
    for item in "0123":
        stack.push(item)
    assert stack.root() == "((0,1),(2,3))"
    stack.push("4")
    assert stack.root() == "(((0,1),(2,3)),4)" == tree_merge(list("01234"), pair)
    with pytest.raises(ValueError, match="nothing to merge"):
        MergeStack(pair).root()


def test_sync_run_holds_log2_blocks_not_all(config_2025, monkeypatch):
    """The sync path merges as blocks finish: never more than log2(blocks) + 1 summaries alive."""
    model = build_model(config_2025)
    grids = pilot_grids(model.simulate(np.random.default_rng(0), 500), bins=200)
    alive, peak = set(), [0]
    original = Reducer.summarize

    def counted(self, block, draws, seconds):
        summary = original(self, block, draws, seconds)
        alive.add(id(summary))
        peak[0] = max(peak[0], len(alive))
        return summary

    def merged(a, b):
        alive.discard(id(a))
        alive.discard(id(b))
        return merge(a, b)

    monkeypatch.setattr(Reducer, "summarize", counted)
    monkeypatch.setattr("mc.engine.simulation.merge", merged)
    result = simulate(
        model, BlockPlan(32 * 200, 200), 3, SchedulerSpec("sync"), reducer=Reducer("stream", grids)
    )
    assert result.plan.n_blocks == 32
    assert peak[0] <= 6  # 5 held subtrees (sizes 16, 8, 4, 2, 1) + the block just run


def summary(draws: int, counts: np.ndarray) -> BlockSummary:
    m = Moments(draws, np.zeros(1), np.zeros(1), np.zeros(1), np.zeros(1))
    return BlockSummary(0, 1, {"x": m}, [0.0], counts={"x": counts})


def test_counts_widen_only_when_they_could_overflow():
    small = np.ones((1, 4), dtype=np.uint16)
    for draws, dtype in ((1000, np.uint16), (40_000, np.uint32), (2**32 - 10, np.int64)):
        a, b = summary(draws, small), summary(draws, small)
        b.first = 1
        out = merge(a, b).counts["x"]
        assert out.dtype == dtype, draws  # 2 x draws must fit
        assert out.sum() == 8
    # a full 16-bit block: 65,535 draws in one cell's bin still counts exactly
    counts = np.zeros((1, 4), dtype=_count_dtype(65_535))
    from mc.kernels.sketch import bin_into

    bin_into(np.full((65_535, 1), 0.5), np.zeros(1), np.ones(1), counts)
    assert counts.dtype == np.uint16 and counts[0, 2] == 65_535


def test_streamed_block_moments_equal_moments_of_its_draws():
    # the stream reducer computes moments inside the histogram kernel; they must be the very
    # numbers Moments.of gives (the gather path and older checkpoints use those)
    rng = np.random.default_rng(4)
    draws = {"a": rng.normal(size=(30_000, 3, 2)), "b": rng.gamma(2.0, size=(30_000, 4))}
    reducer = Reducer("stream", pilot_grids({k: v[:200] for k, v in draws.items()}, bins=50))
    summary = reducer.summarize(0, draws, 0.0)
    for name, values in draws.items():
        want, got = Moments.of(values), summary.moments[name]
        assert got.count == want.count
        for part in ("mean", "m2", "min", "max"):
            np.testing.assert_array_equal(getattr(got, part), getattr(want, part))
            assert getattr(got, part).shape == values.shape[1:]


class _Done:
    """A finished future of the fake client below."""

    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


class _FakeClient:
    """Runs what is submitted at once, and counts the merge tasks."""

    def __init__(self):
        self.merges = 0

    def scatter(self, value, **_):
        return _Done(value)

    def submit(self, fn, *args, **_):
        self.merges += fn.__name__ == "merge_nested"
        return _Done(fn(*(a.result() if isinstance(a, _Done) else a for a in args)))


@pytest.mark.parametrize("n", range(1, 301))
def test_cluster_merges_join_the_fixed_tree_in_fewer_tasks(n, monkeypatch):
    from mc.engine import simulation

    monkeypatch.setattr(simulation, "merge", pair)
    client = _FakeClient()
    runner = simulation._ClientRunner(client, None, BlockPlan(n, 1), 0, 0, Reducer(), None)
    stack = MergeStack(runner.combine)
    for i in range(n):
        stack.push(_Done(str(i)))
    assert len(stack.held) == bin(n).count("1")  # still one subtree per set bit of n
    assert runner.result(stack.root()) == tree_merge([str(i) for i in range(n)], pair)
    assert client.merges == simulation.merge_tasks(n)
    # each task joins up to four subtrees: about a third of the n - 1 merges
    assert client.merges <= max(0, n - 1) // 3 + bin(n).count("1")
    if n & (n - 1) == 0 and n.bit_length() % 2:  # n a power of four
        assert client.merges == (n - 1) // 3


def test_a_cluster_run_of_many_blocks_equals_the_sync_run(config_2025):
    model = build_model(config_2025)
    grids = pilot_grids(model.simulate(np.random.default_rng(0), 500), bins=200)
    reducer = Reducer("stream", grids, keep=400)
    plan = BlockPlan(11 * 200, 200)  # 11 blocks: fused merges of 4, 2 and odd subtrees
    want = simulate(model, plan, 3, SchedulerSpec("sync"), reducer=reducer)
    got = simulate(model, plan, 3, SchedulerSpec("threads", workers=2), reducer=reducer)
    for name, m in want.moments.items():
        for part in ("mean", "m2", "min", "max"):
            np.testing.assert_array_equal(getattr(got.moments[name], part), getattr(m, part))
        np.testing.assert_array_equal(got.counts[name], want.counts[name])
        np.testing.assert_array_equal(got.block_mean[name], want.block_mean[name])
        np.testing.assert_array_equal(got.draws[name], want.draws[name])
    assert got.block_seconds != [] and len(got.block_seconds) == 11
