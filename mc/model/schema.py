"""Declaring a configuration field once: how it is read, checked, defaulted and written back.

Each section of the configuration is a frozen dataclass whose fields are made with
:func:`setting`. The declaration carries everything the rest of the code needs to know about the
field: its YAML name (dotted for a value nested one level down, ``births.sd``), its default, its
kind (number, whole number, text, choice, true/false, date, list, or a nested section), its
bounds and allowed choices, the words that tell a user what is allowed, and how it is written back.
:func:`read` then parses any declared section from a :class:`~mc.model.fields.Section` and
:func:`write` serialises it, so that no field is spelled in a parser or a serialiser of its own.

Fields whose reading depends on the rest of the configuration (a table that may live in another
file, unit costs keyed by the configuration's age groups) declare a ``parse`` hook, or are passed
in by the section's reader through ``given``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mc.errors import ConfigError
from mc.model.fields import Section, check_number, check_text

#: Marks a field without a default: a missing key is an error naming the field.
REQUIRED: Any = dataclasses.MISSING
#: Returned by a ``dump`` hook to leave the field out of the written form.
OMIT: Any = object()

Bound = float | Callable[[Mapping[str, Any]], float] | None
#: ``parse(section, key, values_so_far, allow_implausible)`` for a field read by its own code.
ParseHook = Callable[[Section, str, dict[str, Any], bool], Any]
#: ``dump(value, owner)`` for a field written in its own form; may return :data:`OMIT`.
DumpHook = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class Spec:
    """How one field is read and written; see :func:`setting`."""

    kind: str
    key: str | None
    low: Bound = None
    high: Bound = None
    low_open: bool = False
    choices: tuple[str, ...] | type[enum.Enum] = ()
    pattern: re.Pattern[str] | None = None
    help: str = ""
    plausible: tuple[float, str] | None = None
    omit: str = "none"
    parse: ParseHook | None = None
    dump: DumpHook | None = None
    schema: type | None = None


KINDS = ("number", "integer", "text", "choice", "bool", "date", "list", "section", "custom")
OMIT_RULES = ("none", "falsy", "never")


def setting(
    kind: str,
    default: Any = REQUIRED,
    *,
    key: str | None = "",
    low: Bound = None,
    high: Bound = None,
    low_open: bool = False,
    choices: tuple[str, ...] | type[enum.Enum] = (),
    pattern: str | None = None,
    help: str = "",
    plausible: tuple[float, str] | None = None,
    omit: str = "none",
    parse: ParseHook | None = None,
    dump: DumpHook | None = None,
    schema: type | None = None,
    compare: bool = True,
) -> Any:
    """Declare a configuration field (use as the default of a dataclass field).

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`. ``section`` reads a nested declared dataclass (``schema``);
        ``custom`` is read by ``parse`` or by the caller (``given``).
    default : Any, optional
        The value when the key is absent; :data:`REQUIRED` makes the key mandatory. A field whose
        default is ``None`` treats an explicit YAML ``null`` as absent.
    key : str or None, optional
        The YAML name; ``""`` means the attribute's name, ``None`` that the field is not part of
        the written form (a name given by a mapping key, say). A dotted name reads one level down.
    low, high : float or callable, optional
        Closed bounds (``low`` open with ``low_open``); a callable gets the values read so far.
    choices : tuple of str or Enum class, optional
        Allowed values of a ``choice`` field; an Enum class also converts the text.
    pattern : str, optional
        A regular expression a ``text`` field must match; ``help`` then says what is allowed.
    help : str, optional
        What is allowed, in words, for ``pattern`` and ``bool`` fields.
    plausible : (float, str), optional
        A judgement bound and what the value is, lifted by ``allow_implausible``.
    omit : {"none", "falsy", "never"}, optional
        When the written form leaves the field out: when ``None`` (default), when empty or false,
        or never.
    parse, dump : callable, optional
        Hooks for a field read or written in a form of its own.
    schema : type, optional
        The declared dataclass of a ``section`` field.
    compare : bool, optional
        Passed to :func:`dataclasses.field`.

    Returns
    -------
    dataclasses.Field
    """
    # declaration errors, caught when the module is imported
    if kind not in KINDS:
        raise ValueError(f"unknown field kind {kind!r}; one of {KINDS}")
    if omit not in OMIT_RULES:
        raise ValueError(f"unknown omission rule {omit!r}; one of {OMIT_RULES}")
    spec = Spec(
        kind,
        key,
        low,
        high,
        low_open,
        choices,
        re.compile(pattern) if pattern else None,
        help,
        plausible,
        omit,
        parse,
        dump,
        schema,
    )
    return dataclasses.field(default=default, compare=compare, metadata={"spec": spec})


def declared(cls: type) -> list[tuple[dataclasses.Field[Any], Spec]]:
    """The declared fields of a section class, in declaration order."""
    return [(f, f.metadata["spec"]) for f in dataclasses.fields(cls) if "spec" in f.metadata]


def table_file(sec: Any, key: str, values: Mapping[str, Any], allow: bool) -> str | None:
    """The file a section was read from: the parser of a table's ``file`` field (``key=None``)."""
    return getattr(sec, "source", None)


def yaml_key(f: dataclasses.Field[Any], spec: Spec) -> str:
    """The YAML name of a declared field."""
    return f.name if spec.key == "" else str(spec.key)


def implausible(sec: Section, key: str, value: float, bound: float, what: str, allow: bool) -> None:
    """Refuse ``value`` beyond a judgement ``bound`` unless the config says allow_implausible.

    Raises
    ------
    ConfigError
        Naming the field, the value and the bound, and how to lift it.
    """
    if allow or abs(value) <= bound:
        return
    raise sec.error(
        key,
        value,
        f"{what} must be at most {bound:,.0f} in size. This is a judgement bound, not a law of "
        "nature; if the value is meant, set 'allow_implausible: true' at the top of the config",
    )


def read(
    cls: type,
    sec: Section,
    allow: bool = False,
    given: Mapping[str, Any] | None = None,
    only: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """Read the declared fields of ``cls`` from ``sec``; the caller builds the object.

    ``given`` holds fields the caller has already read; ``only`` limits the reading to some
    fields (by attribute name).

    The caller calls ``sec.done()`` once it has read anything undeclared (documentation keys are
    always allowed), so that unknown keys are refused naming the closest declared one.

    Raises
    ------
    ConfigError
        Naming the field, the value found and what is allowed.
    """
    values: dict[str, Any] = dict(given or {})
    groups: dict[str, Section] = {}
    for f, spec in declared(cls):
        if f.name in values or (only is not None and f.name not in only):
            continue
        head, _, inner = yaml_key(f, spec).rpartition(".")
        where = sec
        if head:
            if head not in groups:
                groups[head] = sec.section(head, {})
            where = groups[head]
        if spec.parse is not None:
            values[f.name] = spec.parse(where, inner, values, allow)
        else:
            values[f.name] = _read_one(where, inner, f, spec, values, allow)
    for group in groups.values():
        group.done()
    return values


def _bound(bound: Bound, values: Mapping[str, Any]) -> float | None:
    return bound(values) if callable(bound) else bound


def _read_one(
    sec: Section,
    key: str,
    f: dataclasses.Field[Any],
    spec: Spec,
    values: Mapping[str, Any],
    allow: bool,
) -> Any:
    default = f.default
    if default is REQUIRED and f.default_factory is not dataclasses.MISSING:
        default = f.default_factory()
    if spec.kind == "section":
        if spec.schema is None:
            raise TypeError(f"{f.name}: a section field declares its schema")
        if default is None and not sec.has(key):
            return None
        # present but empty (``cluster:``), or absent with a default: the fields' own defaults
        sub = Section(sec.take(key, {}), sec.field(key), sec.source)
        out = spec.schema(**read(spec.schema, sub, allow))
        sub.done()
        return out
    raw = sec.take(key) if default is REQUIRED else sec.take(key, default)
    if default is None and raw is None:
        return None
    if spec.kind in ("number", "integer"):
        value = check_number(
            raw,
            sec.field(key),
            sec.source,
            low=_bound(spec.low, values),
            high=_bound(spec.high, values),
            low_open=spec.low_open,
            integer=spec.kind == "integer",
        )
        if spec.plausible is not None:
            implausible(sec, key, value, *spec.plausible, allow)
        return value
    if spec.kind == "bool":
        if not isinstance(raw, bool):
            raise sec.error(key, raw, spec.help or "true or false")
        return raw
    if spec.kind == "date":
        return read_date(raw, sec.field(key), sec.source)
    if spec.kind == "list":
        if not isinstance(raw, (list, tuple)):
            raise sec.error(key, raw, "expected a list")
        return tuple(str(x) for x in raw)
    text = check_text(raw, sec.field(key), sec.source)
    if spec.kind == "choice":
        allowed = (
            [c.value for c in spec.choices] if isinstance(spec.choices, type) else spec.choices
        )
        if text not in allowed:
            raise sec.error(key, text, f"must be one of {list(allowed)}")
        return spec.choices(text) if isinstance(spec.choices, type) else text
    if spec.pattern is not None and not spec.pattern.fullmatch(text):
        raise sec.error(key, text, spec.help)
    return text


def read_date(value: Any, field: str, source: str | None = None) -> dt.date:
    """An ISO date ``YYYY-MM-DD`` (YAML gives a ``date``; JSON and ``--set`` give text).

    Raises
    ------
    ConfigError
        Naming the field when the value is not a date.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ConfigError(field, value, "an ISO date YYYY-MM-DD", source)


def write(obj: Any, **override: Any) -> dict[str, Any]:
    """The written (YAML/JSON) form of a declared section; ``override`` replaces fields' forms."""
    out: dict[str, Any] = {}
    for f, spec in declared(type(obj)):
        if spec.key is None:
            continue
        value = getattr(obj, f.name)
        if (spec.omit == "none" and value is None) or (spec.omit == "falsy" and not value):
            continue
        if f.name in override:
            form = override[f.name]
        elif spec.dump is not None:
            form = spec.dump(value, obj)
        else:
            form = plain(value)
        if form is OMIT:
            continue
        node = out
        *heads, last = yaml_key(f, spec).split(".")
        for head in heads:
            node = node.setdefault(head, {})
        node[last] = form
    return out


def plain(value: Any) -> Any:
    """A value as plain data: enums by value, tuples as lists, declared sections written."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and declared(type(value)):
        return write(value)
    return value
