"""Fuzz the configuration loader with mutated copies of the shipped configurations.

Each case takes a shipped config (its tables inlined, so mutations reach them too), changes one
or two things (a type, a magnitude, a key, a YAML feature, the raw text) and runs
``tbu-mc run CFG --deterministic --out OUT`` in-process. Every case must end in one of two ways:

- exit 0, with finite numbers in ``OUT/deterministic.csv``;
- exit != 0 and exactly one stderr line ``tbu-mc: error: ...`` naming a config field or a file.

Never a traceback (an exception escaping ``main`` fails the test with it), and never a file
written outside ``OUT``. The generator is seeded per case, so a failing case id reproduces alone.
The default run draws ``N_FAST`` cases (45-50 s on a shared 2-core machine); ``-m slow`` adds
``N_SLOW`` more.
"""

from __future__ import annotations

import copy
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from mc.cli.main import main
from tests.conftest import CONFIGS, DATA_DIR

#: Fixed entropy; case k draws from SeedSequence(ENTROPY, spawn_key=(k,)).
ENTROPY = 20241202
N_FAST = 300
N_SLOW = 2000
#: Shipped configs and how often each is the base of a case. The municipal one takes about a
#: second per valid run (357 municipalities), so it is drawn rarely.
BASES = {
    "tbu-2025.yaml": 0.45,
    "tbu-2024-actual.yaml": 0.2,
    "tbu-2025-projection.yaml": 0.15,
    "tbu-2030.yaml": 0.15,
    "municipalities-2025.yaml": 0.05,
}
TABLE_KEYS = ("unit_costs", "uncertainty", "economy")
POPULATION_TABLES = ("baseline", "immigrant_profile")
POPULATION_PATHS = ("file", "fit", "data")


