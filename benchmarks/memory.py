"""Peak memory of one streamed (or gathered) municipal run, in a process of its own.

``python -m benchmarks.memory --config FILE --draws N [--block-size B] [--reducer stream|gather]
[--mode simulate|fold] [--seed S]`` builds the municipal model of ``FILE`` (a configuration with
``population.level: municipality``), places the histogram grids from a pilot as
:func:`mc.summary.pipeline.analyse` does, runs ``N`` draws in-process and prints one JSON object:
the process's peak resident set before and after the run, the run's seconds and the bytes of what
it keeps.

The peak is ``VmHWM`` of ``/proc/self/status``, the kernel's high-water mark of this process's
resident memory; ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` is recorded beside it but is not
this process's own on Linux when a larger process started it (``exec`` carries the replaced
image's mark into the rusage: a child of the benchmark's 1 GB process reports >= 1 GB). Just
before the run the mark is reset (``/proc/self/clear_refs``), so the peak *during the run* is
not hidden by reading SSB's data.

The run uses the ``sync`` scheduler, so the client and the computation are this one process and
its peak RSS is the whole footprint (a LocalCluster's workers would be other processes).

- ``--mode simulate`` runs :func:`mc.engine.simulate` as it is: each finished block is merged
  into the engine's fixed balanced tree at once (:class:`mc.engine.reduce.MergeStack`), so at
  most one merged subtree per bit of the block count is held.
- ``--mode fold`` runs the same blocks with :func:`mc.engine.run_block` and merges each into one
  running summary (:func:`mc.engine.reduce.merge`, a left fold): the least a streamed run can
  hold, as a lower bound to compare with. It is not an engine code path (a left fold is not the
  fixed tree that makes the moments bit-identical across schedulers).

Before running, the bytes the run will keep are bounded by formula (the held subtrees' histograms
for ``simulate`` with ``stream``, one block's and the running sum's for ``fold``, the draws and
their concatenations for ``gather``); a run predicted to need more than half of the memory
available now is not started and the output says so, so that a benchmark never drives a shared
machine into the out-of-memory killer.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.machine import KIB, proc_kib  # ru_maxrss is in KiB on Linux, as /proc is


def status_bytes(field: str) -> int | None:
    """A ``kB`` field of ``/proc/self/status`` (``VmHWM``, ``VmRSS``) in bytes, else ``None``."""
    return proc_kib("/proc/self/status", field)


def ru_maxrss_bytes() -> int:
    """``getrusage(RUSAGE_SELF).ru_maxrss`` in bytes.

    On Linux this is not the process's own peak when it was started by ``exec`` from a larger
    process: ``exec`` records the replaced image's high-water mark in the process's rusage, so
    a child of a 2 GB parent reports at least 2 GB. :func:`peak_rss_bytes` avoids that.
    """
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * KIB


def peak_rss_bytes() -> int:
    """Peak resident set of this process's own memory so far: ``VmHWM``, else ``ru_maxrss``."""
    hwm = status_bytes("VmHWM")
    return ru_maxrss_bytes() if hwm is None else hwm


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark of this process (Linux >= 4.0: ``clear_refs`` 5).

    After it, ``VmHWM`` reports the peak from now on. ``False`` if not possible.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def current_rss_bytes() -> int | None:
    """Resident set of this process now (``VmRSS``), else ``None``."""
    return status_bytes("VmRSS")


def mem_available_bytes() -> int | None:
    """``MemAvailable`` from ``/proc/meminfo``, else ``None``."""
    return proc_kib("/proc/meminfo", "MemAvailable")


