"""The summary table: moments, quantiles, Monte Carlo errors and diagnostics per variable."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import arviz as az
import numpy as np
import pandas as pd
import xarray as xr

from mc.engine.moments import Moments
from mc.summary.diagnostics import Diagnostics, diagnose, fast_path_applies

QUANTILES = (0.05, 0.10, 0.15, 0.25, 0.35, 0.50, 0.65, 0.75, 0.85, 0.90, 0.95)
MCSE_QUANTILES = (0.05, 0.50, 0.95)
KEY_COLUMNS = ("variable", "scenario", "year", "sector", "region")
REGION_DIMS = ("municipality", "county")  # dimensions that become the ``region`` column
NATION = "0000"
SUMMARY_COLUMNS = (
    *KEY_COLUMNS,
    "mean",
    "sd",
    *(f"q{round(100 * q):02d}" for q in QUANTILES),
    *(f"mcse_q{round(100 * q):02d}" for q in MCSE_QUANTILES),
    "ess",
    "rhat",
)
ALL = "all"  # the `sector` of variables that are not split by sector
#: Columns left empty (NaN) when a run has a single block: R-hat compares chains (blocks).
ONE_BLOCK_EMPTY = ("rhat",)
ONE_BLOCK_NOTE = (
    "R-hat compares blocks (chains) and needs at least two; this run has one block, so the "
    "rhat column of summary.csv is empty. Use more blocks (a smaller block size) for R-hat."
)


def _rows(array: xr.DataArray) -> list[dict[str, str]]:
    """Coordinates of every cell of ``array`` (beyond chain and draw), as key dicts."""
    keys = [dim for dim in array.dims if dim not in ("chain", "draw")]
    grids = [array.coords[d].values for d in keys]
    index = pd.MultiIndex.from_product(grids, names=keys) if keys else [()]
    rows = []
    for item in index:
        item = item if isinstance(item, tuple) else (item,)
        rows.append({k: str(v) for k, v in zip(keys, item, strict=True)})
    return rows


def _cells(array: xr.DataArray) -> np.ndarray:
    """Draws of ``array`` as (cells, chain, draw), cells in C order of the other dims."""
    values = array.transpose(..., "chain", "draw").values
    cells = int(np.prod(values.shape[:-2], dtype=np.int64))
    return np.ascontiguousarray(values.reshape(cells, *values.shape[-2:]))


def _fast_diagnostics(post: xr.DataTree, one_block: bool) -> dict[str, Diagnostics] | None:
    """Every variable's :func:`mc.summary.diagnostics.diagnose`, or None if one is unfit."""
    out = {}
    for name in post.data_vars:  # one variable's copy of the draws at a time
        values = _cells(post[str(name)])
        if not fast_path_applies(values):
            return None
        out[str(name)] = diagnose(values, MCSE_QUANTILES, QUANTILES, rhat=not one_block)
    return out


def _diagnostics(tree: xr.DataTree, one_block: bool) -> dict[str, Diagnostics]:
    """Exact quantiles and ArviZ's bulk ESS, rank R-hat and quantile MCSEs of every variable.

    The fast path (:func:`mc.summary.diagnostics.diagnose`) sorts each cell once and shares the
    sort between the statistics; its results are bit-identical to the plain computation below,
    which is used where it does not apply (NaN or float32 draws, fewer than 8 draws per chain,
    another ArviZ backend).
    """
    post = tree["posterior"]
    # constant cells make ArviZ divide 0 by 0; the caller sets them explicitly
    with np.errstate(invalid="ignore", divide="ignore"):
        fast = _fast_diagnostics(post, one_block)
        if fast is not None:
            return fast
        ess = az.ess(tree, method="bulk")
        rhat = None if one_block else az.rhat(tree)
        mcse = {q: az.mcse(tree, method="quantile", prob=q) for q in MCSE_QUANTILES}
    out = {}
    for name in post.data_vars:
        array = post[str(name)]
        flat = array.stack(sample=("chain", "draw")).transpose("sample", ...).values
        quantiles = np.quantile(flat, QUANTILES, axis=0)
        quantiles = quantiles.reshape(len(QUANTILES), int(np.prod(quantiles.shape[1:])))
        out[str(name)] = Diagnostics(
            np.ravel(ess[name].values),
            None if rhat is None else np.ravel(rhat[name].values),
            {q: np.ravel(mcse[q][name].values) for q in MCSE_QUANTILES},
            quantiles,
        )
    return out


