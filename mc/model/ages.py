"""Age groups over single-year ages 0-105 (105 stands for 105 and older).

Everything in the model is computed on single-year ages; groups only say how unit costs and
reported figures are bundled. A group is written ``"a-b"`` (inclusive), ``"a+"`` (a to the top age)
or ``"a"`` (one age), the notation of SSB's tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

# the axes live in mc.domain so that mc.data can share them; re-exported for model code
from mc.domain.ages import N_AGES, SEXES, TOP_AGE  # noqa: F401

_GROUP = re.compile(r"^\s*(\d{1,3})\s*(?:(-)\s*(\d{1,3})|(\+))?\s*$")


def parse_age_group(label: str) -> tuple[int, int]:
    """Return the inclusive age range ``(lo, hi)`` that a group label denotes.

    Parameters
    ----------
    label : str
        ``"a-b"``, ``"a+"`` or ``"a"``.

    Returns
    -------
    tuple of int
        First and last single-year age of the group.

    Raises
    ------
    ValueError
        If the label does not parse or lies outside 0-105.

    Examples
    --------
    >>> parse_age_group("6-15"), parse_age_group("90+"), parse_age_group("0")
    ((6, 15), (90, 105), (0, 0))
    """
    match = _GROUP.match(str(label))
    if match is None:
        raise ValueError(f"age group {label!r} must look like 'a-b', 'a+' or 'a'")
    lo = int(match.group(1))
    if match.group(2):
        hi = int(match.group(3))
    elif match.group(4):
        hi = TOP_AGE
    else:
        hi = lo
    if not 0 <= lo <= hi <= TOP_AGE:
        raise ValueError(f"age group {label!r} must lie within 0-{TOP_AGE} with lower <= upper")
    return lo, hi


def format_age_group(lo: int, hi: int) -> str:
    """Write an inclusive age range the way :func:`parse_age_group` reads it."""
    if hi == TOP_AGE and lo != hi:
        return f"{lo}+"
    return str(lo) if lo == hi else f"{lo}-{hi}"


@dataclass(frozen=True)
class AgeGroups:
    """A partition of ages 0-105 into contiguous groups.

    Parameters
    ----------
    labels : tuple of str
        Group labels in ascending age order; together they must cover 0-105 once.
    """

    labels: tuple[str, ...]

    def __post_init__(self) -> None:
        ranges = [parse_age_group(label) for label in self.labels]
        expected = 0
        for label, (lo, hi) in zip(self.labels, ranges, strict=True):
            if lo != expected:
                raise ValueError(
                    f"age group {label!r} starts at {lo} but the previous group ends at "
                    f"{expected - 1}: groups must be contiguous and ascending from 0"
                )
            expected = hi + 1
        if expected != N_AGES:
            raise ValueError(f"age groups end at {expected - 1}; they must reach {TOP_AGE}")
        object.__setattr__(self, "_ranges", tuple(ranges))

    @property
    def ranges(self) -> tuple[tuple[int, int], ...]:
        """Inclusive ``(lo, hi)`` per group."""
        return self._ranges  # type: ignore[attr-defined]

    def __len__(self) -> int:
        return len(self.labels)

    def index_of_age(self) -> np.ndarray:
        """Group index of every single-year age (length 106)."""
        index = np.empty(N_AGES, dtype=np.int64)
        for g, (lo, hi) in enumerate(self.ranges):
            index[lo : hi + 1] = g
        return index

    def expand(self, per_group: np.ndarray) -> np.ndarray:
        """Repeat one value per group onto every single-year age of the group (last axis)."""
        return np.asarray(per_group, dtype=float)[..., self.index_of_age()]

    def collapse(self, per_age: np.ndarray) -> np.ndarray:
        """Sum single-year values (last axis, length 106) within each group."""
        per_age = np.asarray(per_age, dtype=float)
        return np.stack([per_age[..., lo : hi + 1].sum(axis=-1) for lo, hi in self.ranges], axis=-1)


def spread_over_bands(labels: list[str] | tuple[str, ...], values: np.ndarray) -> np.ndarray:
    """Spread totals given per age band evenly over the single-year ages of each band.

    Bands need not cover every age (uncovered ages get zero) but must not overlap.

    Parameters
    ----------
    labels : sequence of str
        Band labels (``"a-b"``, ``"a+"``, ``"a"``).
    values : ndarray
        Totals per band on the last axis.

    Returns
    -------
    ndarray
        Same leading shape, last axis of length 106; sums per band are preserved.
    """
    values = np.asarray(values, dtype=float)
    out = np.zeros((*values.shape[:-1], N_AGES))
    covered = np.zeros(N_AGES, dtype=bool)
    for j, label in enumerate(labels):
        lo, hi = parse_age_group(label)
        if covered[lo : hi + 1].any():
            raise ValueError(f"age band {label!r} overlaps an earlier band")
        covered[lo : hi + 1] = True
        out[..., lo : hi + 1] = values[..., j : j + 1] / (hi - lo + 1)
    return out
