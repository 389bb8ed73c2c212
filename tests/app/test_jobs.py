"""The background training job behind the Train page's live progress and Stop button."""

from core import DataConfig, ModelConfig
from ui.jobs import TrainingJob


def test_job_reports_epochs_and_finishes_with_a_result():
    job = TrainingJob(DataConfig(), ModelConfig(epochs=3)).start()
    job.wait(60)
    assert not job.running and job.error is None
    assert [log.epoch for log in job.logs] == [1, 2, 3]
    assert job.result is not None and not job.result.stopped
    assert job.matches(DataConfig(), ModelConfig(epochs=3)) and not job.matches(DataConfig(), ModelConfig())


def test_stop_request_ends_the_run_early_and_keeps_the_partial_model():
    job = TrainingJob(DataConfig(), ModelConfig(epochs=1000, hidden_units=(256, 256)))
    job.stop_event.set()  # asked before the first epoch ends: it stops after one
    job.start().wait(60)
    assert job.result is not None and job.result.stopped
    assert job.result.cost.epochs_run == 1 and job.result.validation.accuracy > 0


def test_a_bad_configuration_becomes_a_message_not_a_dead_thread():
    job = TrainingJob(DataConfig(n_rows=10, val_fraction=0.1, test_fraction=0.1), ModelConfig()).start()
    job.wait(60)
    assert job.result is None and "Too few rows" in job.error
