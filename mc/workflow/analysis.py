"""One analysis from configuration to tables, in memory: model, draws, DataTree, summaries.

This is where data, model, engine and summary meet; :func:`mc.report.write_run` writes what
:func:`analyse` returns.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from mc.engine import (
    BlockPlan,
    Checkpoints,
    Reducer,
    SchedulerSpec,
    SimulationResult,
    Stopping,
    pilot_grids,
    plan_blocks,
    simulate,
)
from mc.engine.plan import cells_per_draw, check_size, estimate_size, free_disk, memory_limit
from mc.engine.reduce import PILOT_KEY, kept_total
from mc.engine.simulation import Progress
from mc.engine.tasks import run_merged
from mc.engine.testing import Slowed
from mc.errors import ConfigError
from mc.model.config import Config
from mc.model.demographic import DemographicModel, config_population
from mc.model.economy import EconomyModel
from mc.model.economy_spec import Threshold
from mc.model.municipal import MunicipalCostModel
from mc.model.population import PopulationTable
from mc.sampling import block_generator, resolve_entropy
from mc.sampling.designs import DESIGNS
from mc.summary.datatree import to_datatree
from mc.summary.exceedance import exceedance_from_counts, exceedance_table
from mc.summary.precision import PrecisionRule, parse_target
from mc.summary.sensitivity import analyse_sensitivity
from mc.summary.stream import stream_summary_table
from mc.summary.table import ONE_BLOCK_NOTE, deterministic_table, summary_table
from mc.workflow.build import CostModel, build_cost_model, point_estimates
from mc.workflow.notes import Note
from mc.workflow.options import RunOptions
from mc.workflow.phases import phase
from mc.workflow.views import analyse_views

PILOT_DRAWS = 200  # draws that place the histogram grids of a streamed run
#: A run with less work than this stays in this process when no scheduler is asked for: starting
#: a LocalCluster of two processes takes about 5 s on the 2-core machine (issue 17's measurement;
#: benchmarks/README.md: 400,000 draws in 0.82 s in-process, 7.96 s on a fresh cluster).
IN_PROCESS_SECONDS = 5.0
TIMING_SECONDS = 0.2  # how long the timing pilot may draw
SKETCH_BINS = 2000  # bins per output cell: quantiles within 1/2000 of the grid's width
#: Bins per cell of a national run's sketches. A national draw has few cells (57 in the shipped
#: economy run), so 10x the municipal bins cost little (a block's counts: 57 x 20,002 x 4 bytes,
#: 4.6 MB per merge, about a seventh of it in a trimmed checkpoint) and bound a quantile's error
#: by one bin: 7 x the pilot's 99 % range / 20,000, about 0.002 standard deviations of a normal
#: output, below the quantile MCSE of a 10^6-draw run (about 1.25 / sqrt(N) sd = 0.0013 sd).
NATIONAL_SKETCH_BINS = 20_000


class AnalysisKind(StrEnum):
    """What an analysis holds, which decides what a run folder gets."""

    #: Point estimates only.
    DETERMINISTIC = "deterministic"
    #: Draws of a national model, streamed: ``tree`` holds the first ones kept (if any);
    #: ``summary`` is exact when they are all the draws, else from the merged sketches.
    MONTE_CARLO = "monte-carlo"
    #: Draws of every municipality reduced as they streamed past: ``summary`` from histograms.
    STREAM = "stream"


@dataclass
class Analysis:
    """What a run computed; :func:`mc.report.write_run` writes it out.

    ``kind`` says which of the optional parts are there: a ``DETERMINISTIC`` analysis has only
    ``deterministic``; ``MONTE_CARLO`` adds ``simulation``, ``summary`` and ``tree`` (the first
    ``keep_draws`` draws; ``None`` if none are kept; every draw when
    ``simulation.complete``), and ``exceedance``, ``sensitivity`` when configured or asked;
    ``STREAM`` adds ``simulation``, ``summary`` and ``region_names``.
    """

    config: Config
    deterministic: pd.DataFrame
    population: PopulationTable | None = None
    simulation: SimulationResult | None = None
    tree: xr.DataTree | None = None
    summary: pd.DataFrame | None = None
    exceedance: pd.DataFrame | None = None
    model: CostModel | None = None
    sensitivity: pd.DataFrame | None = None
    sensitivity_indices: pd.DataFrame | None = None
    design: str = "mc"
    kind: AnalysisKind = AnalysisKind.DETERMINISTIC
    #: Names of the regions of a streamed municipal run, by code (for figures and tables).
    region_names: dict[str, str] = field(default_factory=dict)
    #: One-line remarks on how the run was done (block size chosen, statistics left empty);
    #: printed by the CLI and recorded in the manifest.
    notes: list[str] = field(default_factory=list)
    #: P(outcome > TBU's published figure) in the cost year, keyed ``(scenario, variable)``:
    #: the share of every draw, counted in the blocks (empty without draws).
    above_published: dict[tuple[str, str], float] = field(default_factory=dict)
    #: With a ``model_view`` (mc/workflow/views.py): both views' bands, the reconciliation of
    #: their medians and the other view's own analysis.
    views: pd.DataFrame | None = None
    reconciliation: pd.DataFrame | None = None
    side: Analysis | None = None

    @property
    def published(self) -> dict[tuple[str, str], float]:
        """TBU's published point estimates, keyed ``(scenario, variable)``."""
        out = {}
        for s in self.config.scenarios:
            if s.published_total_bn is not None:
                out[(s.name, "demographic_cost_total_bn")] = s.published_total_bn
            if s.published_free_bn is not None:
                out[(s.name, "demographic_cost_free_bn")] = s.published_free_bn
        return out


