"""Running blocks of draws: the block plan, seeds, schedulers, failure policy and reduction."""

from mc.engine.blocks import run_block
from mc.engine.checkpoint import Checkpoints
from mc.engine.moments import Moments
from mc.engine.plan import BlockPlan, PlanChoice, plan_blocks
from mc.engine.reduce import Grid, Reducer, Summary, pilot_grids
from mc.engine.run import SimulationResult, Stopping, simulate
from mc.engine.schedulers import SchedulerSpec

__all__ = [
    "BlockPlan",
    "Checkpoints",
    "Grid",
    "Moments",
    "PlanChoice",
    "Reducer",
    "SchedulerSpec",
    "SimulationResult",
    "Stopping",
    "Summary",
    "pilot_grids",
    "plan_blocks",
    "run_block",
    "simulate",
]
