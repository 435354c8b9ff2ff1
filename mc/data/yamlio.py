"""Reading YAML written by people: refuse what would silently mislead or exhaust the machine.

PyYAML's ``safe_load`` accepts a repeated key (the last one wins, so a duplicated ``price_year``
quietly changes the result) and expands anchors and aliases without limit (a few kilobytes of
"billion laughs" become gigabytes as soon as anything walks the data). :class:`StrictLoader`
refuses both while the document is composed, before any Python object is built, and
:func:`read_yaml_file` turns every way a file can be unreadable into one :class:`ConfigError`
line that names the field and the file and quotes at most one line of it.

Every YAML file tbu-mc reads (configurations, the tables they reference, profile files,
calibration blocks) goes through this module.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode

from mc.errors import ConfigError

#: Alias references (``*name``) allowed in one document. Merge keys (``<<: *defaults``) need a
#: handful; a hundred is far more than a hand-written configuration uses.
MAX_ALIASES = 100
#: Nodes in one document with every alias expanded. The largest shipped table has about 1,000;
#: a billion-laughs document passes this after a few levels and is refused before it is built.
MAX_NODES = 100_000
#: Bytes in one YAML file. The largest shipped file is under 10 kB; a path that points at a log,
#: a database or a disk image by mistake is refused before it is read.
MAX_BYTES = 5_000_000
#: Characters of a file's line quoted in an error message.
QUOTE_CHARS = 80

_MERGE_TAG = "tag:yaml.org,2002:merge"


class DuplicateKeyError(ConstructorError):
    """A mapping repeats a key; carries the key and both (1-based) line numbers."""

    def __init__(self, key: Any, first_line: int, second_line: int, mark: Any) -> None:
        self.key = key
        self.first_line = first_line
        self.second_line = second_line
        super().__init__(
            None,
            None,
            f"duplicate key {key!r} on lines {first_line} and {second_line}; a key may appear "
            "only once in a mapping (YAML would silently keep the last one)",
            mark,
        )


class TooLargeError(yaml.YAMLError):
    """The document uses too many aliases or expands to too many nodes."""


class StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses duplicate keys and alias expansion beyond a bound.

    Examples
    --------
    >>> loads("{a: 1, b: 2}")
    {'a': 1, 'b': 2}
    """

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._aliases = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        """Compose one node, counting alias references as they are met."""
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                event = self.peek_event()
                raise TooLargeError(
                    f"more than {MAX_ALIASES} alias references (*name) at line "
                    f"{event.start_mark.line + 1}; a configuration needs only a few"
                )
        return super().compose_node(parent, index)

    def compose_document(self) -> Node:
        """Compose a document and refuse it if its expanded size exceeds :data:`MAX_NODES`."""
        node = super().compose_document()
        _check_expanded_size(node)
        return node

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        """Build a mapping, refusing a key that appears twice (merged keys may be overridden)."""
        if isinstance(node, MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE_TAG:
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key; the base class explains it
                    continue
                line = key_node.start_mark.line + 1
                if first is not None:
                    raise DuplicateKeyError(key, first, line, key_node.start_mark)
                seen[key] = line
        return super().construct_mapping(node, deep=deep)


# YAML 1.1 (PyYAML) reads a float only with a dot, so ``1e12`` or ``3E4`` would be text and meet
# "expected a number"; YAML 1.2 and every user read them as numbers. Integers and dotted floats
# resolve as before (their resolvers come first), so no shipped file reads differently.
StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def _check_expanded_size(root: Node | None) -> None:
    """Count nodes with aliases expanded (each shared node counts every time it is used)."""
    if root is None:
        return
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise TooLargeError(
                f"a recursive alias at line {node.start_mark.line + 1} (an anchor used inside "
                "itself) would expand without end"
            )
        if isinstance(node, ScalarNode):
            sizes[key] = 1
            return 1
        active.add(key)
        children = (
            [n for pair in node.value for n in pair]
            if isinstance(node, MappingNode)
            else list(node.value)
        )
        total = 1
        for child in children:
            total += size(child)
            if total > MAX_NODES:
                raise TooLargeError(
                    f"the document expands to more than {MAX_NODES:,} values (anchors and "
                    "aliases included); this is far beyond any configuration"
                )
        active.discard(key)
        sizes[key] = total
        return total

    size(root)


def loads(text: str) -> Any:
    """Parse YAML text with :class:`StrictLoader`.

    Raises
    ------
    yaml.YAMLError
        Including :class:`DuplicateKeyError` and :class:`TooLargeError`.
    RecursionError
        If the nesting is deeper than Python's recursion limit.
    """
    return yaml.load(text, Loader=StrictLoader)  # StrictLoader is a SafeLoader


def quote_line(text: str, line: int) -> str:
    """Line ``line`` (1-based) of ``text``, shortened to :data:`QUOTE_CHARS` characters."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    shown = lines[line - 1].strip()
    if len(shown) > QUOTE_CHARS:
        shown = shown[: QUOTE_CHARS - 3] + "..."
    return shown


def yaml_problem(exc: yaml.YAMLError, text: str) -> str:
    """One line saying what is wrong and where, quoting at most the offending line."""
    if isinstance(exc, yaml.MarkedYAMLError):
        what = exc.problem or exc.context or "not valid YAML"
        mark = exc.problem_mark or exc.context_mark
    else:
        what, mark = str(exc), None
    what = " ".join(str(what).split())
    if mark is None:
        return what
    line = mark.line + 1
    quoted = quote_line(text, line)
    return f"{what} (line {line}, column {mark.column + 1}" + (f": {quoted!r})" if quoted else ")")


def read_yaml_file(path: str | Path, field: str, source: str | None = None) -> Any:
    """Read one YAML file for configuration field ``field``.

    Parameters
    ----------
    path : str or Path
        The file.
    field : str
        The configuration field (or command-line option) that named the file, for messages.
    source : str, optional
        The file that holds ``field`` (the configuration), for messages.

    Returns
    -------
    Any
        The parsed document; ``None`` for an empty file.

    Raises
    ------
    ConfigError
        If the path is missing, is a directory, cannot be read, is larger than
        :data:`MAX_BYTES`, is not UTF-8 text or is not valid YAML (duplicate keys, too many
        aliases, nesting too deep). The message quotes at most one line of the file.
    """
    path = Path(path)
    shown = str(path)
    try:
        if path.is_dir():
            raise ConfigError(field, shown, "is a folder; expected a YAML file", source)
        if path.exists() and not path.is_file():
            raise ConfigError(field, shown, "is not a regular file; expected a YAML file", source)
        if not path.is_file():
            raise ConfigError(field, shown, "file not found", source)
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ConfigError(
                field,
                shown,
                f"the file has {size:,} bytes; a YAML table is at most {MAX_BYTES:,} bytes "
                "(is this the right file?)",
                source,
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(field, shown, f"cannot be read ({exc.strerror or exc})", source) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            field,
            shown,
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); save the file "
            "as UTF-8 YAML (is this the right file?)",
            source,
        ) from None
    try:
        return loads(text)
    except yaml.YAMLError as exc:
        raise ConfigError(
            field, shown, f"not valid YAML: {yaml_problem(exc, text)}", source
        ) from None
    except RecursionError:
        raise ConfigError(
            field, shown, "not valid YAML: nested too deeply for a configuration", source
        ) from None
