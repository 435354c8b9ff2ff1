"""Layers point one way, and only mc.data reads input files.

kernels, domain <- sampling, data <- model <- calibration, engine <- summary <- workflow <- report
<- cli. ``domain`` holds the types that ``data`` builds and ``model`` computes with, so the two
need not import each other.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mc"
RANK = {
    "kernels": 0,
    "domain": 0,
    "sampling": 1,
    # below model: data builds domain tables and never imports model (issue 13)
    "data": 1,
    "model": 2,
    "calibration": 3,
    "engine": 3,
    "summary": 4,
    "workflow": 5,
    "report": 6,
    "cli": 7,
}
SHARED = {"errors", "_version", "_files"}  # usable from every layer

#: Imports against the ranks that remain, each with why. Key: (file under mc/, imported module).
IMPORT_EXCEPTIONS = {
    ("data/forecast_errors.py", "mc.model.forecast_error_table"): (
        "the reader hands the file's mapping to the model's parser, which also checks a table "
        "held inline by a configuration's economy section (issue 15)"
    ),
    ("data/forecast_errors.py", "mc.model.forecast_errors"): (
        "load_forecast_errors returns the model's ForecastErrorTable"
    ),
}


def layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "mc" or len(parts) < 2:
        return None
    return parts[1]


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
    return out


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_no_upward_imports(path):
    own = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    if own not in RANK:
        return
    for module in imports(path):
        target = layer(module)
        if target is None or target in SHARED or target == own:
            continue
        if (path.relative_to(PACKAGE).as_posix(), module) in IMPORT_EXCEPTIONS:
            continue
        assert RANK[target] < RANK[own], f"{path.name} ({own}) imports {module} ({target})"


def test_import_exceptions_are_still_needed():
    # an exception whose import is gone would silently allow it again later
    for name, module in IMPORT_EXCEPTIONS:
        assert module in imports(PACKAGE / name), f"{name} no longer imports {module}"


def test_data_does_not_import_model():
    # the rank rule covers it; said once more because it is the point of the layer
    for path in sorted((PACKAGE / "data").rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        for module in imports(path):
            if layer(module) == "model":
                assert (name, module) in IMPORT_EXCEPTIONS, f"{name} imports {module}"


def test_kernels_import_light():
    code = (
        "import sys, mc.kernels, mc.model.config\n"
        "heavy = [m for m in ('dask', 'distributed', 'pandas', 'matplotlib', 'arviz') "
        "if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


# ---------------------------------------------------------------------------------------------
# file reading: only mc.data reads inputs (files, folders, the network)

#: Calls that read, by the called name (``x.read_csv(...)`` and ``read_csv(...)`` alike).
READ_CALLS = {
    "open",  # builtin, Path.open, os.open, gzip.open (unless the mode writes)
    "fdopen",
    "read_text",
    "read_bytes",
    "read_csv",
    "read_parquet",
    "read_json",
    "read_excel",
    "read_table",
    "loadtxt",
    "genfromtxt",
    "open_dataset",
    "open_dataarray",
    "open_datatree",
    "open_mfdataset",
    "load_dataset",
    "urlopen",
    "iterdir",
    "glob",
    "rglob",
    "scandir",
    "listdir",
}
#: ``load``/``safe_load`` read a stream only on these modules (``np.load``, ``json.load``, ...).
LOADING_MODULES = {"np", "numpy", "json", "yaml", "pickle", "tomllib", "xr", "xarray"}
WRITE_MODES = set("wax")

#: Modules outside mc/data that read, each with why it may.
READ_EXCEPTIONS = {
    "_files.py": "file_sha256 hashes files named in the run manifest (bytes, not content)",
    "engine/checkpoint.py": "reads back the blocks this engine wrote, to resume a run",
    "engine/simulation.py": (
        "a worker checks it sees the shared folder by reading a token just written"
    ),
    "engine/plan.py": "reads the container's memory limit from /sys/fs/cgroup to size blocks",
    "report/io.py": "reads its own run folder's ownership marker and manifests before writing",
    "report/reader.py": "reads a run folder the report layer wrote (tbu-mc report on old runs)",
    "cli/errors.py": "tbu-mc errors inspects a run's checkpoints (count and entropy) for a hint",
}


def _called_name(call: ast.Call) -> tuple[str | None, str | None]:
    """The called function's name and, for ``a.f(...)``, the name ``a``."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id, None
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else None
        return func.attr, owner
    return None, None


