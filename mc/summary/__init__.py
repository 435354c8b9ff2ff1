"""From draws to statistics: an ArviZ DataTree and the summary table (no disk I/O here)."""

from mc.summary.datatree import to_datatree
from mc.summary.table import QUANTILES, SUMMARY_COLUMNS, deterministic_table, summary_table

__all__ = ["QUANTILES", "SUMMARY_COLUMNS", "deterministic_table", "summary_table", "to_datatree"]
