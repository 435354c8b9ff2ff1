"""Data in, the way users get it: SSB's tables through the PxWebApi, user files, checks, a cache.

Modules, one idea each:

- :mod:`mc.data.pxweb`: the HTTP side (transport, cell-limit splitting, throttle, retries);
- :mod:`mc.data.jsonstat`: JSON-stat2 documents into long frames;
- :mod:`mc.data.tables`: which values of a table to ask for, and its tidy layout;
- :mod:`mc.data.request` and :mod:`mc.data.sources`: ``ssb:07459`` sources and their resolution
  to a cached file (standard library only, cheap to import);
- :mod:`mc.data.cache`: the cache folder, manifests, atomic writes;
- :mod:`mc.data.fetch`: fetch, check, cache;
- :mod:`mc.data.files`: CSV/gzip/Parquet files into frames, every failure a one-line error;
- :mod:`mc.data.population`: the population checks and the readers of population files and of
  a data folder;
- :mod:`mc.data.loaders`: a file or ``ssb:`` source into checked population tables;
- :mod:`mc.data.borders`: municipality codes across border reforms.

This is the only layer that reads input files or the network. It sits below :mod:`mc.model`
and does not import it: the tables it builds are the types of :mod:`mc.domain`, which the model
computes with. (Two readers still use model types; ``tests/test_layers.py`` lists them with the
reason.) Names are loaded on first use, so importing :mod:`mc.data.sources` stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "FetchRequest": "mc.data.request",
    "Kind": "mc.data.request",
    "parse_ssb_spec": "mc.data.request",
    "resolve_population_source": "mc.data.sources",
    "provenance": "mc.data.sources",
    "default_cache_dir": "mc.data.cache",
    "PxWebClient": "mc.data.pxweb",
    "UrllibTransport": "mc.data.pxweb",
    "parse_jsonstat2": "mc.data.jsonstat",
    "fetch_table": "mc.data.fetch",
    "load_population_source": "mc.data.loaders",
    "read_population_file": "mc.data.population",
    "read_regional_file": "mc.data.population",
    "read_data_dir": "mc.data.population",
    "load_regional": "mc.data.loaders",
    "check_totals": "mc.data.loaders",
    "TotalsWarning": "mc.data.loaders",
    "read_border_mapping": "mc.data.borders",
    "harmonize": "mc.data.borders",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mc.data' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
