"""Layers point one way: kernels <- model <- engine <- summary <- workflow <- report <- cli."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mc"
RANK = {
    "kernels": 0,
    "sampling": 1,
    "model": 2,
    "calibration": 3,
    "data": 3,
    "engine": 3,
    "summary": 4,
    "workflow": 5,
    "report": 6,
    "cli": 7,
}
SHARED = {"errors", "_version", "_files"}  # usable from every layer


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
        assert RANK[target] < RANK[own] or (own == "calibration" and target == "model"), (
            f"{path.name} ({own}) imports {module} ({target})"
        )


def test_kernels_import_light():
    code = (
        "import sys, mc.kernels, mc.model.config\n"
        "heavy = [m for m in ('dask', 'distributed', 'pandas', 'matplotlib', 'arviz') "
        "if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
