"""The run folder: the names of the files tbu-mc writes into it and the keys of its manifest.

Every module that writes a run folder (:mod:`mc.report.writer`, :mod:`mc.report.build`), reads one
(:mod:`mc.report.reader`) or checks one (the tests) takes the names from here, so a renamed file
cannot leave a reader or a test behind. :func:`run_files` says which of them a run of each kind
writes.
"""

from __future__ import annotations

from enum import StrEnum

# Tables and draws -------------------------------------------------------------------------------

#: The run's description (seed, plan, configuration, versions); written last, so its absence marks
#: an incomplete folder.
MANIFEST = "manifest.json"
#: Statistics per variable and cell (mean, quantiles, MCSE, ESS, R-hat) of a Monte Carlo run.
SUMMARY = "summary.csv"
#: Every draw, as an ArviZ ``DataTree`` (group ``posterior``; blocks are chains).
DRAWS = "draws.nc"
#: The model's point estimates (every driver at its central value).
DETERMINISTIC = "deterministic.csv"
#: The configured probabilities of ending above or below a threshold, with their MCSE.
EXCEEDANCE = "exceedance.csv"
#: Tornado rows: each driver at its 10th and 90th percentile, the others at their medians.
SENSITIVITY = "sensitivity.csv"
#: Each driver's share of the variance and its Sobol indices.
SENSITIVITY_INDICES = "sensitivity_indices.csv"
#: Costs of past years from observed population change (``tbu-mc history``).
HISTORY = "history.csv"
#: Both views' bands side by side (a configuration with ``model_view``; mc/workflow/views.py).
VIEWS = "views.csv"
#: The steps from one view's median to the other's.
RECONCILIATION = "reconciliation.csv"
#: Bands of a stochastic population projection (``tbu-mc population project``).
POPULATION_BANDS = "population_bands.csv"
#: Rows of a population backtest (``tbu-mc population backtest``).
BACKTEST = "backtest.csv"
#: Coverage of the backtest's bands.
COVERAGE = "coverage.csv"
#: Scores (CRPS, interval scores) of the backtest.
SCORES = "scores.csv"
#: Rows of a cost backtest (``tbu-mc backtest costs``): forecast quantiles beside the outcome.
BACKTEST_COSTS = "backtest_costs.csv"
#: Rows of an economy backtest (``tbu-mc backtest economy``); its coverage is :data:`COVERAGE`.
BACKTEST_ECONOMY = "backtest_economy.csv"
#: A configuration's own years by level, with known outcomes placed (``--config``).
ECONOMY_LEVELS = "levels.csv"

# Figures ----------------------------------------------------------------------------------------

#: Bands of the demographic costs per scenario (or their fan over the years).
FAN_DEMOGRAPHIC = "fan_demographic_cost.png"
#: Bands of the sector's economy: net operating result, real growth, handlingsrom, deflator.
FAN_ECONOMY = "fan_economy.png"
#: The municipalities with the highest cost per inhabitant among the large ones, the small apart.
MUNICIPAL_RANKING = "municipalities_ranked.png"
#: The tornado chart of the sensitivity analysis.
TORNADO = "tornado_demographic_cost.png"
#: The fan of a population forecast: the whole population and the broad age groups by year.
FAN_POPULATION = "fan_population.png"

# Written by ``tbu-mc report`` into a finished run folder ----------------------------------------

#: The self-contained report page.
REPORT_HTML = "report.html"
#: The report's tables as Markdown.
TABLES_MD = "tables.md"
#: The report's tables as a LaTeX document.
TABLES_TEX = "tables.tex"

#: The report's files, in the order they are written.
REPORT_FILES = (REPORT_HTML, TABLES_MD, TABLES_TEX)
#: Every file name tbu-mc writes into an output folder, of any command.
ALL_OUTPUTS = frozenset(
    {
        MANIFEST,
        SUMMARY,
        DRAWS,
        DETERMINISTIC,
        EXCEEDANCE,
        SENSITIVITY,
        SENSITIVITY_INDICES,
        HISTORY,
        VIEWS,
        RECONCILIATION,
        POPULATION_BANDS,
        BACKTEST,
        BACKTEST_COSTS,
        COVERAGE,
        SCORES,
        BACKTEST_ECONOMY,
        ECONOMY_LEVELS,
        FAN_DEMOGRAPHIC,
        FAN_ECONOMY,
        MUNICIPAL_RANKING,
        TORNADO,
        FAN_POPULATION,
        *REPORT_FILES,
    }
)


class RunKind(StrEnum):
    """What a ``tbu-mc run`` produced, which decides the files of its folder."""

    #: Point estimates only (``--deterministic``).
    DETERMINISTIC = "deterministic"
    #: Draws of the national model, kept in ``draws.nc``.
    MONTE_CARLO = "monte-carlo"
    #: Draws of every municipality reduced as they stream past (no ``draws.nc``).
    STREAM = "stream"


