"""Remarks on how a run was done, readable as plain text and translatable by key.

A :class:`Note` is the English sentence the manifest records (it *is* a ``str``), carrying the
key and values of the same remark in :mod:`mc.report.labels` (``note_<key>``), so that the
console can print it in the run's language.
"""

from __future__ import annotations

from typing import Any


class Note(str):
    """An English remark, with the label key and values that say it in another language.

    Examples
    --------
    >>> n = Note("one block", "one_block")
    >>> n == "one block", n.key
    (True, 'one_block')
    """

    key: str
    values: dict[str, Any]

    def __new__(cls, english: str, key: str, **values: Any) -> Note:
        """The note ``english``, said in other languages by the label ``note_<key>``."""
        note = super().__new__(cls, english)
        note.key = key
        note.values = values
        return note
