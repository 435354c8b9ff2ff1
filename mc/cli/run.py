"""``tbu-mc run``: draw a configuration and write its run folder."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mc.cli.args import (
    add_scheduler_flags,
    command_line,
    count,
    positive_int,
    scheduler_from_args,
    seed,
    years,
)


def add_parser(subcommands: argparse._SubParsersAction) -> None:
    """Add ``run`` and its flags."""
    run = subcommands.add_parser(
        "run", help="draw the configured model and write bands, tables, figures"
    )
    run.add_argument("config", help="YAML configuration, e.g. configs/tbu-2025.yaml")
    run.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="NAME=EXTRA_NET_IMMIGRATION",
        help="add a scenario beside the configuration's, e.g. refugees_30k=30000; repeatable "
        "(default: only the configuration's scenarios)",
    )
    run.add_argument(
        "--set",
        action="append",
        default=[],
        dest="sets",
        metavar="KEY.PATH=VALUE",
        help="change one configuration field for this run (checked like the file; recorded in "
        "the manifest), e.g. --set uncertainty.births.sd=0; repeatable (default: none)",
    )
    run.add_argument(
        "--draws", type=positive_int, help="number of draws (default: the config's run.draws)"
    )
    run.add_argument(
        "--seed",
        type=seed,
        help="seed entropy (default: the config's run.seed; else fresh, and recorded)",
    )
    run.add_argument(
        "--block-size",
        type=positive_int,
        help="draws per block; blocks are Dask tasks and ArviZ chains (default: the config's "
        "run.block_size, or the nearest size that divides --draws; with --precision at most "
        "a tenth of the cap)",
    )
    run.add_argument(
        "--keep-draws",
        type=count,
        metavar="N",
        help="write the stream's first N draws (whole blocks) to draws.nc; statistics use "
        "every draw either way (config: run.keep_draws; default 100000; 0: no draws.nc)",
    )
    add_scheduler_flags(run, batch=True, default="auto")
    run.add_argument(
        "--deterministic",
        action="store_true",
        help="only the point estimates (every driver at its central value)",
    )
    run.add_argument("--out", help="output folder (default: results/<config name>)")
    run.add_argument(
        "--population",
        help="population CSV/Parquet or ssb:07459 replacing the config's file (default: the "
        "config's population)",
    )
    run.add_argument(
        "--lang", choices=("nb", "en"), default="nb", help="label language (default: %(default)s)"
    )
    run.add_argument(
        "--years",
        type=years,
        metavar="YEARS",
        help="years of the headline table, e.g. 2025,2027 or 2026-2030 (default: every year "
        "of the run; the outputs always hold every year)",
    )
    run.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bar or phase names on stderr (default: shown)",
    )
    again = run.add_mutually_exclusive_group()
    again.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted run from the checkpoints in --out",
    )
    again.add_argument(
        "--restart",
        action="store_true",
        help="discard the checkpoints of an interrupted run in --out and start again",
    )
    run.add_argument(
        "--force-size",
        action="store_true",
        help="start even if the run's estimated memory or disk need exceeds this machine's",
    )
    run.add_argument("--slow-blocks", type=float, default=0.0, help=argparse.SUPPRESS)
    run.add_argument(
        "--precision",
        action="append",
        default=[],
        metavar="STAT=TOL",
        help="stop once STAT (mean or qNN) is known within TOL (a number, or a percent of the "
        "estimate) at --confidence; --draws is then the cap; repeatable, e.g. "
        "--precision mean=0.01 --precision q95=1%% (default: none; a fixed number of draws)",
    )
    run.add_argument(
        "--confidence",
        type=float,
        # the numbers of mc.workflow.options (not imported here: it would load the whole
        # workflow before --help); tests/cli/test_help_defaults.py holds them equal
        help="level of --precision (default: the config's run.confidence, else 0.95)",
    )
    run.add_argument(
        "--wave",
        type=int,
        help="blocks between precision checks (default: the config's run.wave, else chosen "
        "from the cap for at least 10 checks)",
    )
    run.add_argument(
        "--precision-variable",
        help="variable of the --precision targets (default: the config's run.precision_variable, "
        "else the total demographic cost)",
    )
    run.add_argument(
        "--design",
        choices=("mc", "lhs", "sobol"),
        help="sampling design of the cost drivers in each block (default: the config's "
        "run.design, else mc)",
    )
    run.add_argument(
        "--sensitivity",
        type=int,
        nargs="?",
        const=16384,
        metavar="N",
        help="tornado, contributions to variance and Sobol indices with base sample N (16384 if "
        "N is left out; default: the config's run.sensitivity, else none)",
    )


def options_from_args(args: argparse.Namespace, run: Any = None, scheduler: Any = None) -> Any:
    """The :class:`~mc.workflow.RunOptions` of the flags over the config's ``run`` section."""
    from mc.model.config import RunDefaults
    from mc.workflow import RunOptions

    return RunOptions.from_config(
        run if run is not None else RunDefaults(),
        draws=args.draws,
        block_size=args.block_size,
        seed=args.seed,
        deterministic=args.deterministic or None,
        design=args.design,
        sensitivity=args.sensitivity,
        precision=tuple(args.precision),
        confidence=args.confidence,
        wave=args.wave,
        precision_variable=args.precision_variable,
        force_size=args.force_size or None,
        scheduler=scheduler,
        keep_draws=args.keep_draws,
    )


