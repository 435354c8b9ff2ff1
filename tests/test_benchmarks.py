"""The benchmarks' shared helpers and renderer (nothing here times anything or starts a cluster)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from benchmarks import render, timing
from benchmarks.__main__ import readme_section
from benchmarks.machine import proc_kib
from benchmarks.targets import judge

HERE = Path(__file__).resolve().parents[1] / "benchmarks"
LATEST = HERE / "results" / "latest.json"


@pytest.fixture(scope="module")
def latest() -> dict:
    return json.loads(LATEST.read_text(encoding="utf-8"))


def test_readme_is_what_latest_json_renders_to(latest):
    # the committed README and latest.json come from the same run: rendering one gives the other
    text = render.README.read_text(encoding="utf-8")
    between = text.split(render.START, 1)[1].split(render.END, 1)[0]
    assert between == f"\n{readme_section(latest)}\n"


def test_judge_gives_the_verdicts_recorded_with_the_results(latest):
    assert judge(latest) == latest["targets"]


def test_judge_does_not_judge_what_was_skipped(latest):
    results = {**latest, "municipal": {"skipped": "data folder x not found"}}
    rows = judge(results)
    assert [r["status"] for r in rows[-4:]] == ["not measured"] * 4
    assert all(r["measured"] == "data folder x not found" for r in rows[-4:])


def test_time_calls_gives_every_call_the_same_draws():
    seen = []
    seconds = timing.time_calls(lambda rng: seen.append(rng.standard_normal(3)), 7, 4)
    assert len(seconds) == 4 and all(s >= 0 for s in seconds)
    assert all(np.array_equal(seen[0], s) for s in seen[1:])


def test_throughput_is_best_and_median_per_draw():
    t = timing.throughput([2.0, 1.0, 4.0], 10)
    assert (t["best_seconds"], t["median_seconds"], t["repeats"]) == (1.0, 2.0, 3)
    assert t["draws_per_second_best"] == 10.0 and t["draws_per_second_median"] == 5.0
    assert t["seconds_per_draw_best"] == 0.1 and t["seconds_per_100k_median"] == 2e4


@pytest.mark.parametrize(
    ("hits", "misses", "source"),
    [({"sig": 1}, {}, "loaded from cache"), ({}, {"sig": 1}, "compiled"), ({}, {}, "compiled")],
)
def test_numba_first_call_tells_a_cache_load_from_a_compile(hits, misses, source):
    calls = []
    dispatcher = SimpleNamespace(stats=SimpleNamespace(cache_hits=hits, cache_misses=misses))
    out = timing.numba_first_call(lambda: calls.append(1), dispatcher)
    assert calls == [1] and out["source"] == source and out["seconds"] >= 0


def test_traced_peak_sees_an_array_allocated_in_the_call():
    peak, out = timing.traced_peak(lambda: np.ones(1_000_000))
    # NumPy reports its buffers to tracemalloc, so the peak holds at least the 8 MB array
    assert out.shape == (1_000_000,) and peak >= out.nbytes


def test_table_aligns_text_left_and_numbers_right():
    lines = render.table(["a", "b", "n"], [["x", "y", "1"]], left=2)
    assert lines == ["| a | b | n |", "|---|---|--:|", "| x | y | 1 |"]


def test_update_readme_replaces_only_the_section(tmp_path):
    path = tmp_path / "README.md"
    path.write_text(f"intro\n{render.START}\nold\n{render.END}\noutro\n", encoding="utf-8")
    render.update_readme("new", path)
    assert path.read_text(encoding="utf-8") == f"intro\n{render.START}\nnew\n{render.END}\noutro\n"


def test_update_readme_adds_the_markers_where_missing(tmp_path):
    path = tmp_path / "README.md"
    path.write_text("# Notes\n", encoding="utf-8")
    render.update_readme("first", path)
    assert path.read_text(encoding="utf-8").endswith(
        f"\n\n## Results\n\n{render.START}\nfirst\n{render.END}\n"
    )


def test_write_text_creates_the_folder(tmp_path):
    path = render.write_text(tmp_path / "results" / "latest.json", "{}\n")
    assert path.read_text(encoding="utf-8") == "{}\n"
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temporary left


def test_proc_kib_reads_kilobytes_as_bytes(tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       100 kB\nMemAvailable:    25 kB\n")
    assert proc_kib(str(meminfo), "MemAvailable") == 25 * 1024
    assert proc_kib(str(meminfo), "VmHWM") is None
    assert proc_kib(str(tmp_path / "missing"), "MemTotal") is None


def test_the_municipal_benchmarks_configuration_passes_its_as_of_check(tmp_path):
    # cost year 2030 from a fit at 2024: the projection must start at the population public by
    # as_of, not read the cost year's (the full benchmark run once failed on exactly that)
    from benchmarks import municipal
    from mc.model.config import load_config

    config = load_config(municipal.write_config(tmp_path, 6))
    assert config.cost_year == 2030
    assert config.population_years() == (municipal.ORIGIN,)
