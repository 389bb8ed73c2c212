"""Training runs and sweeps as server-side jobs: they belong to the server process, not to a browser tab.

Streamlit interrupts a script when a widget changes, and a reload starts a new session: a run inside the
script would die with it, or train on with nothing able to stop it. Here a job runs in a background thread
(its training in a worker process) and is kept in a process-wide :data:`REGISTRY` under an id the page puts
in the address bar (``?job=<id>``), so a reload reattaches to it. Each job writes its own rows to the run
store as it goes (a run: "running" then its final status; a sweep: each trial as it finishes), so nothing
depends on a page being there when it ends. A training job no page has polled for ``GRACE_S`` is stopped
and recorded ``stopped``; starting a run stops the session's previous one without waiting for it.
"""

from __future__ import annotations

import secrets
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core import CoreError, DataConfig, EpochLog, ModelConfig, RunResult, train
from core.data.prepare import PreparedData
from core.explore.sweeps import Trial
from core.records.keep import STORE_ERRORS, keep_in_file, refusal, save_unsaved, stand_in
from core.records.unsaved import Unsaved
from core.status import Status
from core.training.progress import BatchClock, Progress
from core.training.worker import RunStopped, WorkerPool

GRACE_S = 60.0  # a training job whose page has not polled it for this long is stopped
KEEP_FINISHED_S = 600.0  # finished jobs stay reattachable this long


class _Background(ABC):
    """Thread plumbing shared by the jobs: start, poll, wait, stop; errors become ``self.error``."""

    reap_when_unpolled = False  # the registry stops this kind of job once no page polls it
    error: str | None
    started_at: float
    stop_event: threading.Event
    _thread: threading.Thread | None
    job_id: str = ""
    owner: str | None = None
    last_poll: float = 0.0
    finished_at: float | None = None
    orphaned: bool = False  # stopped by the registry: no page polled it for GRACE_S
    stop_asked_at: float | None = None  # perf_counter of the first stop request

    @abstractmethod
    def _work(self) -> None:
        """The job itself, run in the thread."""

    def _finish(self) -> None:  # noqa: B027  (a hook: most jobs have nothing to do here)
        """Called in the thread once the work has ended, whatever the outcome."""

    def start(self):
        self.started_at = time.perf_counter()
        self.touch()
        self._thread = threading.Thread(target=self._guarded, name=f"tradeoff-{type(self).__name__}", daemon=True)
        self._thread.start()
        return self

    def _guarded(self) -> None:
        try:
            self._work()
        except CoreError as err:
            self.error = str(err)
        except Exception as err:  # a bug: report it on the page instead of dying silently in a thread
            self.error = f"Unexpected {type(err).__name__}: {err}"
        finally:
            try:
                self._finish()
            finally:
                self.finished_at = time.perf_counter()
                self._news()

    def wait_change(self, timeout: float) -> None:
        """Return when the job has news (an epoch, a halt, its end) or after ``timeout`` seconds."""
        changed = self.__dict__.setdefault("_changed", threading.Event())
        changed.wait(timeout)
        changed.clear()

    def _news(self) -> None:
        self.__dict__.setdefault("_changed", threading.Event()).set()

    def touch(self) -> None:
        """A page is showing this job: keep it alive."""
        self.last_poll = time.monotonic()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def elapsed_s(self) -> float:
        """Seconds since the start; frozen once the job has ended."""
        end = self.finished_at if self.finished_at is not None else time.perf_counter()
        return end - self.started_at

    def request_stop(self) -> None:
        if not self.stop_event.is_set():
            self.stop_asked_at = time.perf_counter()
        self.stop_event.set()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)


def _store_call(job: _Background, write: Callable[[], Any]) -> Any:
    """A store write from a job's thread: a failure is kept as ``job.store_error`` (``refusal``), never raised."""
    try:
        return write()
    except STORE_ERRORS as err:
        job.store_error = refusal(err)
        return None


def kept_sentence(path: str | None, what: str = "It is") -> str:
    """The warning's end: where the refused run(s) wait and how to add them to the history."""
    if not path:
        return f" {what} still shown here."
    them = "it" if what == "It is" else "them"
    return (
        f" {what} still shown here, and kept in {path}: History's “Import them” button (or python -m core runs "
        f"import --unsaved) adds {them} to the history."
    )


