"""The machine a benchmark ran on: CPU, memory, load, software versions and git revision.

Also the one reader of ``/proc`` key-value files (``/proc/meminfo``, ``/proc/self/status``) that
:mod:`benchmarks.memory` uses for peak RSS. Nothing heavy is imported at module level:
:mod:`benchmarks.memory` runs in small processes of its own.
"""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
KIB = 1024


def proc_kib(path: str, field: str) -> int | None:
    """A ``kB`` field of a ``/proc`` file (``MemTotal`` of ``/proc/meminfo``...) in bytes.

    Parameters
    ----------
    path : str
        The file, e.g. ``/proc/meminfo`` or ``/proc/self/status``.
    field : str
        The name before the colon, e.g. ``VmHWM``.

    Returns
    -------
    int or None
        The value in bytes, or ``None`` where the file or the field is missing (not Linux).
    """
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * KIB
    except (OSError, ValueError, IndexError):
        pass
    return None


def cpu_model() -> str:
    """CPU model name from ``/proc/cpuinfo`` (Linux), else what :mod:`platform` says."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def git_revision() -> str:
    """``git describe --always --dirty`` of the repository, or ``unknown``."""
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip()


def load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages, where the system has them."""
    return list(os.getloadavg()) if hasattr(os, "getloadavg") else None


def facts() -> dict[str, Any]:
    """Facts about the machine and the software a result depends on."""
    from importlib.metadata import PackageNotFoundError, version

    import dask
    import distributed
    import numba
    import numpy as np

    try:
        monaco_version: str | None = version("monaco")
    except PackageNotFoundError:
        monaco_version = None
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "cpu_model": cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": usable,
        "memory_total_bytes": proc_kib("/proc/meminfo", "MemTotal"),
        "load_average_at_start": load_average(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "dask": dask.__version__,
        "distributed": distributed.__version__,
        "monaco": monaco_version,
        "git": git_revision(),
    }


def markdown(results: dict[str, Any]) -> list[str]:
    """When, how and on what the results were measured: the head of the results section."""
    m = results["machine"]
    loads, loads_end = m["load_average_at_start"], results.get("load_average_at_end")
    memory = m.get("memory_total_bytes")
    return [
        f"Last run: {results['finished_utc']} ({results['mode']} mode, git `{m['git']}`), "
        f"`python -m benchmarks{' --quick' if results['mode'] == 'quick' else ''}`, "
        f"{results['seconds'] / 60:.1f} minutes.",
        "",
        f"- CPU: {m['cpu_model']}, {m['logical_cores']} logical cores "
        f"({m['usable_cores']} usable by this process)"
        + (f", {memory / 2**30:.1f} GiB of memory" if memory else "")
        + (
            f"; load average (1, 5, 15 min) at start {', '.join(f'{x:.2f}' for x in loads)}"
            if loads
            else ""
        )
        + (f", at the end {', '.join(f'{x:.2f}' for x in loads_end)}" if loads_end else ""),
        f"- {m['platform']}; Python {m['python']}, numpy {m['numpy']}, numba {m['numba']}, "
        f"dask {m['dask']}, distributed {m['distributed']}, monaco "
        f"{m.get('monaco') or 'not installed'}",
    ]
