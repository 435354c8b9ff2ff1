"""Every chart tbu-mc draws, as PNG bytes: fan charts, the tornado chart, the municipal ranking.

``tbu-mc run`` writes them into the run folder (:mod:`mc.report.writer`) and ``tbu-mc report``
embeds them in its page (:mod:`mc.report.build`); both call the same functions here, so a run
folder's figure and the report's cannot tell different stories. Every word comes from
:mod:`mc.report.labels`; band levels come from :mod:`mc.summary.bands` (its default preset unless
the caller asks for another).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence

import matplotlib

matplotlib.use("Agg")  # files only; no screen is needed or wanted
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator

from mc.report.labels import driver_label, text, variable_label, variables_of, whole
from mc.summary.bands import (
    DEFAULT_PRESET,
    PRESETS,
    band_columns,
    band_probabilities,
    level_text,
)

#: The band levels of a run folder's charts: the default preset's.
DEFAULT_LEVELS = PRESETS[DEFAULT_PRESET]
#: The first panels of the demographic fan chart, in order (those a run lacks are left out;
#: the group's other variables follow, see :func:`fan_variables`).
DEMOGRAPHIC_PANELS = ("demographic_cost_total_bn", "demographic_cost_free_bn")
#: The first panels of the economy fan chart, in order (those a run lacks are left out; the
#: group's other variables follow, see :func:`fan_variables`).
ECONOMY_PANELS = (
    "net_operating_result_pct",
    "net_operating_result_municipalities_pct",
    "net_operating_result_counties_pct",
    "real_growth_free_revenues_bn",
    "handlingsrom_ex_ante_bn",
    "realised_room_bn",
    "deflator_pct",
    "tax_growth_pct",
)
#: Reference lines drawn on a variable's panel: TBU's recommended net operating result for the
#: sector (2 %), the municipalities (1 3/4 %) and the counties (4 %).
REFERENCE_LINES = {
    "net_operating_result_pct": (2.0, "norm"),
    "net_operating_result_municipalities_pct": (1.75, "norm"),
    "net_operating_result_counties_pct": (4.0, "norm"),
}
DPI = 110
TITLE_CHARS = 60  # a panel title's line at fontsize 9 in half of an 11-inch figure

_MEDIAN = "#08306b"
_PUBLISHED = "#c0392b"
_LINE_STYLES = ("-", "--", ":", "-.")
_LOW, _HIGH = "#d95f02", "#1b9e77"  # tornado: driver at P10, driver at P90


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
    for ax in flat[n:]:  # an odd number of panels: the last cell stays empty
        fig.delaxes(ax)
    return fig, flat[:n]


def _note(fig: plt.Figure, note: str | None) -> None:
    """A small grey line under the panels (draws and blocks); laid out with them."""
    if note:
        fig.supxlabel(note, fontsize=7, color="grey", ha="right", x=0.99)


def summary_band_edges(summary: pd.DataFrame, levels: Sequence[float]) -> pd.DataFrame:
    """Band edges in the columns of :func:`mc.summary.bands.band_table`, from ``summary.csv``.

    For runs without ``draws.nc`` (a streamed municipal run): their band edges can only come
    from the quantiles ``summary.csv`` keeps.

    Parameters
    ----------
    summary : DataFrame
        ``summary.csv`` rows.
    levels : sequence of float
        Central band levels in percent; each must be bounded by quantiles ``summary.csv`` holds.

    Raises
    ------
    ValueError
        If a level needs a quantile ``summary.csv`` does not hold.
    """
    out = summary.copy()
    for level in levels:
        columns = []
        for prob in band_probabilities(level):
            column = f"q{round(100 * prob):02d}"
            if column not in summary.columns or abs(100 * prob - round(100 * prob)) > 1e-9:
                raise ValueError(
                    f"a {level_text(level)} % band needs the quantile {prob:g}, which "
                    "summary.csv does not hold; use the draws (mc.summary.bands.band_table)"
                )
            columns.append(column)
        lo, hi = band_columns(level)
        out[lo], out[hi] = summary[columns[0]], summary[columns[1]]
    return out


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
    note: str | None = None,
) -> bytes:
    """Bands of each variable, one panel per variable, as a PNG.

    With one year a panel shows every scenario's bands side by side; with several years it is a
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
    note : str, optional
        A small line under the panels, e.g. the number of draws.

    Returns
    -------
    bytes
        The PNG.
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
            shown = f"{value:g}".replace(".", ",") if lang == "nb" else f"{value:g}"
            label = text(lang, key, value=shown)
            ax.axhline(value, color=_PUBLISHED, linewidth=1.2, label=label)
        only = years[0] if len(years) == 1 else None
        label = variable_label(variable, lang, price_year, only, years=years)
        # two panels share the width: a long label takes two lines rather than its neighbour's
        ax.set_title("\n".join(textwrap.wrap(label, TITLE_CHARS)), fontsize=9)
        ax.grid(axis="y", alpha=0.3)
    bands_first = [text(lang, "band", level=level_text(v)) for v in ordered]
    _legend_outside(fig, axes, bands_first)
    fig.suptitle(title)
    _note(fig, note)
    return _png(fig)


