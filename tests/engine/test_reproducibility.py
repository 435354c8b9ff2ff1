"""Same seed and block size give bit-identical draws under every scheduler and worker count."""

import numpy as np
import pytest

from mc.engine import BlockPlan, SchedulerSpec, simulate
from mc.errors import BlockError
from mc.model.demographic import build_model

ENTROPY = 987654321
PLAN = BlockPlan(20_000, 5_000)


@pytest.fixture(scope="module")
def model(config_2025):
    return build_model(config_2025)


@pytest.fixture(scope="module")
def reference(model):
    return simulate(model, PLAN, ENTROPY, SchedulerSpec("sync"))


def assert_identical(a, b):
    assert a.draws.keys() == b.draws.keys()
    for name in a.draws:
        np.testing.assert_array_equal(a.draws[name], b.draws[name], err_msg=name)
        np.testing.assert_array_equal(a.moments[name].mean, b.moments[name].mean, err_msg=name)
        np.testing.assert_array_equal(a.moments[name].m2, b.moments[name].m2, err_msg=name)


def test_shapes(reference, model):
    assert reference.draws["demographic_cost_total_bn"].shape == (4, 5_000, 3, 1)
    assert reference.draws["demographic_cost_sector_bn"].shape == (
        4,
        5_000,
        3,
        1,
        len(model.sectors),
    )


@pytest.mark.parametrize(
    "spec",
    [
        SchedulerSpec("threads", workers=2),
        SchedulerSpec("processes", workers=1),
        SchedulerSpec("processes", workers=2),
    ],
    ids=lambda s: s.describe(),
)
def test_bit_identical_across_schedulers(model, reference, spec):
    assert_identical(reference, simulate(model, PLAN, ENTROPY, spec))


def test_started_clusters_queue_one_block_ahead_on_each_worker():
    from mc.engine.schedulers import WORKER_SATURATION, dask_client

    assert WORKER_SATURATION == 1.1  # two blocks a single-threaded worker: the running, the next
    with dask_client(SchedulerSpec("threads", workers=2)) as client:
        seen = client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.WORKER_SATURATION)
    assert seen == WORKER_SATURATION


def test_existing_client_and_address(model, reference):
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster:
        with Client(cluster) as client:
            assert_identical(reference, simulate(model, PLAN, ENTROPY, client=client))
        spec = SchedulerSpec("address", address=cluster.scheduler_address)
        assert_identical(reference, simulate(model, PLAN, ENTROPY, spec))


def test_growing_the_run_keeps_earlier_blocks(model, reference):
    bigger = simulate(model, BlockPlan(30_000, 5_000), ENTROPY, SchedulerSpec("sync"))
    for name in reference.draws:
        np.testing.assert_array_equal(bigger.draws[name][:4], reference.draws[name])


def test_other_seed_other_draws(model, reference):
    other = simulate(model, PLAN, ENTROPY + 1, SchedulerSpec("sync"))
    x = reference.draws["demographic_cost_total_bn"]
    assert not np.array_equal(x, other.draws["demographic_cost_total_bn"])


def test_blocks_behave_as_independent_chains(reference):
    # independent streams: block means differ only by Monte Carlo error
    x = reference.draws["demographic_cost_total_bn"][..., 0, 0]
    block_means = x.mean(axis=1)
    se = x.std() / np.sqrt(x.shape[1])
    assert np.all(np.abs(block_means - x.mean()) < 5 * se)


class FailsOnThirdBlock:
    """A model whose third call fails (blocks run in order under `sync`)."""

    def __init__(self):
        self.calls = 0

    def simulate(self, rng, n):
        self.calls += 1
        if self.calls == 3:
            raise RuntimeError("boom")
        return {"x": rng.standard_normal((n, 1))}


def test_failing_block_reports_block_seed_and_traceback():
    with pytest.raises(BlockError) as info:
        simulate(FailsOnThirdBlock(), BlockPlan(40, 10), 5, SchedulerSpec("sync"))
    assert info.value.block == 2
    assert info.value.entropy == 5
    assert "boom" in info.value.detail and "Traceback" in info.value.detail


class NotFinite:
    def simulate(self, rng, n):
        out = rng.standard_normal((n, 1))
        out[0, 0] = np.nan
        return {"x": out}


@pytest.mark.parametrize("spec", [SchedulerSpec("sync"), SchedulerSpec("threads", workers=1)])
def test_nan_never_passes_silently(spec):
    with pytest.raises(BlockError, match="non-finite draws"):
        simulate(NotFinite(), BlockPlan(20, 10), 1, spec, retries=0)


@pytest.fixture(scope="module")
def component_model(data_dir):
    from mc.model.config import Config, load_config
    from tests.conftest import CONFIGS

    raw = load_config(CONFIGS / "tbu-2025-projection.yaml").to_dict()
    raw["population"] = {
        "kind": "components",
        "data": str(data_dir),
        "immigrant_profile": raw["population"]["immigrant_profile"],
    }
    return build_model(Config.from_dict(raw, CONFIGS))


@pytest.mark.parametrize(
    "spec",
    [SchedulerSpec("threads", workers=2), SchedulerSpec("processes", workers=2)],
    ids=lambda s: s.describe(),
)
def test_component_costs_bit_identical_across_schedulers(component_model, spec):
    plan = BlockPlan(4_000, 1_000)
    reference = simulate(component_model, plan, ENTROPY, SchedulerSpec("sync"))
    assert_identical(reference, simulate(component_model, plan, ENTROPY, spec))
