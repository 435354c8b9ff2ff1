"""Reading nested mappings (parsed YAML) with errors that name the field, the value and the rule.

A :class:`Section` wraps one mapping. Each ``take_*`` call consumes a key; :meth:`Section.done`
then rejects any key nobody asked for, suggesting the closest allowed name. Keys named ``source``
and ``note`` are documentation and always allowed, as text of at most :data:`MAX_TEXT` characters.

Numbers are finite and at most :data:`MAX_MAGNITUDE` in size even where a field sets no bound of
its own, so that no sum or product of configuration values can overflow to ``inf`` or ``nan``.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping
from typing import Any

from mc.errors import ConfigError

_MISSING = object()
DOC_KEYS = ("source", "note")
#: Characters in one text field (a name, a label, a note or source). The longest shipped note is
#: about 400 characters; longer text belongs in the documentation, not in a configuration.
MAX_TEXT = 2_000
#: Largest magnitude of any number in a configuration. A hard bound: the largest real values
#: (kroner per inhabitant, billions of kroner, persons) are below 1e7, and products of two values
#: below 1e15 stay far from float overflow.
MAX_MAGNITUDE = 1e15


def check_text(value: Any, field: str, source: str | None = None) -> str:
    """Validate a text field: a string of at most :data:`MAX_TEXT` characters, no NUL.

    Raises
    ------
    ConfigError
        Naming the field, when the value is not text, is too long or holds a NUL character.
    """
    if not isinstance(value, str):
        raise ConfigError(field, value, "expected text", source)
    if len(value) > MAX_TEXT:
        raise ConfigError(
            field, value, f"text of at most {MAX_TEXT:,} characters (got {len(value):,})", source
        )
    if "\x00" in value:
        raise ConfigError(field, value, "text may not contain NUL characters", source)
    return value


class Section:
    """One mapping of a configuration, read key by key.

    Parameters
    ----------
    data : Any
        The parsed value; must be a mapping.
    path : str
        Dotted path of this mapping (``""`` for the top level).
    source : str, optional
        File the mapping came from, for messages.
    """

    def __init__(self, data: Any, path: str = "", source: str | None = None) -> None:
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            raise ConfigError(path or "<top>", data, "expected a mapping of fields", source)
        self.data = dict(data)
        self.path = path
        self.source = source
        self._seen: set[str] = set(DOC_KEYS)
        for key in DOC_KEYS:
            if key in self.data:
                check_text(self.data[key], self.field(key), source)

    def field(self, key: str) -> str:
        """Dotted path of ``key`` inside this section."""
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str, value: Any, allowed: str) -> ConfigError:
        """Build a :class:`ConfigError` for ``key``."""
        return ConfigError(self.field(key), value, allowed, self.source)

    def has(self, key: str) -> bool:
        """Whether ``key`` is present (and marks it as seen)."""
        self._seen.add(key)
        return key in self.data

    def take(self, key: str, default: Any = _MISSING) -> Any:
        """Return the raw value of ``key``, or ``default``; a missing key without default fails."""
        self._seen.add(key)
        if key in self.data:
            return self.data[key]
        if default is _MISSING:
            raise self.error(key, None, "this field is required")
        return default

    def section(self, key: str, default: Any = _MISSING) -> Section:
        """Return the sub-mapping at ``key`` as a :class:`Section`."""
        return Section(self.take(key, default), self.field(key), self.source)

    def take_number(
        self,
        key: str,
        default: Any = _MISSING,
        *,
        low: float | None = None,
        high: float | None = None,
        low_open: bool = False,
        integer: bool = False,
    ) -> float:
        """Return a finite number within ``[low, high]`` (``(low, high]`` with ``low_open``)."""
        value = self.take(key, default)
        return check_number(
            value,
            self.field(key),
            self.source,
            low=low,
            high=high,
            low_open=low_open,
            integer=integer,
        )

    def take_str(self, key: str, default: Any = _MISSING, *, choices: tuple[str, ...] = ()) -> str:
        """Return a string, optionally one of ``choices``."""
        value = check_text(self.take(key, default), self.field(key), self.source)
        if choices and value not in choices:
            raise self.error(key, value, f"must be one of {list(choices)}")
        return value

    def take_list(self, key: str, default: Any = _MISSING) -> list[Any]:
        """Return a list."""
        value = self.take(key, default)
        if not isinstance(value, list):
            raise self.error(key, value, "expected a list")
        return value

    def done(self) -> None:
        """Reject keys that were never read, naming the closest allowed field."""
        unknown = [k for k in self.data if k not in self._seen]
        if not unknown:
            return
        key = unknown[0]
        allowed = sorted(k for k in self._seen if k not in DOC_KEYS)
        close = difflib.get_close_matches(str(key), allowed, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ConfigError(
            self.field(str(key)),
            self.data[key],
            f"unknown field{hint}; allowed: {allowed}",
            self.source,
        )


def check_number(
    value: Any,
    field: str,
    source: str | None = None,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    integer: bool = False,
) -> float:
    """Validate one number; see :meth:`Section.take_number`."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(field, value, "expected a number", source)
    # a whole number beyond float range would make math.isfinite raise; test its size first
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(field, value, "expected a finite number", source)
    if integer and value != int(value):
        raise ConfigError(field, value, "expected a whole number", source)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and value > high
    if too_low or too_high:
        left = "(" if low_open else "["
        lo = "-inf" if low is None else _bound(low)
        hi = "inf" if high is None else _bound(high)
        raise ConfigError(field, value, f"must be in {left}{lo}, {hi}]", source)
    if abs(value) > MAX_MAGNITUDE:
        raise ConfigError(
            field,
            value,
            f"numbers in a configuration are at most {MAX_MAGNITUDE:g} in size (a hard bound "
            "that keeps every sum and product finite)",
            source,
        )
    return int(value) if integer else float(value)


def _bound(x: float) -> str:
    """A bound as people write it: 20,000,000 rather than 2e+07."""
    return f"{x:,.0f}" if abs(x) >= 1e5 and x == int(x) else f"{x:g}"


def number_list(
    values: Any, field: str, source: str | None, length: int, check: Callable[[float, str], Any]
) -> list[float]:
    """Validate a list of ``length`` numbers, each passed through ``check(value, field)``."""
    if not isinstance(values, list):
        raise ConfigError(field, values, f"expected a list of {length} numbers", source)
    if len(values) != length:
        raise ConfigError(field, values, f"expected {length} numbers, got {len(values)}", source)
    return [check(v, f"{field}[{i}]") for i, v in enumerate(values)]
