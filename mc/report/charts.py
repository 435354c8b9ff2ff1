"""The report's figures as PNG bytes: fan charts with any band preset, and the tornado chart."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")  # files only; no screen is needed or wanted
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from mc.report.labels import text
from mc.report.tables import driver_label, variable_label
from mc.summary.bands import band_columns, level_text

_MEDIAN = "#08306b"
_LINE_STYLES = ("-", "--", ":", "-.")
_LOW, _HIGH = "#d95f02", "#1b9e77"  # tornado: driver at P10, driver at P90
#: Reference lines drawn on a variable's panel: TBU's recommended net operating result.
REFERENCE_LINES = {"net_operating_result_pct": (2.0, "norm")}
DPI = 110


def band_shades(n: int) -> list[tuple[float, float, float, float]]:
    """``n`` opaque blues from light (the widest band) to dark (the narrowest)."""
    return [tuple(c) for c in plt.get_cmap("Blues")(np.linspace(0.2, 0.75, n))]


def _png(fig: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    plt.close(fig)
    return buffer.getvalue()


def _grid(n: int, width: float, height: float) -> tuple[plt.Figure, list[plt.Axes]]:
    cols = 1 if n == 1 else 2
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(
        rows, cols, figsize=(width, height * rows), layout="constrained", squeeze=False
    )
    flat = list(axes.ravel())
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def fan_chart(
    bands: pd.DataFrame,
    deterministic: pd.DataFrame | None,
    variables: Sequence[str],
    scenarios: Sequence[tuple[str, str]],
    published: Mapping[tuple[str, str], float],
    *,
    levels: Sequence[float],
    lang: str,
    title: str,
    price_year: int,
    year: int,
) -> bytes:
    """Bands of each variable, one panel per variable, as a PNG.

    With one year the panel shows every scenario's bands side by side; with several years it is a
    fan over the years for the first scenario, with every scenario's point estimate as a line.

    Parameters
    ----------
    bands : DataFrame
        :func:`mc.summary.bands.band_table` rows (``sector == "all"`` is used).
    deterministic : DataFrame or None
        The run's point estimates.
    variables : sequence of str
        Variables to draw, one panel each.
    scenarios : sequence of (name, label)
        Scenarios in display order.
    published : mapping
        ``(scenario, variable) -> TBU's published figure`` (for the cost year).
    levels : sequence of float
        Central band levels in percent.
    lang : {"nb", "en"}
        Label language.
    title : str
        Figure title.
    price_year, year : int
        For labels, and the year TBU's figures belong to.
    """
    ordered = sorted(levels, reverse=True)
    shades = dict(zip(ordered, band_shades(len(ordered)), strict=True))
    fig, axes = _grid(len(variables), 11.0, 4.3)
    for ax, variable in zip(axes, variables, strict=True):
        rows = bands[(bands["variable"] == variable) & (bands["sector"] == "all")]
        points = (
            deterministic[
                (deterministic["variable"] == variable) & (deterministic["sector"] == "all")
            ]
            if deterministic is not None
            else None
        )
        years = sorted(int(y) for y in rows["year"].unique())
        if len(years) == 1:
            _bars(ax, rows, points, variable, scenarios, published, ordered, shades, lang)
        else:
            _fan(ax, rows, points, variable, scenarios, published, ordered, shades, lang, year)
        if variable in REFERENCE_LINES:
            value, key = REFERENCE_LINES[variable]
            ax.axhline(value, color="#c0392b", linewidth=1.2, label=text(lang, key))
        ax.set_title(variable_label(variable, lang, price_year), fontsize=9)
        ax.grid(axis="y", alpha=0.3)
    bands_first = [text(lang, "band", level=level_text(v)) for v in ordered]
    _legend_outside(fig, axes, bands_first)
    fig.suptitle(title)
    return _png(fig)


def _legend_outside(fig: plt.Figure, axes: Sequence[plt.Axes], first: Sequence[str]) -> None:
    """One legend for all panels, right of them so it never hides a band; ``first`` on top."""
    entries: dict[str, object] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            entries.setdefault(label, handle)
    order = [k for k in first if k in entries] + [k for k in entries if k not in first]
    fig.legend(
        [entries[k] for k in order], order, loc="outside right upper", fontsize=7, frameon=False
    )


def _bars(ax, rows, points, variable, scenarios, published, ordered, shades, lang) -> None:
    # one call per band level for all scenarios: far fewer artists than a patch per cell
    names = [name for name, _ in scenarios]
    cells = rows.set_index("scenario").reindex(names)
    x = np.arange(len(names), dtype=float)
    for level in ordered:
        lo, hi = band_columns(level)
        ax.bar(
            x,
            cells[hi] - cells[lo],
            bottom=cells[lo],
            width=0.56,
            color=shades[level],
            linewidth=0,
            label=text(lang, "band", level=level_text(level)),
        )
    ax.hlines(
        cells["q50"], x - 0.28, x + 0.28, color=_MEDIAN, linewidth=2, label=text(lang, "median")
    )
    if points is not None:
        point = points.set_index("scenario")["value"].reindex(names)
        ax.plot(x, point, "x", color="black", markersize=8, label=text(lang, "point"))
    marks = [published.get((name, variable), np.nan) for name in names]
    if not np.all(np.isnan(marks)):
        ax.plot(
            x,
            marks,
            "D",
            color="#c0392b",
            markersize=7,
            markerfacecolor="none",
            markeredgewidth=2,
            linestyle="none",
            label=text(lang, "published"),
        )
    ax.set_xticks(x, [label for _, label in scenarios], fontsize=8)
    ax.set_xlim(-0.6, len(scenarios) - 0.4)


def _fan(ax, rows, points, variable, scenarios, published, ordered, shades, lang, year) -> None:
    main, main_label = scenarios[0]
    fan = rows[rows["scenario"] == main].sort_values("year")
    years = fan["year"].astype(int).to_numpy()
    for level in ordered:
        lo, hi = band_columns(level)
        ax.fill_between(
            years,
            fan[lo],
            fan[hi],
            color=shades[level],
            linewidth=0,
            label=text(lang, "band", level=level_text(level)),
        )
    ax.plot(years, fan["q50"], color=_MEDIAN, linewidth=2, label=text(lang, "median"))
    if points is not None:
        for (name, label), style in zip(scenarios, _LINE_STYLES, strict=False):
            point = points[points["scenario"] == name].sort_values("year")
            point = point[point["year"].isin(years)]
            ax.plot(
                point["year"],
                point["value"],
                linestyle=style,
                color="black",
                marker="x",
                linewidth=1,
                label=text(lang, "point_of", scenario=label),
            )
    marked = False
    for name, _label in scenarios:
        if (name, variable) in published:
            ax.plot(
                year,
                published[(name, variable)],
                "D",
                color="#c0392b",
                markerfacecolor="none",
                markeredgewidth=2,
                label=None if marked else text(lang, "published"),
            )
            marked = True
    ax.set_xticks(years)
    ax.set_xlabel(text(lang, "bands_of", scenario=main_label), fontsize=8)


def tornado_chart(
    rows: pd.DataFrame, *, lang: str, price_year: int, title: str, max_panels: int = 4
) -> bytes:
    """Horizontal bars from the base to the output with each driver at its P10 and P90.

    Parameters
    ----------
    rows : DataFrame
        ``sensitivity.csv`` rows of one scenario and year, with a ``swing`` column; drawn in the
        order given per variable (largest swing first is expected).
    lang : {"nb", "en"}
        Label language.
    price_year : int
        For the variable labels.
    title : str
        Figure title.
    max_panels : int
        At most this many variables are drawn, in the order they first appear.
    """
    variables = list(dict.fromkeys(rows["variable"]))[:max_panels]
    counts = [int((rows["variable"] == v).sum()) for v in variables]
    # one panel per row, each as tall as its number of drivers needs
    fig, axes = plt.subplots(
        len(variables),
        1,
        figsize=(10.0, 1.0 + sum(0.9 + 0.38 * n for n in counts)),
        layout="constrained",
        squeeze=False,
        gridspec_kw={"height_ratios": [0.9 + 0.38 * n for n in counts]},
    )
    axes = list(axes.ravel())
    for ax, variable in zip(axes, variables, strict=True):
        part = rows[rows["variable"] == variable]
        y = np.arange(len(part))[::-1]  # the largest swing on top
        base = part["base"].to_numpy(dtype=float)
        low = part["low"].to_numpy(dtype=float)
        high = part["high"].to_numpy(dtype=float)
        ax.barh(y, low - base, left=base, color=_LOW, height=0.6, label=text(lang, "tornado_low"))
        ax.barh(
            y, high - base, left=base, color=_HIGH, height=0.6, label=text(lang, "tornado_high")
        )
        ax.axvline(base[0], color="black", linewidth=1, label=text(lang, "tornado_base"))
        ax.set_yticks(y, [driver_label(str(d), lang) for d in part["driver"]], fontsize=8)
        ax.set_title(variable_label(str(variable), lang, price_year), fontsize=9)
        ax.grid(axis="x", alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=8, frameon=False)
    fig.suptitle(title)
    return _png(fig)
