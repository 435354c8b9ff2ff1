"""Peak memory of one streamed (or gathered) municipal run, in a process of its own.

``python -m benchmarks.memory --config FILE --draws N [--block-size B] [--reducer stream|gather]
[--mode simulate|fold] [--seed S]`` builds the municipal model of ``FILE`` (a configuration with
``population.level: municipality``), places the histogram grids from a pilot as
:func:`mc.workflow.analysis.analyse` does, runs ``N`` draws in-process and prints one JSON object:
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

The benchmark itself (:func:`run`, called by :mod:`benchmarks.municipal`) starts these
processes two at a time: streamed runs at a small and a large number of draws (issue 5's target:
the large one peaks at <= 1.5x the small one's RSS, judged at 10,000 and 100,000 draws), the same
blocks folded, and ``gather`` at the small size; :func:`markdown` is its part of the README.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.machine import KIB, ROOT, proc_kib  # ru_maxrss is in KiB on Linux, as /proc is
from benchmarks.render import gb, table, verdict

Log = Callable[[str], None]
TARGET_MEMORY_RATIO = 1.5
TARGET_MEMORY_DRAWS = (10_000, 100_000)


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
    from mc.workflow.analysis import PILOT_DRAWS, SKETCH_BINS

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


# ---------------------------------------------------------------------------------------------
# The benchmark: runs of :func:`measure` in processes of their own, and the 1.5x target


def measure_in_process(
    config: Path, draws: int, block_size: int, seed: int, reducer: str, mode: str
) -> dict[str, Any]:
    """One :func:`measure` in a process of its own (``python -m benchmarks.memory``)."""
    cmd = [
        sys.executable,
        "-m",
        "benchmarks.memory",
        "--config",
        str(config),
        "--draws",
        str(draws),
        "--block-size",
        str(block_size),
        "--reducer",
        reducer,
        "--mode",
        mode,
        "--seed",
        str(seed),
    ]
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-3:]
        return {
            "draws": draws,
            "reducer": reducer,
            "mode": mode,
            "failed": f"exit {done.returncode}: " + " | ".join(tail),
            "process_seconds": seconds,
        }
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out["process_seconds"] = seconds
    return out


def run(
    config: Path, horizon: int, draws: tuple[int, int], block_size: int, seed: int, log: Log
) -> dict[str, Any]:
    """Peak RSS of streamed runs at two sizes, the fold, and gather at the small size.

    Parameters
    ----------
    config : Path
        A municipal configuration projecting ``horizon`` years.
    horizon : int
        Its years, for the record.
    draws : tuple of int
        The small and the large run.
    block_size : int
        Draws per block.
    seed : int
        Entropy of every run.
    log : callable
        Progress messages.

    Returns
    -------
    dict
        Every run's :func:`measure` output and the target's verdict (:func:`target`).
    """
    small, large = draws
    jobs = [
        ("stream", "simulate", large),
        ("stream", "fold", large),
        ("stream", "simulate", small),
        ("stream", "fold", small),
        ("gather", "simulate", small),
    ]
    # two processes at a time, the long ones first: peak RSS does not depend on sharing the
    # cores (their seconds do)
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(
            pool.map(
                lambda job: measure_in_process(config, job[2], block_size, seed, job[0], job[1]),
                jobs,
            )
        )
    order = {("stream", "simulate"): 0, ("stream", "fold"): 1, ("gather", "simulate"): 2}
    runs.sort(key=lambda r: (order[(r["reducer"], r["mode"])], r["draws"]))
    for r in runs:
        _log_run(r, log)
    by = {(r["reducer"], r["mode"], r["draws"]): r for r in runs}
    return {
        "horizon": horizon,
        "block_size": block_size,
        "draws": [small, large],
        "runs": runs,
        "target": target(by, small, large),
    }


def _peak(run: dict) -> float | None:
    return run.get("peak_rss_bytes")


def target(by: dict, small: int, large: int) -> dict[str, Any]:
    """The large streamed run's peak RSS over the small one's, against the 1.5x target."""
    out: dict[str, Any] = {"ratio_target": TARGET_MEMORY_RATIO, "draws": [small, large]}
    for mode in ("simulate", "fold"):
        a, b = by[("stream", mode, small)], by[("stream", mode, large)]
        if _peak(a) and _peak(b):
            ratio = _peak(b) / _peak(a)
            during = None
            if a.get("peak_rss_during_run_bytes") and b.get("peak_rss_during_run_bytes"):
                during = b["peak_rss_during_run_bytes"] / a["peak_rss_during_run_bytes"]
            out[mode] = {"ratio": ratio, "ratio_during_run": during}
        else:
            out[mode] = {"ratio": None, "why": b.get("skipped") or b.get("failed")}
    ratio = out["simulate"]["ratio"]
    out["judged"] = (small, large) == TARGET_MEMORY_DRAWS
    out["met"] = bool(out["judged"] and ratio is not None and ratio <= TARGET_MEMORY_RATIO)
    return out


def _log_run(r: dict, log: Log) -> None:
    what = f"municipal memory, {r['reducer']} {r['mode']}, {r['draws']:,} draws"
    if "skipped" in r or "failed" in r:
        log(f"{what}: not measured ({r.get('skipped') or r.get('failed')})")
        return
    during = r.get("peak_rss_during_run_bytes")
    log(
        f"{what} ({r['blocks']} blocks, {r['years']} year(s)): peak RSS "
        f"{r['peak_rss_bytes'] / 1e9:.2f} GB (during the run {gb(during)} GB, RSS before it "
        f"{r['rss_before_run_bytes'] / 1e9:.2f} GB), run {r['run_seconds']:.1f} s"
    )


def sentence(t: dict) -> str:
    """Peak RSS of the large streamed run over the small one's, against the 1.5x target."""
    small, large = t["draws"]
    sim, fold = t["simulate"], t["fold"]
    if sim["ratio"] is None:
        measured = f"not measured ({sim.get('why')})"
    else:
        measured = f"{sim['ratio']:.2f}x"
        if sim.get("ratio_during_run"):
            measured += f" ({sim['ratio_during_run']:.2f}x counting only the run's own peak)"
    fold_text = (
        "" if fold["ratio"] is None else f"; one running sum (lower bound): {fold['ratio']:.2f}x"
    )
    said = (
        verdict(t["met"])
        if t["judged"]
        else f"NOT JUDGED ({small:,} vs {large:,} draws, quick mode)"
    )
    return (
        f"Memory target (peak RSS of a streamed run of {TARGET_MEMORY_DRAWS[1]:,} draws <= "
        f"{t['ratio_target']:.1f}x that of {TARGET_MEMORY_DRAWS[0]:,}): {said}: "
        f"{large:,} vs {small:,} draws {measured}{fold_text}."
    )