def _read(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _self_contained(name: str) -> dict:
    """A shipped config with its tables inlined and its data paths absolute."""
    data = _read(CONFIGS / name)
    for key in TABLE_KEYS:
        if isinstance(data.get(key), str):
            data[key] = _read(CONFIGS / data[key])
    pop = data["population"]
    for key in POPULATION_TABLES:
        if isinstance(pop.get(key), str):
            pop[key] = _read(CONFIGS / pop[key])
    for key in POPULATION_PATHS:
        if isinstance(pop.get(key), str):
            pop[key] = str((CONFIGS / pop[key]).resolve())
    return data


BASE_DATA = {name: _self_contained(name) for name in BASES}


# -- walking the tree -------------------------------------------------------------------------


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a node below ``node`` (mapping keys and list indices)."""
    out = []
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, child in items:
        out.append((*prefix, key))
        out.extend(_paths(child, (*prefix, key)))
    return out


def _get(data: Any, path: tuple) -> Any:
    for key in path:
        data = data[key]
    return data


def _set(data: Any, path: tuple, value: Any) -> None:
    _get(data, path[:-1])[path[-1]] = value


def _pick(rng: np.random.Generator, items: list) -> Any:
    return items[int(rng.integers(len(items)))]


# -- mutations of the parsed tree -------------------------------------------------------------

WRONG_TYPES = ["text", "", [1, 2], {"a": 1}, None, True, [], {}, "2024", "1e3"]
MAGNITUDES = [
    1e300,
    -1e300,
    1e18,
    -5_000_000,
    -1,
    0,
    0.5,
    1e-300,
    float("nan"),
    float("inf"),
    float("-inf"),
    10**30,
    2**63,
    99_999,
    1899,
]


def _leaves(data: dict, kind: type | tuple[type, ...]) -> list[tuple]:
    return [
        p
        for p in _paths(data)
        if isinstance(_get(data, p), kind) and not isinstance(_get(data, p), bool)
    ]


def wrong_type(rng, data):
    path = _pick(rng, _paths(data))
    value = copy.deepcopy(_pick(rng, WRONG_TYPES))
    _set(data, path, value)
    return f"{path} = {value!r}"


def magnitude(rng, data):
    path = _pick(rng, _leaves(data, (int, float)))
    value = _pick(rng, MAGNITUDES)
    _set(data, path, value)
    return f"{path} = {value!r}"


def delete_key(rng, data):
    path = _pick(rng, [p for p in _paths(data) if isinstance(_get(data, p[:-1]), dict)])
    del _get(data, path[:-1])[path[-1]]
    return f"del {path}"


def unknown_key(rng, data):
    mappings = [()] + [p for p in _paths(data) if isinstance(_get(data, p), dict)]
    path = _pick(rng, mappings)
    key = _pick(rng, ["zzz", "scenario", "note ", "Source", 2024, "allow_implausible"])
    _get(data, path)[key] = _pick(rng, [1, "x", True])
    return f"{path}[{key!r}] added"


def long_string(rng, data):
    path = _pick(rng, _leaves(data, str) or _paths(data))
    value = "x" * int(rng.choice([2_001, 100_000]))
    _set(data, path, value)
    return f"{path} = 'x' * {len(value)}"


def nul_char(rng, data):
    path = _pick(rng, _leaves(data, str) or _paths(data))
    _set(data, path, "a\x00b")
    return f"{path} = 'a\\x00b'"


def nested_list(rng, data):
    path = _pick(rng, _paths(data))
    value: Any = _get(data, path)
    for _ in range(int(rng.integers(1, 60))):
        value = [value]
    _set(data, path, value)
    return f"{path} wrapped in lists"


def shared_node(rng, data):
    """Put one container at a second place: safe_dump writes an anchor and an alias."""
    containers = [p for p in _paths(data) if isinstance(_get(data, p), (dict, list))]
    source, target = _pick(rng, containers), _pick(rng, _paths(data))
    _set(data, target, _get(data, source))
    return f"{target} = *{source}"


def alias_bomb(rng, data):
    levels = int(rng.integers(3, 10))
    node: Any = ["lol"]
    for _ in range(levels):
        node = [node] * 10
    _set(data, _pick(rng, [("note",), ("source",), ("description",), ("scenarios", "zz")]), node)
    return f"alias bomb of {levels} levels"


def implausible_override(rng, data):
    data["allow_implausible"] = True
    return "allow_implausible: true, then " + magnitude(rng, data)


def perturb(rng, data):
    """A plausible change (a number scaled by 0-2): most such configs should still run."""
    path = _pick(rng, _leaves(data, float) or _leaves(data, int))
    value = _get(data, path) * float(rng.uniform(0.0, 2.0))
    _set(data, path, value)
    return f"{path} = {value!r}"


#: Files and names a path field may be pointed at by mistake.
WRONG_FILES = [
    CONFIGS / "tables" / "population-fit-2024.json",
    CONFIGS / "tbu-2025.yaml",
    CONFIGS,
    DATA_DIR / "population_norway_by_age_sex.csv",
    DATA_DIR / "municipalities_2024.csv",
    DATA_DIR / "population_municipalities_by_age_sex.csv.gz",
    Path("/dev/null"),
    Path(sys.executable).resolve(),
    Path("/nonexistent") / ("x" * 300),
]
PATH_FIELDS = [
    ("unit_costs",),
    ("uncertainty",),
    ("economy",),
    ("population", "baseline"),
    ("population", "immigrant_profile"),
    ("population", "file"),
    ("population", "fit"),
    ("population", "data"),
]


def repoint(rng, data):
    path, target = _pick(rng, PATH_FIELDS), str(_pick(rng, WRONG_FILES))
    node = data
    for key in path[:-1]:
        node = node.setdefault(key, {}) if isinstance(node, dict) else {}
    if isinstance(node, dict):
        node[path[-1]] = target
    return f"{path} = {target[:60]!r}"


#: Mutations after which the tree is shared (an alias bomb, perhaps a cycle): they come last.
SHARING = (shared_node, alias_bomb)
TREE_MUTATIONS: list[Callable] = [
    perturb,
    perturb,
    perturb,
    repoint,
    repoint,
    wrong_type,
    magnitude,
    magnitude,
    delete_key,
    unknown_key,
    long_string,
    nul_char,
    nested_list,
    shared_node,
    alias_bomb,
    implausible_override,
]


# -- mutations of the text --------------------------------------------------------------------


def duplicate_line(rng, text):
    lines = text.splitlines()
    candidates = [
        i for i, line in enumerate(lines) if ":" in line and not line.lstrip(" -")[:1] == "#"
    ]
    i = _pick(rng, candidates)
    lines.insert(i + 1, lines[i])
    return "\n".join(lines) + "\n", f"line {i + 1} repeated"


def truncate(rng, text):
    cut = int(rng.integers(len(text)))
    return text[:cut], f"cut at {cut}"


def flip_char(rng, text):
    i = int(rng.integers(len(text)))
    char = _pick(rng, [":", "[", "{", "\t", "&", "*", "!", "%", "'", '"', "\x00", "\x85", "-"])
    return text[:i] + char + text[i + 1 :], f"char {i} -> {char!r}"


def python_tag(rng, text):
    lines = text.splitlines()
    i = _pick(rng, [i for i, line in enumerate(lines) if line.rstrip().endswith(("0", "'"))])
    key = lines[i].split(":")[0]
    lines[i] = f"{key}: !!python/object/apply:os.system ['echo pwned']"
    return "\n".join(lines) + "\n", f"line {i + 1} tagged"


TEXT_MUTATIONS: list[Callable] = [duplicate_line, truncate, flip_char, python_tag]


def make_case(k: int) -> tuple[str, bytes, str]:
    """The base config's name, the mutated file's bytes and what was done."""
    rng = np.random.default_rng(np.random.SeedSequence(ENTROPY, spawn_key=(k,)))
    names = list(BASES)
    name = str(rng.choice(names, p=np.array([BASES[n] for n in names])))
    data = copy.deepcopy(BASE_DATA[name])
    done = []
    for _ in range(int(rng.integers(1, 3))):
        if rng.random() < 0.75:
            mutate = _pick(rng, TREE_MUTATIONS)
            done.append(mutate(rng, data))
            if mutate in SHARING:  # the tree may now be huge or cyclic: walk it no more
                break
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    if not done or rng.random() < 0.25:
        text, what = _pick(rng, TEXT_MUTATIONS)(rng, text)
        done.append(what)
    raw = text.encode("utf-8")
    if rng.random() < 0.02:
        raw = raw.replace(b"e", b"\xe9", 1)
        done.append("latin-1 byte")
    return name, raw, "; ".join(done)


# -- the check --------------------------------------------------------------------------------


def _listing(folder: Path, skip: Path) -> set[str]:
    return {str(p) for p in folder.rglob("*") if skip not in p.parents and p != skip}


def check_case(k: int, tmp_path: Path, monkeypatch, capsys) -> None:
    name, raw, what = make_case(k)
    config = tmp_path / "cfg.yaml"
    config.write_bytes(raw)
    out = tmp_path / "out"
    cwd = tmp_path / "cwd"  # a default output folder (results/<name>) would land here
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    before = _listing(tmp_path, out)
    shipped = _listing(CONFIGS, out)  # relative table paths resolve here
    code = main(["run", str(config), "--deterministic", "--quiet", "--out", str(out)])
    captured = capsys.readouterr()
    label = f"case {k} from {name}: {what}"
    assert _listing(tmp_path, out) == before, f"{label}: files written outside --out"
    assert _listing(CONFIGS, out) == shipped, f"{label}: files written next to the configs"
    if code == 0:
        frame = pd.read_csv(out / "deterministic.csv")
        values = frame["value"].to_numpy(dtype=float)
        assert values.size and np.isfinite(values).all(), f"{label}: non-finite output"
        assert captured.err.strip() == "", f"{label}: {captured.err}"
        return
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, f"{label}: stderr {captured.err!r}"
    line = lines[0]
    assert line.startswith("tbu-mc: error: "), f"{label}: {line}"
    # a ConfigError names its field; a DataError starts with the file at fault
    names_something = "config field '" in line or line.startswith("tbu-mc: error: /")
    assert names_something, f"{label}: names no field or file: {line}"
    assert len(line) < 1000, f"{label}: {len(line)} characters"
    assert not out.exists() or not any(out.iterdir()), f"{label}: a failed run left output"


def test_cases_are_reproducible_and_varied():
    assert make_case(7) == make_case(7)
    bases = {make_case(k)[0] for k in range(60)}
    assert bases == set(BASES)


@pytest.fixture(scope="module")
def data_present():
    if not (DATA_DIR / "population_norway_by_age_sex.csv").is_file():
        pytest.skip(f"SSB data not found at {DATA_DIR}")


@pytest.mark.timeout(30)
@pytest.mark.parametrize("k", range(N_FAST))
def test_mutated_config_is_a_run_or_one_error_line(k, tmp_path, monkeypatch, capsys, data_present):
    check_case(k, tmp_path, monkeypatch, capsys)


@pytest.mark.slow
@pytest.mark.timeout(30)
@pytest.mark.parametrize("k", range(N_FAST, N_FAST + N_SLOW))
def test_more_mutated_configs(k, tmp_path, monkeypatch, capsys, data_present):
    check_case(k, tmp_path, monkeypatch, capsys)


def test_the_unmutated_configs_run(tmp_path, monkeypatch, capsys, data_present):
    for name, data in BASE_DATA.items():
        config = tmp_path / f"{name}"
        config.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        out = tmp_path / f"out-{name}"
        assert main(["run", str(config), "--deterministic", "--quiet", "--out", str(out)]) == 0
        values = pd.read_csv(out / "deterministic.csv")["value"].to_numpy(dtype=float)
        assert all(math.isfinite(v) for v in values)
