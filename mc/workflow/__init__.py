"""The only code that combines data, model, engine and summary into an analysis.

:func:`analyse` runs a configuration (model, draws, summaries) and returns an :class:`Analysis`
for :func:`mc.report.write_run`; :func:`build_cost_model` is the one factory of the models a run
draws from; :mod:`mc.workflow.population` forecasts and backtests the population projection.
"""

from mc.workflow.analysis import Analysis, analyse
from mc.workflow.build import CostModel, build_cost_model, point_estimates
from mc.workflow.options import RunOptions

__all__ = ["Analysis", "CostModel", "RunOptions", "analyse", "build_cost_model", "point_estimates"]