# ---------------------------------------------------------------------------------------------
# README


def cluster_note(engine: list[dict], model: dict) -> str:
    """What the 1-worker cluster's peak RSS and merge timing say about held histograms."""
    one = engine[0]
    peaks = one.get("worker_peak_rss_bytes")
    if not peaks:
        return ""
    early = one.get("merges_started_before_last_block_ended")
    order = (
        ""
        if early is None
        else f"; {early} of its {one['merges']} merges started before the last block ended"
    )
    held = one["blocks"] * model["histogram_bytes_per_block"]
    return (
        f" On a LocalCluster the merges run on the workers as blocks finish: the single worker "
        f"of the 1-worker run above peaked at {max(peaks.values()) / 1e9:.2f} GB (all its "
        f"{one['blocks']} blocks' histograms would be {held / 1e9:.1f} GB at {model['years']} "
        f"years){order}."
    )


def markdown(mem: dict[str, Any], engine: list[dict], model: dict) -> list[str]:
    """The memory table and what it shows."""
    lines = [
        f"#### Memory of a streamed run ({mem['horizon']} year, blocks of "
        f"{mem['block_size']:,}; one process each, sync scheduler)",
        "",
    ]
    how = {
        "simulate": "`simulate` (into the fixed tree as each finishes)",
        "fold": "one running sum (left fold; lower bound)",
    }
    rows = []
    for r in mem["runs"]:
        head = [r["reducer"], how[r["mode"]], f"{r['draws']:,}"]
        if "skipped" in r or "failed" in r:
            rows.append([*head, "-", f"not measured: {r.get('skipped') or r.get('failed')}"])
            rows[-1] += [""] * 4
            continue
        rows.append(
            [
                *head,
                f"{r['blocks']}",
                gb(r["peak_rss_bytes"]),
                gb(r.get("peak_rss_during_run_bytes")),
                gb(r["rss_before_run_bytes"]),
                gb(r["predicted_kept_bytes"]),
                f"{r['run_seconds']:.1f}",
            ]
        )
    header = ["reducer", "blocks merged", "draws", "blocks", "peak RSS GB (process)"]
    header += ["peak RSS GB (during the run)", "RSS before the run GB"]
    header += ["bound on what is kept GB", "run s"]
    lines += table(header, rows, left=2)
    cells = next((r["cells"] for r in mem["runs"] if "cells" in r), None)
    per_block = None if cells is None else cells * (mem["runs"][0]["bins"] + 2) * 4
    lines += [
        "",
        f"**{sentence(mem['target'])}**",
        "",
        "Peak RSS is the kernel's high-water mark of the resident memory (`VmHWM`) of a process "
        "that builds the model, places the grids and runs the blocks in-process (sync scheduler: "
        "the client is the computation). Not `ru_maxrss`: on Linux a process started by `exec` "
        "from a larger one inherits that one's mark in its rusage, so every child of this "
        "benchmark's own process would report at least that process's peak. *During the run* "
        "resets the mark (`/proc/self/clear_refs`) just before `simulate`, so reading SSB's data "
        "does not hide the run's own peak. Runs go two at a time, which changes their seconds, "
        "not their memory. The bound is the formula `benchmarks/memory.py` checks before starting "
        "a run (it refuses one bound to need more than half the memory available).",
        "",
        "The stream reducer's histograms do not grow with the draws, and the engine merges "
        "each finished block into its fixed tree at once, holding one merged subtree per bit of "
        "the block count"
        + ("" if per_block is None else f" (each {per_block / 1e6:.1f} MB here)")
        + ", so the memory grows with log2 of the blocks, not with the blocks."
        + cluster_note(engine, model)
        + " The running-sum rows are the least any streamed run could hold. With 2,002 bins a "
        f"cell (2,000 and two outside the grid), a block's 16-bit histograms take "
        f"{2002 / 4 / mem['block_size']:.1f}x the bytes of its {mem['block_size']:,} float64 "
        "draws: for small runs, gathering the draws can hold less than streaming.",
    ]
    return lines


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
