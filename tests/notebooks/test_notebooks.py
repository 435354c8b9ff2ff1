"""The notebooks run top to bottom on small draw counts and are committed without outputs.

Execution uses nbclient with the ``python3`` kernel that ipykernel installs into the virtual
environment; its command is ``python -m ipykernel_launcher``, which jupyter_client runs with this
interpreter, so the kernel imports the same ``mc``.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"
NAMES = ("01-quickstart.ipynb", "02-tbu-report.ipynb", "03-municipalities.ipynb")
NEEDS_SSB_DATA = {"03-municipalities.ipynb"}
# Small enough for seconds per notebook, large enough for four blocks and every table and chart
# (the sensitivity analysis then uses its floor of 512, the municipal run blocks of 50).
SMALL_DRAWS = {
    "TBU_MC_NOTEBOOK_DRAWS": "2000",
    "TBU_MC_NOTEBOOK_MUNICIPAL_DRAWS": "200",
}
CELL_TIMEOUT = 600  # seconds; a cell takes < 10 s at SMALL_DRAWS, so this only catches a hang
KERNEL = "python3"
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # IPython colours its tracebacks


def read(name: str) -> dict:
    return json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))


def test_every_notebook_is_listed():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_committed_without_outputs(name):
    nb = read(name)
    assert nb["metadata"]["kernelspec"]["name"] == KERNEL
    stale = [
        i
        for i, cell in enumerate(nb["cells"])
        if cell.get("outputs")
        or cell.get("execution_count") is not None
        or "execution" in cell.get("metadata", {})
    ]
    assert not stale, (
        f"{name}: cells {stale} carry outputs, execution counts or timings; clear them before "
        "committing (see notebooks/README.md)"
    )


def _nbclient():
    """nbclient and nbformat; missing, they fail on CI (the dev extra has them), else skip."""
    try:
        import nbclient
        import nbformat
    except ImportError as exc:
        message = f"{exc.name} is missing: pip install -e '.[dev]'"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return nbclient, nbformat


def _check_kernel_is_this_interpreter() -> None:
    from jupyter_client.kernelspec import KernelSpecManager

    argv = KernelSpecManager().get_kernel_spec(KERNEL).argv
    # jupyter_client replaces these with sys.executable when it starts the kernel
    ours = {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2])}
    if argv[0] not in ours and Path(argv[0]).resolve() != Path(sys.executable).resolve():
        pytest.fail(f"the {KERNEL!r} kernel runs {argv[0]}, not this interpreter {sys.executable}")


@pytest.mark.parametrize("name", NAMES)
def test_runs_top_to_bottom(name, tmp_path, monkeypatch, request):
    nbclient, nbformat = _nbclient()
    _check_kernel_is_this_interpreter()
    if name in NEEDS_SSB_DATA:
        monkeypatch.setenv("TBU_MC_DATA", str(request.getfixturevalue("data_dir")))
    for key, value in SMALL_DRAWS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("TBU_MC_NOTEBOOK_OUT", str(tmp_path))  # the kernel inherits the environment
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as error:
        pytest.fail(f"{name}: {ANSI.sub('', str(error))}", pytrace=False)
    assert any(tmp_path.iterdir()), f"{name} wrote no run folder under TBU_MC_NOTEBOOK_OUT"
