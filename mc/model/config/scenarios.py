"""The ``scenarios`` section: immigration scenarios, each with its published result."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from mc.model.config.common import MAX_NET_IMMIGRATION, NAME_HELP, NAME_PATTERN, labels
from mc.model.fields import Section
from mc.model.schema import read, setting, write


@dataclass(frozen=True, kw_only=True)  # keywords: a default (extra immigration) comes first
class Scenario:
    """An immigration scenario: extra net immigration over the baseline, with a published result."""

    name: str = setting("custom", key=None)  # the scenario's key in the section
    extra_net_immigration: float = setting(
        "number", 0.0, plausible=(MAX_NET_IMMIGRATION, "net immigration a year")
    )
    label_nb: str = setting("custom", key="label.nb")
    label_en: str = setting("custom", key="label.en")
    published_total_bn: float | None = setting("number", None, key="published.total_bn")
    published_free_bn: float | None = setting("number", None, key="published.free_bn")
    #: The day the published result and the scenario's level were public.
    published_date: dt.date | None = setting("date", None, key="published.date")


def parse_scenarios(sec: Section, allow: bool = False) -> tuple[Scenario, ...]:
    """Validate the ``scenarios`` mapping (name to scenario); at least one is required."""
    scenarios = []
    for name in list(sec.data):
        if not isinstance(name, str) or not re.fullmatch(NAME_PATTERN, name):
            raise sec.error(str(name), sec.data[name], f"a scenario name: {NAME_HELP}")
        s = sec.section(name)
        given = {"name": name, **labels(s, name)}
        scenarios.append(Scenario(**read(Scenario, s, allow, given)))
        s.done()
    if not scenarios:
        raise sec.error("", {}, "at least one scenario is required")
    return tuple(scenarios)


def scenarios_to_dict(scenarios: tuple[Scenario, ...], owner: Any = None) -> dict[str, Any]:
    """The written form of the scenarios: a mapping from name to scenario."""
    return {s.name: write(s) for s in scenarios}
