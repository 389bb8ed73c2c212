"""Training workers: results and progress come back, stops land within a batch, errors stay errors, and peak
memory is the run's own, measured in the process that trains."""

import subprocess
import sys
import threading
import time

import pytest

from core import DataConfig, DataError, ModelConfig
from core.config import ModelKind
from core.training.worker import RunStopped, TrainingWorker, WorkerPool

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def worker():
    w = TrainingWorker().start()
    yield w
    w.close()


@pytest.fixture(scope="module")
def light():
    w = TrainingWorker(tensorflow=False).start()
    yield w
    w.close()


def _stop_after_first_epoch(worker, data_cfg, model_cfg):
    """Run, ask for a stop once the first epoch is in, and return (result, seconds from request to halt)."""
    asked, halted = [], []

    def on_epoch(log):
        if not asked:
            asked.append(time.perf_counter())
            worker.request_stop()

    result = worker.run(data_cfg, model_cfg, callback=on_epoch, on_halted=lambda: halted.append(time.perf_counter()))
    return result, halted[0] - asked[0]


def test_peak_memory_oracle_a_50_mb_allocation_in_a_fresh_process_reads_at_least_50_mb():
    code = (
        "import time, numpy as np\n"
        "from core.training.perf import PeakMemory\n"
        "with PeakMemory() as m:\n"
        "    block = np.ones(50_000_000 // 8)  # 50 MB, every page written\n"
        "    time.sleep(0.1)\n"
        "    del block\n"
        "print(m.peak_delta_mb)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    peak_mb = float(out.stdout.strip())
    assert 50.0 <= peak_mb < 60.0


def test_a_runs_peak_memory_is_its_own_and_repeatable(light):
    cfg = ModelConfig(hidden_units=(1024, 1024), epochs=1, batch_size=128)
    data = DataConfig(n_rows=300)
    first = light.run(data, cfg)
    second = light.run(data, cfg)
    weights_and_adam_mb = first.cost.n_params * 4 * 3 / 1e6  # float32 weights and two Adam moments, all live
    for run in (first, second):
        assert run.cost.peak_memory_mb >= weights_and_adam_mb
    assert abs(first.cost.peak_memory_mb - second.cost.peak_memory_mb) <= 0.25 * first.cost.peak_memory_mb


def test_light_worker_streams_epochs_and_stores_the_timing_context(light):
    logs = []
    result = light.run(DataConfig(), ModelConfig(epochs=3), callback=logs.append, context="parallel:2")
    assert [log.epoch for log in logs] == [1, 2, 3] and not result.stopped
    assert result.cost.timing_context == "parallel:2"
    assert light.run(DataConfig(), ModelConfig(epochs=1)).cost.timing_context == "serial"


def test_runs_that_overlap_are_stamped_parallel_and_a_run_superseding_a_stopped_one_is_not(light):
    other = TrainingWorker(tensorflow=False).start()
    try:
        long = ModelConfig(epochs=1000, hidden_units=(256,))
        for stop_first, expected in ((False, "parallel:2"), (True, "serial")):
            started, results = threading.Event(), {}

            def first(results=results, started=started):
                results["first"] = light.run(DataConfig(), long, callback=lambda log: started.set())

            thread = threading.Thread(target=first)
            thread.start()
            assert started.wait(60)
            if stop_first:
                light.request_stop()  # superseded: it ends within a batch and does not count
            results["second"] = other.run(DataConfig(), ModelConfig(epochs=2))
            light.request_stop()
            thread.join(60)
            assert results["second"].cost.timing_context == expected
            assert results["first"].cost.timing_context == expected
    finally:
        other.close()


def test_numpy_stop_lands_within_a_batch(light):
    result, stop_s = _stop_after_first_epoch(light, DataConfig(), ModelConfig(epochs=1000, hidden_units=(512, 512)))
    assert result.stopped and 1 <= result.cost.epochs_run < 1000
    assert stop_s < 1.0


def test_stopping_a_scikit_learn_fit_restarts_its_worker_and_the_next_run_works(light):
    timer = threading.Timer(0.5, light.request_stop)
    timer.start()
    started = time.perf_counter()
    slow = ModelConfig(kind=ModelKind.RANDOM_FOREST, n_trees=2000)
    with pytest.raises(RunStopped, match="random_forest"):
        light.run(DataConfig(dataset="synthetic", n_samples=20000), slow)
    assert time.perf_counter() - started < 3.0
    assert light.run(DataConfig(), ModelConfig(epochs=1)).validation.accuracy > 0.5


def test_a_pool_never_queues_a_new_run_behind_a_busy_worker():
    pool = WorkerPool(tensorflow=False, warm=1, max_size=2).start()
    try:
        first = pool.acquire()
        second = pool.acquire(stopping_wait_s=0.0)
        assert second is not first and pool.busy_count == 2
        pool.release(first)
        assert pool.acquire() is first  # an idle worker is reused
    finally:
        pool.close()


def test_worker_trains_keras_and_streams_epochs(worker):
    logs = []
    result = worker.run(DataConfig(), ModelConfig(kind="keras_mlp", epochs=3), callback=logs.append)
    assert [log.epoch for log in logs] == [1, 2, 3]
    assert result.model_repr.startswith("KerasMLP") and result.validation.accuracy > 0.8


def test_a_callback_asking_to_stop_is_honoured_within_a_batch_of_its_answer(worker):
    # the worker does not wait for the answer: epoch 3 has begun when it arrives, and ends at the next batch
    result = worker.run(DataConfig(), ModelConfig(kind="keras_mlp", epochs=50), callback=lambda log: log.epoch >= 2)
    assert result.stopped and 2 <= result.cost.epochs_run <= 3


def test_keras_stop_lands_within_a_batch(worker):
    cfg = ModelConfig(kind="keras_mlp", epochs=200, batch_size=8, hidden_units=(256, 256))
    result, stop_s = _stop_after_first_epoch(worker, DataConfig(), cfg)
    assert result.stopped and result.cost.epochs_run < 200
    assert stop_s < 1.0


def test_core_errors_cross_back_as_the_same_type(worker):
    with pytest.raises(DataError, match="Too few rows"):
        worker.run(DataConfig(n_rows=10, val_fraction=0.1, test_fraction=0.1), ModelConfig(kind="keras_mlp"))
    assert worker.alive and worker.ready  # and the worker carries on


def test_a_2d_run_streams_its_decision_boundary_and_the_last_one_is_the_final_models(light):
    from core.explain.boundary import Grid, boundary
    from core.training.trainer import train

    data_cfg, model_cfg = DataConfig(dataset="moons"), ModelConfig(epochs=40, hidden_units=(16,))
    snapshots = []
    result = light.run(data_cfg, model_cfg, on_boundary=snapshots.append)
    assert snapshots and snapshots[-1].epoch == result.cost.epochs_run == 40
    assert snapshots[-1].proba.shape == (60, 60, 2)
    # the same seeded run in this process gives the same final boundary: the snapshot is the model's, not a copy
    from core.data.prepare import prepare

    data = prepare(data_cfg)
    models = []

    class Keep:
        def attach(self, model):
            models.append(model)

        def __call__(self, log):
            return False

    train(data_cfg, model_cfg, callback=Keep(), prepared=data)
    final = boundary(models[0], Grid.around(data.X_train), epoch=40)
    assert abs(final.proba - snapshots[-1].proba).max() < 1e-6
    if len(snapshots) > 1:  # a slow machine may send only the last one (snapshots are at most 4 a second)
        assert abs(snapshots[0].proba - snapshots[-1].proba).max() > 0.01  # the boundary moved while it learned


def _batch_reports(worker, model_cfg):
    reports = []
    result = worker.run(DataConfig(), model_cfg, on_batch=lambda *r: reports.append(r))
    return result, reports


def test_numpy_reports_batch_progress_each_epoch_ending_on_its_last_batch(light):
    cfg = ModelConfig(epochs=3, batch_size=32)
    result, reports = _batch_reports(light, cfg)
    total = -(-result.dataset["n_train"] // 32)
    assert reports and {r[2] for r in reports} == {total}
    assert [r for r in reports if r[1] == total] == [(e, total, total) for e in (1, 2, 3)]
    assert all(1 <= done <= total for _, done, _ in reports)


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_keras_reports_batch_progress_on_both_engines(worker, backend):
    cfg = ModelConfig(kind="keras_mlp", epochs=4, batch_size=4, hidden_units=(64,), backend=backend)
    result, reports = _batch_reports(worker, cfg)
    total = -(-result.dataset["n_train"] // 4)
    assert reports, "no batch progress reached the parent"
    assert {r[2] for r in reports} == {total} and all(0 <= done <= total for _, done, _ in reports)
    assert {epoch for epoch, _, _ in reports} <= {1, 2, 3, 4}
    assert any(0 < done < total for _, done, _ in reports)  # heard mid-epoch, not only at its end
