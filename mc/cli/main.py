"""The ``tbu-mc`` command: parse, call, print. No arithmetic here."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from mc._version import __version__
from mc.cli.errors import DEBUG_ENV, DEBUG_FLAG, quiet_interrupts, report_failure, split_debug
from mc.errors import ConfigError, TbuMcError

EXIT_USAGE = 2


def _positive_int(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be >= 1")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"seed {value} must be >= 0")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``tbu-mc`` and its subcommands."""
    parser = argparse.ArgumentParser(
        prog="tbu-mc",
        description="Monte Carlo uncertainty for TBU's municipal-sector figures.",
    )
    parser.add_argument("--version", action="version", version=f"tbu-mc {__version__}")
    parser.add_argument(
        DEBUG_FLAG,
        action="store_true",
        help=f"show the full traceback of a failure (anywhere on the line; or {DEBUG_ENV}=1)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="draw the configured model and write bands, tables, figures")
    run.add_argument("config", help="YAML configuration, e.g. configs/tbu-2025.yaml")
    run.add_argument("--draws", type=_positive_int, help="number of draws (config: run.draws)")
    run.add_argument("--seed", type=_seed, help="seed entropy (config: run.seed; else fresh)")
    run.add_argument(
        "--block-size",
        type=_positive_int,
        help="draws per block; blocks are Dask tasks and ArviZ chains",
    )
    where = run.add_mutually_exclusive_group()
    where.add_argument("--sync", action="store_true", help="run blocks in this process, in order")
    where.add_argument(
        "--workers",
        type=_positive_int,
        help="LocalCluster with this many processes (default: one per core)",
    )
    where.add_argument(
        "--threads", type=_positive_int, help="in-process Dask cluster with this many threads"
    )
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="connect to a running Dask scheduler, e.g. tcp://host:8786",
    )
    run.add_argument(
        "--connect-timeout",
        type=float,
        metavar="SECONDS",
        help="how long to wait for the --scheduler to answer (default 10)",
    )
    where.add_argument(
        "--cluster",
        choices=("slurm", "pbs"),
        help="start workers as batch jobs (dask-jobqueue) from the config's cluster: section",
    )
    run.add_argument(
        "--deterministic",
        action="store_true",
        help="only the point estimates (every driver at its central value)",
    )
    run.add_argument("--out", help="output folder (default: results/<config name>)")
    run.add_argument(
        "--population", help="population CSV/Parquet or ssb:07459 replacing the config's file"
    )
    run.add_argument("--lang", choices=("nb", "en"), default="nb", help="label language")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
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
        "--precision mean=0.01 --precision q95=1%%",
    )
    run.add_argument("--confidence", type=float, help="level of --precision (default 0.95)")
    run.add_argument("--wave", type=int, help="blocks between precision checks (default 4)")
    run.add_argument("--precision-variable", help="variable of the --precision targets")
    run.add_argument(
        "--design",
        choices=("mc", "lhs", "sobol"),
        default="mc",
        help="sampling design of the cost drivers in each block (default mc)",
    )
    run.add_argument(
        "--sensitivity",
        type=int,
        nargs="?",
        const=16384,
        default=0,
        metavar="N",
        help="tornado, contributions to variance and Sobol indices (base sample N, default 16384)",
    )

    hist = sub.add_parser("history", help="costs year by year from observed population change")
    hist.add_argument("config", help="YAML configuration supplying unit costs")
    hist.add_argument(
        "--population",
        required=True,
        help="population CSV/Parquet (year, age, sex, population) or ssb:07459",
    )
    hist.add_argument("--from", dest="first", type=int, required=True, help="first cost year")
    hist.add_argument("--to", dest="last", type=int, required=True, help="last cost year")
    hist.add_argument("--out", required=True, help="output folder")

    _population_parser(sub)
    _data_parser(sub)
    _report_parser(sub)

    cal = sub.add_parser("calibrate", help="refit the default unit costs and baseline tables")
    cal.add_argument(
        "blocks", help="building-block file, e.g. configs/calibration/building-blocks-2023.yaml"
    )
    cal.add_argument("--data", required=True, help="folder with SSB population files")
    cal.add_argument("--out", default="configs/tables", help="folder for the generated tables")
    return parser


