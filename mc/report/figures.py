"""Figures: probability bands in the Norges Bank style (30/50/70/90 %), with point estimates."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no screen is needed or wanted
import matplotlib.pyplot as plt
import numpy as np
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
        rows = summary[
            (summary["variable"] == variable)
            & (summary["sector"] == "all")
            & (summary["year"] == year)
        ]
        points = deterministic[
            (deterministic["variable"] == variable)
            & (deterministic["sector"] == "all")
            & (deterministic["year"] == year)
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


_LINE_STYLES = ("-", "--", ":", "-.")


def economy_fan(
    path: str | Path,
    summary: pd.DataFrame,
    deterministic: pd.DataFrame,
    scenarios: Sequence[tuple[str, str]],
    *,
    lang: str = "nb",
    levels: Sequence[int] = NORGES_BANK_BANDS,
    norm_pct: float = 2.0,
) -> Path:
    """Fan charts of the net operating result and the real growth in free revenues.

    The bands are those of the first scenario; every scenario's point estimate is drawn beside
    them, and the net operating result gets TBU's recommended 2 % as a line. With a single year
    the bands are drawn as a bar.
    """
    panels = (("net_operating_result_pct", "ndr"), ("real_growth_free_revenues_bn", "real_growth"))
    main, main_label = scenarios[0]
    ordered = sorted(levels, reverse=True)
    shades = dict(zip(ordered, _SHADES, strict=False))
    fig, axes = plt.subplots(1, 2, figsize=(11, 6.2), layout="constrained")
    years = sorted(summary.loc[summary["variable"] == panels[0][0], "year"].unique())
    for ax, (variable, key) in zip(axes, panels, strict=True):
        rows = summary[(summary["variable"] == variable) & (summary["scenario"] == main)]
        rows = rows.set_index("year").loc[years]
        single = len(years) == 1
        for level in ordered:
            lo, hi = _BOUNDS[level]
            label = text(lang, "band", level=level)
            if single:
                ax.fill_between(
                    [years[0] - 0.3, years[0] + 0.3],
                    rows[lo].iloc[0],
                    rows[hi].iloc[0],
                    color=shades[level],
                    linewidth=0,
                    label=label,
                )
            else:
                ax.fill_between(
                    years, rows[lo], rows[hi], color=shades[level], linewidth=0, label=label
                )
        ax.plot(
            years,
            rows["q50"],
            color=_MEDIAN,
            linewidth=2,
            marker="o" if single else None,
            label=text(lang, "median"),
        )
        for (name, label), style in zip(scenarios, _LINE_STYLES, strict=False):
            point = deterministic[
                (deterministic["variable"] == variable) & (deterministic["scenario"] == name)
            ].set_index("year")
            point = point.loc[[y for y in years if y in point.index], "value"]
            ax.plot(
                point.index,
                point.values,
                linestyle=style,
                color="black",
                marker="x",
                linewidth=1,
                label=text(lang, "point_of", scenario=label),
            )
        if variable == "net_operating_result_pct":
            ax.axhline(norm_pct, color="#c0392b", linewidth=1.2, label=text(lang, "norm"))
        ax.set_title(text(lang, key), fontsize=10)
        ax.set_xticks(years)
        ax.grid(alpha=0.3)
    # Below the panels, not on them: a legend over a band of its own colour hides that patch.
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="outside lower center",
        ncols=4,
        fontsize=8,
        frameon=False,
        title=text(lang, "bands_of", scenario=main_label),
        title_fontsize=8,
    )
    fig.suptitle(
        text(lang, "economy_title", first=years[0], last=years[-1])
        if len(years) > 1
        else text(lang, "economy_title_year", year=years[0])
    )
    path = Path(path)
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


_RANKING_TEXT = {
    "nb": {
        "title": "Merutgifter til demografi {year} per innbygger, kr ({price_year}-kroner)",
        "highest": "Høyest (median)",
        "widest": "Bredest 90 %-intervall",
        "median": "Median",
        "band90": "90 % intervall",
        "band50": "50 % intervall",
    },
    "en": {
        "title": "Extra demographic costs {year} per inhabitant, NOK ({price_year} prices)",
        "highest": "Highest (median)",
        "widest": "Widest 90 % band",
        "median": "Median",
        "band90": "90 % band",
        "band50": "50 % band",
    },
}


def municipal_ranking(
    path: str | Path,
    summary: pd.DataFrame,
    names: dict[str, str],
    *,
    year: int,
    price_year: int,
    lang: str = "nb",
    top: int = 15,
) -> Path:
    """The municipalities with the highest and with the widest bands of cost per inhabitant."""
    words = _RANKING_TEXT[lang]
    rows = summary[
        (summary["variable"] == "municipal_cost_per_inhabitant_kr") & (summary["year"] == year)
    ].copy()
    rows["width"] = rows["q95"] - rows["q05"]
    panels = (
        (words["highest"], rows.nlargest(top, "q50")),
        (words["widest"], rows.nlargest(top, "width")),
    )
    fig, axes = plt.subplots(1, 2, figsize=(11, 0.32 * top + 1.8), layout="constrained")
    for ax, (title, part) in zip(axes, panels, strict=True):
        part = part.iloc[::-1]
        y = np.arange(len(part))
        labels = [f"{names.get(code, code)} ({code})" for code in part["region"]]
        ax.hlines(y, part["q05"], part["q95"], color=_SHADES[0], linewidth=7, label=words["band90"])
        ax.hlines(y, part["q25"], part["q75"], color=_SHADES[2], linewidth=7, label=words["band50"])
        ax.plot(
            part["q50"],
            y,
            "|",
            color=_MEDIAN,
            markersize=12,
            markeredgewidth=2,
            label=words["median"],
        )
        ax.set_yticks(y, labels, fontsize=7)
        ax.axvline(0, color="grey", linewidth=0.8)
        ax.set_title(title, fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    axes[1].legend(loc="lower right", fontsize=7, frameon=False)
    fig.suptitle(words["title"].format(year=year, price_year=price_year), fontsize=11)
    path = Path(path)
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


_TORNADO_TEXT = {
    "nb": {
        "title": "Hva driver usikkerheten? Merutgifter til demografi {year}, mrd. kr",
        "low": "Driver på 10-persentilen",
        "high": "Driver på 90-persentilen",
        "share": "bidrag til variansen",
        "drivers": {
            "extra_net_immigration": "Flyktninginnvandring",
            "births": "Fødte",
            "deaths": "Døde",
            "regular_net_immigration": "Annen nettoinnvandring",
            "immigrant_profile": "Innvandrernes alder/kjønn",
            "unit_costs": "Enhetskostnader",
        },
        "variables": {
            "demographic_cost_total_bn": "Samlede merutgifter",
            "demographic_cost_free_bn": "Dekket av frie inntekter",
        },
    },
    "en": {
        "title": "What drives the uncertainty? Extra demographic costs {year}, bn NOK",
        "low": "Driver at its 10th percentile",
        "high": "Driver at its 90th percentile",
        "share": "of the variance",
        "drivers": {
            "extra_net_immigration": "Refugee immigration",
            "births": "Births",
            "deaths": "Deaths",
            "regular_net_immigration": "Other net immigration",
            "immigrant_profile": "Immigrants' age/sex",
            "unit_costs": "Unit costs",
        },
        "variables": {
            "demographic_cost_total_bn": "Total extra costs",
            "demographic_cost_free_bn": "Financed by free revenues",
        },
    },
}


def tornado_chart(
    path: str | Path, tornado: pd.DataFrame, indices: pd.DataFrame, *, lang: str = "nb"
) -> Path:
    """Tornado bars (one driver at a time at its 10th/90th percentile) with variance shares."""
    words = _TORNADO_TEXT[lang]
    variables = list(dict.fromkeys(tornado["variable"]))
    fig, axes = plt.subplots(
        1, len(variables), figsize=(5.5 * len(variables), 3.8), layout="constrained", squeeze=False
    )
    for ax, variable in zip(axes[0], variables, strict=True):
        rows = tornado[tornado["variable"] == variable].iloc[::-1]
        share = indices[indices["variable"] == variable].set_index("driver")["contribution"]
        base = rows["base"].iloc[0]
        y = np.arange(len(rows))
        ax.barh(y, rows["low"] - base, left=base, color=_SHADES[1], label=words["low"])
        ax.barh(y, rows["high"] - base, left=base, color=_SHADES[3], label=words["high"])
        ax.axvline(base, color="black", linewidth=1)
        labels = [
            f"{words['drivers'].get(d, d)}\n{100 * share.get(d, 0):.0f} % {words['share']}"
            for d in rows["driver"]
        ]
        ax.set_yticks(y, labels, fontsize=7)
        ax.set_title(words["variables"].get(variable, variable), fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    axes[0][-1].legend(loc="lower right", fontsize=7, frameon=False)
    year = int(tornado["year"].iloc[0])
    fig.suptitle(words["title"].format(year=year), fontsize=11)
    path = Path(path)
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path
