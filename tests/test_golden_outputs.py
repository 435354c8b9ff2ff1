"""Every shipped configuration's outputs, pinned to their bytes on small runs.

These are golden values pinned to a seed: they guard the plumbing (streams, merges, tables)
while code moves between modules, not the model's correctness, which other tests check against
known answers. A change that is meant to move results regenerates the file and says why in its
commit:

    TBU_MC_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden_outputs.py

The digests are of this machine's floating point (the same kind of machine runs CI).
"""

from __future__ import annotations

import hashlib
import json
import os

import numpy as np
import pytest
import xarray as xr

from mc.cli.main import main
from tests.conftest import CONFIGS, ROOT

GOLDEN = ROOT / "tests" / "golden" / "outputs.json"
TABLES = (
    "summary.csv",
    "deterministic.csv",
    "exceedance.csv",
    "sensitivity.csv",
    "sensitivity_indices.csv",
    "views.csv",
    "reconciliation.csv",
)
#: Per configuration: the extra arguments of a small run (seconds each, several blocks).
RUNS = {
    "tbu-2025": ["--draws", "2000", "--block-size", "500", "--sensitivity", "256"],
    "tbu-2025-autumn": ["--draws", "2000", "--block-size", "500"],
    "tbu-2025-projection": ["--draws", "2000", "--block-size", "500"],
    "tbu-2030": ["--draws", "2000", "--block-size", "500"],
    "tbu-2024-actual": ["--draws", "2000", "--block-size", "500"],
    "municipalities-2025": ["--draws", "200", "--block-size", "50"],
}


def digests(folder) -> dict[str, str]:
    """sha256 of each table's bytes and of each variable's draws (netCDF bytes hold dates)."""
    out = {}
    for name in TABLES:
        if (folder / name).is_file():
            out[name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    if (folder / "draws.nc").is_file():
        with xr.open_datatree(folder / "draws.nc", engine="h5netcdf") as tree:
            post = tree["posterior"].to_dataset()
            for var in sorted(post.data_vars):
                values = np.ascontiguousarray(post[var].values)
                out[f"draws.nc:{var}"] = hashlib.sha256(values.tobytes()).hexdigest()
    return out


@pytest.fixture(scope="module")
def golden() -> dict:
    return json.loads(GOLDEN.read_text(encoding="utf-8")) if GOLDEN.is_file() else {}


@pytest.mark.parametrize("name", sorted(RUNS))
def test_outputs_are_unchanged(name, golden, tmp_path, data_dir):
    out = tmp_path / name
    args = ["run", str(CONFIGS / f"{name}.yaml"), "--sync", "--seed", "1", "--quiet"]
    assert main([*args, *RUNS[name], "--out", str(out)]) == 0
    found = digests(out)
    if os.environ.get("TBU_MC_UPDATE_GOLDEN"):
        stored = json.loads(GOLDEN.read_text(encoding="utf-8")) if GOLDEN.is_file() else {}
        stored[name] = found
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(stored, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return
    assert name in golden, f"no golden digests for {name}: see this module's docstring"
    changed = sorted(
        k for k in golden[name].keys() | found.keys() if golden[name].get(k) != found.get(k)
    )
    assert not changed, f"{name}: outputs changed: {changed}"
