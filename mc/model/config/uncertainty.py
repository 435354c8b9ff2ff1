"""The ``uncertainty`` section: the spread of every stochastic driver."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from mc.model.config.common import MAX_NET_IMMIGRATION
from mc.model.fields import Section
from mc.model.schema import implausible, setting, table_file


class Spread(StrEnum):
    """Shape of the uncertainty around a scenario's immigration level."""

    FIXED = "fixed"
    NORMAL = "normal"
    UNIFORM = "uniform"
    TRIANGULAR = "triangular"
    SPLIT_NORMAL = "split_normal"


@dataclass(frozen=True)
class LevelSpread:
    """Uncertainty of the extra net immigration around each scenario's level.

    ``scale`` is written ``sd`` for a normal spread and ``half_width`` for a uniform or triangular
    one; a fixed level has none. A ``split_normal`` (median at the scenario's level) has ``sd_low``
    below it (:attr:`scale`) and ``sd_high`` above it (:attr:`scale_high`).
    """

    distribution: Spread = Spread.FIXED
    scale: float = 0.0
    scale_high: float = 0.0

    @property
    def scale_key(self) -> str | None:
        """The YAML name of :attr:`scale` for this distribution."""
        keys = {Spread.FIXED: None, Spread.NORMAL: "sd", Spread.SPLIT_NORMAL: "sd_low"}
        return keys.get(self.distribution, "half_width")


def _parse_level(sec: Section, key: str, values: dict[str, Any], allow: bool) -> LevelSpread:
    lvl = sec.section(key, {})
    choices = tuple(s.value for s in Spread)
    level = LevelSpread(Spread(lvl.take_str("distribution", "fixed", choices=choices)))
    if level.scale_key is not None:
        scale = lvl.take_number(level.scale_key, low=0.0)
        what = "a spread of net immigration"
        implausible(lvl, level.scale_key, scale, MAX_NET_IMMIGRATION, what, allow)
        high = 0.0
        if level.distribution is Spread.SPLIT_NORMAL:
            high = lvl.take_number("sd_high", low=0.0)
            implausible(lvl, "sd_high", high, MAX_NET_IMMIGRATION, what, allow)
        level = LevelSpread(level.distribution, scale, high)
    lvl.done()
    return level


def _dump_level(level: LevelSpread, owner: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"distribution": level.distribution.value}
    if level.scale_key is not None:
        out[level.scale_key] = level.scale
    if level.distribution is Spread.SPLIT_NORMAL:
        out["sd_high"] = level.scale_high
    return out


_PERSONS = (MAX_NET_IMMIGRATION, "a spread in persons")


@dataclass(frozen=True)
class Uncertainty:
    """Spread of every stochastic driver; zeros everywhere give the deterministic model."""

    extra_net_immigration: LevelSpread = setting(
        "custom", LevelSpread(), parse=_parse_level, dump=_dump_level
    )
    immigrant_profile_log_sd: float = setting(
        "number", 0.0, key="immigrant_profile.log_sd", low=0.0, high=3.0
    )
    births_sd: float = setting("number", 0.0, key="births.sd", low=0.0, plausible=_PERSONS)
    deaths_relative_sd: float = setting("number", 0.0, key="deaths.relative_sd", low=0.0, high=1.0)
    regular_net_immigration_sd: float = setting(
        "number", 0.0, key="regular_net_immigration.sd", low=0.0, plausible=_PERSONS
    )
    unit_cost_log_sd: float = setting("number", 0.0, key="unit_costs.log_sd", low=0.0, high=3.0)
    #: The day the latest data behind an estimated table was public; a spread written in the
    #: configuration itself is judgement made for it and needs no date.
    published: dt.date | None = setting("date", None)
    #: The file the table was read from (for messages; not written, not compared).
    file: str | None = setting("custom", None, key=None, parse=table_file, compare=False)
