r"""Compare the municipal population backtest under both national draws; print Markdown.

Run from the repository root (SSB's data in ../shared/data, or set TBU_MC_DATA)::

    .venv/bin/python docs/make_municipal_backtest.py      # about a minute on one core

It runs, into a temporary folder, exactly these commands (``--data`` the data folder)::

    tbu-mc population backtest --level municipality --origins 2010-2023 --horizon 3 \\
        --draws 2000 --seed 11 --sync --national-model components|ratios

and prints the tables of docs/population.md's "The national draw of a municipal run" (pasted
there by hand). Seeds are fixed, so the output is the same on every run. ``--origins`` and
``--draws`` shrink the run (the test uses a small window).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from mc.cli.main import main as tbu_mc
from mc.summary.population import BANDS, _binomial_calibration, interval_score

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("TBU_MC_DATA", ROOT.parent / "shared" / "data"))
ORIGINS = "2010-2023"
HORIZON = 3
DRAWS = 2000
SEED = 11
MODELS = ("components", "ratios")
#: Municipality size at the origin (residents), for the size-group rows.
SIZES = ((0, 2_000), (2_000, 10_000), (10_000, 50_000), (50_000, 10**9))


def _run(tmp: Path, model: str, origins: str, draws: int) -> pd.DataFrame:
    out = tmp / model
    argv = [
        *("population", "backtest", "--data", str(DATA), "--level", "municipality"),
        *("--origins", origins, "--horizon", str(HORIZON), "--draws", str(draws)),
        *("--seed", str(SEED), "--sync", "--national-model", model, "--out", str(out)),
    ]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = tbu_mc(argv)
    if code != 0:
        sys.exit(f"tbu-mc {' '.join(argv)} failed with exit code {code}")
    return pd.read_csv(out / "backtest.csv", dtype={"region": str})


def _with_size(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows with ``size``: the municipality's residents at the origin (``naive_no_change``)."""
    totals = rows[(rows["age_group"] == "total") & (rows["horizon"] == 1)]
    size = totals.set_index(["origin", "region"])["naive_no_change"].rename("size")
    return rows.join(size, on=["origin", "region"])


def _relative_score(rows: pd.DataFrame) -> np.ndarray:
    actual = rows["actual"].to_numpy()
    score = interval_score(rows["q10"].to_numpy(), rows["q90"].to_numpy(), actual, 0.2)
    return 100 * score / np.maximum(actual, 1.0)


def _coverage_cells(rows: pd.DataFrame) -> list[str]:
    cells = []
    for nominal, (lo, hi) in BANDS.items():
        inside = int(((rows[lo] <= rows["actual"]) & (rows["actual"] <= rows[hi])).sum())
        p = _binomial_calibration(inside, len(rows), nominal / 100)[0]
        # p below 1e-4 is shown as such: the outcomes are not independent (see the doc)
        shown = "p < 0.0001" if p < 1e-4 else f"p = {p:.2g}"
        cells.append(f"{inside / len(rows):.3f} ({shown})")
    return cells


def build(origins: str, draws: int) -> str:
    """The Markdown tables (runs both backtests)."""
    with tempfile.TemporaryDirectory() as name:
        runs = {m: _with_size(_run(Path(name), m, origins, draws)) for m in MODELS}
    lines = [
        "Coverage of the 50 / 80 / 90 % bands pooled over municipalities (two-sided exact",
        "binomial p as if every outcome were independent; see below why it is not):",
        "",
        "| national draw | rows | horizon | n | 50 % | 80 % | 90 % |",
        "|---|---|---|---|---|---|---|",
    ]
    for model, rows in runs.items():
        for label, part in (("all groups", rows), ("totals", rows[rows["age_group"] == "total"])):
            for h in [*sorted(part["horizon"].unique()), "all"]:
                sub = part if h == "all" else part[part["horizon"] == h]
                cells = " | ".join(_coverage_cells(sub))
                lines.append(f"| {model} | {label} | {h} | {len(sub):,} | {cells} |")
    lines += [
        "",
        "Mean relative 80 % interval score (percent of the outcome; lower is better), over every",
        "row (origin × horizon × municipality × group), over municipal totals by size at the",
        "origin, and by age group; the last column is components minus ratios, ± its standard",
        "error over origins (the origins' mean differences taken as independent):",
        "",
        "| rows | n | 80 % coverage, components / ratios | components | ratios | difference |",
        "|---|---|---|---|---|---|",
    ]
    cc, hp = runs["components"], runs["ratios"]
    keys = ["origin", "horizon", "region", "age_group"]
    if not cc[keys].equals(hp[keys]):  # the rows are compared one to one below
        sys.exit("the two backtests do not have the same rows")
    groups = [("all groups", np.ones(len(cc), bool)), ("totals", cc["age_group"] == "total")]
    for lo, hi in SIZES:
        label = f"totals, {lo:,}–{hi - 1:,}" if hi < 10**9 else f"totals, {lo:,}+"
        groups.append((label, (cc["age_group"] == "total") & cc["size"].between(lo, hi - 1)))
    for group in cc["age_group"].unique():
        if group != "total":
            groups.append((f"age {group}", cc["age_group"] == group))
    a, b = _relative_score(cc), _relative_score(hp)
    for label, mask in groups:
        keep = np.asarray(mask)
        by_origin = pd.Series(a[keep] - b[keep]).groupby(cc["origin"].to_numpy()[keep]).mean()
        se = by_origin.std(ddof=1) / np.sqrt(len(by_origin)) if len(by_origin) > 1 else np.nan
        covered = " / ".join(
            f"{((r['q10'] <= r['actual']) & (r['actual'] <= r['q90'])).to_numpy()[keep].mean():.3f}"
            for r in (cc, hp)
        )
        lines.append(
            f"| {label} | {keep.sum():,} | {covered} | {a[keep].mean():.2f} % | "
            f"{b[keep].mean():.2f} % | {a[keep].mean() - b[keep].mean():+.2f} ± {se:.2f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Print the tables; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--origins", default=ORIGINS)
    parser.add_argument("--draws", type=int, default=DRAWS)
    args = parser.parse_args(argv)
    print(build(args.origins, args.draws), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
