"""The side-by-side throughput figure of issue 5: draws per second on one core, log scale."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def throughput_bars(kernels: dict[str, Any], monaco: dict[str, Any]) -> list[tuple[str, float]]:
    """(label, draws per second) of the numba kernel, NumPy, the Python loop and monaco."""
    t = kernels["timings"]
    bars = [
        ("numba kernel", t["numba"]["draws_per_second_best"]),
        ("NumPy reference", t["numpy"]["draws_per_second_best"]),
        ("Python per-draw loop", t["python"]["draws_per_second_best"]),
    ]
    if monaco.get("installed"):
        bars.append((f"monaco {monaco['version']} Sim", monaco["cases_per_second"]))
    return bars


def write_throughput_png(bars: list[tuple[str, float]], path: Path, subtitle: str) -> Path:
    """A horizontal bar chart of ``bars`` on a log axis, written to ``path`` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [label for label, _ in bars][::-1]
    rates = [rate for _, rate in bars][::-1]
    colours = ["#1f77b4" if "numba" in label else "#7f7f7f" for label in labels]
    fig, ax = plt.subplots(figsize=(7.5, 0.6 * len(bars) + 1.6), dpi=120)
    ax.barh(labels, rates, color=colours)
    ax.set_xscale("log")
    ax.set_xlim(min(rates) / 3, max(rates) * 8)
    for y, rate in enumerate(rates):
        ax.text(rate * 1.15, y, f"{rate:,.0f}", va="center", fontsize=9)
    ax.set_xlabel("draws per second, one core (log scale; higher is better)")
    ax.set_title("National demographic-cost model, one core\n" + subtitle, fontsize=10, loc="left")
    ax.grid(axis="x", which="major", alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
