"""The merge plan at scale, simulated on many small worker processes (issue 16, ``docs/scale.md``).

``python -m benchmarks.scale [--workers 16] [--blocks 1024] [--block-size 100]`` runs the
national model of ``configs/tbu-2025.yaml`` streamed (as :func:`mc.workflow.analyse` sets it up)
in ``--blocks`` tiny blocks on a LocalCluster of ``--workers`` single-threaded processes, records
Dask's task stream, and checks what ``docs/scale.md`` computes for 1,000 SLURM workers:

- one task per block, and the ``blocks - 1`` merges of the tree joined in
  :func:`~mc.engine.simulation.merge_tasks` tasks (up to four subtrees each: ``(4^k - 1) / 3``
  tasks for ``4^k`` blocks);
- a merge tree of depth ``ceil(log2(blocks))``, i.e. the longest chain of merges above a block,
  run in about half as many tasks;
- the result bit-identical to the same plan run in-process;
- the bytes a merge moves (the pickled summary of a block) and the wall time per task.

It prints one JSON object (and writes ``benchmarks/results/scale.json``). It measures; it never
asserts.
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import time
from typing import Any

import numpy as np

from benchmarks.machine import ROOT, load_average
from benchmarks.render import write_text

CONFIG = ROOT / "configs" / "tbu-2025.yaml"
RESULTS = ROOT / "benchmarks" / "results" / "scale.json"
SEED = 20240321


def depth(n: int) -> int:
    """Merges above the deepest block in :class:`~mc.engine.reduce.MergeStack`'s tree of ``n``."""

    def walk(count: int) -> int:
        # tree_merge pairs neighbours level by level; an odd one out moves up unmerged
        level = [0] * count
        while len(level) > 1:
            nxt = [max(level[i], level[i + 1]) + 1 for i in range(0, len(level) - 1, 2)]
            if len(level) % 2:
                nxt.append(level[-1])
            level = nxt
        return level[0]

    return walk(n)


def main(argv: list[str] | None = None) -> int:
    """Run the simulated plan and print its counts."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--blocks", type=int, default=1024)
    parser.add_argument("--block-size", type=int, default=100)
    args = parser.parse_args(argv)

    from distributed import Client, LocalCluster, get_task_stream

    from mc.engine import BlockPlan, SchedulerSpec, simulate
    from mc.engine.reduce import PILOT_KEY, Reducer, pilot_grids
    from mc.engine.simulation import merge_tasks
    from mc.model.config import load_config
    from mc.sampling import block_generator
    from mc.workflow.analysis import NATIONAL_SKETCH_BINS, run_population
    from mc.workflow.build import build_cost_model

    config = load_config(CONFIG)
    model = build_cost_model(config, run_population(config))
    pilot = model.simulate(block_generator(SEED, PILOT_KEY), 200)
    thresholds = tuple((t.variable, t.threshold, t.direction) for t in config.exceedance)
    reducer = Reducer("stream", pilot_grids(pilot, bins=NATIONAL_SKETCH_BINS), 0, thresholds)
    plan = BlockPlan(args.blocks * args.block_size, args.block_size)
    load_before = load_average()
    reference = simulate(model, plan, SEED, SchedulerSpec("sync"), reducer=reducer)

    with (
        LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        simulate(model, BlockPlan(args.workers, 1), SEED, client=client, reducer=reducer)  # warm
        with get_task_stream(client) as stream:
            start = time.perf_counter()
            result = simulate(model, plan, SEED, client=client, reducer=reducer)
            wall = time.perf_counter() - start
        records = stream.data
    prefixes: dict[str, int] = {}
    for record in records:
        name = str(record["key"]).split("-", 1)[0].strip("('\"")
        prefixes[name] = prefixes.get(name, 0) + 1
    identical = all(
        np.array_equal(result.moments[k].mean, reference.moments[k].mean)
        and np.array_equal(result.moments[k].m2, reference.moments[k].m2)
        and np.array_equal(result.counts[k], reference.counts[k])  # type: ignore[index]
        for k in reference.moments
    )
    from mc.engine.blocks import run_block

    one = run_block(model, SEED, 0, args.block_size, reducer)
    out: dict[str, Any] = {
        "workers": args.workers,
        "blocks": args.blocks,
        "block_size": args.block_size,
        "block_tasks": prefixes.get("run_block", 0),
        "merge_tasks": prefixes.get("merge_nested", 0),
        "expected_merge_tasks": merge_tasks(args.blocks),
        "merges": args.blocks - 1,
        "tree_depth": depth(args.blocks),
        "log2_blocks": math.ceil(math.log2(args.blocks)),
        "bit_identical_to_sync": bool(identical),
        "wall_seconds": wall,
        "seconds_per_task": wall / max(1, len(records)),
        "block_summary_bytes": len(pickle.dumps(one, protocol=5)),
        "task_prefixes": prefixes,
        "load_before": load_before,
        "load_after": load_average(),
    }
    write_text(RESULTS, json.dumps(out, indent=1) + "\n")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
