"""A new user's first run (Home → Train, the default trains at once) while a Keras worker is still loading: the
loader is paused for the run, so the run is timed alone ("serial", on History's frontier) and the loader goes on
afterwards — through the app's own pools (ui.cached) and its job (ui.jobs)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import psutil
import pytest
from streamlit.testing.v1 import AppTest

from core import DataConfig, ModelConfig
from core.config import Backend
from core.training.worker import WorkerPool
from tests.unit.test_loader_pause import ForeverLoading, status, wait_status
from ui import cached
from ui.jobs import TrainingJob

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120  # AppTest's 3 s default is shorter than a worker start on a busy machine

pytestmark = pytest.mark.slow


@pytest.fixture
def loading_keras_pool():
    """The app's pools as a fresh server leaves them moments after Home: TensorFlow still loading in its worker
    (a fake that never finishes); the real pool, if a test before started one, is put back after."""
    pools = cached._POOLS
    keras = WorkerPool(tensorflow=True, warm=1, max_size=1)
    keras._new = lambda: ForeverLoading().start()
    real = pools._pools.get(Backend.TENSORFLOW)
    pools._pools[Backend.TENSORFLOW] = keras.start()
    try:
        yield keras.workers[0]
    finally:
        pools._pools[Backend.TENSORFLOW] = real
        if real is None:
            del pools._pools[Backend.TENSORFLOW]
        keras.close()


def test_the_apps_pools_pause_loaders_for_twenty_seconds_at_most():
    assert cached._POOLS.pause_loaders_s == cached.LOADER_PAUSE_CAP_S == 20.0
    assert TrainingJob(DataConfig(), ModelConfig()).context == "serial"  # the pool stamps "tensorflow-loading"


def test_a_training_job_beside_a_loading_worker_pauses_it_and_is_timed_alone(loading_keras_pool):
    seen = []
    job = TrainingJob(DataConfig(), ModelConfig(), pool=cached.pool_for(ModelConfig()))
    job._on_epoch = lambda log: seen.append(status(loading_keras_pool))  # the job's epoch hook, watched
    job.start().wait(120)
    assert job.error is None and job.result is not None
    assert seen and set(seen) == {psutil.STATUS_STOPPED}
    assert job.result.cost.timing_context == "serial"
    assert wait_status(loading_keras_pool, psutil.STATUS_SLEEPING) != psutil.STATUS_STOPPED


def test_a_stopped_job_resumes_the_loader(loading_keras_pool):
    job = TrainingJob(DataConfig(), ModelConfig(epochs=1000, hidden_units=(512,)), pool=cached.pool_for(ModelConfig()))
    job.start()
    deadline = time.monotonic() + 60
    while not job.logs and time.monotonic() < deadline:
        time.sleep(0.02)
    assert status(loading_keras_pool) == psutil.STATUS_STOPPED
    job.request_stop()
    job.wait(60)
    assert job.result is not None and job.result.stopped
    assert wait_status(loading_keras_pool, psutil.STATUS_SLEEPING) != psutil.STATUS_STOPPED


def test_home_then_train_the_first_run_is_serial_while_tensorflow_loads(loading_keras_pool):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page("app_pages/train.py").run()  # the default trains at once
    assert not at.exception, at.exception
    captions = [c.value for c in at.caption]
    timing = [m.group(1) for c in captions if (m := re.search(r"timing: (\S+)$", c))]
    assert timing == ["serial"], captions
    assert not any("TensorFlow was still loading" in c for c in captions)
    assert wait_status(loading_keras_pool, psutil.STATUS_SLEEPING) != psutil.STATUS_STOPPED
