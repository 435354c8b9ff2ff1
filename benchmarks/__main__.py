"""Run the benchmarks: ``python -m benchmarks [--quick] [--out DIR] [--data DIR]``.

Times the kernels (:mod:`benchmarks.kernels`), the same model as a monaco ``Sim`` where monaco is
installed (:mod:`benchmarks.monaco_sim`) and the end-to-end engine on the default configuration,
then the population projection on SSB's data (:mod:`benchmarks.projection`; the folder is
``../shared/data`` unless ``--data`` says otherwise) and the municipal demographic-cost run of
issue 5 (:mod:`benchmarks.municipal`: parallel efficiency, Dask overhead, the 10,000-draw run and
the memory of streamed runs). Records the machine, judges issue 5's targets, writes
``<out>/latest.json`` and ``<out>/throughput.png`` and regenerates the results section of
``benchmarks/README.md``. The engine benchmarks start LocalClusters of processes, whose workers
are spawned and re-import this module: everything runs under the ``__main__`` guard.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import run_facts

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


def memory_total_bytes() -> int | None:
    """``MemTotal`` from ``/proc/meminfo`` (Linux), else ``None``."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages, where the system has them."""
    return list(os.getloadavg()) if hasattr(os, "getloadavg") else None


def machine() -> dict[str, Any]:
    """Facts about the machine and the software a result depends on."""
    from importlib.metadata import PackageNotFoundError, version

    import dask
    import distributed
    import numba
    import numpy as np

    try:
        monaco_version: str | None = version("monaco")
    except PackageNotFoundError:
        monaco_version = None
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "cpu_model": cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": usable,
        "memory_total_bytes": memory_total_bytes(),
        "load_average_at_start": load_average(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "dask": dask.__version__,
        "distributed": distributed.__version__,
        "monaco": monaco_version,
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
    return {"scheduler": result.scheduler, **run_facts(result, workers)}


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


def _fastest(e: dict[str, Any]) -> str:
    """How the efficiency's times were picked, when each cluster ran the plan several times."""
    runs = len(e.get("overhead_shares_2_workers", []))
    return f", fastest of {runs} runs each" if runs > 1 else ""


def _runs(e: dict[str, Any]) -> str:
    """Every timed 2-worker run's overhead, when there were several (the worst is judged)."""
    shares = e.get("overhead_shares_2_workers", [])
    if len(shares) < 2:
        return ""
    return f" (worst of {len(shares)} runs: " + ", ".join(f"{100 * v:.1f}%" for v in shares) + ")"


def _warm(target: dict[str, Any]) -> str:
    """The warm-cluster time of the municipal results (older results lack its draws)."""
    draws = target.get("warm_draws")
    seconds = target["warm_wall_seconds"]
    return f"{seconds:.1f} s warm" if draws is None else f"warm {draws:,} draws in {seconds:.1f} s"


def _floor_sentence(split: dict[str, Any], timings: dict[str, Any]) -> str:
    """What drawing the normals (and taking the exponentials) allows: the largest speed-ups."""
    normals = split["normals"]
    draws, normals_s = normals["draws"], normals["best_seconds"]
    numpy_s = timings["numpy"]["best_seconds"]
    loop_s = draws / timings["python"]["draws_per_second_best"]  # the loop at the same draws
    model_ns = (timings["numba"]["best_seconds"] - normals_s) / draws * 1e9
    text = (
        f"The floor this sets: a kernel that drew the normals and did nothing else would be "
        f"{numpy_s / normals_s:.2f}x the NumPy reference and {loop_s / normals_s:.0f}x the loop. "
        f"For 3x NumPy the numba call would have to finish in {numpy_s / 3:.4f} s, "
        f"{'less' if numpy_s / 3 < normals_s else 'little more'} than drawing its inputs "
        f"takes ({normals_s:.4f} s); for 100x the loop, in {loop_s / 100:.4f} s, leaving "
        f"{max(loop_s / 100 - normals_s, 0.0) / draws * 1e9:.0f} ns per draw for the model "
        f"itself (numba now spends {model_ns:.0f} ns)."
    )
    if "exponentials" in split:
        e = split["exponentials"]
        both = normals_s + e["best_seconds"]
        text += (
            f" Its {e['per_draw']} exponentials alone, compiled by numba, take "
            f"{e['best_seconds'] / draws * 1e9:.0f} ns a draw: a kernel that drew the normals and "
            f"took the exponentials, with everything else free, would be {numpy_s / both:.2f}x "
            f"NumPy and {loop_s / both:.0f}x the loop."
        )
    return text


def _rate(x: float) -> str:
    return f"{x:,.0f}"


# ---------------------------------------------------------------------------------------------
# Issue 5's targets

MET, NOT_MET, NOT_JUDGED = "met", "NOT MET", "not judged"
KERNEL_TARGETS = {"numba_over_numpy": 3.0, "numba_over_python": 100.0}


def _status(met: bool, judged: bool = True) -> str:
    return (MET if met else NOT_MET) if judged else NOT_JUDGED


def targets(results: dict) -> list[dict[str, str]]:
    """Issue 5's targets, each with what this run measured and whether it is met."""
    sp = results["kernels"]["speedup"]
    rows = []
    for key, label in (
        ("numba_over_numpy", "the NumPy reference"),
        ("numba_over_python", "the plain-Python per-draw loop"),
    ):
        goal = KERNEL_TARGETS[key]
        best, median = sp[f"{key}_best"], sp[f"{key}_median"]
        at_block = sp.get(f"{key}_at_block_size_best")
        size = results["kernels"]["settings"].get("block_draws")
        rows.append(
            {
                "target": f"numba kernel >= {goal:g}x {label} (national model, one core)",
                "measured": f"{best:,.1f}x (best times; medians {median:,.1f}x)"
                + (
                    f"; {at_block:,.1f}x at the configuration's block size of {size:,} draws"
                    f" ({_status(at_block >= goal)} there)"
                    if at_block is not None
                    else ""
                ),
                "status": _status(best >= goal),
            }
        )
    rows += _projected_targets(results.get("projected"))
    mon = results.get("monaco", {})
    if mon.get("installed"):
        numba = results["kernels"]["timings"]["numba"]["draws_per_second_best"]
        rows.append(
            {
                "target": "monaco on the same model, side by side (no target)",
                "measured": f"{mon['cases_per_second']:,.0f} cases/s; numba kernel "
                f"{numba / mon['cases_per_second']:,.0f}x faster",
                "status": "recorded",
            }
        )
    else:
        rows.append(
            {
                "target": "monaco on the same model, side by side (no target)",
                "measured": f"monaco not installed: {mon.get('reason', 'not run')}",
                "status": "not measured",
            }
        )
    mun = results.get("municipal", {})
    if "skipped" in mun or not mun:
        why = mun.get("skipped", "not run")
        rows += [
            {"target": t, "measured": why, "status": "not measured"}
            for t in ("parallel efficiency", "Dask overhead", "municipal run", "memory")
        ]
        return rows
    e, g, mt = mun["efficiency"], mun["target"], mun["memory"]["target"]
    quick = "" if e["judged"] else f" (T2 {e['t2_seconds']:.1f} s < 20 s: not judged)"
    rows += [
        {
            "target": "parallel efficiency 1 -> 2 workers >= 80% (runs of >= 20 s)",
            "measured": f"{100 * e['efficiency']:.1f}% (T1 {e['t1_seconds']:.1f} s, "
            f"T2 {e['t2_seconds']:.1f} s{_fastest(e)}){quick}",
            "status": _status(e["met"], e["judged"]),
        },
        {
            "target": "Dask overhead <= 5% of wall time (2 workers)",
            "measured": f"{100 * e['overhead_share_2_workers']:.1f}%{_runs(e)}{quick}",
            "status": _status(e["overhead_met"], e["judged"]),
        },
        {
            "target": "municipal run, 357 municipalities x 6 years x 10,000 draws <= 60 s on 2 "
            "cores",
            "measured": f"{g['cold_wall_seconds']:.1f} s cold ("
            f"{g['cold_with_build_and_pilot_seconds']:.1f} s with model and pilot), "
            f"{_warm(g)}"
            + ("" if g["measured_at_target_draws"] else f", {g['measured_draws']:,} draws"),
            "status": _status(g["met"], g["measured_at_target_draws"]),
        },
    ]
    small, large = mt["draws"]
    sim = mt["simulate"]
    measured = (
        f"{large:,} vs {small:,} draws ({mun['memory']['horizon']} year): "
        + (f"{sim['ratio']:.2f}x" if sim["ratio"] is not None else f"not measured ({sim['why']})")
        + (
            f"; {sim['ratio_during_run']:.2f}x counting only the run's own peak"
            if sim.get("ratio_during_run")
            else ""
        )
    )
    rows.append(
        {
            "target": "peak memory, streamed run of 100,000 draws <= 1.5x that of 10,000",
            "measured": measured,
            "status": _status(mt["met"], mt["judged"]),
        }
    )
    return rows


def _projected_targets(projected: dict | None) -> list[dict[str, str]]:
    """The kernel targets again, on the national model that draws its population."""
    if not projected or "speedup" not in projected:
        return []
    sp = projected["speedup"]
    rows = []
    for key, label in (
        ("numba_over_numpy", "the NumPy reference"),
        ("numba_over_python", "the plain-Python per-draw loop"),
    ):
        goal = KERNEL_TARGETS[key]
        rows.append(
            {
                "target": f"numba >= {goal:g}x {label} (national model on the stochastic "
                "projection, one core)",
                "measured": f"{sp[f'{key}_best']:,.1f}x (best times; medians "
                f"{sp[f'{key}_median']:,.1f}x)",
                "status": _status(sp[f"{key}_best"] >= goal),
            }
        )
    return rows


def targets_markdown(rows: list[dict[str, str]]) -> list[str]:
    """The targets as a table."""
    lines = ["| target (issue 5) | measured | verdict |", "|---|---|---|"]
    for r in rows:
        verdict = f"**{r['status']}**" if r["status"] in (MET, NOT_MET) else r["status"]
        lines.append(f"| {r['target']} | {r['measured']} | {verdict} |")
    return lines


def monaco_markdown(results: dict) -> list[str]:
    """The side-by-side section: the kernels and monaco, with the figure."""
    from benchmarks.figure import throughput_bars

    mon = results["monaco"]
    k = results["kernels"]
    lines = ["### Side by side with monaco (one core)", ""]
    if not mon.get("installed"):
        return [*lines, f"monaco was not run: it does not import here ({mon['reason']})."]
    bars = throughput_bars(k, mon)
    numba = bars[0][1]
    lines += ["| implementation | draws/s | numba kernel is |", "|---|--:|--:|"]
    lines += [
        f"| {label} | {_rate(rate)} | " + ("-" if i == 0 else f"{numba / rate:,.1f}x faster") + " |"
        for i, (label, rate) in enumerate(bars)
    ]
    figure = results.get("figure")
    lines += [
        "",
        f"monaco {mon['version']}: a `Sim` of {mon['settings']['cases']:,} cases with one `InVar` "
        f"(`scipy.stats.norm`, `SampleMethod.RANDOM`) per latent normal ({mon['invars']}), "
        "`singlethreaded=True`, `verbose=False`, and the per-case arithmetic of the Python loop in "
        f"its `run` function; timed around `runSim` ({mon['run_sim_seconds']:.2f} s, of which "
        f"drawing the InVars takes about {mon['draw_vars_seconds']:.2f} s). Fed the kernels' own "
        "normals (`InVar(vals=...)`), its outputs differ from NumPy's by at most "
        f"{mon['max_rel_diff_from_numpy']:.1e} (relative). The other three rows are the best "
        "times of the kernel table above.",
    ]
    if figure:
        lines += ["", f"![Draws per second, log scale]({figure})"]
    return lines


def markdown(results: dict) -> str:
    """The results section of the README: machine, targets, kernel, memory and engine tables."""
    m, k = results["machine"], results["kernels"]
    loads, loads_end = m["load_average_at_start"], results.get("load_average_at_end")
    memory = m.get("memory_total_bytes")
    lines = [
        f"Last run: {results['finished_utc']} ({results['mode']} mode, git `{m['git']}`), "
        f"`python -m benchmarks{' --quick' if results['mode'] == 'quick' else ''}`, "
        f"{results['seconds'] / 60:.1f} minutes.",
        "",
        f"- CPU: {m['cpu_model']}, {m['logical_cores']} logical cores "
        f"({m['usable_cores']} usable by this process)"
        + (f", {memory / 2**30:.1f} GiB of memory" if memory else "")
        + (
            f"; load average (1, 5, 15 min) at start {', '.join(f'{x:.2f}' for x in loads)}"
            if loads
            else ""
        )
        + (f", at the end {', '.join(f'{x:.2f}' for x in loads_end)}" if loads_end else ""),
        f"- {m['platform']}; Python {m['python']}, numpy {m['numpy']}, numba {m['numba']}, "
        f"dask {m['dask']}, distributed {m['distributed']}, monaco "
        f"{m.get('monaco') or 'not installed'}",
        f"- numba kernel, first call in the process: {k['numba_first_call']['seconds']:.3f} s "
        f"({k['numba_first_call']['source']}); excluded from the timings below",
        "",
        "### Targets of issue 5",
        "",
        *targets_markdown(results["targets"]),
        "",
        "Kernel speed-ups are judged on the best of the repeated calls of the kernel table "
        f"({k['settings']['draws']:,} draws per call); the speed-up over NumPy depends on the "
        "call's size, so it is also given at the block size the configuration runs. Quick mode "
        "runs too few draws to judge the engine targets.",
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
    ]
    if "at_block_size" in k:
        b = k["at_block_size"]
        lines += [
            "",
            f"At the configuration's block size ({b['numba']['draws']:,} draws per call, best of "
            f"{b['numba']['repeats']}): numba {_rate(b['numba']['draws_per_second_best'])} "
            f"draws/s, NumPy {_rate(b['numpy']['draws_per_second_best'])} draws/s, "
            f"{k['speedup']['numba_over_numpy_at_block_size_best']:.1f}x.",
        ]
    if "split" in k:
        sp, t = k["split"], k["timings"]
        numba_s, numpy_s = t["numba"]["best_seconds"], t["numpy"]["best_seconds"]
        normals_s = sp["normals"]["best_seconds"]
        numba_given = sp["numba_given_normals"]["best_seconds"]
        numpy_given = sp["numpy_given_normals"]["best_seconds"]
        lines += [
            "",
            f"Where the time goes ({sp['normals']['draws']:,} draws, best of "
            f"{sp['normals']['repeats']}): drawing the {sp['normals']['per_draw']} standard "
            f"normals of each draw alone takes {normals_s:.4f} s ({100 * normals_s / numba_s:.0f}% "
            f"of the numba call, {100 * normals_s / numpy_s:.0f}% of the NumPy call). Given the "
            f"normals, numba takes {numba_given:.4f} s and NumPy {numpy_given:.4f} s "
            f"({numpy_given / numba_given:.1f}x). The model is linear in the population change, "
            "so both price the age shapes once per call and what is left per draw is a few dozen "
            "multiply-adds and exponentials: drawing the normals, the same work in every "
            "implementation, is a large share of a numba call, and it caps numba's lead over "
            "anything that draws them too. The national model on the stochastic projection "
            "(next table) has real per-draw work.",
        ]
        lines += ["", _floor_sentence(sp, t)]
    if "projected" in results:
        from benchmarks import projected

        lines += ["", *projected.markdown(results["projected"])]
    lines += [
        "",
        *monaco_markdown(results),
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


def readme_section(results: dict) -> str:
    """Everything between the README's results markers."""
    from benchmarks import municipal, projection

    return "\n\n".join(
        [
            markdown(results),
            projection.markdown(results["projection"]),
            municipal.markdown(results["municipal"]),
        ]
    )


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
        help="folder for latest.json and throughput.png (default: benchmarks/results)",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="SSB data folder for the projection and municipal benchmarks "
        "(default: ../shared/data)",
    )
    parser.add_argument(
        "--render",
        action="store_true",
        help="only regenerate the README's results section from <out>/latest.json",
    )
    args = parser.parse_args(argv)
    if args.render:
        results = json.loads((args.out / "latest.json").read_text(encoding="utf-8"))
        update_readme(readme_section(results))
        log(f"regenerated {README} from {args.out / 'latest.json'}")
        return 0

    from benchmarks import kernels, monaco_sim, municipal, projected, projection
    from benchmarks.figure import throughput_bars, write_throughput_png
    from mc.model.config import load_config
    from mc.model.demographic import build_model

    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    facts = machine()
    log(
        f"{facts['cpu_model']}, {facts['logical_cores']} cores, Python {facts['python']}, "
        f"numpy {facts['numpy']}, numba {facts['numba']}"
    )
    config = load_config(CONFIG)
    model = build_model(config)
    entropy = config.run.seed if config.run.seed is not None else 20240321
    quick = args.quick

    kernel_settings = dataclasses.replace(
        kernels.KernelSettings.for_mode(quick, entropy), block_draws=config.run.block_size
    )
    kernel_results = kernels.run(model.inputs, kernel_settings, log)
    projected_results = projected.run(
        projected.build(ROOT, args.data),
        projected.ProjectedSettings.for_mode(quick, entropy),
        log,
    )
    monaco_results = monaco_sim.run(
        model.inputs, monaco_sim.MonacoSettings.for_mode(quick, entropy), log
    )
    engine_results = run_engine(model, EngineSettings.for_mode(quick), entropy)
    projection_results = projection.run(
        args.data or projection.default_data_dir(ROOT),
        projection.ProjectionBenchSettings.for_mode(quick, entropy),
        log,
    )
    municipal_results = municipal.run(
        municipal.MunicipalSettings.for_mode(quick, entropy), args.data, log
    )

    results = {
        "mode": "quick" if quick else "full",
        "started_utc": started.isoformat(timespec="seconds"),
        "finished_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": time.perf_counter() - clock,
        "load_average_at_end": load_average(),
        "config": str(CONFIG.relative_to(ROOT)),
        "entropy": entropy,
        "machine": facts,
        "kernels": kernel_results,
        "projected": projected_results,
        "monaco": monaco_results,
        "engine": engine_results,
        "projection": projection_results,
        "municipal": municipal_results,
    }
    results["targets"] = targets(results)
    for row in results["targets"]:
        log(f"target: {row['target']}: {row['measured']}: {row['status']}")
    figure = write_throughput_png(
        throughput_bars(kernel_results, monaco_results),
        args.out / "throughput.png",
        f"{facts['cpu_model']}, {results['mode']} run of {started:%Y-%m-%d}",
    )
    results["figure"] = os.path.relpath(figure, README.parent)
    out = args.out / "latest.json"
    write_atomic(out, json.dumps(results, indent=2) + "\n")
    update_readme(readme_section(results))
    log(f"wrote {out}, {figure} and {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
