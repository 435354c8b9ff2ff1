"""Batch clusters through dask-jobqueue: the generated job script carries the config's settings.

There is no SLURM or PBS here; dask-jobqueue writes the script without submitting anything.
"""

import os
import shutil
import subprocess

import dask
import pytest

from mc.cli.main import main
from mc.engine.schedulers import (
    QUIET_DASK,
    WORKER_MALLOC,
    WORKER_SATURATION,
    SchedulerSpec,
    dask_environment,
    jobqueue_cluster,
)
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


def job_script(kind, **options):
    cluster = jobqueue_cluster(
        SchedulerSpec(kind, jobqueue=tuple({"cores": 1, "memory": "1GB", **options}.items()))
    )
    try:
        return cluster.job_script()
    finally:
        cluster.close()


#: What a batch job's script exports ahead of the user's prologue: the allocator settings and
#: Dask's quiet housekeeping.
OURS = {**WORKER_MALLOC, **dask_environment(QUIET_DASK)}


def environment_of_workers(script):
    """What the worker command of ``script`` would see (of :data:`OURS`): the script run up to it.

    The job's shell starts with Dask's 64 kB trim threshold in its environment, as a nanny's
    parent can have it; the script's own exports must replace it.
    """
    lines = script.splitlines()
    (at,) = [i for i, line in enumerate(lines) if "distributed.cli.dask_worker" in line]
    body = "\n".join(
        [
            *lines[:at],
            'printf "%s=%s\\n" ' + " ".join(f'{name} "${name}"' for name in OURS),
        ]
    )
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "MALLOC_TRIM_THRESHOLD_": "65536"}
    out = subprocess.run(
        ["bash", "-c", body], env=env, capture_output=True, text=True, check=True
    ).stdout
    return dict(line.split("=", 1) for line in out.splitlines())


needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="runs the job script in bash")


@needs_bash
@pytest.mark.parametrize("kind", ["slurm", "pbs"])
def test_batch_workers_start_with_the_allocator_settings(kind):
    script = job_script(kind)
    exports = [line for line in script.splitlines() if line.startswith("export ")]
    assert exports == [f"export {name}={value}" for name, value in OURS.items()]
    assert environment_of_workers(script) == OURS
    # what a worker's Dask reads from them
    with dask.config.set(dask.config.collect_env(environment_of_workers(script))):
        assert {key: dask.config.get(key) for key in QUIET_DASK} == QUIET_DASK


@needs_bash
@pytest.mark.parametrize("where", ["option", "config", "env_extra"])
def test_the_users_prologue_is_kept_and_its_exports_win(where):
    user = ["export OMP_NUM_THREADS=1", "export MALLOC_ARENA_MAX=4"]
    options = {}
    settings = {}
    if where == "option":
        options["job_script_prologue"] = user
    elif where == "config":
        settings["jobqueue.slurm.job-script-prologue"] = user
    else:  # dask-jobqueue's older name, still read when no prologue is given
        options["env_extra"] = user
    with dask.config.set(settings):
        script = job_script("slurm", **options)
    lines = script.splitlines()
    ours = [lines.index(f"export {name}={value}") for name, value in OURS.items()]
    theirs = [lines.index(line) for line in user]
    assert max(ours) < min(theirs), "the user's lines come after ours"
    assert environment_of_workers(script) == {**OURS, "MALLOC_ARENA_MAX": "4"}


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
