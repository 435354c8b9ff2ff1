"""Issue 5's targets: what each run measured against them, and the verdict.

The verdicts are read from the other benchmarks' results (kernels, the projected national model,
monaco, the municipal runs); nothing is measured here. A target is ``met`` or ``NOT MET`` only
where the run was large enough to judge it (quick mode is not), else ``not judged``; monaco has
no target and is only recorded.
"""

from __future__ import annotations

from typing import Any

from benchmarks.render import table

MET, NOT_MET, NOT_JUDGED = "met", "NOT MET", "not judged"
KERNEL_TARGETS = {"numba_over_numpy": 3.0, "numba_over_python": 100.0}


def _status(met: bool, judged: bool = True) -> str:
    return (MET if met else NOT_MET) if judged else NOT_JUDGED


#: The speed-ups issue 5 sets targets for, and what each is over.
COMPARED = (
    ("numba_over_numpy", "the NumPy reference"),
    ("numba_over_python", "the plain-Python per-draw loop"),
)


def judge(results: dict) -> list[dict[str, str]]:
    """Issue 5's targets, each with what this run measured and whether it is met."""
    kernels = results["kernels"]
    rows = speedup_rows(
        kernels["speedup"], "numba kernel", "national model", kernels["settings"].get("block_draws")
    )
    projected = results.get("projected")
    if projected and "speedup" in projected:
        rows += speedup_rows(
            projected["speedup"], "numba", "national model on the stochastic projection"
        )
    rows.append(monaco_row(results))
    return rows + municipal_rows(results.get("municipal", {}))


def speedup_rows(
    sp: dict[str, float], who: str, model: str, block_draws: int | None = None
) -> list[dict[str, str]]:
    """The two speed-up targets, judged on the best times (medians beside them).

    Where ``sp`` also has the speed-ups at the configuration's block size (``block_draws`` draws
    per call), they are shown and judged too, without changing the row's verdict.
    """
    rows = []
    for key, label in COMPARED:
        goal = KERNEL_TARGETS[key]
        best, median = sp[f"{key}_best"], sp[f"{key}_median"]
        measured = f"{best:,.1f}x (best times; medians {median:,.1f}x)"
        at_block = sp.get(f"{key}_at_block_size_best")
        if at_block is not None:
            measured += (
                f"; {at_block:,.1f}x at the configuration's block size of {block_draws:,} draws"
                f" ({_status(at_block >= goal)} there)"
            )
        rows.append(
            {
                "target": f"{who} >= {goal:g}x {label} ({model}, one core)",
                "measured": measured,
                "status": _status(best >= goal),
            }
        )
    return rows


def monaco_row(results: dict) -> dict[str, str]:
    """The row of monaco beside the numba kernel: recorded, with no target."""
    mon = results.get("monaco", {})
    target = "monaco on the same model, side by side (no target)"
    if not mon.get("installed"):
        measured = f"monaco not installed: {mon.get('reason', 'not run')}"
        return {"target": target, "measured": measured, "status": "not measured"}
    numba = results["kernels"]["timings"]["numba"]["draws_per_second_best"]
    return {
        "target": target,
        "measured": f"{mon['cases_per_second']:,.0f} cases/s; numba kernel "
        f"{numba / mon['cases_per_second']:,.0f}x faster",
        "status": "recorded",
    }


def municipal_rows(mun: dict) -> list[dict[str, str]]:
    """Parallel efficiency, Dask overhead, the 10,000-draw run and the memory of streamed runs."""
    if "skipped" in mun or not mun:
        why = mun.get("skipped", "not run")
        return [
            {"target": t, "measured": why, "status": "not measured"}
            for t in ("parallel efficiency", "Dask overhead", "municipal run", "memory")
        ]
    e, g, mt = mun["efficiency"], mun["target"], mun["memory"]["target"]
    quick = "" if e["judged"] else f" (T2 {e['t2_seconds']:.1f} s < 20 s: not judged)"
    rows = [
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


def markdown(results: dict[str, Any]) -> list[str]:
    """The targets table and how the kernel speed-ups in it are judged."""
    rows = [
        [
            r["target"],
            r["measured"],
            f"**{r['status']}**" if r["status"] in (MET, NOT_MET) else r["status"],
        ]
        for r in results["targets"]
    ]
    draws = results["kernels"]["settings"]["draws"]
    return [
        "### Targets of issue 5",
        "",
        *table(["target (issue 5)", "measured", "verdict"], rows, left=3),
        "",
        "Kernel speed-ups are judged on the best of the repeated calls of the kernel table "
        f"({draws:,} draws per call); the speed-up over NumPy depends on the "
        "call's size, so it is also given at the block size the configuration runs. Quick mode "
        "runs too few draws to judge the engine targets.",
    ]
