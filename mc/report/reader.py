"""Reading a finished run folder back: the manifest, the tables and, on demand, the draws."""

from __future__ import annotations

import dataclasses
import json
import shlex
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import xarray as xr

from mc.errors import DataError
from mc.report import layout

#: Columns of ``sensitivity.csv`` (written by a sensitivity analysis into a run folder): the output
#: with one driver at its 10th (``low``) or 90th (``high``) percentile and the others at their
#: medians, and ``base`` with every driver at its median.
SENSITIVITY_COLUMNS = ("variable", "scenario", "year", "driver", "low", "high", "base")

#: Columns of ``sensitivity_indices.csv``: each driver's share of the variance (squared
#: correlation, normalised; the column `spearman` holds a Pearson correlation since the indices
#: merge across blocks) and its first-order and total Sobol indices with 90 % intervals.
INDEX_COLUMNS = (
    "variable",
    "scenario",
    "year",
    "driver",
    "contribution",
    "s1",
    "s1_low",
    "s1_high",
    "st",
    "st_low",
    "st_high",
)


#: Columns of ``summary.csv`` that a report reads, and those of them that must hold numbers.
SUMMARY_READ = (
    *("variable", "scenario", "year", "sector", "mean"),
    *("mcse_q05", "mcse_q50", "mcse_q95", "ess", "rhat"),
)
SUMMARY_NUMERIC = ("year", "mean", "mcse_q05", "mcse_q50", "mcse_q95", "ess", "rhat")
#: Columns of ``deterministic.csv`` that a report reads (the point estimates).
DETERMINISTIC_READ = ("variable", "scenario", "year", "sector", "value")

#: What reading a truncated or garbled ``draws.nc`` raises: h5py's OSError (``truncated file``,
#: ``file signature not found``), xarray's and h5netcdf's ValueError or KeyError (no
#: ``posterior`` group), or h5py's RuntimeError for a damaged chunk.
_UNREADABLE_NETCDF = (OSError, ValueError, KeyError, RuntimeError)


@dataclass(frozen=True)
class ScenarioRecord:
    """A scenario as a run's manifest records it.

    Not :class:`mc.model.config.Scenario`, the configuration's own: this one is read back from a
    finished run, with the published figures keyed by output variable.
    """

    name: str
    label_nb: str
    label_en: str
    extra_net_immigration: float | None
    published: dict[str, float]

    def label(self, lang: str) -> str:
        """The label in ``lang`` (``nb`` or ``en``)."""
        return self.label_nb if lang == "nb" else self.label_en


#: The columns the report reads from ``views.csv`` and ``reconciliation.csv``.
VIEWS_READ = ("view", "headline", "variable", "scenario", "median", "q05", "q95", "published")
RECONCILIATION_READ = ("scenario", "order", "step", "total_bn", "free_bn")