@dataclass
class TrainingJob(_Background):
    data_cfg: DataConfig
    model_cfg: ModelConfig
    prepared: PreparedData | None = None  # for a run in this process (no pool: tests)
    pool: WorkerPool | None = None  # the worker pool that trains it (the app: always)
    context: str = "serial"  # stored as cost.timing_context
    store: Any = None  # a RunStore: the job saves itself ("running", then its final status)
    logs: list[EpochLog] = field(default_factory=list)
    result: RunResult | None = None
    error: str | None = None
    auto: bool = False  # started by auto-train: superseded as soon as the widgets move on
    halted_at: float | None = None  # when training stopped on request (perf_counter); scoring follows
    stopped_without_model: str | None = None  # why a stopped run kept no model (a scikit-learn fit)
    store_id: int | None = None  # its row in the run store
    store_error: str | None = None
    recovery_path: str | None = None  # where a result the store refused was kept instead (runs import adds it)
    estimate_s: float | None = None  # the estimate the page showed before the run; stored in cost.estimate_s
    boundary: Any = None  # 2-D data: the latest decision-boundary snapshot from the worker (a BoundarySnapshot)
    batches: BatchClock | None = None  # networks: per-batch progress from the worker, for the ETA
    started_at: float = field(default_factory=time.perf_counter)
    stop_event: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    reap_when_unpolled = True

    def _work(self) -> None:
        if self.store is not None:
            self.store_id = _store_call(
                self,
                lambda: self.store.save(
                    None, status=Status.RUNNING, dataset=self.data_cfg.dataset, model=self.model_cfg.kind.value
                ),
            )
        try:
            if self.stop_event.is_set():
                raise RunStopped("Stopped before it started.")
            if self.pool is not None:
                self.result = self.pool.run(
                    self.data_cfg,
                    self.model_cfg,
                    callback=self._on_epoch,
                    should_stop=self.stop_event.is_set,
                    on_halted=self._halted,
                    context=self.context,
                    on_boundary=self._on_boundary,
                    on_batch=self._on_batch,
                )
            else:
                progress = Progress(on_epoch=self._on_epoch, should_stop=self._stop_seen, on_batch=self._on_batch)
                self.result = train(self.data_cfg, self.model_cfg, callback=progress, prepared=self.prepared)
        except RunStopped as err:
            self.stopped_without_model = str(err)
        if self.result is not None and self.estimate_s is not None:
            self.result = self.result.with_estimate(self.estimate_s)
        if self.stopped and self.halted_at is None:
            self._halted()

    def _on_epoch(self, log: EpochLog) -> None:
        self.logs.append(log)
        self._news()

    def _on_batch(self, epoch: int, done: int, total: int) -> None:
        if self.batches is None:
            self.batches = BatchClock(epochs=self.model_cfg.epochs)
        self.batches.update(time.perf_counter(), epoch, done, total)  # no rerun: the live loop polls

    def _on_boundary(self, snapshot: Any) -> None:
        self.boundary = snapshot
        self._news()

    def _halted(self) -> None:
        self.halted_at = time.perf_counter()
        self._news()

    def _stop_seen(self) -> bool:
        """The in-process trainer's per-batch check; the first True is when training halts."""
        if not self.stop_event.is_set():
            return False
        if self.halted_at is None:
            self._halted()
        return True

    def _finish(self) -> None:
        if self.store is None:
            return
        if self.store_id is not None:
            self._save_final()
        if self.store_error is not None and self.result is not None:  # refused (locked, full): kept in a file
            self.recovery_path, problem = keep_in_file(self.result, error=self.store_error)
            self.store_error += problem
        elif self.result is not None and stand_in(self.store):  # saved in memory only: kept in a file too
            self.recovery_path, _ = keep_in_file(self.result)

    def _save_final(self) -> None:
        if self.result is not None:
            status = Status.STOPPED if self.result.stopped else Status.COMPLETE
        else:
            status = Status.STOPPED if self.stopped_without_model or self.stop_event.is_set() else Status.FAILED
        error = self.error or self.stopped_without_model
        if self.orphaned:
            error = f"Stopped: no page showed this run for {GRACE_S:.0f} s." + (f" {error}" if error else "")
        _store_call(self, lambda: self.store.finish(self.store_id, self.result, status=status, error=error))

    @property
    def stopped(self) -> bool:
        return (self.result is not None and self.result.stopped) or self.stopped_without_model is not None

    def matches(self, data_cfg: DataConfig, model_cfg: ModelConfig) -> bool:
        return self.data_cfg == data_cfg and self.model_cfg == model_cfg