def _years(bands: pd.DataFrame, variables: Sequence[str]) -> list[int]:
    rows = bands[bands["variable"].isin(variables)]
    return sorted(int(y) for y in rows["year"].unique())


def _panel_fan(
    panels: Sequence[str],
    title: Callable[[list[int]], str],
    bands: pd.DataFrame,
    deterministic: pd.DataFrame | None,
    scenarios: Sequence[tuple[str, str]],
    published: Mapping[tuple[str, str], float],
    *,
    levels: Sequence[float],
    lang: str,
    price_year: int,
    year: int,
    note: str | None,
) -> bytes | None:
    """:func:`fan_chart` of those ``panels`` that ``bands`` holds, titled by ``title(years)``.

    ``None`` when ``bands`` holds none of the panels. ``years`` are the sorted years of the bands
    of the panels drawn, so a one-year run can be titled differently from a path.
    """
    variables = [v for v in panels if v in set(bands["variable"])]
    if not variables:
        return None
    return fan_chart(
        bands,
        deterministic,
        variables,
        scenarios,
        published,
        levels=levels,
        lang=lang,
        title=title(_years(bands, variables)),
        price_year=price_year,
        year=year,
        note=note,
    )


def demographic_fan(
    bands: pd.DataFrame,
    deterministic: pd.DataFrame | None,
    scenarios: Sequence[tuple[str, str]],
    published: Mapping[tuple[str, str], float],
    *,
    levels: Sequence[float] = DEFAULT_LEVELS,
    lang: str,
    price_year: int,
    year: int,
    note: str | None = None,
) -> bytes | None:
    """The fan chart of the demographic costs (:func:`fan_variables`), or ``None``.

    Parameters as :func:`fan_chart`; ``None`` when ``bands`` holds none of the panels.
    """

    def title(years: list[int]) -> str:
        if len(years) == 1:
            return text(lang, "fan_title", year=years[0], price_year=price_year)
        return text(lang, "fan_title_years", first=years[0], last=years[-1], price_year=price_year)

    return _panel_fan(
        fan_variables(bands["variable"])[0],
        title,
        bands,
        deterministic,
        scenarios,
        published,
        levels=levels,
        lang=lang,
        price_year=price_year,
        year=year,
        note=note,
    )


def economy_fan(
    bands: pd.DataFrame,
    deterministic: pd.DataFrame | None,
    scenarios: Sequence[tuple[str, str]],
    published: Mapping[tuple[str, str], float],
    *,
    levels: Sequence[float] = DEFAULT_LEVELS,
    lang: str,
    price_year: int,
    year: int,
    note: str | None = None,
) -> bytes | None:
    """The fan chart of the sector's economy (:func:`fan_variables`), or ``None``.

    Parameters as :func:`fan_chart`; ``None`` when ``bands`` holds none of the panels.
    """

    def title(years: list[int]) -> str:
        if len(years) > 1:
            return text(lang, "economy_title", first=years[0], last=years[-1])
        return text(lang, "economy_title_year", year=years[0])

    return _panel_fan(
        fan_variables(bands["variable"])[1],
        title,
        bands,
        deterministic,
        scenarios,
        published,
        levels=levels,
        lang=lang,
        price_year=price_year,
        year=year,
        note=note,
    )


