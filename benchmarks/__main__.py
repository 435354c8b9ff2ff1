"""Run the benchmarks: ``python -m benchmarks [--quick] [--out DIR] [--data DIR]``.

Times the kernels (:mod:`benchmarks.kernels`) and the end-to-end engine on the default
configuration, then the population projection on SSB's data (:mod:`benchmarks.projection`; the
folder is ``../shared/data`` unless ``--data`` says otherwise), records the machine, writes
``<out>/latest.json`` and regenerates the results section of ``benchmarks/README.md``. The engine
benchmarks start LocalClusters of processes, whose workers are spawned and re-import this module:
everything runs under the ``__main__`` guard.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CONFIG = ROOT / "configs" / "tbu-2025.yaml"
README = HERE / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"


def log(message: str) -> None:
    print(message, flush=True)


# ---------------------------------------------------------------------------------------------
# Machine


def cpu_model() -> str:
    """CPU model name from ``/proc/cpuinfo`` (Linux), else what :mod:`platform` says."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def git_revision() -> str:
    """``git describe --always --dirty`` of the repository, or ``unknown``."""
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip()


def machine() -> dict[str, Any]:
    """Facts about the machine and the software a result depends on."""
    import dask
    import distributed
    import numba
    import numpy as np

    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "cpu_model": cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": usable,
        "load_average_at_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "dask": dask.__version__,
        "distributed": distributed.__version__,
        "git": git_revision(),
    }


# ---------------------------------------------------------------------------------------------
# Engine


@dataclass(frozen=True)
class EngineSettings:
    """Draws and block size of the end-to-end runs."""

    draws: int
    block_size: int

    @classmethod
    def for_mode(cls, quick: bool) -> EngineSettings:
        """Settings of the full (default) or quick run."""
        return cls(100_000, 25_000) if quick else cls(400_000, 100_000)


def engine_case(
    model: Any, settings: EngineSettings, entropy: int, scheduler: Any, client: Any = None
) -> dict:
    """One end-to-end :func:`mc.engine.simulate` run and its timings.

    ``wall_seconds`` is :class:`~mc.engine.SimulationResult`'s own: from before the blocks are
    submitted (for ``processes``, before the LocalCluster starts) until the draws are assembled
    (after the cluster has shut down; with ``client``, only the run on that running cluster).
    The share not spent inside blocks is
    ``1 - sum(block_seconds) / (wall_seconds * workers)``.
    """
    from mc.engine import BlockPlan, simulate

    plan = BlockPlan(settings.draws, settings.block_size)
    result = simulate(model, plan, entropy, scheduler, client=client)
    workers = 1 if scheduler.kind == "sync" else scheduler.n_workers
    in_blocks = sum(result.block_seconds)
    return {
        "scheduler": result.scheduler,
        "workers": workers,
        "draws": plan.draws,
        "block_size": plan.block_size,
        "blocks": plan.n_blocks,
        "wall_seconds": result.wall_seconds,
        "draws_per_second": plan.draws / result.wall_seconds,
        "block_seconds": result.block_seconds,
        "sum_block_seconds": in_blocks,
        "outside_blocks_share": 1.0 - in_blocks / (result.wall_seconds * workers),
    }


def run_engine(model: Any, settings: EngineSettings, entropy: int) -> list[dict]:
    """Time the engine in-process (sync) and on a 2-process LocalCluster.

    The cluster is timed twice: as :func:`mc.engine.simulate` runs it (start-up and shutdown
    included, workers loading the numba kernel inside their first block), then on a cluster that
    is already running and has done one untimed run, which isolates the per-run overhead.
    """
    from mc.engine import SchedulerSpec
    from mc.engine.schedulers import dask_client

    cases = []
    for spec in (SchedulerSpec("sync"), SchedulerSpec("processes", workers=2)):
        cases.append(engine_case(model, settings, entropy, spec))
        _log_case(cases[-1])
    spec = SchedulerSpec("processes", workers=2)
    with dask_client(spec) as client:
        engine_case(model, settings, entropy, spec, client=client)  # warm the workers
        case = engine_case(model, settings, entropy, spec, client=client)
    case["scheduler"] = f"{spec.describe()}, already running and warm"
    cases.append(case)
    _log_case(case)
    return cases


def _log_case(case: dict) -> None:
    log(
        f"engine {case['scheduler']}: {case['draws']:,} draws in {case['blocks']} blocks, "
        f"wall {case['wall_seconds']:.2f} s -> {case['draws_per_second']:,.0f} draws/s, "
        f"in blocks {case['sum_block_seconds']:.2f} s, "
        f"outside blocks {100 * case['outside_blocks_share']:.0f}% "
        f"(blocks: {', '.join(f'{b:.2f}' for b in case['block_seconds'])} s)"
    )


# ---------------------------------------------------------------------------------------------
# Output


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp creates the file readable by its owner only; keep the mode the file had, or 0644.
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _rate(x: float) -> str:
    return f"{x:,.0f}"


