"""The headline table printed at the end of a run, as plain text for the console."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import xarray as xr

from mc.report.labels import text
from mc.report.placement import scenario_percentiles
from mc.report.tables import chosen_years, number

_VARS = (("demographic_cost_total_bn", "total"), ("demographic_cost_free_bn", "free"))


def headline_text(
    deterministic: pd.DataFrame,
    summary: pd.DataFrame | None,
    scenarios: list[tuple[str, str]],
    published: dict[tuple[str, str], float],
    lang: str = "en",
    year: int | None = None,
    *,
    price_year: int | None = None,
    years: Sequence[int] | None = None,
) -> str:
    """Plain-text table: published, point estimate and (for stochastic runs) mean and 90 % band.

    One block per year shown, each headed by its year, so a multi-year run never prints a year
    without saying which.

    Parameters
    ----------
    deterministic : DataFrame
        ``deterministic.csv`` rows.
    summary : DataFrame or None
        ``summary.csv`` rows; ``None`` for a deterministic run.
    scenarios : list of (name, label)
        Scenarios in display order.
    published : dict
        ``(scenario, variable) -> value`` (TBU's figures belong to the last year of the run).
    lang : {"nb", "en"}
        Label language.
    year : int, optional
        Show only this year (a municipal run: default the last year in the tables).
    price_year : int, optional
        The price year of the costs, named in the heading (pass the configuration's; without it
        the heading says only "bn kr").
    years : sequence of int, optional
        The years to show (``--years``); default every year of the run.

    Raises
    ------
    ConfigError
        If ``years`` names a year the run does not have.
    """
    if "municipal_cost_bn" in set(deterministic["variable"]):
        last = int(deterministic["year"].max()) if year is None else year
        return municipal_headline(deterministic, summary, last, lang=lang, price_year=price_year)
    shown = [year] if year is not None else chosen_years(deterministic["year"], years)
    last = int(deterministic["year"].max())
    blocks = []
    for one in shown:
        # TBU's published figures are for the run's last year (the cost year) only
        marks = published if one == last else {}
        blocks.append(
            _national_year(deterministic, summary, scenarios, marks, lang, one, price_year)
        )
    return "\n\n".join(blocks)


def _national_year(
    deterministic: pd.DataFrame,
    summary: pd.DataFrame | None,
    scenarios: list[tuple[str, str]],
    published: dict[tuple[str, str], float],
    lang: str,
    year: int,
    price_year: int | None,
) -> str:
    """The headline table of one year; its heading names the year."""
    deterministic = deterministic[deterministic["year"] == year]
    if summary is not None:
        summary = summary[summary["year"] == year]
    unit = f"{_unit(lang, price_year)}, {year}"
    head = f"{text(lang, 'scenario'):<22} {unit:<28} {'TBU':>6} {text(lang, 'con_point'):>7}"
    if summary is not None:
        head += f" {text(lang, 'con_mean'):>8} {'q05':>7} {'q50':>7} {'q95':>7}"
    lines = [head, "-" * len(head)]
    for name, label in scenarios:
        for variable, key in _VARS:
            point = deterministic.loc[
                (deterministic["variable"] == variable)
                & (deterministic["scenario"] == name)
                & (deterministic["sector"] == "all"),
                "value",
            ].iloc[0]
            pub = published.get((name, variable))
            line = f"{label[:22]:<22} {text(lang, key)[:28]:<28} "
            line += _fixed(pub, 6, 1, lang) if pub is not None else f"{'-':>6}"
            line += " " + _fixed(point, 7, 2, lang)
            if summary is not None:
                row = summary[
                    (summary["variable"] == variable)
                    & (summary["scenario"] == name)
                    & (summary["sector"] == "all")
                ].iloc[0]
                line += " " + _fixed(row["mean"], 8, 2, lang)
                line += "".join(" " + _fixed(row[q], 7, 2, lang) for q in ("q05", "q50", "q95"))
            lines.append(line)
    return "\n".join(lines)


def placement_lines(
    tree: xr.DataTree | None,
    deterministic: pd.DataFrame,
    scenarios: list[tuple[str, str]],
    lang: str = "en",
    year: int | None = None,
    *,
    price_year: int | None = None,
) -> list[str]:
    """One line per scenario after the first: where its total falls in the first one's draws.

    The same placement as the report's scenario table
    (:func:`mc.report.placement.scenario_percentiles`): the scenario's point estimate of
    ``demographic_cost_total_bn`` among the first scenario's draws.

    Parameters
    ----------
    tree : DataTree or None
        The run's draws; ``None`` (a deterministic or streamed run) gives no lines, and so does
        a tree of only the run's first draws (``--keep-draws``: its attributes ``draws_kept``
        and ``draws_total`` differ), which could place a scenario elsewhere than every draw.
    deterministic : DataFrame
        ``deterministic.csv`` rows.
    scenarios : list of (name, label)
        Scenarios in configuration order; the first is the reference.
    lang : {"nb", "en"}
        Label language.
    year : int, optional
        The year placed (default: the last year in ``deterministic``).
    price_year : int, optional
        The price year of the costs, named with the value (without it only the currency).

    Returns
    -------
    list of str
        E.g. ``"refugees_30k: 4.45 bn, the 83rd percentile of Main alternative (...)"``.
    """
    if tree is None or len(scenarios) < 2 or "posterior" not in tree.children:
        return []
    if tree.attrs.get("draws_kept", 0) != tree.attrs.get("draws_total", 0):
        return []
    year = int(deterministic["year"].max()) if year is None else year
    (reference, reference_label), *others = scenarios
    shares = scenario_percentiles(tree, deterministic, reference, year)
    variable = "demographic_cost_total_bn"
    points = deterministic[
        (deterministic["variable"] == variable)
        & (deterministic["year"] == year)
        & (deterministic["sector"] == "all")
    ].set_index("scenario")["value"]
    lines = []
    for name, label in others:
        share = shares.get((name, variable))
        if share is None or name not in points.index:
            continue
        lines.append(
            text(
                lang,
                "con_placement",
                scenario=label,
                value=number(float(points[name]), 2, lang),
                unit=_unit(lang, price_year),
                rank=_rank(round(100 * share), lang),
                reference=reference_label,
                year=year,
            )
        )
    return lines


def _fixed(value: float, width: int, digits: int, lang: str) -> str:
    """A right-aligned number with the decimal sign of ``lang`` (a comma in Norwegian)."""
    out = f"{float(value):{width}.{digits}f}"
    return out.replace(".", ",") if lang == "nb" else out


def _rank(percent: int, lang: str) -> str:
    """A percentile as a rank: ``83rd`` in English; Norwegian writes the number and a full stop."""
    if lang != "en":
        return str(percent)
    suffix = (
        "th" if 10 <= percent % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(percent % 10, "th")
    )
    return f"{percent}{suffix}"


def _unit(lang: str, price_year: int | None) -> str:
    """The unit of the costs: ``mrd. 2024-kr``, or without a price year only the currency."""
    if price_year is None:
        return text(lang, "unit_bn_unpriced")
    return text(lang, "unit_bn_price", price_year=price_year)


def municipal_headline(
    deterministic: pd.DataFrame,
    summary: pd.DataFrame | None,
    year: int,
    top: int = 5,
    *,
    lang: str = "en",
    price_year: int | None = None,
) -> str:
    """National total, and the municipalities with the highest cost per inhabitant."""
    lines = [
        f"{_unit(lang, price_year):<34} {text(lang, 'con_point'):>9} {'q05':>9} {'q50':>9} "
        f"{'q95':>9}"
    ]
    point = deterministic.set_index(["variable", "region", "year"])["value"]
    rows = [] if summary is None else [summary]
    for variable, label in (
        ("national_cost_bn", text(lang, "con_nation")),
        ("national_cost_free_bn", "  " + text(lang, "free")),
    ):
        line = f"{label:<34} {point[(variable, '0000', year)]:9.2f}"
        if rows:
            r = summary[(summary["variable"] == variable) & (summary["year"] == year)].iloc[0]
            line += f" {r['q05']:9.2f} {r['q50']:9.2f} {r['q95']:9.2f}"
        lines.append(line)
    if summary is not None:
        per = summary[
            (summary["variable"] == "municipal_cost_per_inhabitant_kr") & (summary["year"] == year)
        ].nlargest(top, "q50")
        kroner = "kr" if price_year is None else text(lang, "con_kroner", price_year=price_year)
        lines.append(text(lang, "con_per_inhabitant", kroner=kroner, year=year))
        for r in per.itertuples():
            p = point[("municipal_cost_per_inhabitant_kr", r.region, year)]
            lines.append(f"  {r.region:<32} {p:9.0f} {r.q05:9.0f} {r.q50:9.0f} {r.q95:9.0f}")
    return "\n".join(lines)


def _or_dash(value: float, digits: int, lang: str = "en", width: int = 0) -> str:
    """A number with ``digits`` decimals in ``lang``'s decimal sign, or ``-`` (no draws, no figure).

    Right-aligned in ``width`` characters.
    """
    if pd.isna(value):
        return f"{'-':>{width}}"
    return _fixed(value, width, digits, lang)


def headline_view_line(view: str, lang: str = "en") -> str:
    """Which view (``tbu`` or ``model``) the headline bands belong to, in one sentence."""
    return text(lang, "headline_view", view=text(lang, f"view_{view}_long"))


def views_lines(
    views: pd.DataFrame,
    reconciliation: pd.DataFrame,
    scenarios: list[tuple[str, str]],
    lang: str = "en",
    *,
    year: int,
    price_year: int | None = None,
) -> list[str]:
    """Both views' total extra costs side by side, then the main scenario's reconciliation.

    Parameters
    ----------
    views, reconciliation : DataFrame
        ``views.csv`` and ``reconciliation.csv`` rows (:mod:`mc.workflow.views`).
    scenarios : list of (name, label)
        Scenarios in display order; the first one's reconciliation is printed.
    lang : {"nb", "en"}
        Label language.
    year, price_year : int
        The cost year and the costs' price year.
    """
    total = views[views["variable"] == "demographic_cost_total_bn"]
    lines = [text(lang, "views_title", year=year, unit=_unit(lang, price_year))]
    head = (
        f"{text(lang, 'scenario'):<22} {text(lang, 'col_view'):<28} {'TBU':>6} "
        f"{text(lang, 'con_point'):>7} "
        f"{'q05':>7} {'q50':>7} {'q95':>7} {'P(>TBU)':>8}"
    )
    lines += [head, "-" * len(head)]
    for name, label in scenarios:
        for row in total[total["scenario"] == name].itertuples(index=False):
            mark = "*" if row.headline else " "
            view = f"{mark}{text(lang, f'view_{row.view}')}"
            pub = _or_dash(row.published, 1, lang, 6)
            cells = " ".join(
                _or_dash(v, 2, lang, 7) for v in (row.point, row.q05, row.median, row.q95)
            )
            p = _or_dash(row.p_above_published, 2, lang, 8)
            lines.append(f"{label[:22]:<22} {view[:28]:<28} {pub:>6} {cells} {p:>8}")
    first, label = scenarios[0]
    steps = reconciliation[reconciliation["scenario"] == first]
    parts = []
    for row in steps.itertuples(index=False):
        value = (
            f"{row.total_bn:.2f}"
            if row.order in (0, steps["order"].max())
            else (f"{row.total_bn:+.2f}")
        )
        value = value.replace(".", ",") if lang == "nb" else value
        parts.append(f"{text(lang, f'step_{row.step}')} {value}")
    lines.append(f"{label}: " + " → ".join(parts))
    return lines