def summary_table(tree: xr.DataTree, moments: Mapping[str, Moments], year: int) -> pd.DataFrame:
    """One row per variable and cell, columns :data:`SUMMARY_COLUMNS`.

    Mean and sd come from the moments merged block by block; quantiles are exact (over all draws);
    ``mcse_q*`` are ArviZ's quantile MCSEs, ``ess`` the bulk ESS and ``rhat`` the rank-normalised
    split R-hat with blocks as chains (independent streams should give 1.00). A cell that does
    not vary at all (e.g. the population growth when the population is observed) has no Monte
    Carlo error: its MCSEs are 0, its ESS the number of draws and its R-hat 1, where ArviZ's
    formulas would divide zero by zero.

    With a single block there is nothing to compare a chain with: ``rhat`` is left empty (NaN,
    see :data:`ONE_BLOCK_EMPTY` and :data:`ONE_BLOCK_NOTE`) while the ESS and MCSEs, which
    ArviZ estimates within one chain, are still given.

    Raises
    ------
    FloatingPointError
        If any other statistic is not finite (it would otherwise reach the report silently).
    """
    post = tree["posterior"]
    one_block = post.sizes["chain"] < 2
    diagnostics = _diagnostics(tree, one_block)
    frames = []
    for name in post.data_vars:
        array = post[name]
        m = moments[name]
        diag = diagnostics[str(name)]
        cols = {
            "mean": np.ravel(m.mean),
            "sd": np.ravel(m.sd),
            **{f"q{round(100 * q):02d}": v for q, v in zip(QUANTILES, diag.quantiles, strict=True)},
            **{f"mcse_q{round(100 * q):02d}": diag.mcse[q] for q in MCSE_QUANTILES},
            "ess": diag.ess,
            "rhat": diag.rhat if diag.rhat is not None else np.full(np.size(m.mean), np.nan),
        }
        constant = np.ravel(m.min == m.max)
        for key in cols:
            if key.startswith("mcse_"):
                cols[key] = np.where(constant, 0.0, cols[key])
        cols["ess"] = np.where(constant, float(m.count), cols["ess"])
        if diag.rhat is not None:
            cols["rhat"] = np.where(constant, 1.0, cols["rhat"])
        frame = pd.DataFrame(_rows(array))
        for key, values in cols.items():
            frame[key] = values
        frame.insert(0, "variable", name)
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    return finish(table, year, ONE_BLOCK_EMPTY if one_block else ())


def deterministic_table(
    values: Mapping[str, np.ndarray],
    coords: Mapping[str, list[str]],
    dims: Mapping[str, tuple[str, ...]],
    year: int,
) -> pd.DataFrame:
    """Point estimates as rows ``variable, scenario, year, sector, value``."""
    frames = []
    for name, array in values.items():
        names = dims[name]
        grid = pd.MultiIndex.from_product([coords[d] for d in names], names=list(names))
        frame = grid.to_frame(index=False)
        frame["value"] = np.ravel(array)
        frame.insert(0, "variable", name)
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    return finish(table, year)


def finish(table: pd.DataFrame, year: int, empty: Sequence[str] = ()) -> pd.DataFrame:
    """Key columns first (``region`` from municipality/county dims), values checked finite.

    Parameters
    ----------
    table : DataFrame
        Rows with key columns and statistics.
    year : int
        Year of the rows of variables without a year axis.
    empty : sequence of str
        Columns that are NaN on purpose (undefined for this run) and are not checked.

    Raises
    ------
    FloatingPointError
        If a value outside ``empty`` is NaN or infinite.
    """
    if "scenario" not in table:
        table["scenario"] = ALL
    if "sector" not in table:
        table["sector"] = ALL
    table["sector"] = table["sector"].fillna(ALL)
    table["scenario"] = table["scenario"].fillna(ALL)
    # variables without a year axis belong to the cost year
    table["year"] = table["year"].fillna(year).astype(int) if "year" in table else year
    region = pd.Series(NATION, index=table.index, dtype=object)
    for dim in REGION_DIMS:
        if dim in table:
            region = region.mask(table[dim].notna(), table[dim])
    table = table.drop(columns=[d for d in REGION_DIMS if d in table])
    table["region"] = region.astype(str)
    values = table.drop(columns=[*KEY_COLUMNS, *empty]).to_numpy(dtype=float)
    if not np.isfinite(values).all():
        bad = table.loc[~np.isfinite(values).all(axis=1), "variable"].unique().tolist()
        raise FloatingPointError(f"non-finite statistics for {bad}")
    others = [c for c in table.columns if c not in KEY_COLUMNS]
    return table[[*KEY_COLUMNS, *others]]
