"""The national streaming benchmark's recorded results and its README section agree."""

from __future__ import annotations

import json

import numpy as np
import pytest

from benchmarks import national
from benchmarks.scale import depth


def test_readme_section_is_what_national_json_renders_to():
    text = national.README.read_text(encoding="utf-8")
    between = text.split(national.START, 1)[1].split(national.END, 1)[0]
    recorded = json.loads(national.RESULTS.read_text(encoding="utf-8"))
    assert between == "\n" + "\n".join(national.markdown(recorded)) + "\n"


def test_merge_tree_depth_is_that_of_tree_merge():
    from mc.engine.reduce import tree_merge

    for n in (1, 2, 3, 5, 8, 1000, 1024, 1025):
        # combine counts the merges above each leaf: the tree's depth is the root's count
        assert tree_merge([0] * n, lambda a, b: max(a, b) + 1) == depth(n)


def test_fixed_costs_from_a_task_stream():
    # two workers from t=10 to t=20: a waits 0.5 s for a merge's operand (14.0 -> 14.5) and,
    # after its last block, for b's (19.0 -> 19.5) before the final merge; b ends at 19.0
    def task(worker, key, start, stop, action="compute"):
        return {
            "worker": worker,
            "key": key,
            "startstops": [{"action": action, "start": start, "stop": stop}],
        }

    tasks = [
        task("a", "run_block-1", 10.5, 14.0),
        task("a", "merge-1", 14.5, 15.0),
        task("a", "run_block-3", 15.0, 18.0),
        task("b", "run_block-2", 11.0, 16.0),
        task("b", "run_block-4", 16.0, 19.0),
        task("a", "merge-2", 19.5, 19.75),
        task("b", "x", 18.0, 19.0, action="transfer"),
    ]
    fixed = national.fixed_costs(tasks, 10.0, 20.0)
    assert fixed == {
        "start": 0.5,
        "tail": 0.25,
        "imbalance": 1.0,  # a's last block ended at 18, b's at 19
        "idle": (10 - 7.25) + (10 - 8.0),
        "merges": 0.75,
        "scheduling_gaps": 0.5,  # a's wait before merge-1; the wait for b's last block is above
    }
    assert national.fixed_costs([], 0.0, 1.0) == {}


def test_efficiency_is_judged_only_when_the_pairs_bound_their_median():
    def runs(big1):
        return {"repeats": {"big2": [20.0] * len(big1), "big1": big1}}

    above = runs([36.2, 37.0, 38.0, 38.5, 39.0])  # pairs 90.5-97.5 %
    assert national.efficiency_verdict(above, 0.95).startswith("met, the 93.8 % interval")
    below = runs([33.0, 33.5, 34.0, 34.5, 35.9])  # pairs 82.5-89.75 %
    assert national.efficiency_verdict(below, 0.85).startswith("not met")
    straddles = runs([34.0, 36.0, 37.0, 38.0, 40.0])  # pairs 85-100 %
    words = national.efficiency_verdict(straddles, 0.925)
    assert words.startswith("not judged") and "85.0-100.0 %" in words
    assert national.efficiency_verdict(runs([38.0] * 4), 0.95).startswith("not judged: 4 run")
    assert national.efficiency_verdict({}, 0.95) == "met"  # a run without repeats: as before


def test_core_speed_takes_out_only_the_cores_slowing():
    # the same engine in both pairs (2-worker wall = task CPU / 2 + 1 s); in the second pair
    # the cores ran 10 % slower with both busy, which lowers its plain efficiency only
    task1 = [40.0, 40.0]
    task2 = [40.0, 44.0]
    r = {
        "repeats": {"big2": [c / 2 + 1.0 for c in task2], "big1": [t + 0.5 for t in task1]},
        "repeat_task_cpu": {"big2": task2, "big1": task1},
    }
    plain = national.pair_efficiencies(r)
    assert plain[1] < plain[0]
    cores = national.core_speed_pairs(r)
    assert cores[0] == pytest.approx(40.5 / 42.0)
    assert cores[1] == pytest.approx(40.5 / 46.0 * 1.1)  # the engine's 1 s weighs less here
    assert national.core_speed_pairs({"repeats": r["repeats"]}) == []  # older results


@pytest.mark.parametrize("n", [5, 8, 11])
def test_median_interval_covers_the_median_as_often_as_it_says(n):
    # the coverage is exact for any continuous distribution: check it on uniforms, to within
    # four Monte Carlo standard errors of 20,000 samples of n values
    samples = np.sort(np.random.default_rng(n).random((20_000, n)), axis=1)
    low, high, coverage = national.median_interval(list(range(n)))
    covered = np.mean((samples[:, int(low)] <= 0.5) & (samples[:, int(high)] >= 0.5))
    assert coverage >= national.MEDIAN_CONFIDENCE
    assert abs(covered - coverage) < 4 * np.sqrt(coverage * (1 - coverage) / 20_000)


def test_kernel_timers_see_every_kernel_a_block_of_either_view_runs(config_2025):
    # the same-run wall ratio divides by what these timers count: a kernel the blocks stopped
    # looking up where the timer sits would count nothing and make the engine look free
    import importlib
    import time

    from mc.engine.blocks import run_block
    from mc.engine.reduce import Reducer
    from mc.workflow.analysis import run_population
    from mc.workflow.build import build_cost_model
    from mc.workflow.views import other_view_config

    population = run_population(config_2025)
    spent = {name: 0.0 for _, name in national.MODEL_KERNELS}
    originals = national.time_kernels(spent, time.thread_time)
    try:
        for view_config, headline in ((config_2025, True), (other_view_config(config_2025), False)):
            model = build_cost_model(view_config, population, costs_only=not headline)
            run_block(model, 1, 0, 500, Reducer("gather"))
    finally:
        for (module, name), compiled in originals.items():
            setattr(importlib.import_module(module), name, compiled)
    assert all(seconds > 0 for seconds in spent.values()), spent
    assert all(
        getattr(importlib.import_module(module), name) is compiled
        for (module, name), compiled in originals.items()
    )
