"""Both views of a cost year side by side, and the table that reconciles their medians.

A configuration with a ``model_view`` section (see :mod:`mc.model.config.views`) runs twice: the
headline view as an ordinary run (every output, checkpoints, sensitivity) and the other view on
the same seed, draws and block size for its demographic costs. :func:`views_table` puts the two
views' bands side by side; :func:`reconciliation_table` walks from one median to the other.

The reconciliation. The cost of a year is linear in the population change by age, and the change
is the sum of four parts: the cohorts ageing one year, births (at age 0), deaths and net migration
(the regular flow and the scenario's extra immigrants). Starting from the TBU view's median, the
table steps to its central path (the point estimate), swaps the parts one at a time to the model
view's (net immigration, births, deaths, ageing of the starting population, then unit costs), and
steps from the model view's central path to its median. Because the cost is linear in each part,
the population steps do not depend on their order; only the unit-cost step does (it would be priced
on the model view's population, as it comes last). The two views share the configuration's unit
costs, so that step is zero today. The two "central path to median" steps hold everything that is
not in the point paths: the skew and spread of the draws (and Monte Carlo error, a few thousandths
of a billion at the default draws).

Where the TBU view's parts come from: its baseline table gives the change by age and the expected
deaths by age; the ageing is computed from the observed population on 1 January of the baseline's
first year; births are what the table's age 0 needs beyond that (the regular migrants of the
shipped table include no infants), and net migration is the rest. The model view's parts come
from the component projection's central path (:func:`mc.model.component_costs.central_path`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mc.domain.ages import N_AGES
from mc.engine import Checkpoints
from mc.engine.checkpoint import IDENTITY_FILE
from mc.model.component_costs import CentralPath, ageing, central_path, component_fit
from mc.model.config import Config
from mc.model.config.views import View, other_view, reference_scenario, view_config
from mc.model.population import PopulationTable
from mc.workflow.notes import Note
from mc.workflow.options import RunOptions
from mc.workflow.overlap import run_both

if TYPE_CHECKING:
    from mc.workflow.analysis import Analysis

#: The variables the views compare (the cost year's demographic costs).
VIEW_VARIABLES = ("demographic_cost_total_bn", "demographic_cost_free_bn")
VIEW_COLUMNS = (
    "view",
    "headline",
    "variable",
    "scenario",
    "extra_net_immigration",
    "point",
    "median",
    "q05",
    "q95",
    "published",
    "p_above_published",
)
#: The reconciliation's steps, in the order they are taken.
STEPS = (
    "tbu_median",
    "tbu_median_to_central_path",
    "net_immigration",
    "births",
    "deaths",
    "ageing",
    "unit_costs",
    "model_central_path_to_median",
    "model_median",
)
RECONCILIATION_COLUMNS = ("scenario", "order", "step", "total_bn", "free_bn", "growth")


#: Schedulers whose clients both views share, running at once (see :mod:`mc.workflow.overlap`).
#: ``sync`` and ``threads`` run in this process: the views' blocks compete for the same cores as
#: the client, so they keep running one after the other.
SHARED_KINDS = ("processes", "address", "slurm", "pbs")


def other_view_config(config: Config) -> Config:
    """The configuration the other view (not ``config.view``) runs with, on its costs only.

    The other view is compared on its demographic costs: its economy (accounts, net operating
    result) is never reported, so it is not drawn (``RunOptions.costs_only``) and no exceedance
    is counted.
    """
    assert config.view is not None  # a configuration with views always names its headline
    return dataclasses.replace(view_config(config, other_view(config.view)), exceedance=())


def analyse_views(config: Config, options: RunOptions, **kwargs: Any) -> Analysis:
    """Run the headline view as usual and the other view beside it.

    ``kwargs`` go to :func:`mc.workflow.analysis.analyse` for the headline run (population,
    client, progress, checkpoints); the other view runs on the same draws, seed, block size and
    scheduler with plain Monte Carlo and no sensitivity or precision targets, and draws only its
    demographic costs (``costs_only``: the draws a full run of it would give them, without its
    economy, which nothing reports). On a Dask client
    (given, or a cluster of ``options.scheduler`` started once for both) the two views run at the
    same time (:func:`mc.workflow.overlap.run_both`); in-process, one after the other. Either
    way the results are the same, bit for bit.

    Without a scheduler or client (the command line's default), the run makes one choice for
    both views from the sum of their work (:func:`mc.workflow.analysis.choose_views_scheduler`,
    each model timed on its pilot stream) and then takes the path that choice would take if
    asked for: in-process, one view after the other, or one LocalCluster both views share. The
    headline's notes say once which, and why.

    Returns
    -------
    Analysis
        The headline view's analysis, with ``views``, ``reconciliation`` and ``side`` (the other
        view's analysis) set and ``config`` the two-view configuration.
    """
    from mc.workflow.analysis import analyse, choose_views_scheduler, draw, prepare, time_work

    headline = config.view
    side_options = dataclasses.replace(
        options,
        design="mc",
        sensitivity=0,
        precision=(),
        confidence=None,
        wave=None,
        precision_variable=None,
        costs_only=True,
    )
    side_kwargs = {k: v for k, v in kwargs.items() if k in ("population", "client")}
    main_config = view_config(config, headline)
    side_config = other_view_config(config)
    client, spec = kwargs.get("client"), options.scheduler
    run_main: Callable[[Any], Analysis]
    run_side: Callable[[Any], Analysis]
    if not options.deterministic and client is None and spec is None:
        # no scheduler asked for: one choice for the whole run, from both views' work, each
        # model built once and timed on its pilot stream (as a single run's choice is); then
        # the path an explicit --sync or --workers takes
        population = kwargs.get("population")
        folder = kwargs.get("checkpoint_dir")
        main_ready = prepare(main_config, options, population=population, checkpoint_dir=folder)
        side_ready = prepare(side_config, side_options, population=population)
        work = {}
        for view, ready, slow in (
            (headline, main_ready, kwargs.get("slow_blocks", 0.0)),
            (other_view(headline), side_ready, 0.0),  # the side view is never slowed
        ):
            if ready.model is None or ready.plan is None:  # not deterministic: never here
                raise ValueError("a run that draws has a model and a block plan")
            work[view.value] = time_work(ready.model, ready.plan, ready.entropy, slow)
        spec, why = choose_views_scheduler(work)
        main_ready.analysis.notes.append(why)
        chosen = spec
        draw_kwargs = {k: v for k, v in kwargs.items() if k not in ("population", "client")}

        def run_main(c: Any) -> Analysis:
            return draw(main_ready, chosen, client=c, **draw_kwargs)

        def run_side(c: Any) -> Analysis:
            return draw(side_ready, chosen, client=c)

    else:

        def run_main(c: Any) -> Analysis:
            return analyse(main_config, options, **{**kwargs, "client": c})

        def run_side(c: Any) -> Analysis:
            return analyse(side_config, side_options, **{**side_kwargs, "client": c})

    shared = not options.deterministic and (
        client is not None or (spec is not None and spec.kind in SHARED_KINDS)
    )
    if shared:
        folder = kwargs.get("checkpoint_dir")
        fresh = folder is not None and not (Path(folder) / IDENTITY_FILE).is_file()
        try:
            main, side = run_both(
                run_main,
                run_side,
                client=client,
                spec=None if client is not None else spec,
            )
        except BaseException:
            # the engine leaves a caller's client's checkpoints alone (a cancelled block may
            # still save); the cluster started here is closed by now, so a run that saved no
            # block leaves nothing to --resume, as a single run on its own cluster does
            if client is None and folder is not None and (fresh or kwargs.get("restart")):
                Checkpoints(Path(folder), {}).discard_if_empty()
            raise
        if client is None and spec is not None:  # the manifest names the cluster, as before
            for analysis in (main, side):
                if analysis.simulation is not None:
                    analysis.simulation.scheduler = spec.describe()
    else:
        main = run_main(client)
        side = run_side(client)
    main.notes.extend(side_note(note, other_view(headline).value) for note in side.notes)
    by_view = {headline: main, other_view(headline): side}
    main.views = views_table(config, by_view)
    main.reconciliation = reconciliation_table(config, by_view)
    main.side = side
    main.config = config
    return main


def _cell(table: pd.DataFrame | None, variable: str, scenario: str, year: int) -> pd.Series | None:
    if table is None:
        return None
    rows = table[
        (table["variable"] == variable)
        & (table["scenario"] == scenario)
        & (table["year"] == year)
        & (table["sector"] == "all")
    ]
    return None if rows.empty else rows.iloc[0]


def views_table(config: Config, by_view: dict[View, Analysis]) -> pd.DataFrame:
    """One row per view, variable and scenario: point, median, 90 % band, P(> published).

    The published figure is TBU's for the scenario (total or free-revenue part); the model view's
    scenario has the same name and its extra immigration measured from the reference scenario.
    """
    rows = []
    for view in (View.TBU, View.MODEL):
        analysis = by_view[view]
        year = analysis.config.cost_year
        for scenario in analysis.config.scenarios:
            for variable in VIEW_VARIABLES:
                published = (
                    scenario.published_total_bn
                    if variable == "demographic_cost_total_bn"
                    else scenario.published_free_bn
                )
                point = _cell(analysis.deterministic, variable, scenario.name, year)
                band = _cell(analysis.summary, variable, scenario.name, year)
                nan = float("nan")
                rows.append(
                    {
                        "view": view.value,
                        "headline": view is config.view,
                        "variable": variable,
                        "scenario": scenario.name,
                        "extra_net_immigration": scenario.extra_net_immigration,
                        "point": nan if point is None else float(point["value"]),
                        "median": nan if band is None else float(band["q50"]),
                        "q05": nan if band is None else float(band["q05"]),
                        "q95": nan if band is None else float(band["q95"]),
                        "published": nan if published is None else published,
                        # counted in every block, so it is a share of every draw
                        "p_above_published": analysis.above_published.get(
                            (scenario.name, variable), nan
                        ),
                    }
                )
    return pd.DataFrame(rows, columns=list(VIEW_COLUMNS))


@dataclasses.dataclass(frozen=True)
class Parts:
    """A year's population change by single-year age (both sexes), in its four parts."""

    ageing: np.ndarray
    births: np.ndarray
    deaths: np.ndarray
    migration: np.ndarray

    @property
    def change(self) -> np.ndarray:
        """The population change the parts add up to."""
        total: np.ndarray = self.ageing + self.births - self.deaths + self.migration
        return total


def _extra_profile(config: Config) -> np.ndarray:
    profile = config.population.immigrant_profile
    if profile is None:
        return np.zeros(N_AGES)
    per_age = profile.per_age().sum(axis=0)
    return np.asarray(per_age / per_age.sum())


def tbu_parts(config: Config, population: PopulationTable, extra: float) -> Parts:
    """The TBU view's cost-year change in parts (see the module docstring)."""
    baseline = config.population.baseline
    if baseline is None:
        raise ValueError("the TBU view needs a projected baseline")
    change: np.ndarray = baseline.change.per_age().sum(axis=0)
    aged = ageing(population.at(baseline.from_year).sum(axis=0))
    deaths = baseline.expected_deaths.per_age().sum(axis=0)
    rest = change - aged + deaths  # births + migration
    births = np.zeros(N_AGES)
    births[0] = rest[0]
    migration = rest - births + extra * _extra_profile(config)
    return Parts(aged, births, deaths, migration)


def model_parts(
    config: Config, population: PopulationTable, extra: float, path: CentralPath | None = None
) -> Parts:
    """The model view's cost-year change in parts, from the projection's central path.

    ``path`` is :func:`model_central_path` when the caller has it already (it does not depend
    on ``extra``).
    """
    if path is None:
        path = model_central_path(config, population)
    last = -1  # the cost year's change
    migration = path.migration[last] + extra * _extra_profile(config)
    return Parts(path.ageing[last], path.births[last], path.deaths[last], migration)


def model_central_path(config: Config, population: PopulationTable) -> CentralPath:
    """The component projection's central path to the cost year (fit on the data folder)."""
    fit = component_fit(config, population)
    return central_path(fit, config.cost_year - fit.origin)


def _priced(config: Config, change: np.ndarray) -> tuple[float, float]:
    """Total and free-revenue cost (bn kroner) of a change by age, at the config's unit costs."""
    costs = config.unit_costs.matrix(config.age_groups) * config.price_factor()  # (K, A)
    sector_bn = costs @ change / 1e9
    return float(sector_bn.sum()), float(sector_bn @ config.unit_costs.free_shares)


def reconciliation_table(config: Config, by_view: dict[View, Analysis]) -> pd.DataFrame:
    """Steps from the TBU view's median to the model view's, per scenario (see module docstring).

    In each scenario, ``tbu_median`` plus the steps between equals ``model_median`` (up to
    floating-point rounding). Without draws (a deterministic run) the medians are the central
    paths. ``growth`` is the point path's population growth on the first and last rows and each
    step's change of it in between.
    """
    tbu, model = by_view[View.TBU], by_view[View.MODEL]
    population = model.population
    if population is None:
        raise ValueError("the model view's analysis keeps its population")
    tbu_config, model_config = tbu.config, model.config
    rows = []
    zero = reference_scenario(config)
    # the fit reads the data folder: once per table, not once per scenario (it is the last thing
    # a two-view run does after its last block)
    path = model_central_path(model_config, population)
    for scenario in config.scenarios:
        extra_a = scenario.extra_net_immigration
        extra_b = (
            extra_a - next(s for s in config.scenarios if s.name == zero).extra_net_immigration
        )
        a = tbu_parts(tbu_config, population, extra_a)
        b = model_parts(model_config, population, extra_b, path)
        medians = {}
        for view, analysis in ((View.TBU, tbu), (View.MODEL, model)):
            cells = []
            for variable in VIEW_VARIABLES:
                band = _cell(analysis.summary, variable, scenario.name, analysis.config.cost_year)
                cells.append(None if band is None else float(band["q50"]))
            medians[view] = cells
        point_a = _priced(tbu_config, a.change)
        point_b = _priced(model_config, b.change)
        med_a = _or_point(medians[View.TBU], point_a)
        med_b = _or_point(medians[View.MODEL], point_b)
        steps: list[tuple[str, tuple[float, float], float]] = [
            ("tbu_median", med_a, float(a.change.sum())),
            ("tbu_median_to_central_path", _minus(point_a, med_a), 0.0),
        ]
        current = a
        for part in ("migration", "births", "deaths", "ageing"):
            swapped = dataclasses.replace(current, **{part: getattr(b, part)})
            step = _minus(_priced(tbu_config, swapped.change), _priced(tbu_config, current.change))
            growth = float(swapped.change.sum() - current.change.sum())
            steps.append(("net_immigration" if part == "migration" else part, step, growth))
            current = swapped
        unit = _minus(_priced(model_config, b.change), _priced(tbu_config, current.change))
        steps.append(("unit_costs", unit, 0.0))
        steps.append(("model_central_path_to_median", _minus(med_b, point_b), 0.0))
        steps.append(("model_median", med_b, float(b.change.sum())))
        for order, (name, (total, free), growth) in enumerate(steps):
            rows.append(
                {
                    "scenario": scenario.name,
                    "order": order,
                    "step": name,
                    "total_bn": total,
                    "free_bn": free,
                    "growth": growth,
                }
            )
    return pd.DataFrame(rows, columns=list(RECONCILIATION_COLUMNS))


def _or_point(medians: list[float | None], point: tuple[float, float]) -> tuple[float, float]:
    """The medians where the run drew, else the central path."""
    total, free = medians
    return (point[0] if total is None else total, point[1] if free is None else free)


def _minus(x: tuple[float, float], y: tuple[float, float]) -> tuple[float, float]:
    return (x[0] - y[0], x[1] - y[1])


def side_note(note: str, view: str) -> Note:
    """A note of the side view's run, said as that view's (translated where the note has a key)."""
    values = dict(getattr(note, "values", {}))
    return Note(f"{view} view: {note}", getattr(note, "key", ""), **values, view_of_note=view)
