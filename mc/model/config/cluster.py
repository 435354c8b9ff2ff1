"""The ``cluster`` section: a batch cluster started through dask-jobqueue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mc.model.schema import setting


@dataclass(frozen=True)
class ClusterSpec:
    """A batch cluster started through dask-jobqueue (``tbu-mc run --cluster slurm|pbs``)."""

    kind: str = setting("choice", "slurm", choices=("slurm", "pbs"))
    jobs: int = setting("integer", 1, low=1)
    cores: int = setting("integer", 1, low=1)
    processes: int | None = setting("integer", None, low=1, high=lambda v: v["cores"])
    memory: str = setting(
        "text",
        "4GB",
        pattern=r"(?i)\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)",
        help="a size such as '32GB' or '7.5GiB'",
    )
    walltime: str = setting(
        "text",
        "01:00:00",
        pattern=r"(\d+-)?\d{1,3}:\d{2}(:\d{2})?",
        help="a time such as '02:00:00' or '1-12:00:00'",
    )
    queue: str | None = setting("text", None)
    account: str | None = setting("text", None)
    job_extra: tuple[str, ...] = setting("list", ())
    local_directory: str | None = setting("text", None)

    def options(self) -> dict[str, Any]:
        """Keyword arguments for dask-jobqueue's cluster classes."""
        out: dict[str, Any] = {
            "cores": self.cores,
            "processes": self.processes or self.cores,
            "memory": self.memory,
            "walltime": self.walltime,
            "job_extra_directives": list(self.job_extra),
        }
        for key in ("queue", "account", "local_directory"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out