def predicted_bytes(
    cells: int, bins: int, blocks: int, block_size: int, reducer: str, mode: str
) -> int:
    """An upper bound of what the run keeps at its peak (see the module docstring).

    ``simulate`` holds one subtree per bit of the block count, plus the new block and a merge
    in the making. ``gather`` concatenates draws at every level: up to three times them.
    """
    # at most 4 bytes a count: 16 bits for a block, 32 once merged counts could pass 65,535
    histogram = cells * (bins + 2) * 4
    draws = block_size * cells * 8
    if reducer == "gather":
        return 3 * blocks * draws
    if mode == "fold":
        return 3 * histogram + draws  # running sum, the new block's, their sum; a block's draws
    return (blocks.bit_length() + 2) * histogram + draws


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Build, predict, run and measure; see the module docstring."""
    from mc.engine import BlockPlan, Reducer, SchedulerSpec, pilot_grids, run_block, simulate
    from mc.engine.reduce import PILOT_KEY, merge
    from mc.model.config import load_config
    from mc.model.municipal import build_municipal_model
    from mc.sampling import block_generator
    from mc.summary.pipeline import PILOT_DRAWS, SKETCH_BINS

    start = time.perf_counter()
    model = build_municipal_model(load_config(args.config))
    pilot = model.simulate(block_generator(args.seed, PILOT_KEY), PILOT_DRAWS)
    grids = pilot_grids(pilot, bins=SKETCH_BINS)
    setup = time.perf_counter() - start
    cells = int(sum(v[0].size for v in pilot.values()))
    del pilot
    plan = BlockPlan(args.draws, args.block_size)
    predicted = predicted_bytes(
        cells, SKETCH_BINS, plan.n_blocks, plan.block_size, args.reducer, args.mode
    )
    out: dict[str, Any] = {
        "draws": plan.draws,
        "block_size": plan.block_size,
        "blocks": plan.n_blocks,
        "reducer": args.reducer,
        "mode": args.mode,
        "scheduler": "sync (in-process): the client is the computation",
        "years": len(model.projection.years),
        "cells": cells,
        "bins": SKETCH_BINS,
        "setup_seconds": setup,
        "predicted_kept_bytes": predicted,
        "rss_before_run_bytes": current_rss_bytes(),
        "peak_rss_before_run_bytes": peak_rss_bytes(),
    }
    available = mem_available_bytes()
    if available is not None and predicted > available // 2:
        out["skipped"] = (
            f"predicted to keep {predicted / 1e9:.1f} GB, more than half of the "
            f"{available / 1e9:.1f} GB available"
        )
        return out

    reducer = Reducer("stream", grids) if args.reducer == "stream" else Reducer()
    out["peak_reset"] = reset_peak_rss()
    start = time.perf_counter()
    if args.mode == "simulate":
        result = simulate(model, plan, args.seed, SchedulerSpec("sync"), reducer=reducer)
        kept = result.counts if args.reducer == "stream" else result.draws
    else:
        acc = None
        for block in range(plan.n_blocks):
            summary = run_block(model, args.seed, block, plan.block_size, reducer)
            acc = summary if acc is None else merge(acc, summary)
            del summary
        assert acc is not None
        kept = acc.counts if args.reducer == "stream" else acc.draws
    out["run_seconds"] = time.perf_counter() - start
    out["ru_maxrss_bytes"] = ru_maxrss_bytes()
    out["result_bytes"] = int(sum(a.nbytes for a in (kept or {}).values()))
    during = peak_rss_bytes()
    # VmHWM after the reset is the peak during the run; the whole process's peak is the larger
    # of it and the peak before (reading the data can be the higher one)
    out["peak_rss_during_run_bytes"] = during if out["peak_reset"] else None
    out["peak_rss_bytes"] = max(during, out["peak_rss_before_run_bytes"])
    out["peak_rss_increase_bytes"] = (
        during - out["rss_before_run_bytes"]
        if out["peak_reset"] and out["rss_before_run_bytes"] is not None
        else None
    )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory", description=__doc__)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--draws", type=int, required=True)
    parser.add_argument("--block-size", type=int, default=500)
    parser.add_argument("--reducer", choices=("stream", "gather"), default="stream")
    parser.add_argument("--mode", choices=("simulate", "fold"), default="simulate")
    parser.add_argument("--seed", type=int, default=20250101)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
