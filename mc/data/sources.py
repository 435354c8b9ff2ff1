"""Where population data come from: a file path, or ``ssb:TABLE`` (fetched once, then cached).

:func:`resolve_population_source` is what a configuration's ``population.file`` goes through:
it returns the path of a tidy CSV either way, so everything downstream reads files only and the
run manifest's checksum of that file says which data a run used.

Only the standard library is imported at module level (the fetch code is loaded on demand), so
the config layer can call this without pulling in pandas.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from mc.data.cache import cache_dir as _cache_dir
from mc.data.cache import cached, entry_paths, read_manifest
from mc.data.request import Kind, is_ssb_spec, parse_ssb_spec
from mc.errors import DataError

if TYPE_CHECKING:
    from mc.data.pxweb import PxWebClient


def resolve_population_source(
    spec: str | Path,
    cache_dir: str | Path | None = None,
    *,
    allow_fetch: bool = True,
    base_dir: str | Path | None = None,
    client: PxWebClient | None = None,
) -> Path:
    """The tidy population file a source names, fetching it from SSB if needed and allowed.

    Parameters
    ----------
    spec : str or Path
        A file path, or ``ssb:TABLE[?regions=...&years=...&alternative=...]`` (see
        :func:`mc.data.request.parse_ssb_spec`), e.g. ``"ssb:07459"``.
    cache_dir : str or Path, optional
        The cache folder (default: ``$TBU_MC_CACHE`` or the user cache folder).
    allow_fetch : bool
        Fetch an ``ssb:`` source that is not cached yet; when ``False`` a missing entry is an
        error that says how to get it.
    base_dir : str or Path, optional
        Folder that a relative file path is relative to (e.g. the config file's folder).
    client : PxWebClient, optional
        The API client to fetch with (tests pass one with a fake transport).

    Returns
    -------
    Path
        A CSV (or Parquet, if the user gave one) in the tidy layout ``year, [municipality,] age,
        sex, population``.

    Raises
    ------
    DataError
        If the file does not exist, the spec does not parse or names a KOSTRA table, the cached
        file changed since it was fetched, or it is not cached and cannot be fetched.

    Examples
    --------
    >>> resolve_population_source("ssb:07459", "~/.cache/tbu-mc")  # doctest: +SKIP
    PosixPath('/home/me/.cache/tbu-mc/ssb/07459/07459-population-national-all.csv')
    """
    if not is_ssb_spec(spec):
        path = Path(spec).expanduser()
        if not path.is_absolute() and base_dir is not None:
            path = Path(base_dir) / path
        try:
            if path.is_dir():
                raise DataError(str(path), "is a folder; expected a CSV or Parquet file")
            if path.exists() and not path.is_file():
                raise DataError(str(path), "is not a regular file; expected a CSV or Parquet file")
            if not path.is_file():
                raise DataError(str(path), "file not found")
        except OSError as exc:  # e.g. a name too long for the file system
            raise DataError(str(path), f"cannot be read ({exc.strerror or exc})") from None
        return path
    request = parse_ssb_spec(str(spec))
    if request.kind is Kind.KOSTRA:
        raise DataError(str(spec), "names KOSTRA accounts, not a population table")
    csv_path, _ = entry_paths(cache_dir, request.table_id, request.key())
    if cached(csv_path) is not None:
        return csv_path
    if not allow_fetch:
        raise DataError(
            str(spec),
            f"not in the cache {_cache_dir(cache_dir)}; fetch it on a machine that is online "
            f"(`tbu-mc data fetch {request.kind.value} --table {request.table_id} ...`) and copy "
            "the cache folder, or point at a file instead",
        )
    from mc.data.fetch import fetch_table

    return fetch_table(request, cache_dir=cache_dir, client=client).path


def provenance(path: str | Path) -> dict[str, Any] | None:
    """What the cache manifest says about a file fetched from SSB (``None`` for user files).

    Handy beside the checksum in a run manifest: table, query, retrieval time, SSB's ``updated``.
    """
    manifest = read_manifest(path)
    if manifest is None:
        return None
    keep = ("source", "request", "retrieved", "updated", "rows", "sha256", "borders")
    return {k: manifest.get(k) for k in keep}
