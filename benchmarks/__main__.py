"""Run the benchmarks: ``python -m benchmarks [--quick] [--out DIR] [--data DIR] [--render]``.

Runs, in this order, the kernels (:mod:`benchmarks.kernels`), the national model on the
stochastic projection (:mod:`benchmarks.projected`), the same model as a monaco ``Sim`` where
monaco is installed (:mod:`benchmarks.monaco_sim`), the engine end to end on the default
configuration (:mod:`benchmarks.engine`), the population projection on SSB's data
(:mod:`benchmarks.projection`; the folder is ``../shared/data`` unless ``--data`` says otherwise)
and the municipal demographic-cost runs of issue 5 (:mod:`benchmarks.municipal`). Records the
machine (:mod:`benchmarks.machine`), judges issue 5's targets (:mod:`benchmarks.targets`), writes
``<out>/latest.json`` and ``<out>/throughput.png`` and regenerates the results section of
``benchmarks/README.md`` (:mod:`benchmarks.render`). The engine benchmarks start LocalClusters of
processes, whose workers are spawned and re-import this module: everything runs under the
``__main__`` guard.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import machine
from benchmarks.render import README, update_readme, write_text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CONFIG = ROOT / "configs" / "tbu-2025.yaml"


def log(message: str) -> None:
    print(message, flush=True)


def readme_section(results: dict[str, Any]) -> str:
    """Everything between the README's results markers, in the order the README has had."""
    from benchmarks import engine, kernels, monaco_sim, municipal, projected, projection, targets

    lines = [
        *machine.markdown(results),
        kernels.first_call_line(results["kernels"]),
        "",
        *targets.markdown(results),
        "",
        *kernels.markdown(results["kernels"]),
    ]
    if "projected" in results:
        lines += ["", *projected.markdown(results["projected"])]
    lines += [
        "",
        *monaco_sim.markdown(results),
        "",
        *kernels.memory_markdown(results["kernels"]),
        "",
        *engine.markdown(results["engine"]),
    ]
    return "\n\n".join(
        [
            "\n".join(lines),
            projection.markdown(results["projection"]),
            municipal.markdown(results["municipal"]),
        ]
    )


def run_all(quick: bool, data: Path | None, out: Path) -> dict[str, Any]:
    """Run every benchmark, judge the targets and draw the figure; the results as plain data."""
    from benchmarks import engine, kernels, monaco_sim, municipal, projected, projection, targets
    from benchmarks.figure import throughput_bars, write_throughput_png
    from mc.model.config import load_config
    from mc.model.demographic import build_model

    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    facts = machine.facts()
    log(
        f"{facts['cpu_model']}, {facts['logical_cores']} cores, Python {facts['python']}, "
        f"numpy {facts['numpy']}, numba {facts['numba']}"
    )
    config = load_config(CONFIG)
    model = build_model(config)
    entropy = config.run.seed if config.run.seed is not None else 20240321

    kernel_settings = dataclasses.replace(
        kernels.KernelSettings.for_mode(quick, entropy), block_draws=config.run.block_size
    )
    kernel_results = kernels.run(model.inputs, kernel_settings, log)
    projected_results = projected.run(
        projected.build(ROOT, data), projected.ProjectedSettings.for_mode(quick, entropy), log
    )
    monaco_results = monaco_sim.run(
        model.inputs, monaco_sim.MonacoSettings.for_mode(quick, entropy), log
    )
    engine_results = engine.run(model, engine.EngineSettings.for_mode(quick), entropy, log)
    projection_results = projection.run(
        data or projection.default_data_dir(ROOT),
        projection.ProjectionBenchSettings.for_mode(quick, entropy),
        log,
    )
    municipal_results = municipal.run(
        municipal.MunicipalSettings.for_mode(quick, entropy), data, log
    )

    results = {
        "mode": "quick" if quick else "full",
        "started_utc": started.isoformat(timespec="seconds"),
        "finished_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": time.perf_counter() - clock,
        "load_average_at_end": machine.load_average(),
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
    results["targets"] = targets.judge(results)
    for row in results["targets"]:
        log(f"target: {row['target']}: {row['measured']}: {row['status']}")
    figure = write_throughput_png(
        throughput_bars(kernel_results, monaco_results),
        out / "throughput.png",
        f"{facts['cpu_model']}, {results['mode']} run of {started:%Y-%m-%d}",
    )
    results["figure"] = os.path.relpath(figure, README.parent)
    return results


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
    latest = args.out / "latest.json"
    if args.render:
        results = json.loads(latest.read_text(encoding="utf-8"))
        update_readme(readme_section(results))
        log(f"regenerated {README} from {latest}")
        return 0
    results = run_all(args.quick, args.data, args.out)
    write_text(latest, json.dumps(results, indent=2) + "\n")
    update_readme(readme_section(results))
    log(f"wrote {latest}, {args.out / 'throughput.png'} and {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