class RunFolder:
    """The outputs of one ``tbu-mc run``, read from its folder.

    Parameters
    ----------
    path : str or Path
        The run's output folder.

    Raises
    ------
    DataError
        If the folder is missing, holds no ``manifest.json``, or holds a deterministic run
        (no ``summary.csv`` or ``draws.nc``).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_dir():
            raise DataError(
                str(self.path), "no such folder; give the output folder of `tbu-mc run`"
            )
        if not (self.path / layout.MANIFEST).is_file():
            raise DataError(
                str(self.path),
                "holds no manifest.json, so it is not the output folder of `tbu-mc run`",
            )
        if not (self.path / layout.SUMMARY).is_file():
            raise DataError(
                str(self.path),
                f"holds no {layout.SUMMARY}: a report needs a Monte Carlo run "
                "(a --deterministic run has only the point estimates)",
            )
        try:
            self.manifest: dict[str, Any] = json.loads(
                (self.path / layout.MANIFEST).read_text(encoding="utf-8")
            )
        except json.JSONDecodeError as exc:
            raise DataError(str(self.path / layout.MANIFEST), f"is not JSON: {exc}") from None
        self.summary = _read_csv(self.path / layout.SUMMARY, SUMMARY_READ, SUMMARY_NUMERIC)
        self.deterministic = _read_table(
            self.path / layout.DETERMINISTIC, DETERMINISTIC_READ, ("year", "value")
        )
        self.exceedance = _read_table(self.path / layout.EXCEEDANCE, (), ())
        # a configuration with a second view (mc/workflow/views.py) writes both tables
        self.views = _read_table(
            self.path / layout.VIEWS, VIEWS_READ, ("median", "q05", "q95", "p_above_published")
        )
        self.reconciliation = _read_table(
            self.path / layout.RECONCILIATION, RECONCILIATION_READ, ("order", "total_bn", "free_bn")
        )
        self.sensitivity = _read_table(
            self.path / layout.SENSITIVITY, SENSITIVITY_COLUMNS, ("low", "high", "base")
        )
        self.sensitivity_indices = _read_table(
            self.path / layout.SENSITIVITY_INDICES, INDEX_COLUMNS, INDEX_COLUMNS[4:]
        )

    @property
    def config(self) -> dict[str, Any]:
        """The resolved configuration recorded in the manifest."""
        return self.manifest.get(layout.KEY_CONFIG) or {}

    @property
    def lang(self) -> str:
        """The language the run was made in (``--lang``): the manifest's, else the command's.

        Runs written before the manifest recorded it are read from their command line; ``nb``
        (the command's default) when neither says.
        """
        recorded = self.manifest.get(layout.KEY_LANG)
        if recorded in ("nb", "en"):
            return str(recorded)
        command = [str(part) for part in self.manifest.get(layout.KEY_COMMAND) or []]
        for i, part in enumerate(command):
            if part.startswith("--lang="):
                return part.split("=", 1)[1] if part.endswith(("=nb", "=en")) else "nb"
            if part == "--lang" and i + 1 < len(command) and command[i + 1] in ("nb", "en"):
                return command[i + 1]
        return "nb"

    def description(self, lang: str) -> tuple[str, bool]:
        """The configuration's description in ``lang``, and whether it is in that language.

        A ``{nb: ..., en: ...}`` description gives the text of ``lang``; one plain text is the
        configuration's own words, in whatever language it was written (``False``).
        """
        raw = self.config.get("description") or ""
        if isinstance(raw, dict):
            return str(raw.get(lang) or ""), True
        return str(raw), False

    @property
    def name(self) -> str:
        """The configuration's name."""
        return str(self.config.get("name") or self.path.name)

    @property
    def cost_year(self) -> int:
        """The configuration's cost year (default: the last year in ``summary.csv``)."""
        year = self.config.get("cost_year")
        return int(year) if year is not None else int(self.summary["year"].max())

    @property
    def price_year(self) -> int:
        """The price year of the demographic costs."""
        return int(self.config.get("price_year", self.cost_year - 1))

    @cached_property
    def scenarios(self) -> list[ScenarioRecord]:
        """Scenarios in the configuration's order."""
        out = []
        for name, entry in (self.config.get("scenarios") or {}).items():
            label = entry.get("label") or {}
            published = {
                f"demographic_cost_{key.removesuffix('_bn')}_bn": float(value)
                for key, value in (entry.get("published") or {}).items()
                if key != "date"  # the day the figures were public, not a figure
            }
            out.append(
                ScenarioRecord(
                    name=name,
                    label_nb=label.get("nb", name),
                    label_en=label.get("en", name),
                    extra_net_immigration=entry.get("extra_net_immigration"),
                    published=published,
                )
            )
        if not out:  # an old manifest: take the order of summary.csv
            out = [ScenarioRecord(s, s, s, None, {}) for s in self.summary["scenario"].unique()]
        if self.views is not None and "extra_net_immigration" in self.views:
            # two views: the headline's scenarios are the run's (the model view measures them
            # from the main scenario, so the configuration's levels are not the headline's)
            rows = self.views[self.views["headline"].astype(bool)]
            extra = dict(zip(rows["scenario"], rows["extra_net_immigration"], strict=True))
            out = [
                dataclasses.replace(s, extra_net_immigration=float(extra[s.name]))
                if s.name in extra
                else s
                for s in out
            ]
        return out

    @property
    def has_every_draw(self) -> bool:
        """Whether ``draws.nc`` holds every draw of the run (statistics over it are exact).

        A streamed run writes only its first ``--keep-draws`` draws (the manifest's
        ``kept_draws``), or none; a folder written before runs streamed holds them all.
        """
        if not (self.path / layout.DRAWS).is_file():
            return False
        kept = self.manifest.get(layout.KEY_KEPT_DRAWS)
        if not isinstance(kept, dict):
            return True
        return bool(kept.get("draws") == kept.get("of"))

    def draws(self, variables: list[str]) -> xr.DataTree:
        """The draws of ``variables`` (group ``posterior``) as an in-memory ``DataTree``.

        Only the named variables are read, so a large run's sector draws stay on disk.
        """
        path = self.path / layout.DRAWS
        try:
            with xr.open_datatree(path, engine="h5netcdf") as tree:
                post = tree["posterior"].to_dataset()
                keep = [v for v in variables if v in post.data_vars]
                return xr.DataTree.from_dict({"posterior": post[keep].load()}, name=None)
        except _UNREADABLE_NETCDF as exc:
            if isinstance(exc, DataError):
                raise
            reason = " ".join(f"{type(exc).__name__}: {exc}".split())
            raise DataError(
                str(path),
                f"cannot be read: it is truncated or damaged ({reason}); {self._rerun_hint()}",
            ) from None

    def _rerun_hint(self) -> str:
        """How to write the run's files again."""
        command = self.manifest.get("command")
        if command:
            return f"write the run again with: {shlex.join(str(c) for c in command)}"
        return f"write the run again with `tbu-mc run ... --out {self.path}`"

    def reproduce_command(self) -> str:
        """``tbu-mc run CONFIG --draws N --block-size K --seed S`` for this run."""
        m = self.manifest
        parts = [
            "tbu-mc",
            "run",
            str(m.get(layout.KEY_CONFIG_PATH) or "CONFIG"),
            "--draws",
            str(m.get(layout.KEY_DRAWS)),
            "--block-size",
            str(m.get(layout.KEY_BLOCK_SIZE)),
            "--seed",
            str(m.get(layout.KEY_SEED)),
        ]
        command = list(m.get(layout.KEY_COMMAND) or [])
        if "--population" in command[:-1]:  # the run replaced the config's population
            parts += ["--population", command[command.index("--population") + 1]]
        return " ".join(shlex.quote(p) for p in parts)


def folder_kind(path: str | Path) -> str:
    """What wrote a folder: ``municipal``, ``population`` or ``run``.

    ``municipal`` is a municipal run, ``population`` a population forecast, and ``run``
    anything else, left to :class:`RunFolder` to accept or refuse (a folder without a readable
    manifest is ``run``, so that :class:`RunFolder` says what is wrong with it).
    """
    manifest = Path(path) / layout.MANIFEST
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return "run"
    if not isinstance(data, dict):
        return "run"
    if data.get(layout.KEY_MODE) == "population forecast":
        return "population"
    population = (data.get(layout.KEY_CONFIG) or {}).get("population") or {}
    if isinstance(population, dict) and population.get("level") == "municipality":
        return "municipal"
    return "run"


def _read_manifest(path: Path) -> dict[str, Any]:
    """A folder's ``manifest.json``, refused with the reason when it is missing or not JSON."""
    if not path.is_dir():
        raise DataError(str(path), "no such folder; give the output folder of `tbu-mc run`")
    try:
        data = json.loads((path / layout.MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(
            str(path), "holds no manifest.json, so it is not an output folder of tbu-mc"
        ) from None
    except json.JSONDecodeError as exc:
        raise DataError(str(path / layout.MANIFEST), f"is not JSON: {exc}") from None
    return dict(data)


#: Columns of a municipal run's ``summary.csv`` that its report reads.
MUNICIPAL_SUMMARY_READ = ("variable", "scenario", "year", "region", "q50", "q05", "q95")


class MunicipalRunFolder(RunFolder):
    """The outputs of a municipal ``tbu-mc run``: ``summary.csv`` by region, no draws.

    The draws of every municipality were reduced as they streamed past, so the bands come from
    the quantiles ``summary.csv`` keeps. Region codes are read as text (``0301`` keeps its
    leading zero).

    Parameters
    ----------
    path : str or Path
        The run's output folder.

    Raises
    ------
    DataError
        If the folder, its manifest or ``summary.csv`` is missing or unreadable (a
        ``--deterministic`` municipal run has no bands to report).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.manifest = _read_manifest(self.path)
        if not (self.path / layout.SUMMARY).is_file():
            raise DataError(
                str(self.path),
                f"holds no {layout.SUMMARY}: a report needs the bands of a Monte Carlo run "
                "(a --deterministic run has only the point estimates)",
            )
        self.summary = _read_csv(
            self.path / layout.SUMMARY, MUNICIPAL_SUMMARY_READ, ("year", "q50"), REGION_TEXT
        )
        self.deterministic = _read_csv(
            self.path / layout.DETERMINISTIC,
            ("variable", "year", "region", "value"),
            ("year", "value"),
            REGION_TEXT,
        )
        self.exceedance = None
        self.sensitivity = None
        self.sensitivity_indices = None


class PopulationFolder:
    """The outputs of ``tbu-mc population forecast``: ``population_bands.csv`` and a manifest.

    Parameters
    ----------
    path : str or Path
        The forecast's output folder.

    Raises
    ------
    DataError
        If the folder, its manifest or its bands are missing or unreadable.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.manifest = _read_manifest(self.path)
        self.bands = _read_csv(
            self.path / layout.POPULATION_BANDS,
            ("region", "year", "age_group", "q50"),
            ("year", "q50"),
            REGION_TEXT,
        )

    @property
    def settings(self) -> dict[str, Any]:
        """The forecast's options as the manifest records them (origin, horizon, ...)."""
        return dict(self.manifest.get(layout.KEY_CONFIG) or {})


#: Region codes are text: ``0301`` is Oslo, 301 is nothing.
REGION_TEXT = {"region": str}


def _read_table(
    path: Path, columns: tuple[str, ...], numeric: tuple[str, ...]
) -> pd.DataFrame | None:
    """An optional CSV of a run folder, checked for its columns; ``None`` when it is absent."""
    if not path.is_file():
        return None
    return _read_csv(path, columns, numeric)


def _read_csv(
    path: Path,
    columns: tuple[str, ...],
    numeric: tuple[str, ...],
    dtype: dict[str, type] | None = None,
) -> pd.DataFrame:
    """A CSV of a run folder with the named columns, those in ``numeric`` holding numbers.

    Raises
    ------
    DataError
        Naming the file, if it is not CSV (garbled, truncated mid-quote, not UTF-8), is empty, or
        lacks a column or a number.
    """
    try:
        frame = pd.read_csv(path, dtype=dtype)
    except FileNotFoundError:
        raise DataError(str(path), "file not found") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        reason = " ".join(str(exc).split())
        raise DataError(str(path), f"is not a readable CSV table ({reason})") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(str(path), f"lacks the columns {missing}; expected {list(columns)}")
    for column in numeric:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            raise DataError(str(path), f"column '{column}' must hold numbers")
    return frame
