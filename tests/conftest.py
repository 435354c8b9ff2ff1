"""Shared fixtures: paths to the shipped configs and to SSB's data, a seeded generator."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"
DATA_DIR = Path(os.environ.get("TBU_MC_DATA", ROOT.parent / "shared" / "data"))
NATIONAL = DATA_DIR / "population_norway_by_age_sex.csv"


def listing(folder: Path) -> list[str]:
    """The names in an output folder a user sees (tbu-mc's ledger and lock are hidden files)."""
    return sorted(p.name for p in Path(folder).iterdir() if not p.name.startswith("."))


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """SSB's data folder; missing data fails on CI (it must be there) and skips elsewhere."""
    if not NATIONAL.is_file():
        message = f"SSB data not found at {DATA_DIR} (set TBU_MC_DATA)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return DATA_DIR


@pytest.fixture
def rng() -> np.random.Generator:
    """A fixed-seed generator; tests that use it are deterministic."""
    return np.random.default_rng(20240321)


@pytest.fixture(scope="session")
def config_2025():
    from mc.model.config import load_config

    return load_config(CONFIGS / "tbu-2025.yaml")


@pytest.fixture(scope="session")
def config_2024(data_dir):
    from mc.model.config import load_config

    return load_config(CONFIGS / "tbu-2024-actual.yaml")


@pytest.fixture(scope="session")
def population(data_dir):
    from mc.data.population import read_population_file

    return read_population_file(data_dir / "population_norway_by_age_sex.csv")
