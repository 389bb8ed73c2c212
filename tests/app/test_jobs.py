"""Server-side jobs: live progress, stop within a batch, a registry that outlives pages, runs that save themselves."""

import threading
import time
from pathlib import Path

import pytest

from core import DataConfig, ModelConfig
from core.explore.sweeps import Trial
from core.records.store import RunStore
from ui.jobs import JobRegistry, SweepJob, TrainingJob


def test_job_reports_epochs_and_finishes_with_a_result():
    job = TrainingJob(DataConfig(), ModelConfig(epochs=3)).start()
    job.wait(60)
    assert not job.running and job.error is None
    assert [log.epoch for log in job.logs] == [1, 2, 3]
    assert job.result is not None and not job.result.stopped
    assert job.matches(DataConfig(), ModelConfig(epochs=3)) and not job.matches(DataConfig(), ModelConfig())
    elapsed = job.elapsed_s
    time.sleep(0.05)
    assert job.elapsed_s == elapsed  # the clock stops when the job ends


def test_stop_ends_the_run_within_a_batch_and_keeps_the_partial_model():
    # 1,000 epochs of a wide net: only a stop inside an epoch ends it this soon
    job = TrainingJob(DataConfig(), ModelConfig(epochs=1000, hidden_units=(512, 512), batch_size=16)).start()
    deadline = time.monotonic() + 60
    while not job.logs and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)  # into the second epoch
    asked = time.perf_counter()
    job.request_stop()
    deadline = time.monotonic() + 30
    while job.halted_at is None and time.monotonic() < deadline:
        time.sleep(0.005)
    job.wait(60)
    assert job.result is not None and job.result.stopped and job.stopped
    assert job.halted_at - asked < 1.0
    assert 1 <= job.result.cost.epochs_run < 1000 and job.result.validation.accuracy > 0


def test_a_bad_configuration_becomes_a_message_not_a_dead_thread():
    job = TrainingJob(DataConfig(n_rows=10, val_fraction=0.1, test_fraction=0.1), ModelConfig()).start()
    job.wait(60)
    assert job.result is None and "Too few rows" in job.error


@pytest.fixture
def store():
    return RunStore("sqlite://")


def test_a_job_saves_itself_running_then_complete(store):
    job = TrainingJob(DataConfig(), ModelConfig(epochs=2), store=store).start()
    job.wait(60)
    row = store.get(job.store_id)
    assert row.status == "complete" and row.result.validation.accuracy == job.result.validation.accuracy


def test_a_new_job_stops_the_same_owners_previous_one_without_waiting(store):
    registry = JobRegistry()
    long = ModelConfig(epochs=1000, hidden_units=(256,))
    first = registry.start(TrainingJob(DataConfig(), long, store=store), owner="a")
    other = registry.start(TrainingJob(DataConfig(), long), owner="b")
    started = time.perf_counter()
    second = registry.start(TrainingJob(DataConfig(), ModelConfig(epochs=2)), owner="a")
    assert time.perf_counter() - started < 0.5  # never waits behind the old run
    assert first.stop_event.is_set() and not other.stop_event.is_set()
    assert registry.get(second.job_id) is second and registry.get("nope") is None
    first.wait(60)
    other.request_stop()
    other.wait(60)
    second.wait(60)
    assert store.get(first.store_id).status == "stopped"  # never left "running"
    assert second.result is not None and not second.result.stopped


def test_a_job_no_page_polls_is_stopped_after_the_grace_period_and_recorded(store):
    registry = JobRegistry(grace_s=2.0, check_every_s=0.05)  # generous: a loaded CI machine can starve the touch loop
    polled = registry.start(TrainingJob(DataConfig(), ModelConfig(epochs=1000, hidden_units=(256,))), owner="a")
    orphan = registry.start(TrainingJob(DataConfig(), ModelConfig(epochs=1000), store=store), owner="b")
    deadline = time.monotonic() + 30
    while orphan.running and time.monotonic() < deadline:
        polled.touch()  # a page keeps showing this one
        time.sleep(0.05)
    assert not orphan.running and orphan.orphaned and orphan.result.stopped
    assert polled.running and not polled.orphaned
    row = store.get(orphan.store_id)
    assert row.status == "stopped" and "no page showed this run" in row.error
    polled.request_stop()
    polled.wait(60)