def markdown(results: dict) -> str:
    """The results section of the README: machine, kernel, memory and engine tables."""
    m, k = results["machine"], results["kernels"]
    loads = m["load_average_at_start"]
    lines = [
        f"Last run: {results['finished_utc']} ({results['mode']} mode, git `{m['git']}`), "
        f"`python -m benchmarks{' --quick' if results['mode'] == 'quick' else ''}`.",
        "",
        f"- CPU: {m['cpu_model']}, {m['logical_cores']} logical cores "
        f"({m['usable_cores']} usable by this process)"
        + (f"; load average at start {loads[0]:.2f}" if loads else ""),
        f"- {m['platform']}; Python {m['python']}, numpy {m['numpy']}, numba {m['numba']}, "
        f"dask {m['dask']}, distributed {m['distributed']}",
        f"- numba kernel, first call in the process: {k['numba_first_call']['seconds']:.3f} s "
        f"({k['numba_first_call']['source']}); excluded from the timings below",
        "",
        "### Kernels (one call, one core)",
        "",
        "| implementation | draws per call | best s | median s | draws/s (best) "
        "| draws/s (median) | s per 100k draws (best) | numba speed-up (best) |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    numba_rate = k["timings"]["numba"]["draws_per_second_best"]
    labels = {"numba": "numba kernel", "numpy": "NumPy reference", "python": "Python loop"}
    for name, t in k["timings"].items():
        lines.append(
            f"| {labels[name]} | {t['draws']:,} | {t['best_seconds']:.4f} "
            f"| {t['median_seconds']:.4f} | {_rate(t['draws_per_second_best'])} "
            f"| {_rate(t['draws_per_second_median'])} | {t['seconds_per_100k_best']:.3f} "
            f"| {numba_rate / t['draws_per_second_best']:,.1f}x |"
        )
    reps = {t["repeats"] for t in k["timings"].values()}
    diffs = k["max_rel_diff_from_numpy"]
    lines += [
        "",
        f"Best and median of {', '.join(map(str, sorted(reps)))} calls. Largest relative "
        "difference from NumPy on the same draws: "
        + ", ".join(f"{name} {v:.1e}" for name, v in diffs.items())
        + ".",
        "",
        "### Memory of one block call",
        "",
        "| implementation | draws | tracemalloc peak MB | output arrays MB |",
        "|---|--:|--:|--:|",
    ]
    for name, mem in k["memory"].items():
        lines.append(
            f"| {labels[name]} | {mem['draws']:,} | {mem['tracemalloc_peak_bytes'] / 1e6:.1f} "
            f"| {mem['output_bytes'] / 1e6:.1f} |"
        )
    lines += [
        "",
        "Both peaks are comparable: numba's runtime allocates through `PyMem_RawMalloc`, which "
        "tracemalloc traces like NumPy's buffers. The numba kernel allocates only its output "
        "arrays and two work vectors of J + K floats; the NumPy reference also holds the "
        "(n, 4 + J + K) latent normals and broadcast temporaries of the (n, S, K) costs.",
        "",
        "### Engine (end to end, default configuration)",
        "",
        "| scheduler | draws | blocks | wall s | draws/s | sum of block s "
        "| wall share outside blocks |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for case in results["engine"]:
        lines.append(
            f"| {case['scheduler']} | {case['draws']:,} | {case['blocks']} x "
            f"{case['block_size']:,} | {case['wall_seconds']:.2f} "
            f"| {_rate(case['draws_per_second'])} | {case['sum_block_seconds']:.2f} "
            f"| {100 * case['outside_blocks_share']:.0f}% |"
        )
    lines += [
        "",
        "Wall time includes starting and closing the LocalCluster, except in the last row "
        "(a cluster started beforehand that has done one untimed run). The first block on each "
        "fresh worker includes loading the numba kernel. The share outside blocks is "
        "`1 - sum(block_seconds) / (wall_seconds x workers)`: for the cluster, Dask overhead "
        "(cluster start-up and shutdown, scattering the model, task dispatch, returning the "
        "draws) plus idle workers; for `sync`, stacking the blocks and merging moments.",
    ]
    return "\n".join(lines)


README_TEMPLATE = f"""# Benchmarks

Run `make bench` (or `python -m benchmarks`); `make bench-quick` runs a smaller version.

{START}
{END}
"""


def update_readme(section: str, path: Path = README) -> None:
    """Replace the text between the results markers of ``path`` with ``section``."""
    text = path.read_text(encoding="utf-8") if path.exists() else README_TEMPLATE
    if START not in text or END not in text:
        text = text.rstrip("\n") + f"\n\n## Results\n\n{START}\n{END}\n"
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    write_atomic(path, f"{head}{START}\n{section}\n{END}{tail}")


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer draws and repeats")
    parser.add_argument(
        "--out",
        type=Path,
        default=HERE / "results",
        help="folder for latest.json (default: benchmarks/results)",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="SSB data folder for the projection benchmark (default: ../shared/data)",
    )
    args = parser.parse_args(argv)

    from benchmarks import kernels, projection
    from mc.model.config import load_config
    from mc.model.demographic import build_model

    started = dt.datetime.now(dt.UTC)
    facts = machine()
    log(
        f"{facts['cpu_model']}, {facts['logical_cores']} cores, Python {facts['python']}, "
        f"numpy {facts['numpy']}, numba {facts['numba']}"
    )
    config = load_config(CONFIG)
    model = build_model(config)
    entropy = config.run.seed if config.run.seed is not None else 20240321
    quick = args.quick

    kernel_results = kernels.run(model.inputs, kernels.KernelSettings.for_mode(quick, entropy), log)
    engine_results = run_engine(model, EngineSettings.for_mode(quick), entropy)
    projection_results = projection.run(
        args.data or projection.default_data_dir(ROOT),
        projection.ProjectionBenchSettings.for_mode(quick, entropy),
        log,
    )

    results = {
        "mode": "quick" if quick else "full",
        "started_utc": started.isoformat(timespec="seconds"),
        "finished_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "config": str(CONFIG.relative_to(ROOT)),
        "entropy": entropy,
        "machine": facts,
        "kernels": kernel_results,
        "engine": engine_results,
        "projection": projection_results,
    }
    out = args.out / "latest.json"
    write_atomic(out, json.dumps(results, indent=2) + "\n")
    update_readme(markdown(results) + "\n\n" + projection.markdown(projection_results))
    log(f"wrote {out} and {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
