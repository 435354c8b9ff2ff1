"""Exceptions raised by tbu-mc.

Every error a user can cause derives from :class:`TbuMcError`, so a caller can catch one class. The
subclasses carry what went wrong as attributes, not only as text.
"""

from __future__ import annotations

from typing import Any

#: Characters of a value quoted in a message: enough to recognise it, never a whole file.
SHOWN_CHARS = 120
#: Characters of a text value quoted (a file path must survive whole).
SHOWN_TEXT_CHARS = 300
#: Characters of the rule in a ConfigError message (lists of allowed names fit easily).
ALLOWED_CHARS = 500


def shorten(value: Any) -> str:
    """``repr`` of ``value`` cut short for a one-line message.

    Text keeps only its first line and at most :data:`SHOWN_TEXT_CHARS` characters; anything
    else at most :data:`SHOWN_CHARS`. The value itself stays on the exception; only the message
    is shortened, so a field that received a whole file (or a huge nested list) does not print it.
    """
    if isinstance(value, str):
        lines = value.splitlines() or [""]
        more = len(lines) > 1 or len(lines[0]) > SHOWN_TEXT_CHARS
        text = repr(lines[0][:SHOWN_TEXT_CHARS])
        return text + "..." if more else text
    text = repr(value)
    if len(text) > SHOWN_CHARS:
        text = text[: SHOWN_CHARS - 3] + "..."
    return text


class TbuMcError(Exception):
    """Base class of every error tbu-mc raises on purpose."""


class ConfigError(TbuMcError, ValueError):
    """A configuration value is missing, of the wrong type or out of range.

    Parameters
    ----------
    field : str
        Dotted path of the offending field, e.g. ``"scenarios.main.extra_net_immigration"``.
    value : Any
        The value found (``None`` when the field is missing).
    allowed : str
        What would have been accepted, in words.
    source : str, optional
        The file the value came from.
    """

    def __init__(self, field: str, value: Any, allowed: str, source: str | None = None) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        self.source = source
        where = f" in {source}" if source else ""
        if len(allowed) > ALLOWED_CHARS:  # a rule that quotes a huge value stays one short line
            allowed = allowed[: ALLOWED_CHARS - 3] + "..."
        super().__init__(f"config field '{field}'{where} = {shorten(value)}: {allowed}")

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt from the payload, so the error survives the trip back from a Dask worker
        return (type(self), (self.field, self.value, self.allowed, self.source))


class DataError(TbuMcError, ValueError):
    """Input data (a population file, a table) breaks a rule.

    Parameters
    ----------
    source : str
        The file (or table) at fault.
    rule : str
        The rule that is broken, in words.
    row : int, optional
        1-based line number in the file, when one row is at fault.
    """

    def __init__(self, source: str, rule: str, row: int | None = None) -> None:
        self.source = source
        self.rule = rule
        self.row = row
        at = f", line {row}" if row is not None else ""
        super().__init__(f"{source}{at}: {rule}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.source, self.rule, self.row))


class BlockError(TbuMcError, RuntimeError):
    """A block of draws failed for a reason that retrying does not cure.

    Parameters
    ----------
    block : int
        Index of the failed block.
    entropy : int
        Seed entropy of the run, so the block can be rerun alone.
    detail : str
        The original traceback, formatted.
    """

    def __init__(self, block: int, entropy: int, detail: str) -> None:
        self.block = block
        self.entropy = entropy
        self.detail = detail
        super().__init__(f"block {block} (seed entropy {entropy}) failed:\n{detail}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.block, self.entropy, self.detail))


class OutputError(TbuMcError, OSError):
    """The output directory cannot be written as asked."""


class TbuMcWarning(UserWarning):
    """Something a user should read about a run that does not stop it.

    The command line prints each as one ``note:`` line on standard output after the command's
    own output; from Python they are ordinary warnings. ``key`` and ``values`` let the console
    say it in the run's language (the label ``note_<key>`` of :mod:`mc.report.labels`); the
    English ``message`` stays the warning's text.
    """

    def __init__(self, message: str, key: str = "", **values: object) -> None:
        super().__init__(message)
        self.key = key
        self.values = values
