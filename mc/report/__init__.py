"""The only layer that writes: output folders, tables, figures, the manifest, console text."""

from mc.report.console import headline_table
from mc.report.io import OutputDir
from mc.report.run import write_history, write_run

__all__ = ["OutputDir", "headline_table", "write_history", "write_run"]
