"""From draws to statistics: an ArviZ DataTree, the summary table, bands and scores (no I/O)."""

from mc.summary.datatree import to_datatree
from mc.summary.table import QUANTILES, SUMMARY_COLUMNS, deterministic_table, summary_table

__all__ = ["QUANTILES", "SUMMARY_COLUMNS", "deterministic_table", "summary_table", "to_datatree"]
