"""Running blocks of draws: the block plan, seeds, schedulers, failure policy and reduction."""

from mc.engine.blocks import BlockResult, run_block
from mc.engine.moments import Moments
from mc.engine.plan import BlockPlan
from mc.engine.run import SimulationResult, simulate
from mc.engine.schedulers import SchedulerSpec, parse_scheduler

__all__ = [
    "BlockPlan",
    "BlockResult",
    "Moments",
    "SchedulerSpec",
    "SimulationResult",
    "parse_scheduler",
    "run_block",
    "simulate",
]
