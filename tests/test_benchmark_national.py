"""The national streaming benchmark's recorded results and its README section agree."""

from __future__ import annotations

import json

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


def test_efficiency_is_judged_only_when_the_run_pairs_agree():
    def runs(big2, big1):
        return {"repeats": {"big2": big2, "big1": big1}}

    steady = runs([20.0, 20.0, 21.0], [38.0, 37.0, 39.0])  # pairs 95.0, 92.5, 92.9 %
    assert national.efficiency_verdict(steady, 0.929) == "met"
    assert national.efficiency_verdict(steady, 0.85) == "not met"
    unsteady = runs([20.0, 26.0, 20.0], [42.0, 36.0, 38.0])  # pairs 105.0, 69.2, 95.0 %
    words = national.efficiency_verdict(unsteady, 0.95)
    assert words.startswith("not judged") and "36 points" in words
    assert national.efficiency_verdict({}, 0.95) == "met"  # a run without repeats: as before
