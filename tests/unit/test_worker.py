"""The Keras worker process: TensorFlow loads there, results and progress come back, errors stay errors."""

import pytest

from core import DataConfig, DataError, ModelConfig
from core.worker import TrainingWorker

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def worker():
    w = TrainingWorker().start()
    yield w
    w.close()


def test_worker_trains_keras_and_streams_epochs(worker):
    logs = []
    result = worker.run(DataConfig(), ModelConfig(kind="keras_mlp", epochs=3), callback=logs.append)
    assert [log.epoch for log in logs] == [1, 2, 3]
    assert result.model_repr.startswith("KerasMLP") and result.validation.accuracy > 0.8


def test_stop_request_is_honoured_at_that_epoch(worker):
    result = worker.run(DataConfig(), ModelConfig(kind="keras_mlp", epochs=50), callback=lambda log: log.epoch >= 2)
    assert result.stopped and result.cost.epochs_run == 2


def test_core_errors_cross_back_as_the_same_type(worker):
    with pytest.raises(DataError, match="Too few rows"):
        worker.run(DataConfig(n_rows=10, val_fraction=0.1, test_fraction=0.1), ModelConfig(kind="keras_mlp"))
    assert worker.alive and worker.ready  # and the worker carries on
