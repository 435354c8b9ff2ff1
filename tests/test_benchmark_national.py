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
