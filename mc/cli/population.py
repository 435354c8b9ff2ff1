"""``tbu-mc population fit | forecast | backtest``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import numpy as np

from mc.cli.args import (
    add_scheduler_flags,
    age_groups,
    command_line,
    origins,
    positive_int,
    scheduler_from_args,
)
from mc.cli.args import seed as seed_arg
from mc.errors import ConfigError


def add_parser(subcommands: argparse._SubParsersAction) -> None:
    """Add ``population`` with its steps fit, forecast and backtest."""
    pop = subcommands.add_parser(
        "population", help="stochastic population projection from SSB data"
    )
    psub = pop.add_subparsers(dest="population_command", required=True, metavar="STEP")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", required=True, help="folder with SSB's population files")
    common.add_argument(
        "--level",
        choices=("national", "municipality"),
        default="national",
        help="project the nation, or every municipality",
    )
    common.add_argument(
        "--age-groups",
        type=age_groups,
        # the broad groups of mc.model.projection.BROAD_GROUPS, written out so that --help
        # does not import the model (tests/cli/test_help_defaults.py holds them equal)
        help="reported groups, e.g. 0-5,6-15,90+ (default: 0-5,6-15,16-19,20-66,67-79,80-89,90+)",
    )

    fit = psub.add_parser("fit", parents=[common], help="fit and write the parameters (JSON)")
    fit.add_argument("--origin", type=int, required=True, help="fit with data up to 1 January")
    fit.add_argument("--out", required=True, help="file to write, e.g. configs/tables/pop.json")

    fc = psub.add_parser("forecast", parents=[common], help="bands for years after an origin")
    fc.add_argument("--origin", type=int, required=True, help="use data up to 1 January")
    fc.add_argument("--horizon", type=int, required=True, help="years to project (1-10)")
    fc.add_argument("--draws", type=positive_int, default=1000, help="number of draws")
    fc.add_argument(
        "--block-size",
        type=positive_int,
        help="draws per block (default: about a second of work each: up to 10,000 national or "
        "250 municipal draws, dividing --draws)",
    )
    fc.add_argument("--seed", type=seed_arg, help="seed entropy (default: fresh, recorded)")
    fc.add_argument(
        "--extra-immigration",
        type=float,
        default=0.0,
        help="extra net immigration per projected year, with --profile (default: 0, none)",
    )
    fc.add_argument(
        "--profile",
        help="YAML age/sex profile of the extra immigration (default: none; needed with "
        "--extra-immigration)",
    )
    fc.add_argument("--out", required=True, help="output folder")
    fc.add_argument(
        "--lang", choices=("nb", "en"), default="nb", help="label language of the fan chart"
    )
    fc.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_model_flag(fc)
    add_scheduler_flags(fc, default="sync")

    bt = psub.add_parser("backtest", parents=[common], help="rolling-origin forecasts vs history")
    bt.add_argument("--origins", type=origins, required=True, help="e.g. 2010-2023")
    bt.add_argument("--horizon", type=positive_int, required=True, help="longest horizon")
    bt.add_argument("--draws", type=positive_int, default=1000, help="draws per origin")
    bt.add_argument("--seed", type=seed_arg, default=0, help="seed entropy")
    bt.add_argument("--out", required=True, help="output folder")
    _add_model_flag(bt)
    _add_national_model_flag(bt)
    add_scheduler_flags(bt, default="sync")


def _add_model_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model",
        choices=("ratios", "components"),
        default="ratios",
        help="Hamilton-Perry cohort-change ratios, or the cohort-component projection "
        "(national level only; reads components/ in --data)",
    )


def _add_national_model_flag(parser: argparse.ArgumentParser) -> None:
    # no argparse choices: a bad value is checked in handle and refused in one line
    parser.add_argument(
        "--national-model",
        metavar="{ratios,components}",
        help="--level municipality: the national draw the municipalities reconcile to, as a "
        "municipal run's population.national_model (components reads components/ in --data); "
        "default: ratios, what a configuration without the key uses "
        "(configs/municipalities-2025.yaml sets components)",
    )


def _national_model(args: argparse.Namespace) -> str | None:
    """``--national-model`` checked against ``--level``; unset: the configuration's default.

    ``None`` at national level (recorded so in the manifest: there is no national draw to
    choose).
    """
    from mc.model.config import NationalModel

    value = getattr(args, "national_model", None)
    if value is None:
        if args.level != "municipality":
            return None
        return NationalModel.RATIOS.value  # a municipal config without the key (its schema)
    allowed = [m.value for m in NationalModel]
    if value not in allowed:
        raise ConfigError("--national-model", value, f"one of {allowed}")
    if args.level != "municipality":
        raise ConfigError(
            "--national-model",
            value,
            "only with --level municipality; a national backtest chooses its projection "
            "with --model",
        )
    return value


def handle(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    """Run a population step; returns the exit code."""
    command = command_line(argv)
    from mc.data.population import read_data_dir
    from mc.report.io import check_ownership

    if getattr(args, "model", "ratios") == "components" and args.level == "municipality":
        raise ConfigError(
            "--model",
            "components",
            "the component model projects the nation only; use --level national, or "
            "--model ratios for municipalities (a backtest can reconcile them to the "
            "component nation with --national-model components)",
        )
    if args.population_command == "backtest":
        args.national_model = _national_model(args)  # checked before any work
    if args.population_command != "fit":
        check_ownership(args.out)  # before any work: --out must be new, empty or tbu-mc's
    national, regional = read_data_dir(args.data, municipal=args.level == "municipality")
    if regional is not None:
        for note in regional.notes:
            print(f"note: {note}", file=sys.stderr)
    step = {"fit": _fit, "forecast": _forecast, "backtest": _backtest}[args.population_command]
    return step(args, national, regional, command)


def _components(args: argparse.Namespace):
    from mc.data.components import read_components

    return read_components(args.data)


def _groups(args: argparse.Namespace) -> tuple[str, ...]:
    from mc.model.projection import BROAD_GROUPS

    return args.age_groups or BROAD_GROUPS


def _scheduler(args: argparse.Namespace):
    return scheduler_from_args(args, default="sync")


def _manifest(args: argparse.Namespace, command: list[str], **extra: object) -> dict:
    from mc.data.population import data_dir_files
    from mc.report.manifest import build_manifest

    files = data_dir_files(args.data)
    settings = {k: v for k, v in vars(args).items() if k not in ("command",)}
    return build_manifest(
        config=settings,
        config_sha256="",
        config_path=None,
        mode=f"population {args.population_command}",
        data_files=files,
        command=command,
        **extra,
    )  # type: ignore[arg-type]


def _fit(args, national, regional, command) -> int:
    from mc.model.projection import fit_projection
    from mc.report.io import write_text_atomic

    fit = fit_projection(national, args.origin, regional)
    path = write_text_atomic(args.out, fit.to_json() + "\n")
    size = path.stat().st_size / 1000
    print(
        f"fitted origin {args.origin} from {national.years.start}-{args.origin} "
        f"({'with' if regional is not None else 'without'} municipalities); wrote {path} "
        f"({size:.0f} kB)"
    )
    return 0


def _profile(path: str | None) -> np.ndarray | None:
    if path is None:
        return None
    from mc.data.yamlio import read_yaml_file
    from mc.model.config import parse_profile

    data = read_yaml_file(path, "--profile")
    return parse_profile(data, "profile", path, shares=True).per_age()


def _forecast(args, national, regional, command) -> int:
    from tqdm import tqdm

    from mc.report.population import write_population_forecast
    from mc.sampling import resolve_entropy
    from mc.workflow.components import forecast_components
    from mc.workflow.population import forecast

    if args.extra_immigration and not args.profile:
        raise ConfigError("--profile", None, "--extra-immigration needs an age/sex profile")
    if not 1 <= args.horizon <= 10:
        raise ConfigError("--horizon", args.horizon, "must be in [1, 10]")
    entropy = resolve_entropy(args.seed)
    extra = [args.extra_immigration] * args.horizon if args.extra_immigration else []
    with tqdm(
        total=args.draws,
        unit="draw",
        delay=2.0,
        disable=args.quiet,
        file=sys.stderr,
        desc="population",
    ) as bar:
        if args.model == "components":
            bands, model, sim = forecast_components(
                national,
                _components(args),
                args.origin,
                args.horizon,
                draws=args.draws,
                block_size=args.block_size,
                entropy=entropy,
                scheduler=_scheduler(args),
                groups=_groups(args),
                extra=extra,
                profile=_profile(args.profile),
            )
            bar.update(args.draws)
        else:
            bands, model, sim = forecast(
                national,
                args.origin,
                args.horizon,
                regional=regional,
                draws=args.draws,
                block_size=args.block_size,
                entropy=entropy,
                scheduler=_scheduler(args),
                groups=_groups(args),
                extra=extra,
                profile=_profile(args.profile),
                progress=bar.update,
            )
    manifest = _manifest(
        args,
        command,
        entropy=entropy,
        block_size=sim.plan.block_size,
        blocks=sim.plan.n_blocks,
        draws=sim.plan.draws,
        scheduler=sim.scheduler,
        wall_seconds=sim.wall_seconds,
        block_seconds=sim.block_seconds,
    )
    write_population_forecast(args.out, bands, manifest, lang=args.lang)
    nation = bands[(bands["region"] == "0000") & (bands["age_group"] == "total")]
    for row in nation.itertuples():
        print(f"{row.year}: median {row.q50:,.0f}, 80 % band {row.q10:,.0f} - {row.q90:,.0f}")
    print(
        f"{sim.plan.draws:,} draws, {len(model.regions)} region(s), {sim.wall_seconds:.1f} s; "
        f"wrote {args.out}"
    )
    return 0


def _backtest(args, national, regional, command) -> int:
    from mc.report.writer import write_tables
    from mc.summary.population import TOLERANCE, calibration_summary
    from mc.workflow.components import backtest_components
    from mc.workflow.population import backtest

    if args.model == "components":
        result, _ = backtest_components(
            national,
            _components(args),
            args.origins,
            args.horizon,
            draws=args.draws,
            entropy=args.seed,
            scheduler=_scheduler(args),
            groups=_groups(args),
        )
    else:
        components = None
        if regional is not None and args.national_model == "components":
            components = _components(args)
        result = backtest(
            national,
            args.origins,
            args.horizon,
            regional=regional,
            draws=args.draws,
            entropy=args.seed,
            scheduler=_scheduler(args),
            groups=_groups(args),
            components=components,
        )
    manifest = _manifest(args, command, entropy=args.seed, draws=args.draws)
    write_tables(
        args.out,
        {"backtest.csv": result.rows, "coverage.csv": result.coverage, "scores.csv": result.scores},
        manifest,
    )
    pooled = result.coverage[result.coverage["age_group"].isin(["all", "total"])]
    for row in pooled.itertuples():
        print(
            f"{row.level} h={row.horizon} {row.age_group:<5} {row.band:>4}: "
            f"{row.empirical:.2f} (n={row.n})"
        )
    check = calibration_summary(result.coverage)
    if check["cells"]:
        print(
            f"{check['outside']} of {check['cells']} single-group cells lie more than "
            f"{100 * TOLERANCE:.0f} points from nominal; a calibrated forecast would put "
            f"{check['expected_if_calibrated']:.1f} there by chance (at least)"
        )
    print(f"wrote {args.out}")
    return 0