def published_thresholds(
    analysis: Analysis,
    dims: Mapping[str, tuple[str, ...]],
    configured: tuple[tuple[str, float, str], ...] = (),
) -> tuple[tuple[str, float, str], ...]:
    """Thresholds at TBU's published figures that the blocks count, after ``configured``.

    One per distinct (variable, figure) the model draws and the configured thresholds do not
    count already, so that :attr:`Analysis.above_published` is a share of every draw, not of the
    kept ones.
    """
    out: list[tuple[str, float, str]] = []
    for (_, variable), value in analysis.published.items():
        entry = (variable, float(value), "above")
        if variable in dims and entry not in configured and entry not in out:
            out.append(entry)
    return tuple(out)


def above_published(
    analysis: Analysis,
    reducer: Reducer,
    dims: Mapping[str, tuple[str, ...]],
    coords: Mapping[str, list[object]],
) -> dict[tuple[str, str], float]:
    """P(outcome > published figure) per (scenario, variable), from the blocks' counts."""
    sim = analysis.simulation
    if sim is None or sim.hits is None:
        return {}
    counted = [Threshold(*entry) for entry in reducer.thresholds]  # hits are keyed by position
    rows = exceedance_from_counts(sim.hits, counted, dims, coords, sim.plan.draws)
    rows = rows[(rows["direction"] == "above") & (rows["year"] == analysis.config.cost_year)]
    shares = {
        (row.scenario, row.variable, row.threshold): row.probability for row in rows.itertuples()
    }
    out = {}
    for (scenario, variable), value in analysis.published.items():
        share = shares.get((scenario, variable, float(value)))
        if share is not None:
            out[(scenario, variable)] = float(share)
    return out


def run_population(config: Config, override: str | None = None) -> PopulationTable | None:
    """The national population a run reads.

    The override if given; else the config's file or ``ssb:`` source (fetched into the cache
    when missing); else the projection's data folder.

    Raises
    ------
    DataError
        If the file is missing or breaks a rule, or an ``ssb:`` source cannot be fetched.
    """
    return config_population(config, override, allow_fetch=True)


