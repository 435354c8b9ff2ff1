"""Which outputs do not depend on the scenario: the same draws under every scenario."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import xarray as xr


def scenario_independent(
    tree: xr.DataTree, variables: Iterable[str], deterministic: pd.DataFrame | None = None
) -> set[str]:
    """The variables whose draws (and point estimates) are identical under every scenario.

    A scenario changes the extra net immigration; outputs it does not reach (the deflator, the
    growth of tax revenues) are drawn from the same streams under every scenario and come out
    bit for bit equal. Such a variable is said once in a table instead of once per scenario.
    The test is on the values, not on the variable's name, so a model change that makes a
    variable depend on the scenario shows it per scenario again.

    Parameters
    ----------
    tree : DataTree
        A run's draws (group ``posterior``).
    variables : iterable of str
        Variables to test; those without a ``scenario`` axis, or with one scenario, are left
        out (there is nothing to compare).
    deterministic : DataFrame, optional
        ``deterministic.csv`` rows: a variable whose point estimates differ between scenarios
        is not independent either.

    Returns
    -------
    set of str

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> same = np.ones((1, 4, 2))
    >>> post = xr.Dataset({
    ...     "a": (("chain", "draw", "scenario"), same),
    ...     "b": (("chain", "draw", "scenario"), np.cumsum(same, axis=2)),
    ... }, coords={"scenario": ["x", "y"]})
    >>> sorted(scenario_independent(xr.DataTree.from_dict({"posterior": post}), ["a", "b"]))
    ['a']
    """
    post = tree["posterior"]
    out = set()
    for name in variables:
        if name not in post.data_vars or "scenario" not in post[name].dims:
            continue
        array = post[name]
        if array.sizes["scenario"] < 2:
            continue
        values = array.transpose("scenario", ...).values
        if not np.array_equal(values, np.broadcast_to(values[:1], values.shape), equal_nan=True):
            continue
        if deterministic is not None and not _points_equal(deterministic, name):
            continue
        out.add(name)
    return out


def _points_equal(deterministic: pd.DataFrame, variable: str) -> bool:
    rows = deterministic[deterministic["variable"] == variable]
    if rows.empty or "scenario" not in rows:
        return True
    keys = [c for c in ("year", "sector", "region") if c in rows]
    spread = rows.groupby(keys, dropna=False)["value"].agg(lambda v: v.nunique(dropna=False))
    return bool((spread <= 1).all())
