"""A training run in a background thread, so the page can show live progress and a Stop button.

Streamlit interrupts a script when a widget changes; a run in the script thread would die with it and lose
its partial result. Here the script only polls the job: a rerun finds the job still going, and a Stop click
sets its stop event, which ``core.train`` honours at the end of the epoch in hand.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from core import CoreError, DataConfig, EpochLog, ModelConfig, RunResult, train
from core.data import PreparedData
from core.worker import TrainingWorker


@dataclass
class TrainingJob:
    data_cfg: DataConfig
    model_cfg: ModelConfig
    prepared: PreparedData | None = None
    worker: TrainingWorker | None = None  # set for Keras runs
    logs: list[EpochLog] = field(default_factory=list)
    result: RunResult | None = None
    error: str | None = None
    started_at: float = field(default_factory=time.perf_counter)
    stop_event: threading.Event = field(default_factory=threading.Event)
    tensorflow_was_loading: bool = False  # the worker's TensorFlow import competed with this run for the CPU
    recorded: bool = False  # the page has added the result to the session
    _thread: threading.Thread | None = None

    def start(self) -> TrainingJob:
        self._thread = threading.Thread(target=self._run, name="tradeoff-train", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            if self.worker is not None:  # Keras: in the worker process, where TensorFlow lives
                self.result = self.worker.run(self.data_cfg, self.model_cfg, callback=self._on_epoch)
            else:
                self.result = train(self.data_cfg, self.model_cfg, callback=self._on_epoch, prepared=self.prepared)
        except CoreError as err:
            self.error = str(err)
        except Exception as err:  # a bug: report it on the page instead of dying silently in a thread
            self.error = f"Unexpected {type(err).__name__}: {err}"

    def _on_epoch(self, log: EpochLog) -> bool:
        self.logs.append(log)
        return self.stop_event.is_set()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def elapsed_s(self) -> float:
        return time.perf_counter() - self.started_at

    def matches(self, data_cfg: DataConfig, model_cfg: ModelConfig) -> bool:
        return self.data_cfg == data_cfg and self.model_cfg == model_cfg

    def request_stop(self) -> None:
        self.stop_event.set()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)
