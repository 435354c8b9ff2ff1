"""Run-time changes to a configuration: ``--set key.path=value`` and ``--scenario NAME=N``.

The changes are applied to the raw mapping read from the file, before validation, so a changed
value meets exactly the checks it would meet written in the file. A path into a table kept in a
file of its own (``uncertainty.births.sd`` when ``uncertainty:`` names a file) reads that table
into the mapping first, so any field of the resolved configuration can be changed.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from mc.data.yamlio import loads, read_yaml_file, yaml_problem
from mc.errors import ConfigError
from mc.model.config.common import find_table, kind_of
from mc.model.config.top import Config
from mc.model.schema import declared, yaml_key

#: Flag names, for messages (the Python API takes the same text).
SET_FLAG = "--set"
SCENARIO_FLAG = "--scenario"
#: Endings of a table file that a ``--set`` path may reach into.
TABLE_SUFFIXES = (".yaml", ".yml")
#: Characters of a ``--set`` line: a value is a number, a word or a short flow list, never a file.
MAX_ASSIGNMENT_CHARS = 2_000


def top_level_keys() -> tuple[str, ...]:
    """The keys a configuration's top level may hold (the first part of a ``--set`` path)."""
    keys = {yaml_key(f, spec).split(".")[0] for f, spec in declared(Config) if spec.key is not None}
    return tuple(sorted(keys))


def parse_assignment(text: str, flag: str = SET_FLAG) -> tuple[str, Any]:
    """Split ``key.path=value`` and read the value as YAML (``3``, ``true``, ``[a, b]``).

    Parameters
    ----------
    text : str
        The assignment as typed.
    flag : str, optional
        The flag it came with, for messages.

    Returns
    -------
    tuple
        The key (``"uncertainty.births.sd"``) and the parsed value.

    Raises
    ------
    ConfigError
        If there is no ``=``, the key is empty or malformed, or the value is not YAML.

    Examples
    --------
    >>> parse_assignment("run.draws=5000")
    ('run.draws', 5000)
    """
    if not isinstance(text, str) or "=" not in text or len(text) > MAX_ASSIGNMENT_CHARS:
        raise ConfigError(
            flag, text, f"expected KEY=VALUE of at most {MAX_ASSIGNMENT_CHARS} characters"
        )
    key, _, raw = text.partition("=")
    key = key.strip()
    if not key or any(not part for part in key.split(".")):
        raise ConfigError(flag, text, "the key must be a dotted path such as run.draws")
    try:
        value = loads(raw) if raw.strip() else None
    except yaml.YAMLError as exc:
        raise ConfigError(key, raw, f"not a YAML value: {yaml_problem(exc, raw)}") from None
    except RecursionError:
        raise ConfigError(key, raw, "nested too deeply") from None
    return key, value


def apply_overrides(
    data: Mapping[str, Any],
    sets: Iterable[str] = (),
    scenarios: Mapping[str, Any] | None = None,
    *,
    base_dir: Path | str = ".",
    source: str | None = None,
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The raw configuration with ``sets`` and added ``scenarios``; the input is not changed.

    Parameters
    ----------
    data : mapping
        The configuration as read from its file.
    sets : iterable of str
        ``key.path=value`` lines, applied in order (a later one wins).
    scenarios : mapping, optional
        Scenario name to extra net immigration; each is added after the file's scenarios, with
        the name as its label. A name the file already has is refused.
    base_dir : Path or str, optional
        The configuration's folder, to read a table kept in a file of its own.
    source : str, optional
        The configuration file, for messages.

    Returns
    -------
    tuple
        The changed mapping (still to be validated) and the changes as ``key.path=value`` lines
        for the manifest.

    Raises
    ------
    ConfigError
        Naming the key when a path does not start at a configuration field or runs through a
        value that is not a mapping, a value is not YAML, or a scenario exists already.
    """
    out = copy.deepcopy(dict(data))
    lines: list[str] = []
    allowed = top_level_keys()
    for text in sets:
        key, value = parse_assignment(text, SET_FLAG)
        parts = key.split(".")
        if parts[0] not in allowed:
            raise ConfigError(
                key,
                value,
                f"not a configuration field; the top level holds {list(allowed)}",
                source,
            )
        _assign(out, parts, value, Path(base_dir), source)
        lines.append(f"{key}={_flow(value)}")
    for name, extra in (scenarios or {}).items():
        table = out.get("scenarios")
        if not isinstance(table, Mapping):
            raise ConfigError("scenarios", table, "a mapping of scenarios to add to", source)
        if name in table:
            raise ConfigError(
                SCENARIO_FLAG,
                name,
                f"the configuration has a scenario of that name; choose another than "
                f"{sorted(map(str, table))}",
                source,
            )
        out["scenarios"] = {**table, name: {"extra_net_immigration": extra}}
        lines.append(f"scenarios.{name}.extra_net_immigration={_flow(extra)}")
    return out, tuple(lines)


def _assign(
    node: dict[str, Any], parts: list[str], value: Any, base: Path, source: str | None
) -> None:
    for depth, part in enumerate(parts[:-1]):
        here = ".".join(parts[: depth + 1])
        part = _existing_key(node, part)
        child = node.get(part)
        if child is None:
            child = {}
        elif isinstance(child, str) and child.endswith(TABLE_SUFFIXES):
            # a table in a file of its own: change a copy of it, inline
            path = find_table(child, base, here, source)
            child = read_yaml_file(path, here, source)
        if not isinstance(child, Mapping):
            raise ConfigError(
                ".".join(parts),
                value,
                f"'{here}' holds a {kind_of(child)}, not a mapping of fields, so it has no "
                f"field '{parts[depth + 1]}'",
                source,
            )
        child = dict(child)
        node[part] = child
        node = child
    node[_existing_key(node, parts[-1])] = value


def _existing_key(node: Mapping[Any, Any], part: str) -> Any:
    """``part``, or the whole number YAML read it as (``plan.2025`` is the key 2025, not "2025").

    Without this, ``--set economy.plan.2025.pension_bn=0.3`` added a second, text key "2025"
    beside the file's 2025 and the change was silently lost.
    """
    if part not in node and part.lstrip("-").isdigit() and int(part) in node:
        return int(part)
    return part


def _flow(value: Any) -> str:
    """A value as one line of YAML flow text, as recorded in the manifest."""
    return (
        yaml.safe_dump(value, default_flow_style=True, width=10_000)
        .strip()
        .removesuffix("\n...")
        .strip()
    )
