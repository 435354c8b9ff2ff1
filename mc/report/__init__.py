"""The only layer that writes: output folders, tables, figures, the manifest, console text."""

from mc.report.console import headline_text
from mc.report.io import OutputDir
from mc.report.writer import write_history, write_run

__all__ = ["OutputDir", "headline_text", "write_history", "write_run"]
