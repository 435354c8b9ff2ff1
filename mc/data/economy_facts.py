"""The economy's fact tables: the sector's net operating result in history."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mc.errors import DataError


def ndr_history(facts: str | Path) -> pd.Series:
    """The sector's net operating result, % of operating revenues, 1990-2023.

    1990-2020 from ``ndr_sector_1990_2020_pct.csv``; 2021-2023 from NOU 2024:23 as kept in
    ``corrected_ndr_sector_2019_2023_pct.csv`` (item ``netto_driftsresultat``).

    Parameters
    ----------
    facts : str or Path
        The fact-table folder (``../shared/data/facts``).

    Returns
    -------
    pandas.Series
        Percent by year, sorted; :func:`mc.model.economy.fit_ndr` fits it.

    Raises
    ------
    DataError
        If either fact table is missing.
    """
    facts = Path(facts)
    try:
        early = pd.read_csv(facts / "ndr_sector_1990_2020_pct.csv")
        late = pd.read_csv(facts / "corrected_ndr_sector_2019_2023_pct.csv")
    except FileNotFoundError as exc:
        raise DataError(str(facts), f"fact table missing: {exc.filename}") from exc
    series = early.set_index("year")["netto_driftsresultat_pct_of_revenue"].astype(float)
    late = late[(late["item"] == "netto_driftsresultat") & late["period"].str.fullmatch(r"\d{4}")]
    for period, value in zip(late["period"], late["pct_of_driftsinntekter"], strict=True):
        series.loc[int(period)] = float(value)
    return series.sort_index()


#: The level names of ``ndr_by_level_recent.csv`` and the economy model's names for them.
LEVEL_NAMES = {
    "kommunesektoren": "sector",
    "kommunene": "municipalities",
    "fylkeskommunene": "counties",
}


def ndr_by_level(facts: str | Path) -> pd.DataFrame:
    """Recent net operating results by level, with TBU's recommended levels.

    Parameters
    ----------
    facts : str or Path
        The fact-table folder (``../shared/data/facts``).

    Returns
    -------
    pandas.DataFrame
        ``year, level (sector/municipalities/counties), pct, norm_pct, source``.

    Raises
    ------
    DataError
        If the table is missing or names a level not in :data:`LEVEL_NAMES`.
    """
    path = Path(facts) / "ndr_by_level_recent.csv"
    try:
        raw = pd.read_csv(path)
    except FileNotFoundError as exc:
        raise DataError(str(path), "fact table missing") from exc
    unknown = sorted(set(raw["level"]) - set(LEVEL_NAMES))
    if unknown:
        raise DataError(str(path), f"unknown level(s) {unknown}; known: {sorted(LEVEL_NAMES)}")
    return pd.DataFrame(
        {
            "year": raw["year"].astype(int),
            "level": raw["level"].map(LEVEL_NAMES),
            "pct": raw["netto_driftsresultat_pct"].astype(float),
            "norm_pct": raw["tbu_recommended_pct"].astype(float),
            "source": raw["source_url"],
        }
    )
