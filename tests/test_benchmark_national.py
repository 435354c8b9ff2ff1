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
    # two workers from t=10 to t=20: blocks and one merge, with known gaps and a known tail
    def task(worker, key, start, stop):
        return {
            "worker": worker,
            "key": key,
            "startstops": [{"action": "compute", "start": start, "stop": stop}],
        }

    tasks = [
        task("a", "run_block-1", 10.5, 14.0),
        task("a", "merge-1", 14.5, 15.0),
        task("a", "run_block-3", 15.0, 19.0),
        task("b", "run_block-2", 11.0, 16.0),
        task("b", "run_block-4", 16.0, 18.0),
        {
            "worker": "b",
            "key": "x",
            "startstops": [{"action": "transfer", "start": 18, "stop": 19}],
        },
    ]
    fixed = national.fixed_costs(tasks, 10.0, 20.0)
    assert fixed == {
        "start": 0.5,
        "tail": 1.0,
        "imbalance": 1.0,
        "idle": (10 - 8.0) + (10 - 7.0),
        "merges": 0.5,
        "scheduling_gaps": 0.5,
    }
    assert national.fixed_costs([], 0.0, 1.0) == {}
