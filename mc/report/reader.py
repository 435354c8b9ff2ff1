"""Reading a finished run folder back: the manifest, the tables and, on demand, the draws."""

from __future__ import annotations

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

#: Columns of ``sensitivity_indices.csv``: each driver's share of the variance (squared rank
#: correlation, normalised) and its first-order and total Sobol indices with 90 % intervals.
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
        for name in (layout.SUMMARY, layout.DRAWS):
            if not (self.path / name).is_file():
                raise DataError(
                    str(self.path),
                    f"holds no {name}: a report needs the draws of a Monte Carlo run "
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
        return out

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


def _read_table(
    path: Path, columns: tuple[str, ...], numeric: tuple[str, ...]
) -> pd.DataFrame | None:
    """An optional CSV of a run folder, checked for its columns; ``None`` when it is absent."""
    if not path.is_file():
        return None
    return _read_csv(path, columns, numeric)


def _read_csv(path: Path, columns: tuple[str, ...], numeric: tuple[str, ...]) -> pd.DataFrame:
    """A CSV of a run folder with the named columns, those in ``numeric`` holding numbers.

    Raises
    ------
    DataError
        Naming the file, if it is not CSV (garbled, truncated mid-quote, not UTF-8), is empty, or
        lacks a column or a number.
    """
    try:
        frame = pd.read_csv(path)
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