def _writes(call: ast.Call, name: str, owner: str | None) -> bool:
    """Whether an ``open`` call opens for writing (a constant mode with w, a or x)."""
    mode = None
    position = 0 if owner not in (None, "gzip", "io", "os", "bz2", "lzma") else 1
    if len(call.args) > position:
        mode = call.args[position]
    for keyword in call.keywords:
        if keyword.arg == "mode":
            mode = keyword.value
    return (
        isinstance(mode, ast.Constant)
        and isinstance(mode.value, str)
        and bool(WRITE_MODES & set(mode.value))
    )


def reading_calls(path: Path) -> list[str]:
    """``line: call`` for every call in a module that reads a file, a folder or the network."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        name, owner = _called_name(node)
        reads = name in READ_CALLS or (name in ("load", "safe_load") and owner in LOADING_MODULES)
        if name in ("open", "fdopen") and _writes(node, name, owner):
            reads = False
        if reads:
            found.append(f"{node.lineno}: {owner + '.' if owner else ''}{name}")
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = (
                [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            )
            if any(m and m.split(".")[0] in ("urllib", "requests", "httpx") for m in modules):
                found.append(f"{node.lineno}: import of a network client")
    return found


@pytest.mark.parametrize(
    "path",
    sorted(p for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).parts[0] != "data"),
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_only_data_reads_files(path):
    name = path.relative_to(PACKAGE).as_posix()
    if name in READ_EXCEPTIONS:
        return
    assert reading_calls(path) == [], f"{name} reads input itself; move the reading to mc/data"


def test_read_exceptions_are_still_needed():
    # an exception that no longer reads would hide a new reader there
    for name in READ_EXCEPTIONS:
        assert reading_calls(PACKAGE / name), f"{name} no longer reads; drop its exception"


@pytest.mark.parametrize(
    "source, expected",
    [
        ("pd.read_csv(p)", ["1: pd.read_csv"]),
        ("open(p)", ["1: open"]),
        ("open(p, 'rb')", ["1: open"]),
        ("open(p, 'w')", []),
        ("p.open(mode='a')", []),
        ("np.load(p)", ["1: np.load"]),
        ("json.loads(text)", []),
        ("config.load(x)", []),
        ("import urllib.request", ["1: import of a network client"]),
    ],
)
def test_reading_calls_detects(tmp_path, source, expected):
    # the scan must flag what it claims to, or test_only_data_reads_files passes vacuously
    module = tmp_path / "m.py"
    module.write_text(source + "\n")
    assert reading_calls(module) == expected


# ---------------------------------------------------------------------------------------------
# one name, one meaning

#: Modules still importing the old ``load_population`` aliases (mc.data.loaders and
#: mc.model.demographic each kept one while these modules are rewritten in parallel changes).
#: New code calls ``load_population_source`` (a file or ssb: source) or ``config_population``
#: (what a configuration needs); when this set is empty, delete the two aliases.
OLD_NAME_USERS: set[str] = set()


def test_old_load_population_name_is_not_spreading():
    users = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and any(
                a.name == "load_population" for a in node.names
            ):
                users.add(path.relative_to(PACKAGE).as_posix())
    assert users <= OLD_NAME_USERS, f"call load_population_source or config_population in {users}"


#: model modules that still have mc.data read what a configuration names, each with why. The
#: goal is none: the caller reads and the model receives tables.
MODEL_CALLS_DATA = {
    "model/config/__init__.py": (
        "load_config(path) reads the configuration through mc.data's strict YAML reader"
    ),
    "model/config/common.py": (
        "a config field may name a table file (unit_costs: tables/...), read as it is parsed"
    ),
    "model/config/overrides.py": (
        "--set reads a value with the strict YAML reader and may reach into a table kept in a "
        "file of its own (--set uncertainty.births.sd=0), which it reads to change it inline"
    ),
    "model/demographic.py": (
        "build_model(config) without a population reads it (config_population) and the "
        "projection fit; mc/workflow (build_cost_model, run_population) relies on that"
    ),
    "model/component_costs.py": (
        "a components population is fitted on the data folder the config names (deaths, births, "
        "fertility), as build_model(config) reads the population and the projection fit"
    ),
    "model/municipal.py": (
        "build_municipal_model(config) reads the data folder, the fit and the names; its only "
        "caller passes just the config (mc/workflow/build.py)"
    ),
}


def test_model_calls_data_only_where_listed():
    users = {
        path.relative_to(PACKAGE).as_posix()
        for path in sorted((PACKAGE / "model").rglob("*.py"))
        if any(layer(m) == "data" for m in imports(path))
    }
    assert users == set(MODEL_CALLS_DATA), "update MODEL_CALLS_DATA with the reason, or drop it"