@dataclass
class SweepJob(_Background):
    """A grid sweep or an Optuna search; trials arrive one by one and each is saved as it finishes."""

    run: Callable[..., Any]  # core.explore.executors.run_sweep or core.explore.search.search, its arguments bound
    total: int
    store: Any = None  # a RunStore: every trial is saved from the job, failed ones too
    trials: list[Trial] = field(default_factory=list)
    front: list[int] | None = None  # search only: the study's Pareto-best trials
    saved_ids: list[int] = field(default_factory=list)
    group_id: str = field(default_factory=lambda: "sweep-" + secrets.token_hex(6))  # History groups its trials
    store_error: str | None = None
    refused: list[Unsaved] = field(default_factory=list)  # trials the store refused: written to one file at the end
    recovery_path: str | None = None  # that file (History's "import them" button or runs import --unsaved adds it)
    error: str | None = None
    started_at: float = field(default_factory=time.perf_counter)
    stop_event: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _on_trial(self, trial: Trial, done: int, total: int) -> None:
        self.trials.append(trial)
        if self.store is not None:
            run = Unsaved(
                trial.result,
                kind="trial",
                status=Status.FAILED if trial.result is None else None,
                dataset=trial.data_config.get("dataset"),
                model=trial.model_config.get("kind"),
                error=trial.error,
                group=self.group_id,
            )
            saved = _store_call(self, lambda: save_unsaved(self.store, run))
            if saved is not None:
                self.saved_ids.append(saved)
            if saved is None or stand_in(self.store):  # not in the configured store: written to a file at the end
                self.refused.append(run)

    def _finish(self) -> None:
        if self.refused:  # refused (locked, full): every refused trial kept in ONE file, the warning names it
            self.recovery_path, problem = keep_in_file(self.refused, kind="sweep")
            if problem:
                self.store_error = (self.store_error or "") + problem

    def _work(self) -> None:
        out = self.run(on_trial=self._on_trial, should_stop=self.stop_event.is_set)
        if isinstance(out, tuple):  # search returns (front, trials)
            self.front = out[0]


class JobRegistry:
    """Every job of this server process by id; a reaper thread stops training jobs no page polls."""

    def __init__(self, grace_s: float = GRACE_S, check_every_s: float = 1.0) -> None:
        self.grace_s, self.check_every_s = grace_s, check_every_s
        self._jobs: dict[str, _Background] = {}
        self._lock = threading.Lock()
        self._reaper: threading.Thread | None = None

    def start(self, job: _Background, *, owner: str | None = None) -> _Background:
        """Register and start ``job``; the owner's running jobs of the same kind are asked to stop (no wait)."""
        with self._lock:
            now = time.perf_counter()
            for old_id, old in list(self._jobs.items()):
                if owner is not None and old.owner == owner and type(old) is type(job) and old.running:
                    old.request_stop()
                if old.finished_at is not None and now - old.finished_at > KEEP_FINISHED_S:
                    del self._jobs[old_id]
            job.job_id, job.owner = secrets.token_urlsafe(8), owner
            self._jobs[job.job_id] = job
            if self._reaper is None or not self._reaper.is_alive():
                self._reaper = threading.Thread(target=self._reap_loop, name="tradeoff-job-reaper", daemon=True)
                self._reaper.start()
        return job.start()

    def get(self, job_id: str | None) -> _Background | None:
        with self._lock:
            return self._jobs.get(job_id or "")

    def running(self) -> list[_Background]:
        with self._lock:
            return [j for j in self._jobs.values() if j.running]

    def reap(self) -> list[_Background]:
        """Stop the training jobs no page has polled for ``grace_s``; returns them."""
        stale = []
        now = time.monotonic()
        for job in self.running():
            if job.reap_when_unpolled and not job.stop_event.is_set() and now - job.last_poll > self.grace_s:
                job.orphaned = True
                job.request_stop()
                stale.append(job)
        return stale

    def _reap_loop(self) -> None:
        while True:
            time.sleep(self.check_every_s)
            self.reap()


REGISTRY = JobRegistry()