def analyse(
    config: Config,
    options: RunOptions | None = None,
    *,
    population: PopulationTable | None = None,
    client: object = None,
    progress: Progress | None = None,
    checkpoint_dir: str | Path | None = None,
    resume: bool = False,
    restart: bool = False,
    slow_blocks: float = 0.0,
) -> Analysis:
    """Run the configured model.

    Parameters
    ----------
    config : Config
        Validated configuration.
    options : RunOptions, optional
        Draws, block size, seed, scheduler, design, sensitivity and precision targets (default:
        the configuration's ``run`` section and plain Monte Carlo on a LocalCluster).
    population : PopulationTable, optional
        Observed population to use instead of the configured file.
    client : distributed.Client, optional
        Run on this client.
    progress : callable, optional
        Called with the draws finished after each block.
    checkpoint_dir : str or Path, optional
        Save each finished block here; with ``resume``, continue an interrupted run from it
        (refused, naming what changed, if the configuration, seed or block size differ).
    resume : bool
        Continue the run checkpointed in ``checkpoint_dir``.
    restart : bool
        Discard the checkpoints in ``checkpoint_dir`` and start again.
    slow_blocks : float
        Make every block take at least this many seconds (for fault-injection tests only).

    Returns
    -------
    Analysis

    Raises
    ------
    ConfigError
        Before any draw: for options that contradict each other or the model (see
        :func:`check_run_options`), a plan that does not fit the draws, or a run larger than
        this machine's memory or the free disk space at ``checkpoint_dir`` (unless
        ``force_size``).
    """
    o = options if options is not None else RunOptions.from_config(config.run)
    if config.model_view is not None:  # two views: each runs alone through this function
        return analyse_views(
            config,
            o,
            population=population,
            client=client,
            progress=progress,
            checkpoint_dir=checkpoint_dir,
            resume=resume,
            restart=restart,
            slow_blocks=slow_blocks,
        )
    prepared = prepare(config, o, population=population, checkpoint_dir=checkpoint_dir)
    if prepared.model is None or prepared.plan is None:  # deterministic
        return prepared.analysis
    scheduler = o.scheduler
    if scheduler is None and client is None:
        scheduler, why = choose_scheduler(
            prepared.model, prepared.plan, prepared.entropy, slow_blocks
        )
        prepared.analysis.notes.append(why)
    return draw(
        prepared,
        scheduler,
        client=client,
        progress=progress,
        checkpoint_dir=checkpoint_dir,
        resume=resume,
        restart=restart,
        slow_blocks=slow_blocks,
    )


@dataclass
class Prepared:
    """An analysis up to its draws: model built, blocks planned, size checked, grids placed.

    ``model`` is ``None`` for a deterministic run, whose ``analysis`` is then complete.
    """

    config: Config
    options: RunOptions
    analysis: Analysis
    model: CostModel | None = None
    plan: BlockPlan | None = None
    entropy: int = 0
    reducer: Reducer | None = None


