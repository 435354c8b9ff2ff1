"""Municipal runs in words: region names in ``summary.csv`` and the console lines of a run.

A municipal run's tables key every row by ``region`` (a 4-digit municipality number, a 2-digit
county number, or ``0000`` for the whole country). People look for *names*: this module adds
them, and ranks municipalities by cost per inhabitant only among those large enough for the
figure to mean something (see :data:`DEFAULT_MIN_POPULATION`).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from mc.report.labels import text, whole
from mc.summary.table import NATION

#: Municipalities below this many inhabitants are not ranked with the others. 5,000 is the
#: lower size limit of SSB's KOSTRA groups of municipalities (small: under 5,000 inhabitants):
#: below it a few hundred children more or less in kindergarten or school move the cost per
#: inhabitant by thousands of kroner, and the bands are wide enough to swamp any ranking.
DEFAULT_MIN_POPULATION = 5000
#: The variables of a municipal run read here.
PER_INHABITANT = "municipal_cost_per_inhabitant_kr"
POPULATION = "municipal_population"
#: Column added to a municipal run's ``summary.csv``.
REGION_NAME = "region_name"


def region_name(code: str, names: Mapping[str, str], lang: str) -> str:
    """The name of a region code: the nation in ``lang``, else the classification's name."""
    if code == NATION:
        return text(lang, "con_nation")
    return names.get(code, code)


def with_region_names(table: pd.DataFrame, names: Mapping[str, str], lang: str) -> pd.DataFrame:
    """``table`` with a ``region_name`` column right after ``region``.

    Parameters
    ----------
    table : DataFrame
        Rows with a ``region`` column (``summary.csv`` of a municipal run).
    names : mapping
        Municipality and county names by code (the classification file's).
    lang : {"nb", "en"}
        Language of the nation's name (``Norge`` or ``Norway``).
    """
    out = table.copy()
    column = [region_name(str(code), names, lang) for code in out["region"]]
    out.insert(out.columns.get_loc("region") + 1, REGION_NAME, column)
    return out


def point_population(deterministic: pd.DataFrame, year: int) -> dict[str, float]:
    """Each municipality's inhabitants in ``year`` on the central path (the size ranked by).

    Empty for a run made before ``municipal_population`` was an output.
    """
    rows = deterministic[
        (deterministic["variable"] == POPULATION) & (deterministic["year"] == year)
    ]
    return dict(zip(rows["region"].astype(str), rows["value"].astype(float), strict=True))


def municipal_console(
    deterministic: pd.DataFrame,
    summary: pd.DataFrame | None,
    names: Mapping[str, str],
    *,
    year: int,
    lang: str = "nb",
    price_year: int | None = None,
    top: int = 5,
    min_population: float = DEFAULT_MIN_POPULATION,
) -> str:
    """The console lines of a municipal run: the nation, then the highest cost per inhabitant.

    Parameters
    ----------
    deterministic, summary : DataFrame
        ``deterministic.csv`` and (``None`` for a deterministic run) ``summary.csv`` rows.
    names : mapping
        Municipality and county names by code.
    year : int
        The cost year.
    lang : {"nb", "en"}
        Language of every word.
    price_year : int, optional
        The kroner the costs are counted in.
    top : int
        Municipalities listed.
    min_population : float
        Only municipalities with at least this many inhabitants (central path, ``year``) are
        ranked; how many were left out is said in one line.

    Returns
    -------
    str
        Lines joined by newlines.
    """
    unit = (
        text(lang, "unit_bn_unpriced")
        if price_year is None
        else text(lang, "unit_bn_price", price_year=price_year)
    )
    head = f"{unit:<34} {text(lang, 'mun_point'):>9}"
    if summary is not None:
        head += f" {'q05':>9} {'q50':>9} {'q95':>9}"
    lines = [head]
    point = deterministic.set_index(["variable", "region", "year"])["value"]
    for variable, label in (
        ("national_cost_bn", region_name(NATION, names, lang)),
        ("national_cost_free_bn", "  " + text(lang, "free")),
    ):
        line = f"{label:<34} {point[(variable, NATION, year)]:9.2f}"
        if summary is not None:
            r = summary[(summary["variable"] == variable) & (summary["year"] == year)].iloc[0]
            line += f" {r['q05']:9.2f} {r['q50']:9.2f} {r['q95']:9.2f}"
        lines.append(line)
    if summary is None:
        return "\n".join(lines)
    size = point_population(deterministic, year)
    per = summary[(summary["variable"] == PER_INHABITANT) & (summary["year"] == year)]
    large = per[[size.get(str(code), 0.0) >= min_population for code in per["region"]]]
    kroner = "kr" if price_year is None else text(lang, "con_kroner", price_year=price_year)
    lines.append(
        text(lang, "mun_ranked", min=whole(min_population, lang), kroner=kroner, year=year)
    )
    for r in large.nlargest(top, "q50").itertuples():
        label = f"{names.get(r.region, r.region)} ({r.region})"
        p = point[(PER_INHABITANT, r.region, year)]
        lines.append(f"  {label[:32]:<32} {p:9.0f} {r.q05:9.0f} {r.q50:9.0f} {r.q95:9.0f}")
    if len(per) > len(large):
        small = len(per) - len(large)
        lines.append(text(lang, "mun_small_note", n=small, min=whole(min_population, lang)))
    return "\n".join(lines)
