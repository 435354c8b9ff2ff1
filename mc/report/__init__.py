"""The only layer that writes: output folders, tables, figures, the manifest, console text."""

from mc.report.console import headline_text
from mc.report.io import OutputDir
from mc.report.run import write_history, write_run

#: The earlier name of :func:`headline_text`, kept while ``mc.cli.main`` imports it; the report's
#: own headline table is :func:`mc.report.tables.headline_report_table`.
headline_table = headline_text

__all__ = ["OutputDir", "headline_table", "headline_text", "write_history", "write_run"]
