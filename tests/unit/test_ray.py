"""The Ray executor against a local Ray the test starts (slow: Ray takes seconds to start)."""

import pytest

from core.config import DataConfig, ModelConfig
from core.explore.executors import run_sweep
from core.explore.sweeps import SweepSpec

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def test_ray_executor_matches_serial(local_ray):
    spec = SweepSpec(DataConfig(), ModelConfig(epochs=3), {"hidden_units": [(8,), (32,)], "kind": ["numpy_mlp", "knn"]})
    serial = run_sweep(spec)
    remote = run_sweep(spec, executor="ray")
    assert [t.params for t in remote] == [t.params for t in serial]
    assert all(t.executor == "ray" and t.status == "complete" for t in remote)
    for a, b in zip(serial, remote, strict=True):
        assert a.metrics["accuracy"] == pytest.approx(b.metrics["accuracy"])
