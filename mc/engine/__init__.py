"""Running blocks of draws: the block plan, seeds, schedulers, failure policy and reduction."""

from mc.engine.blocks import run_block
from mc.engine.checkpoint import Checkpoints
from mc.engine.moments import Moments
from mc.engine.plan import BlockPlan, PlanChoice, plan_blocks
from mc.engine.reduce import BlockSummary, Grid, Reducer, pilot_grids
from mc.engine.schedulers import SchedulerSpec
from mc.engine.simulation import SimulationResult, Stopping, simulate

__all__ = [
    "BlockPlan",
    "BlockSummary",
    "Checkpoints",
    "Grid",
    "Moments",
    "PlanChoice",
    "Reducer",
    "SchedulerSpec",
    "SimulationResult",
    "Stopping",
    "pilot_grids",
    "plan_blocks",
    "run_block",
    "simulate",
]
