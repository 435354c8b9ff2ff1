"""Figures: probability bands in the Norges Bank style (30/50/70/90 %), with point estimates."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no screen is needed or wanted
import matplotlib.pyplot as plt
import pandas as pd

from mc.report.labels import text, whole

#: Central band levels (percent) and the summary quantiles that bound them.
NORGES_BANK_BANDS = (30, 50, 70, 90)
_BOUNDS = {30: ("q35", "q65"), 50: ("q25", "q75"), 70: ("q15", "q85"), 90: ("q05", "q95")}
#: Band colours from light (widest) to dark (narrowest): opaque, so the legend shows what is drawn.
_SHADES = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
_MEDIAN = "#08306b"


def band_chart(
    path: str | Path,
    summary: pd.DataFrame,
    deterministic: pd.DataFrame,
    scenarios: Sequence[tuple[str, str]],
    published: dict[tuple[str, str], float],
    *,
    year: int,
    price_year: int,
    draws: int,
    blocks: int,
    lang: str = "nb",
    levels: Sequence[int] = NORGES_BANK_BANDS,
) -> Path:
    """Draw the bands of total and free-revenue demographic costs per scenario.

    Parameters
    ----------
    path : str or Path
        PNG file to write.
    summary, deterministic : DataFrame
        The run's ``summary.csv`` and ``deterministic.csv`` tables.
    scenarios : sequence of (name, label)
        Scenarios in display order.
    published : dict
        ``(scenario, variable) -> value`` of TBU's published point estimates.
    year, price_year, draws, blocks : int
        For the title and the note.
    lang : {"nb", "en"}
        Label language.
    levels : sequence of int
        Band levels in percent, each one of 30, 50, 70, 90.
    """
    for level in levels:
        if level not in _BOUNDS:
            raise ValueError(f"band level {level} is not available; choose from {list(_BOUNDS)}")
    panels = (("demographic_cost_total_bn", "total"), ("demographic_cost_free_bn", "free"))
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.8), sharey=True, layout="constrained")
    ordered = sorted(levels, reverse=True)
    shades = dict(zip(ordered, _SHADES, strict=False))
    for ax, (variable, key) in zip(axes, panels, strict=True):
        rows = summary[(summary["variable"] == variable) & (summary["sector"] == "all")]
        points = deterministic[
            (deterministic["variable"] == variable) & (deterministic["sector"] == "all")
        ]
        for x, (name, _label) in enumerate(scenarios):
            row = rows[rows["scenario"] == name].iloc[0]
            for level in ordered:
                lo, hi = _BOUNDS[level]
                ax.fill_between(
                    [x - 0.28, x + 0.28],
                    row[lo],
                    row[hi],
                    color=shades[level],
                    linewidth=0,
                    label=text(lang, "band", level=level) if x == 0 else None,
                )
            ax.hlines(
                row["q50"],
                x - 0.28,
                x + 0.28,
                color=_MEDIAN,
                linewidth=2,
                label=text(lang, "median") if x == 0 else None,
            )
            point = points.loc[points["scenario"] == name, "value"]
            if len(point):
                ax.plot(
                    x,
                    point.iloc[0],
                    "x",
                    color="black",
                    markersize=8,
                    label=text(lang, "point") if x == 0 else None,
                )
            if (name, variable) in published:
                ax.plot(
                    x,
                    published[(name, variable)],
                    "D",
                    color="#c0392b",
                    markersize=7,
                    markerfacecolor="none",
                    markeredgewidth=2,
                    label=text(lang, "published") if x == 0 else None,
                )
        ax.set_xticks(range(len(scenarios)), [label for _, label in scenarios])
        ax.set_title(text(lang, key))
        ax.grid(axis="y", alpha=0.3)
        ax.set_xlim(-0.6, len(scenarios) - 0.4)
    axes[0].set_ylabel(f"mrd. {price_year}-kr" if lang == "nb" else f"bn {price_year} NOK")
    axes[1].legend(loc="upper left", fontsize=8, frameon=False)
    fig.suptitle(text(lang, "fan_title", year=year, price_year=price_year))
    axes[1].annotate(
        text(lang, "draws_note", draws=whole(draws, lang), blocks=blocks),
        xy=(1.0, 1.0),
        xycoords="axes fraction",
        xytext=(-4, -4),
        textcoords="offset points",
        ha="right",
        va="top",
        fontsize=7,
        color="grey",
    )
    path = Path(path)
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path