def handle(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    """Run the configuration, write the folder, print the headline table."""
    started = time.perf_counter()
    from tqdm import tqdm

    from mc.cli.progress import PhaseDisplay
    from mc.engine import plan_blocks
    from mc.errors import ConfigError
    from mc.model.config import load_config, parse_assignment
    from mc.model.demographic import model_years
    from mc.report import write_run
    from mc.report.console import headline_text, headline_view_line, placement_lines, views_lines
    from mc.report.io import OutputFolder
    from mc.report.labels import note_text, scheduler_label, seconds, text, whole
    from mc.report.municipal import municipal_console
    from mc.report.tables import chosen_years
    from mc.workflow import analyse
    from mc.workflow.analysis import run_population
    from mc.workflow.phases import reporting

    extra: dict[str, object] = {}
    for given in args.scenario:
        name, value = parse_assignment(given, "--scenario")
        if name in extra:  # a dict would keep the last one without a word
            raise ConfigError("--scenario", name, "given twice; each added scenario needs a name")
        extra[name] = value
    config = load_config(args.config, sets=args.sets, scenarios=extra)
    # the flags over the file's run section, checked together before any model is built
    scheduler = scheduler_from_args(args, default="auto", cluster=config.cluster)
    options = options_from_args(args, config.run, scheduler)
    population = run_population(config, args.population) if args.population else None
    if args.years and config.population.level == "national":
        # a year outside a national run fails now, not after the draws (a municipal model's
        # years are known once it is built: checked below, before anything is written)
        if population is None:
            population = run_population(config)
        chosen_years(model_years(config, population), args.years)
    out = Path(args.out or Path("results") / config.name)
    args.out_dir = out  # read by main() to say what an interrupted or failed run left
    if not args.deterministic:  # check the plan before any work is done
        cap = args.draws or config.run.draws
        plan_blocks(cap, args.block_size, options.block_preference(config.run.block_size, cap))
    folder = OutputFolder(out)  # decides ownership before anything is written
    bar = tqdm(
        total=args.draws or config.run.draws,
        unit="draw",
        unit_scale=True,
        delay=2.0,
        disable=args.quiet or args.deterministic,
        file=sys.stderr,
        desc=config.name,
    )
    display = PhaseDisplay(args.lang, enabled=not args.quiet, before=bar.close)
    with folder, bar, reporting(display):
        analysis = analyse(
            config,
            options,
            population=population,
            progress=bar.update,
            # absolute, so that workers started elsewhere find it
            checkpoint_dir=None if args.deterministic else out.resolve() / "checkpoints",
            resume=args.resume,
            restart=args.restart,
            slow_blocks=args.slow_blocks,
        )
        bar.close()
        if args.years:
            chosen_years(analysis.deterministic["year"], args.years)
        write_run(out, analysis, lang=args.lang, command=command_line(argv))
    sim = analysis.simulation
    lang = args.lang
    if sim is not None and sim.stopping is not None:
        cap = args.draws or config.run.draws
        print(stopping_line(sim.stopping, sim.plan.draws, cap, lang))
    for note in analysis.notes:
        print(f"{text(lang, 'con_note')}: {note_text(note, lang)}")
    if sim is not None and sim.resumed_blocks:
        print(text(lang, "con_resumed", blocks=sim.resumed_blocks))
    scenarios = [
        (s.name, s.label_nb if args.lang == "nb" else s.label_en) for s in config.scenarios
    ]
    if analysis.region_names:  # a municipal run: names beside codes, a ranking by size
        print(
            municipal_console(
                analysis.deterministic,
                analysis.summary,
                analysis.region_names,
                year=config.cost_year,
                lang=args.lang,
                price_year=config.price_year,
            )
        )
    else:
        if analysis.views is not None:  # say which view the headline bands are
            print(headline_view_line(analysis.config.view.value, args.lang))
        print(
            headline_text(
                analysis.deterministic,
                analysis.summary,
                scenarios,
                analysis.published,
                args.lang,
                price_year=config.price_year,
                years=args.years,
            )
        )
    for line in placement_lines(
        analysis.tree, analysis.deterministic, scenarios, lang, price_year=config.price_year
    ):
        print(line)
    if analysis.views is not None and analysis.reconciliation is not None:
        for line in views_lines(
            analysis.views,
            analysis.reconciliation,
            scenarios,
            args.lang,
            year=analysis.config.cost_year,
            price_year=analysis.config.price_year,
        ):
            print(line)
    if sim is not None:
        # the whole command, from the line being parsed to here: the draws are only a part
        total = time.perf_counter() - getattr(args, "started", started)
        print(
            text(
                args.lang,
                "con_time",
                draws=whole(sim.plan.draws, args.lang),
                blocks=sim.plan.n_blocks,
                block_word=text(args.lang, "con_block" if sim.plan.n_blocks == 1 else "con_blocks"),
                entropy=sim.entropy,
                scheduler=scheduler_label(sim.scheduler, lang),
                total=seconds(total, lang),
                draw_seconds=seconds(sim.wall_seconds, lang),
            )
        )
    print(text(lang, "con_wrote", path=out))
    return 0


def stopping_line(info: dict, draws: int, cap: int, lang: str = "en") -> str:
    """One line on why a precision-controlled run stopped and what it reached."""
    from mc.report.labels import text, whole

    met = all(t["met"] for t in info["targets"].values())
    why = (
        text(lang, "con_targets_met")
        if met
        else text(lang, "con_cap_reached", cap=whole(cap, lang))
    )
    allowed = text(lang, "con_allowed")
    parts = [
        f"{name}: +-{t['half_width']:.4g} ({allowed} {t['allowed']:.4g})"
        for name, t in info["targets"].items()
    ]
    return text(
        lang,
        "con_stopped",
        draws=whole(draws, lang),
        why=why,
        variable=info["variable"],
        targets="; ".join(parts),
    )
