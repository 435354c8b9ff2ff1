"""Bounds and readers shared by the sections of a configuration.

Values are checked against two kinds of bound. Hard bounds (:data:`MAX_PERSONS`, the year range,
:data:`mc.model.fields.MAX_MAGNITUDE`) mark values that cannot be meant. Judgement bounds
(:data:`MAX_NET_IMMIGRATION`, :data:`MAX_UNIT_COST`) mark values far beyond anything observed;
the message says so, and ``allow_implausible: true`` at the top of the configuration accepts them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mc.data.yamlio import read_yaml_file
from mc.errors import ConfigError
from mc.model.fields import Section, check_text

#: Most persons in one band of a baseline's population change, either way. A hard bound, several
#: times Norway's population (5.55 million on 1.1.2024): a larger number is a typing error.
MAX_PERSONS = 20_000_000
#: Largest net immigration, or change in it, accepted in one year without ``allow_implausible``.
#: A judgement bound: about 3.4 times the largest net immigration Norway has recorded, 58,000 in
#: 2022 (../shared/data/components/nor_hmd_balancing_equation.csv, 1986-2023).
MAX_NET_IMMIGRATION = 200_000
#: Largest unit cost, kroner per inhabitant of an age group and year, accepted without
#: ``allow_implausible``. A judgement bound: the dearest band in the shipped tables costs about
#: 0.47 million kroner (configs/tables/unit-costs-2023.yaml); ten times that is no longer a
#: plausible average over an age group.
MAX_UNIT_COST = 5_000_000
#: Years a configuration may name (cost year, price years, baseline). Hard bounds: the data begin
#: in 1986 and the model projects at most a few decades.
YEAR_RANGE = (1950, 2100)
#: A run or scenario name: it names the output folder, so no separators, no leading dot, no spaces.
NAME_PATTERN = r"\w[\w.-]{0,79}"
NAME_HELP = "up to 80 letters, digits, '.', '_' or '-', starting with a letter or digit"
#: The shipped configurations and their tables. A relative table path not found next to the
#: configuration is looked up here, so that a configuration copied anywhere still finds
#: ``tables/unit-costs-2023.yaml`` and the like (present when tbu-mc runs from its repository or
#: an editable install; a path that is in neither place is refused naming both).
SHIPPED_CONFIGS = Path(__file__).resolve().parents[3] / "configs"


def kind_of(value: Any) -> str:
    """What a parsed YAML value is, in the words of a message."""
    return {list: "list", str: "text", int: "number", float: "number", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


def maybe_file(section: Section, key: str, default: Any = None) -> tuple[Any, str | None]:
    """A value that may be inline or a path to a YAML file (relative to the config folder).

    A file must hold a mapping (a table); anything else is refused naming the field and the file,
    without quoting the file's content.

    Returns
    -------
    tuple
        The table and the file it came from (the section's own file when inline).
    """
    value = section.take(key, default)
    if isinstance(value, str):
        field_name = section.field(key)
        check_text(value, field_name, section.source)
        base = Path(section.source).resolve().parent if section.source else Path(".")
        path = find_table(value, base, field_name, section.source)
        data = read_yaml_file(path, field_name, section.source)
        if not isinstance(data, Mapping):
            what = "is empty" if data is None else f"holds a {kind_of(data)}"
            raise ConfigError(
                field_name,
                str(path),
                f"the file {what}; expected a YAML table (a mapping of fields)",
                section.source,
            )
        return data, str(path)
    return value, section.source


def find_table(value: str | Path, base: Path, field: str, source: str | None = None) -> Path:
    """The file a table path names: next to the configuration, else among the shipped tables.

    Parameters
    ----------
    value : str or Path
        The path as written in the configuration.
    base : Path
        The configuration's folder, which a relative path is relative to first.
    field : str
        The field that names the file, for messages.
    source : str, optional
        The configuration file, for messages.

    Returns
    -------
    Path
        An absolute path, or the relative one joined to ``base`` when it exists.

    Raises
    ------
    ConfigError
        If a relative path is found in neither place (the message names both).
    """
    path = Path(value)
    if path.is_absolute():  # the reader says what is wrong with it, if anything
        return path
    tried = [base / path, SHIPPED_CONFIGS / path]
    for candidate in tried:
        if candidate.is_file():
            return candidate
    if tried[0].exists():  # a folder or a device: the reader explains what is wrong with it
        return tried[0]
    raise ConfigError(
        field,
        str(value),
        f"file not found; looked next to the configuration ({tried[0]}) and among the shipped "
        f"tables ({tried[1]})",
        source,
    )


def doc(section: Section, key: str = "source") -> str:
    """A documentation field (``source``, ``note``): bounded text, empty when absent."""
    return check_text(section.take(key, ""), section.field(key), section.source)


def labels(section: Section, name: str) -> dict[str, str]:
    """``label`` as text (both languages) or ``{nb, en}``; the name when absent.

    Returns
    -------
    dict
        ``label_nb`` and ``label_en``, ready to pass as ``given`` to a section reader.
    """
    label = section.take("label", None)
    nb = en = ""
    if isinstance(label, str):
        nb = en = check_text(label, section.field("label"), section.source)
    elif label is not None:
        sub = Section(label, section.field("label"), section.source)
        nb = sub.take_str("nb", "")
        en = sub.take_str("en", nb)
        sub.done()
        nb = nb or en
    return {"label_nb": nb or name, "label_en": en or name}