def run_files(
    kind: RunKind | str,
    *,
    economy: bool = False,
    exceedance: bool = False,
    sensitivity: bool = False,
    views: bool = False,
) -> tuple[str, ...]:
    """The files ``tbu-mc run`` writes into its folder, sorted by name.

    Parameters
    ----------
    kind : RunKind or str
        The kind of run.
    economy : bool
        The run has the sector's economy (adds the economy fan chart).
    exceedance : bool
        The configuration asks for exceedance probabilities.
    sensitivity : bool
        A sensitivity analysis was run (adds its two tables and the tornado chart).
    views : bool
        The configuration has a second view (adds ``views.csv`` and ``reconciliation.csv``).

    Returns
    -------
    tuple of str

    Raises
    ------
    ValueError
        If ``kind`` is not a :class:`RunKind`.

    Examples
    --------
    >>> run_files("stream")
    ('deterministic.csv', 'manifest.json', 'municipalities_ranked.png', 'summary.csv')
    """
    kind = RunKind(kind)
    names = {DETERMINISTIC, MANIFEST}
    if views:
        names |= {VIEWS, RECONCILIATION}
    if kind is RunKind.STREAM:
        names |= {SUMMARY, MUNICIPAL_RANKING}
    elif kind is RunKind.MONTE_CARLO:
        names |= {SUMMARY, DRAWS, FAN_DEMOGRAPHIC}
        if economy:
            names.add(FAN_ECONOMY)
        if exceedance:
            names.add(EXCEEDANCE)
        if sensitivity:
            names |= {SENSITIVITY, SENSITIVITY_INDICES, TORNADO}
    return tuple(sorted(names))


# The manifest's keys ----------------------------------------------------------------------------

#: Always ``"tbu-mc"``: marks the folder as one of tbu-mc's.
KEY_TOOL = "tool"
#: tbu-mc's version.
KEY_VERSION = "version"
#: When the run finished (UTC, ISO 8601).
KEY_CREATED = "created"
#: ``deterministic`` or ``monte-carlo``.
KEY_MODE = "mode"
#: The command line that made the run.
KEY_COMMAND = "command"
#: The configuration file, as given.
KEY_CONFIG_PATH = "config_path"
#: SHA-256 of the resolved configuration.
KEY_CONFIG_SHA256 = "config_sha256"
#: The seed's entropy: with the block size it fixes every draw.
KEY_SEED = "seed_entropy"
#: Draws per block.
KEY_BLOCK_SIZE = "block_size"
#: Number of blocks (ArviZ chains).
KEY_BLOCKS = "blocks"
#: Number of draws in all.
KEY_DRAWS = "draws"
#: The Dask scheduler that ran the blocks.
KEY_SCHEDULER = "scheduler"
#: Wall time of the simulation, seconds.
KEY_WALL_SECONDS = "wall_seconds"
#: Shortest, longest and summed block times, seconds.
KEY_BLOCK_SECONDS = "block_seconds"
#: The data files read, each with its SHA-256.
KEY_DATA = "data"
#: Versions of Python and the numerical stack.
KEY_PACKAGES = "packages"
#: The platform string of the machine.
KEY_PLATFORM = "platform"
#: The resolved configuration.
KEY_CONFIG = "config"
#: The sampling design (Monte Carlo runs).
KEY_DESIGN = "design"
#: The stopping rule's targets and why the run stopped (runs with precision targets).
KEY_STOPPING = "stopping"
#: How a streamed run reduced its draws.
KEY_REDUCTION = "reduction"
#: How many draws ``draws.nc`` holds, of how many, and which (the first ones of the stream).
KEY_KEPT_DRAWS = "kept_draws"
#: Notes on the run for its reader.
KEY_NOTES = "notes"
#: Run-time changes to the configuration file (``--set``, ``--scenario``) as ``key.path=value``;
#: the resolved configuration under :data:`KEY_CONFIG` already contains them.
KEY_OVERRIDES = "overrides"
#: Which view is the headline and how the other was made (a configuration with ``model_view``).
KEY_VIEWS = "views"
#: P(outcome > TBU's published figure) in the cost year, counted over every draw in the blocks:
#: a list of ``{"scenario", "variable", "published", "probability"}`` (Monte Carlo runs).
KEY_ABOVE_PUBLISHED = "above_published"
#: Inputs published after the configuration's ``as_of`` that a run kept (``flag_late_inputs``),
#: as ``{"field": ..., "published": ..., "as_of": ...}``.
KEY_LATE_INPUTS = "late_inputs"
#: The forecast-error samples the economy's surprises were drawn from, as of the run's ``as_of``:
#: per surprise the variable, horizons, years, size and the fitted Student t.
KEY_ECONOMY_SURPRISES = "economy_surprises"

#: Keys every manifest has, in the order they are written.
MANIFEST_KEYS = (
    KEY_TOOL,
    KEY_VERSION,
    KEY_CREATED,
    KEY_MODE,
    KEY_COMMAND,
    KEY_CONFIG_PATH,
    KEY_CONFIG_SHA256,
    KEY_SEED,
    KEY_BLOCK_SIZE,
    KEY_BLOCKS,
    KEY_DRAWS,
    KEY_SCHEDULER,
    KEY_WALL_SECONDS,
    KEY_BLOCK_SECONDS,
    KEY_DATA,
    KEY_PACKAGES,
    KEY_PLATFORM,
    KEY_CONFIG,
)
#: The language of the run's labels (``--lang``); ``tbu-mc report`` follows it unless told.
KEY_LANG = "lang"

#: Keys only some runs add after those.
OPTIONAL_MANIFEST_KEYS = (
    KEY_DESIGN,
    KEY_STOPPING,
    KEY_REDUCTION,
    KEY_KEPT_DRAWS,
    KEY_NOTES,
    KEY_OVERRIDES,
    KEY_VIEWS,
    KEY_ABOVE_PUBLISHED,
    KEY_LATE_INPUTS,
    KEY_ECONOMY_SURPRISES,
    KEY_LANG,
)
