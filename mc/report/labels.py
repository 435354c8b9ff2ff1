"""Report labels in Norwegian (the terms of the TBU notes) and English."""

from __future__ import annotations

LANGS = ("nb", "en")

_TEXT = {
    "nb": {
        "fan_title": "Merutgifter til demografi {year}, mrd. {price_year}-kroner",
        "total": "Samlede merutgifter",
        "free": "Dekket av frie inntekter",
        "median": "Median",
        "band": "{level} % intervall",
        "published": "TBU (publisert)",
        "point": "Punktanslag (modell)",
        "draws_note": "{draws} trekninger, {blocks} blokker",
        "scenario": "Alternativ",
        "mean": "Gj.snitt",
        "economy_title": "Kommunesektorens økonomi, {first}-{last}",
        "ndr": "Netto driftsresultat, prosent av driftsinntektene",
        "real_growth": "Realvekst i frie inntekter, mrd. kr",
        "norm": "TBUs anbefalte nivå (2 %)",
        "bands_of": "Intervaller: {scenario}",
        "point_of": "Punktanslag: {scenario}",
    },
    "en": {
        "fan_title": "Extra costs of demographic change {year}, bn {price_year} kroner",
        "total": "Total extra costs",
        "free": "Financed by free revenues",
        "median": "Median",
        "band": "{level} % band",
        "published": "TBU (published)",
        "point": "Point estimate (model)",
        "draws_note": "{draws} draws, {blocks} blocks",
        "scenario": "Scenario",
        "mean": "Mean",
        "economy_title": "The municipal sector's economy, {first}-{last}",
        "ndr": "Net operating result, % of operating revenues",
        "real_growth": "Real growth in free revenues, bn NOK",
        "norm": "TBU's recommended level (2 %)",
        "bands_of": "Bands: {scenario}",
        "point_of": "Point estimate: {scenario}",
    },
}


def text(lang: str, key: str, **values: object) -> str:
    """The label ``key`` in ``lang``, formatted with ``values``.

    Raises
    ------
    ValueError
        If ``lang`` is not one of ``nb``, ``en``.
    """
    if lang not in LANGS:
        raise ValueError(f"lang={lang!r}, but it must be one of {list(LANGS)}")
    return _TEXT[lang][key].format(**values)


def whole(value: float, lang: str) -> str:
    """A whole number with the thousands separator of ``lang`` (a space in Norwegian)."""
    out = f"{value:,.0f}"
    return out.replace(",", "\u00a0") if lang == "nb" else out