def _origins(text: str) -> list[int]:
    try:
        if "-" in text:
            first, last = (int(part) for part in text.split("-", 1))
        else:
            first = last = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year or a range Y1-Y2") from None
    if first > last:
        raise argparse.ArgumentTypeError(f"{text!r}: the first year is after the last")
    return list(range(first, last + 1))


def _groups(text: str) -> tuple[str, ...]:
    from mc.model.ages import parse_age_group

    groups = tuple(part.strip() for part in text.split(",") if part.strip())
    for group in groups:
        try:
            parse_age_group(group)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return groups


def _add_scheduler(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--sync", action="store_true", help="run blocks in this process (default)")
    where.add_argument(
        "--workers", type=_positive_int, help="LocalCluster with this many processes"
    )
    where.add_argument("--threads", type=_positive_int, help="in-process Dask cluster, N threads")
    where.add_argument("--scheduler", metavar="ADDRESS", help="a running Dask scheduler")


def _population_parser(sub: argparse._SubParsersAction) -> None:
    pop = sub.add_parser("population", help="stochastic population projection from SSB data")
    psub = pop.add_subparsers(dest="population_command", required=True, metavar="STEP")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", required=True, help="folder with SSB's population files")
    common.add_argument("--level", choices=("national", "municipality"), default="national")
    common.add_argument(
        "--age-groups",
        type=_groups,
        help="reported groups, e.g. '0-5,6-15,16-19,20-66,67-79,80-89,90+'",
    )

    fit = psub.add_parser("fit", parents=[common], help="fit and write the parameters (JSON)")
    fit.add_argument("--origin", type=int, required=True, help="fit with data up to 1 January")
    fit.add_argument("--out", required=True, help="file to write, e.g. configs/tables/pop.json")

    fc = psub.add_parser("forecast", parents=[common], help="bands for years after an origin")
    fc.add_argument("--origin", type=int, required=True, help="use data up to 1 January")
    fc.add_argument("--horizon", type=int, required=True, help="years to project (1-10)")
    fc.add_argument("--draws", type=_positive_int, default=1000)
    fc.add_argument("--block-size", type=_positive_int)
    fc.add_argument("--seed", type=_seed, help="seed entropy (default: fresh, recorded)")
    fc.add_argument(
        "--extra-immigration",
        type=float,
        default=0.0,
        help="extra net immigration per projected year, with --profile",
    )
    fc.add_argument("--profile", help="YAML age/sex profile of the extra immigration")
    fc.add_argument("--out", required=True, help="output folder")
    fc.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_scheduler(fc)

    bt = psub.add_parser("backtest", parents=[common], help="rolling-origin forecasts vs history")
    bt.add_argument("--origins", type=_origins, required=True, help="e.g. 2010-2023")
    bt.add_argument("--horizon", type=int, required=True, help="longest horizon")
    bt.add_argument("--draws", type=_positive_int, default=1000)
    bt.add_argument("--seed", type=_seed, default=0)
    bt.add_argument("--out", required=True, help="output folder")
    _add_scheduler(bt)


def _data_parser(sub: argparse._SubParsersAction) -> None:
    from mc.cli.data import regions_arg, tolerance_arg, years_arg

    data = sub.add_parser("data", help="fetch SSB tables into the cache; check data files")
    dsub = data.add_subparsers(dest="data_command", required=True, metavar="STEP")

    fetch = dsub.add_parser("fetch", help="fetch a table from SSB's API into the cache")
    fetch.add_argument("what", choices=("population", "projection", "kostra"))
    fetch.add_argument("--years", type=years_arg, help="'all' (default), 2020-2024 or 2020,2022")
    fetch.add_argument(
        "--regions",
        type=regions_arg,
        help="all (municipalities) | national | counties | codes 0301,4204 "
        "(default: national; kostra: all)",
    )
    fetch.add_argument("--cache", help="cache folder (default: $TBU_MC_CACHE or the user cache)")
    fetch.add_argument("--table", help="SSB table id (default: 07459, 13599 or 12362), e.g. 12364")
    fetch.add_argument("--alternative", help="projection alternative (default: MMMM)")
    fetch.add_argument(
        "--borders", help="CSV of border changes (old_code,new_code,from_year[,share])"
    )
    fetch.add_argument(
        "--target-year", type=int, help="harmonize to this year's borders (default: last year)"
    )

    check = dsub.add_parser("check", help="check a population file (CSV or Parquet)")
    check.add_argument("file", help="tidy file: year, [municipality,] age, sex, population")
    check.add_argument("--municipal", action="store_true", help="a municipal file")
    check.add_argument("--municipalities", help="classification: every code must be in it")
    check.add_argument("--trim-start", action="store_true", help="drop incomplete first years")
    check.add_argument("--national", help="national file to hold the municipal totals against")
    check.add_argument(
        "--tolerance",
        type=tolerance_arg,
        help="warn when municipal and national totals differ by more (default 0.5%%)",
    )

    listing = dsub.add_parser("list", help="list the cached SSB tables")
    listing.add_argument("--cache", help="cache folder (default: $TBU_MC_CACHE or the user cache)")


def _report_parser(sub: argparse._SubParsersAction) -> None:
    rep = sub.add_parser(
        "report", help="write report.html, tables.md and tables.tex into a run's folder"
    )
    rep.add_argument("run_dir", metavar="RUN_DIR", help="output folder of `tbu-mc run`")
    rep.add_argument("--lang", choices=("nb", "en"), default="nb", help="label language")
    rep.add_argument(
        "--bands",
        default="norges-bank",
        metavar="PRESET|LEVELS",
        help="norges-bank (30/50/70/90, default), boe, cbo, obr, un, imf, "
        "or central levels in percent such as 50,80,95",
    )


def _report(args: argparse.Namespace) -> int:
    from mc.report.build import write_report

    for path in write_report(args.run_dir, lang=args.lang, bands=args.bands):
        print(f"wrote {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tbu-mc`` console script."""
    argv, debug = split_debug(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with quiet_interrupts():
            return _dispatch(args, argv)
    except (Exception, KeyboardInterrupt) as exc:
        if debug:
            raise
        return report_failure(exc, argv, out=getattr(args, "out_dir", None))


def _dispatch(args: argparse.Namespace, argv: list[str]) -> int:
    """Run the chosen subcommand; errors propagate to :func:`main`."""
    if args.command == "run":
        return _run(args, argv)
    if args.command == "history":
        return _history(args, argv)
    if args.command == "population":
        from mc.cli.population import population_command

        return population_command(args, _command(argv))
    if args.command == "data":
        from mc.cli.data import data_command

        return data_command(args)
    if args.command == "report":
        return _report(args)
    return _calibrate(args)


def _run(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    from tqdm import tqdm

    from mc.engine import parse_scheduler, plan_blocks
    from mc.model.config import load_config
    from mc.report import headline_table, write_run
    from mc.report.io import OutputFolder
    from mc.workflow.analysis import analyse, check_run_options, run_population

    check_run_options(  # before anything is loaded: a typo costs no time
        deterministic=args.deterministic,
        design=args.design,
        sensitivity=args.sensitivity,
        precision=args.precision,
        confidence=args.confidence,
        wave=args.wave,
        precision_variable=args.precision_variable,
    )
    config = load_config(args.config)
    scheduler = parse_scheduler(
        args.sync,
        args.workers,
        args.threads,
        args.scheduler,
        args.cluster,
        None if config.cluster is None else config.cluster.options(),
        1 if config.cluster is None else config.cluster.jobs,
        timeout=args.connect_timeout,
    )
    if args.cluster and config.cluster is not None and config.cluster.kind != args.cluster:
        raise ConfigError(
            "cluster.kind",
            config.cluster.kind,
            f"the config describes a {config.cluster.kind} cluster, not {args.cluster}",
        )
    population = run_population(config, args.population) if args.population else None
    out = Path(args.out or Path("results") / config.name)
    args.out_dir = out  # read by main() to say what an interrupted or failed run left
    if not args.deterministic:  # check the plan before any work is done
        plan_blocks(args.draws or config.run.draws, args.block_size, config.run.block_size)
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
    with folder, bar:
        analysis = analyse(
            config,
            draws=args.draws,
            block_size=args.block_size,
            seed=args.seed,
            scheduler=scheduler,
            deterministic_only=args.deterministic,
            population=population,
            progress=bar.update,
            # absolute, so that workers started elsewhere find it
            checkpoint_dir=None if args.deterministic else out.resolve() / "checkpoints",
            resume=args.resume,
            restart=args.restart,
            slow_blocks=args.slow_blocks,
            design=args.design,
            sensitivity=args.sensitivity,
            precision=args.precision,
            confidence=args.confidence,
            wave=args.wave,
            precision_variable=args.precision_variable,
            force_size=args.force_size,
        )
        bar.close()
        write_run(out, analysis, lang=args.lang, command=_command(argv))
    if analysis.simulation is not None and analysis.simulation.stopping is not None:
        print(
            stopping_line(
                analysis.simulation.stopping,
                analysis.simulation.plan.draws,
                args.draws or config.run.draws,
            )
        )
    for note in analysis.notes:
        print(f"note: {note}")
    if analysis.simulation is not None and analysis.simulation.resumed_blocks:
        print(f"resumed: {analysis.simulation.resumed_blocks} block(s) came from checkpoints")
    scenarios = [
        (s.name, s.label_nb if args.lang == "nb" else s.label_en) for s in config.scenarios
    ]
    print(
        headline_table(
            analysis.deterministic, analysis.summary, scenarios, analysis.published, args.lang
        )
    )
    sim = analysis.simulation
    if sim is not None:
        print(
            f"{sim.plan.draws:,} draws in {sim.plan.n_blocks} blocks, seed entropy "
            f"{sim.entropy}, {sim.scheduler}, {sim.wall_seconds:.1f} s"
        )
    print(f"wrote {out}")
    return 0


def _history(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    from mc.data.loaders import load_population as load_source
    from mc.model.config import load_config
    from mc.model.history import history_costs
    from mc.report import write_history
    from mc.report.io import check_ownership
    from mc.report.manifest import build_manifest

    config = load_config(args.config)
    check_ownership(args.out)  # before any work: --out must be new, empty or tbu-mc's
    population = load_source(args.population, allow_fetch=True)
    try:
        frame = history_costs(config, population, args.first, args.last)
    except ValueError as exc:
        if isinstance(exc, TbuMcError):
            raise
        print(f"tbu-mc: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    manifest = build_manifest(
        config=config.to_dict(),
        config_sha256=config.sha256(),
        config_path=config.source,
        mode="history",
        data_files=[population.source],
        command=_command(argv),
    )
    write_history(args.out, frame, manifest)
    totals = frame[frame["variable"] == "demographic_cost_total_bn"]
    for year, value in zip(totals["year"], totals["value"], strict=True):
        print(f"{year}: {value:6.2f} bn {config.price_year}-kr")
    print(f"wrote {args.out}")
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    import yaml

    from mc.calibration import calibrate
    from mc.report.io import write_text_atomic

    result = calibrate(args.blocks, args.data)
    header = (
        "# Generated by `tbu-mc calibrate`; do not edit by hand. Rerun it after changing\n"
        f"# {Path(args.blocks).as_posix()}.\n"
    )
    for name, table in (
        ("unit-costs-2023.yaml", result.unit_costs),
        ("baseline-2025.yaml", result.baseline),
        ("uncertainty-2025.yaml", result.uncertainty),
    ):
        text = header + yaml.safe_dump(table, sort_keys=False, allow_unicode=True, width=100)
        write_text_atomic(Path(args.out) / name, text)
    print(result.report())
    print(f"wrote {args.out}")
    return 0


def stopping_line(info: dict, draws: int, cap: int) -> str:
    """One line on why a precision-controlled run stopped and what it reached."""
    met = all(t["met"] for t in info["targets"].values())
    why = "targets met" if met else f"cap of {cap:,} draws reached before every target was met"
    parts = [
        f"{name}: +-{t['half_width']:.4g} (allowed {t['allowed']:.4g})"
        for name, t in info["targets"].items()
    ]
    return f"stopped after {draws:,} draws: {why}; {info['variable']} " + "; ".join(parts)


def _command(argv: Sequence[str] | None) -> list[str]:
    args = list(sys.argv[1:] if argv is None else argv)
    return [os.path.basename(sys.argv[0]) or "tbu-mc", *args]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
