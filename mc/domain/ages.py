"""The age and sex axes every population array shares (single-year ages 0-105)."""

from __future__ import annotations

#: The last single-year age; it stands for that age and older.
TOP_AGE = 105
N_AGES = TOP_AGE + 1
SEXES = ("female", "male")