def prepare(
    config: Config,
    options: RunOptions,
    *,
    population: PopulationTable | None = None,
    checkpoint_dir: str | Path | None = None,
) -> Prepared:
    """Everything of :func:`analyse` before the scheduler is chosen and the blocks run.

    The model is built, its point estimates computed, the blocks planned, the run's size
    checked against the machine and the histogram grids placed from the pilot stream; no block
    has drawn and no cluster has started. :func:`draw` runs the blocks.

    Raises
    ------
    ConfigError
        As :func:`analyse`, for everything it refuses before any draw.
    """
    o = options
    if population is None:
        population = run_population(config)
    model = with_design(build_cost_model(config, population, costs_only=o.costs_only), o.design)
    if o.costs_only:
        outside = [t.variable for t in config.exceedance if t.variable not in model.dims]
        if outside:
            raise ConfigError(
                "exceedance",
                outside[0],
                f"a run of the demographic costs only counts exceedances of {sorted(model.dims)}",
            )
    point = point_estimates(config, model, population)
    det = deterministic_table(point, model.coords, model.dims, config.cost_year)
    if isinstance(model, MunicipalCostModel):
        det = municipal_scenario(det, config)
    analysis = Analysis(config, det, population, design=o.design)
    if isinstance(model, MunicipalCostModel):
        analysis.region_names = model.region_names()
        analysis.notes.extend(model.notes)  # the same line `tbu-mc data check` prints
    if o.deterministic:
        return Prepared(config, o, analysis)
    check_model_options(model, sensitivity=o.sensitivity, precision_variable=o.precision_variable)
    cap = o.draws or config.run.draws
    preferred = o.block_preference(config.run.block_size, cap)
    choice = plan_blocks(cap, o.block_size, preferred)
    plan = choice.plan
    if choice.note:  # the engine's sentence, with what its translation needs
        one = plan.n_blocks == 1 and plan.draws < preferred
        values = {"size": plan.block_size, "blocks": plan.n_blocks, "draws": plan.draws}
        key = "plan_one_block" if one else "plan_fit"
        analysis.notes.append(Note(choice.note, key, configured=preferred, **values))
    if o.precision:
        wave = o.wave_for(plan.n_blocks)
        chosen = o.wave is None and o.block_size is None
        values = {
            "wave": wave,
            "size": plan.block_size,
            "checks": -(-plan.n_blocks // wave),
            "cap": plan.draws,
        }
        analysis.notes.append(
            Note(
                f"--precision checks its targets every {wave} block(s) of {plan.block_size:,} "
                f"draws, up to {values['checks']} times before the cap of {plan.draws:,}"
                + (" (chosen from the cap)" if chosen else ""),
                "precision_chosen" if chosen else "precision",
                **values,
            )
        )
    entropy = resolve_entropy(o.seed if o.seed is not None else config.run.seed)
    streamed = isinstance(model, MunicipalCostModel)
    if not o.force_size:  # before the pilot, the checkpoints and any cluster
        estimate = estimate_size(
            plan,
            cells_per_draw(model.dims, model.coords),
            histogram_bins=SKETCH_BINS if streamed else NATIONAL_SKETCH_BINS,
            kept=0 if streamed else kept_total(plan.n_blocks, plan.block_size, o.kept_draws),
        )
        folder = None if checkpoint_dir is None else Path(checkpoint_dir)
        check_size(
            estimate,
            draws=plan.draws,
            memory=memory_limit(),
            disk=None if folder is None else free_disk(folder),
            where=None if folder is None else folder.parent,
        )
    # a pilot from its own stream places the histogram grids; the run's blocks do not use it
    pilot = model.simulate(block_generator(entropy, PILOT_KEY), PILOT_DRAWS)
    if streamed:
        reducer = Reducer("stream", pilot_grids(pilot, bins=SKETCH_BINS))
    else:
        thresholds = tuple((t.variable, t.threshold, t.direction) for t in config.exceedance)
        thresholds += published_thresholds(analysis, model.dims, thresholds)
        reducer = Reducer(
            "stream",
            pilot_grids(pilot, bins=NATIONAL_SKETCH_BINS),
            keep=o.kept_draws,
            thresholds=thresholds,
        )
    return Prepared(config, o, analysis, model, plan, entropy, reducer)


def draw(
    prepared: Prepared,
    scheduler: SchedulerSpec | None,
    *,
    client: object = None,
    progress: Progress | None = None,
    checkpoint_dir: str | Path | None = None,
    resume: bool = False,
    restart: bool = False,
    slow_blocks: float = 0.0,
) -> Analysis:
    """Run a prepared analysis's blocks on ``scheduler`` (or ``client``) and summarise them.

    The arguments are :func:`analyse`'s; ``scheduler`` is used as given (``None`` with no
    client: the engine's default).

    Returns
    -------
    Analysis
        ``prepared.analysis``, completed.
    """
    config, o, analysis = prepared.config, prepared.options, prepared.analysis
    model, plan, entropy, reducer = (
        prepared.model,
        prepared.plan,
        prepared.entropy,
        prepared.reducer,
    )
    if model is None or plan is None or reducer is None:  # deterministic: nothing to draw
        return analysis
    checkpoints = None
    if checkpoint_dir is not None:
        identity = {
            "config": config.to_dict(),
            "entropy": entropy,
            "block_size": plan.block_size,
            "reducer": reducer.mode,
            "design": o.design,
        }
        if reducer.keep:  # a resumed block must return its draws exactly when it did before
            identity["keep_draws"] = reducer.keep
        if reducer.thresholds:  # a resumed block must carry the same exceedance counts
            identity["thresholds"] = [list(t) for t in reducer.thresholds]
        checkpoints = Checkpoints(Path(checkpoint_dir), identity)
    stopping = None
    if o.precision:
        rule = precision_rule(model, config, o.precision, o.level, o.precision_variable, reducer)
        stopping = Stopping(o.wave_for(plan.n_blocks), rule.check)
    runnable: CostModel = Slowed(model, slow_blocks) if slow_blocks else model
    sim = simulate(
        runnable,
        plan,
        entropy,
        scheduler,
        client=client,
        progress=progress,
        reducer=reducer,
        checkpoints=checkpoints,
        resume=resume,
        restart=restart,
        stopping=stopping,
    )
    if sim.plan.n_blocks < 2:
        analysis.notes.append(Note(ONE_BLOCK_NOTE, "one_block"))
    if isinstance(model, MunicipalCostModel):  # streamed
        analysis.simulation = sim
        analysis.model = model
        analysis.kind = AnalysisKind.STREAM
        with phase("summary"):
            analysis.summary = municipal_scenario(
                stream_summary_table(sim, model.dims, model.coords, config.cost_year), config
            )
        return analysis
    attrs = {
        "tbu_mc_config": config.name,
        "tbu_mc_config_sha256": config.sha256(),
        "seed_entropy": str(entropy),
        "block_size": plan.block_size,
        "cost_year": config.cost_year,
        "price_year": config.price_year,
        "draws_kept": sim.kept,
        "draws_total": sim.plan.draws,
    }
    tree = None
    if sim.draws is not None and sim.kept:
        with phase("datatree"):
            tree = to_datatree(sim.draws, model.dims, model.coords, attrs=attrs)
    analysis.simulation = sim
    analysis.tree = tree
    analysis.kind = AnalysisKind.MONTE_CARLO
    analysis.above_published = above_published(analysis, reducer, model.dims, model.coords)
    if tree is not None and sim.complete:
        # every draw is here: exact quantiles and ArviZ's ESS, MCSE and R-hat, as always
        with phase("summary"):
            analysis.summary = summary_table(tree, sim.moments, config.cost_year)
        if config.exceedance:
            with phase("exceedance"):
                analysis.exceedance = exceedance_table(tree, config.exceedance)
    else:
        with phase("summary"):
            analysis.summary = stream_summary_table(sim, model.dims, model.coords, config.cost_year)
        if config.exceedance:
            assert sim.hits is not None or not reducer.thresholds
            analysis.exceedance = exceedance_from_counts(
                sim.hits or {}, config.exceedance, model.dims, model.coords, sim.plan.draws
            )
        analysis.notes.append(
            f"draws.nc holds the first {sim.kept:,} of {sim.plan.draws:,} draws "
            "(--keep-draws); the statistics are from every draw's merged summaries"
            if sim.kept
            else "no draws.nc: --keep-draws 0; the statistics are from every draw's merged "
            "summaries"
        )
    if o.sensitivity:
        with phase("sensitivity"):
            # the design's blocks run on the run's scheduler, merged in the engine's fixed tree
            run = functools.partial(run_merged, scheduler=scheduler, client=client)
            analysis.sensitivity, analysis.sensitivity_indices = analyse_sensitivity(
                model, entropy, o.sensitivity, run=run
            )
    return analysis


def municipal_scenario(table: pd.DataFrame, config: Config) -> pd.DataFrame:
    """A municipal run's rows named by the configuration's scenario, not ``all``.

    A municipal model has no scenario axis (its immigration comes from the projection), so
    every scenario of such a configuration is the same; the rows take the first one's name.
    """
    return table.assign(scenario=config.scenarios[0].name)


def choose_scheduler(
    model: CostModel, plan: BlockPlan, entropy: int, slow_blocks: float = 0.0
) -> tuple[SchedulerSpec, str]:
    """In-process for a run of a few seconds, a LocalCluster beyond; and why, in one line.

    The model is timed on draws from the pilot stream (``PILOT_KEY``), which no block uses, so
    the choice never changes the results (they are bit-identical on every scheduler anyway).
    """
    work = time_work(model, plan, entropy, slow_blocks)
    if work < IN_PROCESS_SECONDS:
        return SchedulerSpec("sync"), Note(
            f"ran in this process: about {work:.1f} s of work, less than starting a local "
            f"cluster takes (about {IN_PROCESS_SECONDS:.0f} s); --workers N asks for one",
            "in_process",
            work=work,
            start=round(IN_PROCESS_SECONDS),
        )
    spec = SchedulerSpec("processes")
    return spec, Note(
        f"ran on a local cluster of {spec.n_workers} processes: about {work:.0f} s of work "
        "on one core; --sync keeps a run in this process",
        "local_cluster",
        workers=spec.n_workers,
        work=work,
    )


def choose_views_scheduler(work: dict[str, float]) -> tuple[SchedulerSpec, Note]:
    """One choice for a two-view run, from both views' work; and why, in one line.

    ``work`` maps each view's name (the headline first) to its seconds of work on one core
    (:func:`time_work`). The threshold is :func:`choose_scheduler`'s on the sum: in-process,
    one view after the other, when the sum is short; else one LocalCluster on which both views
    run at once (:func:`mc.workflow.overlap.run_both`), started once.
    """
    (headline, headline_work), (side, side_work) = work.items()
    total = headline_work + side_work
    parts = f"{headline} view {_secs(headline_work)} s, {side} view {_secs(side_work)} s"
    values = {
        "work": total,
        "headline_view": headline,
        "headline_work": headline_work,
        "side_view": side,
        "side_work": side_work,
    }
    if total < IN_PROCESS_SECONDS:
        return SchedulerSpec("sync"), Note(
            f"ran in this process, one view after the other: about {_secs(total)} s of work "
            f"({parts}), less than starting a local cluster takes (about "
            f"{IN_PROCESS_SECONDS:.0f} s); --workers N asks for one",
            "in_process_views",
            start=round(IN_PROCESS_SECONDS),
            **values,
        )
    spec = SchedulerSpec("processes")
    return spec, Note(
        f"ran both views at once on one local cluster of {spec.n_workers} processes: about "
        f"{_secs(total)} s of work on one core ({parts}); --sync keeps a run in this process",
        "local_cluster_views",
        workers=spec.n_workers,
        **values,
    )


def _secs(value: float) -> str:
    """Seconds as the notes' translations print them: one decimal below 10, none from 10."""
    return f"{value:.{1 if abs(value) < 10 else 0}f}"


def time_work(model: CostModel, plan: BlockPlan, entropy: int, slow_blocks: float = 0.0) -> float:
    """Seconds the run's draws would take on one core, from a short timed pilot.

    The model draws from the pilot stream (``PILOT_KEY``), which no block uses, for about
    :data:`TIMING_SECONDS` (doubling its draws each time, after two draws that compile or load
    the kernels); ``slow_blocks`` (fault-injection tests) adds its seconds per block.
    """
    rng = block_generator(entropy, PILOT_KEY)
    model.simulate(rng, 2)  # compile or load the kernels before timing them
    n, done, spent = 8, 0, 0.0
    while spent < TIMING_SECONDS and done < plan.draws:
        start = time.perf_counter()
        model.simulate(rng, n)
        spent += time.perf_counter() - start
        done += n
        n *= 2
    return spent / done * plan.draws + slow_blocks * plan.n_blocks


def check_model_options(
    model: CostModel, *, sensitivity: int = 0, precision_variable: str | None = None
) -> None:
    """Check the options that depend on the model, once it is built and before any draw.

    Raises
    ------
    ConfigError
        If ``precision_variable`` is not one of the model's outputs, or a sensitivity analysis
        is asked of a model whose drivers cannot be set one by one (a stochastic population
        projection, a municipal run).
    """
    dims = getattr(model, "dims", {})
    if precision_variable is not None and precision_variable not in dims:
        raise ConfigError(
            "--precision-variable", precision_variable, f"must be one of {sorted(dims)}"
        )
    if sensitivity:
        base = getattr(model, "demographic", model)
        if isinstance(model, MunicipalCostModel) or not hasattr(base, "simulate_latent"):
            raise ConfigError(
                "--sensitivity",
                sensitivity,
                "needs the demographic model's own cost drivers; this configuration's model "
                f"({type(model).__name__}) draws its population from a stochastic projection",
            )


def precision_rule(
    model: CostModel,
    config: Config,
    precision: Sequence[str],
    confidence: float,
    variable: str | None,
    reducer: Reducer,
) -> PrecisionRule:
    """The stopping rule of ``--precision`` targets on one cell of one variable.

    Raises
    ------
    ConfigError
        If a target does not parse, the variable is not an output of the model, or the
        confidence level is not in (0, 1).
    """
    if not 0 < confidence < 1:
        raise ConfigError("--confidence", confidence, "must be in (0, 1)")
    targets = tuple(parse_target(t) for t in precision)
    dims = model.dims
    if variable is None:
        variable = (
            "demographic_cost_total_bn"
            if "demographic_cost_total_bn" in dims
            else "national_cost_bn"
        )
    if variable not in dims:
        raise ConfigError("--precision-variable", variable, f"must be one of {sorted(dims)}")
    coords = model.coords
    position = []
    for dim in dims[variable]:
        values = list(coords[dim])
        position.append(values.index(config.cost_year) if dim == "year" else 0)
    shape = [len(coords[dim]) for dim in dims[variable]]
    index = int(np.ravel_multi_index(position, shape)) if shape else 0
    grid = None
    if reducer.grids is not None:
        grid = reducer.grids[variable]
    return PrecisionRule(variable, index, targets, confidence, grid)


def with_design(model: CostModel, design: str) -> CostModel:
    """The model with its demographic cost drivers drawn from ``design``.

    Raises
    ------
    ConfigError
        If the design is unknown, or the model's drivers are not the demographic model's own
        (a stochastic population projection or a municipal run: plain Monte Carlo only).
    """
    import dataclasses

    if design not in DESIGNS:
        raise ConfigError("design", design, f"must be one of {list(DESIGNS)}")
    if design == "mc":
        return model
    if isinstance(model, DemographicModel):
        return dataclasses.replace(model, design=design)
    # the economy wraps the demographic model: the design goes to the wrapped one
    if isinstance(model, EconomyModel) and isinstance(model.demographic, DemographicModel):
        inner = dataclasses.replace(model.demographic, design=design)
        return dataclasses.replace(model, demographic=inner)
    raise ConfigError(
        "--design",
        design,
        "designs other than 'mc' work on the demographic model's own cost drivers; this "
        f"configuration's model ({type(model).__name__}) draws its population from a "
        "stochastic projection: use --design mc",
    )
