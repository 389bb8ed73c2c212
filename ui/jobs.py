"""Training runs and sweeps in a background thread, so a page can show live progress and a Stop button.

Streamlit interrupts a script when a widget changes; a run in the script thread would die with it and lose
its partial result. Here the script only polls the job: a rerun finds the job still going, and a Stop click
sets its stop event, which training honours at the end of the epoch (or trial) in hand.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core import CoreError, DataConfig, EpochLog, ModelConfig, RunResult, train
from core.data import PreparedData
from core.sweeps import Trial
from core.worker import TrainingWorker


class _Background(ABC):
    """Thread plumbing shared by the jobs: start, poll, wait, stop; errors become ``self.error``."""

    error: str | None
    started_at: float
    stop_event: threading.Event
    _thread: threading.Thread | None

    @abstractmethod
    def _work(self) -> None:
        """The job itself, run in the thread."""

    def start(self):
        self.started_at = time.perf_counter()
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

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def elapsed_s(self) -> float:
        return time.perf_counter() - self.started_at

    def request_stop(self) -> None:
        self.stop_event.set()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)


@dataclass
class TrainingJob(_Background):
    data_cfg: DataConfig
    model_cfg: ModelConfig
    prepared: PreparedData | None = None
    worker: TrainingWorker | None = None  # set for Keras runs
    logs: list[EpochLog] = field(default_factory=list)
    result: RunResult | None = None
    error: str | None = None
    tensorflow_was_loading: bool = False  # the worker's TensorFlow import competed with this run for the CPU
    recorded: bool = False  # the page has added the result to the session
    store_id: int | None = None  # its row in the run store, saved as "running" when it started
    estimate_s: float | None = None  # the estimate the page showed before the run; stored in cost.estimate_s
    started_at: float = field(default_factory=time.perf_counter)
    stop_event: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _work(self) -> None:
        if self.worker is not None:  # Keras: in the worker process, where TensorFlow lives
            self.result = self.worker.run(self.data_cfg, self.model_cfg, callback=self._on_epoch)
        else:
            self.result = train(self.data_cfg, self.model_cfg, callback=self._on_epoch, prepared=self.prepared)
        if self.result is not None and self.estimate_s is not None:
            self.result = self.result.with_estimate(self.estimate_s)

    def _on_epoch(self, log: EpochLog) -> bool:
        self.logs.append(log)
        return self.stop_event.is_set()

    def matches(self, data_cfg: DataConfig, model_cfg: ModelConfig) -> bool:
        return self.data_cfg == data_cfg and self.model_cfg == model_cfg


@dataclass
class SweepJob(_Background):
    """A grid sweep or an Optuna search; trials arrive one by one."""

    run: Callable[..., Any]  # core.sweeps.run_sweep or core.search.search, its arguments bound
    total: int
    trials: list[Trial] = field(default_factory=list)
    front: list[int] | None = None  # search only: the study's Pareto-best trials
    saved: bool = False  # its trials are in the run store
    error: str | None = None
    started_at: float = field(default_factory=time.perf_counter)
    stop_event: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _work(self) -> None:
        out = self.run(
            on_trial=lambda trial, done, total: self.trials.append(trial), should_stop=self.stop_event.is_set
        )
        if isinstance(out, tuple):  # search returns (front, trials)
            self.front = out[0]