def fan_variables(available: Iterable[str]) -> tuple[list[str], list[str]]:
    """The panels of the demographic and of the economy fan among ``available`` outputs.

    The panels named in :data:`DEMOGRAPHIC_PANELS` and :data:`ECONOMY_PANELS` first, in that
    order, then every other output :func:`mc.report.labels.variables_of` puts in the group:
    a run shows a fan over its years for each of its variables.
    """
    have = set(available)
    out = []
    for panels, group in ((DEMOGRAPHIC_PANELS, "demographic"), (ECONOMY_PANELS, "economy")):
        ordered = [*panels, *(v for v in variables_of(group) if v not in panels)]
        out.append([v for v in ordered if v in have])
    return out[0], out[1]


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
            color=_PUBLISHED,
            markersize=7,
            markerfacecolor="none",
            markeredgewidth=2,
            linestyle="none",
            label=text(lang, "published"),
        )
    ax.set_xticks(x, [label for _, label in scenarios], fontsize=8)
    ax.set_xlim(-0.6, len(scenarios) - 0.4)
    # bars stick the axis to their bottoms; a band is a range, not a bar from zero: give it room
    ax.use_sticky_edges = False
    ax.autoscale_view(scalex=False)


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
                color=_PUBLISHED,
                markerfacecolor="none",
                markeredgewidth=2,
                label=None if marked else text(lang, "published"),
            )
            marked = True
    ax.set_xticks(years)
    ax.set_xlabel(text(lang, "bands_of", scenario=main_label), fontsize=8)


def tornado_chart(
    rows: pd.DataFrame,
    *,
    lang: str,
    price_year: int,
    scenario: str,
    indices: pd.DataFrame | None = None,
    max_panels: int = 4,
) -> bytes:
    """Horizontal bars from the base to the output with each driver at its P10 and P90.

    Parameters
    ----------
    rows : DataFrame
        ``sensitivity.csv`` rows of one scenario and year, drawn in the order given per variable
        (largest swing first is expected: :func:`mc.report.tables.select_sensitivity`).
    lang : {"nb", "en"}
        Label language.
    price_year : int
        For the variable labels.
    scenario : str
        The scenario's label, for the title.
    indices : DataFrame, optional
        ``sensitivity_indices.csv``: each driver's share of the variance is then written under
        its name.
    max_panels : int
        At most this many variables are drawn, in the order they first appear.

    Returns
    -------
    bytes
        The PNG.
    """
    year = int(rows["year"].iloc[0])
    shares: dict[tuple[str, str], float] = {}
    if indices is not None:
        part = indices[
            (indices["scenario"].astype(str) == str(rows["scenario"].iloc[0]))
            & (indices["year"].astype(int) == year)
        ]
        shares = {
            (str(r.variable), str(r.driver)): float(r.contribution)
            for r in part.itertuples(index=False)
        }
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
        names = []
        for driver in part["driver"].astype(str):
            name = driver_label(driver, lang)
            share = shares.get((str(variable), driver))
            if share is not None and np.isfinite(share):
                name += "\n" + text(lang, "tornado_share", share=f"{100 * share:.0f}")
            names.append(name)
        ax.set_yticks(y, names, fontsize=8)
        ax.set_title(variable_label(str(variable), lang, price_year, year), fontsize=9)
        ax.grid(axis="x", alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=8, frameon=False)
    fig.suptitle(text(lang, "tornado_title", scenario=scenario, year=year))
    return _png(fig)


