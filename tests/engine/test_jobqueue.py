"""Batch clusters through dask-jobqueue: the generated job script carries the config's settings.

There is no SLURM or PBS here; dask-jobqueue writes the script without submitting anything.
"""

import pytest

from mc.cli.main import main
from mc.engine.schedulers import WORKER_SATURATION, SchedulerSpec, jobqueue_cluster
from mc.errors import ConfigError
from mc.model.config import Config
from tests.conftest import CONFIGS
from tests.model.test_config import inline_tables, raw

pytest.importorskip("dask_jobqueue")

CLUSTER = {
    "kind": "slurm",
    "jobs": 3,
    "cores": 8,
    "memory": "32GB",
    "walltime": "02:30:00",
    "queue": "normal",
    "account": "nn1234k",
    "job_extra": ["--exclusive"],
}


def config_with(cluster):
    data = inline_tables(raw())
    data["cluster"] = cluster
    return Config.from_dict(data, base_dir=CONFIGS)


@pytest.mark.parametrize("kind", ["slurm", "pbs"])
def test_job_script_carries_the_settings(kind):
    config = config_with({**CLUSTER, "kind": kind})
    assert config.to_dict()["cluster"]["jobs"] == 3
    spec = SchedulerSpec(
        kind, jobqueue=tuple(config.cluster.options().items()), jobs=config.cluster.jobs
    )
    assert spec.jobs == 3 and "3 job(s) x 8 worker processes" in spec.describe()
    cluster = jobqueue_cluster(spec)
    try:
        script = cluster.job_script()
        # its scheduler (in this process) hands out one block per worker thread at a time
        assert cluster.scheduler.WORKER_SATURATION == WORKER_SATURATION
    finally:
        cluster.close()
    if kind == "slurm":
        for line in (
            "#SBATCH -p normal",
            "#SBATCH -A nn1234k",
            "#SBATCH --cpus-per-task=8",
            "#SBATCH -t 02:30:00",
            "#SBATCH --exclusive",
        ):
            assert line in script, line
    else:
        for line in ("#PBS -q normal", "#PBS -A nn1234k", "ncpus=8", "walltime=02:30:00"):
            assert line in script, line
    assert "--nworkers 8" in script and "--nthreads 1" in script


@pytest.mark.parametrize(
    ("key", "value", "rule"),
    [
        ("walltime", "two hours", "a time such as"),
        ("memory", "lots", "a size such as"),
        ("kind", "lsf", "must be one of"),
        ("processes", 16, "must be in [1, 8]"),
    ],
)
def test_bad_cluster_sections(key, value, rule):
    with pytest.raises(ConfigError) as info:
        config_with({**CLUSTER, key: value})
    assert info.value.field == f"cluster.{key}" and rule in str(info.value)


def test_cluster_flag_needs_a_cluster_section(tmp_path, capsys):
    code = main(
        [
            "run",
            str(CONFIGS / "tbu-2025.yaml"),
            "--cluster",
            "slurm",
            "--quiet",
            "--out",
            str(tmp_path / "x"),
        ]
    )
    assert code == 2
    assert "needs a cluster: section" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