def test_a_sweep_saves_each_trial_as_it_finishes(store):
    release = threading.Event()
    saved_midway: list[int] = []

    def fake_sweep(on_trial, should_stop):
        for i in range(2):
            trial = Trial(i, {"epochs": i + 1}, 0, 0, "failed", error="boom", data_config={"dataset": "digits"},
                          model_config={"kind": "numpy_mlp"})  # fmt: skip
            on_trial(trial, i + 1, 2)
            if i == 0:
                saved_midway.append(store.count())
                release.wait(10)
        return []

    job = SweepJob(fake_sweep, total=2, store=store).start()
    deadline = time.monotonic() + 10
    while not saved_midway and time.monotonic() < deadline:
        time.sleep(0.01)
    assert saved_midway == [1] and job.running  # in the store while the sweep still runs
    release.set()
    job.wait(10)
    assert store.count() == 2 and len(job.saved_ids) == 2 and job.store_error is None


def test_the_train_page_reattaches_to_the_job_named_in_the_address_bar():
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from ui.jobs import REGISTRY

    cfg = ModelConfig(epochs=7, hidden_units=(32,))
    job = REGISTRY.start(TrainingJob(DataConfig(), cfg), owner="a page that was reloaded")
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "app.py"), default_timeout=120)
    at.run()
    at.query_params["job"] = job.job_id
    at.switch_page("app_pages/train.py").run()
    assert not at.exception, at.exception
    assert at.slider(key="train_numpy_mlp_epochs").value == 7  # the widgets show the job's setup
    assert job.job_id in at.query_params["job"]  # the address bar keeps naming it
    assert any(h.value.startswith("Run 1:") for h in at.subheader)  # its result, not a new run
    assert job.result is not None and not job.running


def test_a_failed_save_is_kept_as_the_stores_own_sentence_never_a_class_name_or_sql():
    from types import SimpleNamespace

    from sqlalchemy.exc import OperationalError

    from core.records.store_db import StoreError
    from ui.jobs import _store_call

    def refuse(err):
        def write():
            raise err

        return write

    job = SimpleNamespace(store_error=None)
    locked = "The run store runs.sqlite is locked by another process (waited 5 s). Close the other program, try again."
    assert _store_call(job, refuse(StoreError(locked))) is None
    assert job.store_error == locked  # shown as "Could not save the run in the run history: <this> It is still …"
    _store_call(job, refuse(OperationalError("INSERT INTO runs VALUES (?)", (), Exception("disk I/O error"))))
    assert job.store_error == "The database refused the write (OperationalError)."


def test_a_run_the_locked_store_refuses_is_kept_in_a_file_that_import_adds(tmp_path, monkeypatch):
    """Nothing trained is lost to a lock: the app writes what the store refused where the CLI does
    (~/.tradeoff_lab/unsaved), in the export format, so History's Import or `runs import` adds it later."""
    import sqlite3

    monkeypatch.setenv("HOME", str(tmp_path))
    path = tmp_path / "runs.sqlite"
    store = RunStore(str(path), lock_s=0.3)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program holds the write lock for the whole run
    try:
        job = TrainingJob(DataConfig(), ModelConfig(epochs=1, hidden_units=(8,)), store=store).start()
        job.wait(60)
    finally:
        holder.close()
    assert job.result is not None and "locked" in job.store_error
    kept = Path(job.recovery_path)
    assert kept.parent == tmp_path / ".tradeoff_lab" / "unsaved" and kept.exists()
    assert store.count() == 0
    store.import_json(kept.read_bytes())
    (stored,) = store.list()
    assert stored.result == job.result and stored.status == "complete"