def municipal_ranking(
    bands: pd.DataFrame,
    names: Mapping[str, str],
    *,
    year: int,
    price_year: int,
    lang: str,
    levels: Sequence[float] = DEFAULT_LEVELS,
    top: int = 15,
    population: Mapping[str, float] | None = None,
    min_population: float = 5000,
) -> bytes:
    """The municipalities with the highest cost per inhabitant, the smallest ones apart.

    With ``population``, the left panel ranks the municipalities of at least ``min_population``
    inhabitants and the right one shows the highest of the smaller ones, whose bands are too
    wide to rank with the rest; both titles state the limit. Without it (a run folder made
    before ``municipal_population`` was an output), the right panel shows the widest bands.

    Parameters
    ----------
    bands : DataFrame
        Rows with ``variable, year, region, q50`` and the edges of ``levels`` as named by
        :func:`mc.summary.bands.band_columns` (see :func:`summary_band_edges`).
    names : mapping
        Municipality number -> name.
    year, price_year : int
        The cost year drawn and the price year of its kroner.
    lang : {"nb", "en"}
        Label language.
    levels : sequence of float
        Central band levels in percent; "widest" ranks by the widest of them.
    top : int
        Municipalities per panel.
    population : mapping, optional
        Inhabitants by municipality number (the central path in ``year``).
    min_population : float
        The size limit of the ranking.

    Returns
    -------
    bytes
        The PNG.
    """
    ordered = sorted(levels, reverse=True)
    shades = dict(zip(ordered, band_shades(len(ordered)), strict=True))
    rows = bands[
        (bands["variable"] == "municipal_cost_per_inhabitant_kr") & (bands["year"] == year)
    ].copy()
    lo, hi = band_columns(ordered[0])
    rows["width"] = rows[hi] - rows[lo]
    if population is None:
        panels = (
            (text(lang, "rank_highest"), rows.nlargest(top, "q50")),
            (text(lang, "rank_widest", level=level_text(ordered[0])), rows.nlargest(top, "width")),
        )
    else:
        big = np.array([population.get(str(c), 0.0) >= min_population for c in rows["region"]])
        limit = whole(min_population, lang)
        panels = (
            (
                text(lang, "rank_large", min=limit, n=int(big.sum())),
                rows[big].nlargest(top, "q50"),
            ),
            (
                text(lang, "rank_small", min=limit, n=int((~big).sum())),
                rows[~big].nlargest(top, "q50"),
            ),
        )
    fig, axes = plt.subplots(1, 2, figsize=(12, 0.32 * top + 1.8), layout="constrained")
    for ax, (title, part) in zip(axes, panels, strict=True):
        part = part.iloc[::-1]
        y = np.arange(len(part))
        labels = [f"{names.get(code, code)} ({code})" for code in part["region"]]
        for level in ordered:
            lo, hi = band_columns(level)
            ax.hlines(
                y,
                part[lo],
                part[hi],
                color=shades[level],
                linewidth=7,
                label=text(lang, "band", level=level_text(level)),
            )
        ax.plot(
            part["q50"],
            y,
            "|",
            color=_MEDIAN,
            markersize=12,
            markeredgewidth=2,
            label=text(lang, "median"),
        )
        ax.set_yticks(y, labels, fontsize=7)
        # kroner per inhabitant run to five digits: fewer ticks, with thousands separators
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: whole(v, lang)))
        ax.axvline(0, color="grey", linewidth=0.8)
        ax.set_title(title, fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    _legend_outside(fig, list(axes), [text(lang, "band", level=level_text(v)) for v in ordered])
    fig.suptitle(text(lang, "rank_title", year=year, price_year=price_year), fontsize=11)
    return _png(fig)


def county_panels(
    bands: pd.DataFrame,
    names: Mapping[str, str],
    population: Mapping[str, float],
    *,
    year: int,
    price_year: int,
    lang: str,
    level: float = 90,
    min_population: float = 5000,
) -> bytes:
    """Small multiples: each county's municipalities by median cost per inhabitant, with bands.

    One panel per county (its number is the first two digits of its municipalities', as in
    SSB's 2024 classification), all on one x axis so counties can be compared. Municipalities
    under ``min_population`` inhabitants are drawn in grey: their bands are the wide ones.

    Parameters
    ----------
    bands : DataFrame
        Rows with ``variable, year, region, q50`` and the edges of ``level`` (see
        :func:`summary_band_edges`).
    names : mapping
        County names by 2-digit number.
    population : mapping
        Inhabitants by municipality number (the central path in ``year``).
    year, price_year : int
        The cost year drawn and the price year of its kroner.
    lang : {"nb", "en"}
        Label language.
    level : float
        The band drawn, in percent.
    min_population : float
        The size under which a municipality is drawn in grey.

    Returns
    -------
    bytes
        The PNG.
    """
    rows = bands[
        (bands["variable"] == "municipal_cost_per_inhabitant_kr") & (bands["year"] == year)
    ].copy()
    rows["county"] = rows["region"].astype(str).str[:2]
    lo, hi = band_columns(level)
    counties = sorted(rows["county"].unique())
    cols = 3
    n_rows = (len(counties) + cols - 1) // cols
    fig, axes = plt.subplots(
        n_rows,
        cols,
        figsize=(12, 2.1 * n_rows + 1),
        layout="constrained",
        squeeze=False,
        sharex=True,
    )
    flat = list(axes.ravel())
    shade = band_shades(3)[1]
    for ax, county in zip(flat, counties, strict=False):
        part = rows[rows["county"] == county].sort_values("q50")
        y = np.arange(len(part))
        small = np.array([population.get(str(c), 0.0) < min_population for c in part["region"]])
        colours = np.where(small, "#bbbbbb", "")
        for yy, a, b, grey in zip(y, part[lo], part[hi], colours, strict=True):
            ax.hlines(yy, a, b, color=grey or shade, linewidth=2)
        ax.scatter(part["q50"][~small], y[~small], color=_MEDIAN, s=8, zorder=3)
        ax.scatter(part["q50"][small], y[small], color="#777777", s=8, zorder=3)
        ax.axvline(0, color="grey", linewidth=0.8)
        ax.set_yticks([])
        ax.set_title(f"{names.get(county, county)} ({len(part)})", fontsize=9)
        ax.grid(axis="x", alpha=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: whole(v, lang)))
    for ax in flat[len(counties) :]:
        ax.set_visible(False)
    fig.suptitle(
        text(
            lang,
            "county_panels_title",
            year=year,
            price_year=price_year,
            level=level_text(level),
        ),
        fontsize=11,
    )
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], color=shade, linewidth=2),
        Line2D([], [], color=_MEDIAN, marker="o", linestyle="", markersize=4),
        Line2D([], [], color="#bbbbbb", linewidth=2, marker="o", markerfacecolor="#777777"),
    ]
    labels = [
        text(lang, "band", level=level_text(level)),
        text(lang, "median"),
        text(lang, "county_small", min=whole(min_population, lang)),
    ]
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=8, frameon=False)
    return _png(fig)


