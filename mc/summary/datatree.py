"""Draws as an ArviZ 1.x DataTree: group ``posterior``, dims ``chain`` (= block) and ``draw``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import arviz as az
import numpy as np
import xarray as xr


def to_datatree(
    draws: Mapping[str, np.ndarray],
    dims: Mapping[str, tuple[str, ...]],
    coords: Mapping[str, list[Any]],
    attrs: Mapping[str, Any] | None = None,
) -> xr.DataTree:
    """Wrap per-block draws in a DataTree.

    Parameters
    ----------
    draws : mapping of str to ndarray
        Arrays shaped ``(chain, draw, *dims[name])``; blocks are the chains.
    dims : mapping of str to tuple of str
        Extra dimension names per variable.
    coords : mapping of str to list
        Coordinates of the extra dimensions.
    attrs : mapping, optional
        Attributes for the root node (seed, config checksum, ...).
    """
    used = {d for name in draws for d in dims[name]}
    tree = az.from_dict(
        {"posterior": dict(draws)},
        dims={name: list(dims[name]) for name in draws},
        coords={k: v for k, v in coords.items() if k in used},
    )
    if attrs:
        tree.attrs.update({k: v for k, v in attrs.items() if v is not None})
    return tree