def population_fan(
    bands: pd.DataFrame,
    *,
    lang: str,
    levels: Sequence[float] = (90, 80, 50),
    region: str = "0000",
) -> bytes:
    """Fans over the years: the whole population and each broad age group, one panel each.

    Parameters
    ----------
    bands : DataFrame
        ``population_bands.csv`` rows (``region, year, age_group`` and quantile columns
        ``qNN``).
    lang : {"nb", "en"}
        Label language.
    levels : sequence of float
        Central band levels in percent; each needs both of its quantile columns (a level the
        table cannot bound is left out).
    region : str
        The region drawn (``0000``: the whole country).

    Returns
    -------
    bytes
        The PNG.
    """
    rows = bands[bands["region"].astype(str) == region]
    groups = ["total", *(g for g in rows["age_group"].unique() if g != "total")]
    usable = []
    for level in sorted(levels, reverse=True):
        columns = [f"q{round(100 * p):02d}" for p in band_probabilities(level)]
        if all(c in rows.columns for c in columns):
            usable.append((level, columns))
    shades = band_shades(len(usable))
    fig, axes = _grid(len(groups), 12, 2.6)
    years = sorted(rows["year"].unique())
    for ax, group in zip(axes, groups, strict=True):
        part = rows[rows["age_group"] == group].sort_values("year")
        scale = 1e6 if group == "total" else 1e3
        for (level, (lo, hi)), colour in zip(usable, shades, strict=True):
            ax.fill_between(
                part["year"],
                part[lo] / scale,
                part[hi] / scale,
                color=colour,
                label=text(lang, "band", level=level_text(level)),
                linewidth=0,
            )
        ax.plot(part["year"], part["q50"] / scale, color=_MEDIAN, label=text(lang, "median"))
        name = text(lang, "pop_total") if group == "total" else text(lang, "pop_group", group=group)
        unit = "mill." if group == "total" else ("1000" if lang == "en" else "1 000")
        ax.set_title(f"{name} ({unit} {text(lang, 'pop_persons')})", fontsize=9)
        ax.set_xticks(years)
        ax.grid(alpha=0.3)
    first, last = int(min(years)), int(max(years))
    _legend_outside(fig, axes, [text(lang, "band", level=level_text(v)) for v, _ in usable])
    fig.suptitle(text(lang, "pop_fan_title", first=first, last=last), fontsize=11)
    return _png(fig)
