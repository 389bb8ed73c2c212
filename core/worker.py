"""A training worker: a child process that imports TensorFlow ahead of time and runs ``train`` on request.

Keras runs go there so the process serving pages never imports TensorFlow: its ~5 s import competes for
neither the interpreter lock nor the first paint, and a run's timings are not disturbed by page work.
Each epoch's ``EpochLog`` comes back over a local socket and the parent answers "stop" or "go on".

The child is a plain ``python -c`` process (not ``multiprocessing``'s spawn, which would re-run the
parent's ``__main__`` — under Streamlit, the app script itself).

    worker = TrainingWorker().start()          # TensorFlow loads in the child meanwhile
    result = worker.run(data_cfg, model_cfg, callback=print)
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import threading
from collections import OrderedDict
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path
from typing import Any

from core.config import DataConfig, ModelConfig
from core.errors import CoreError
from core.progress import Callback, EpochLog
from core.result import RunResult

_PREPARED_CACHE = 4  # data sets the worker keeps prepared, most recent first
_READY_TIMEOUT_S = 180.0
_ROOT = Path(__file__).resolve().parents[1]
_THREAD_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS",
)


class WorkerError(CoreError):
    """The worker process died or failed in a way that is not the user's to fix."""


def _child_main(address: str) -> None:
    """Entry point of the child: connect, load TensorFlow, then serve (data_cfg, model_cfg) requests."""
    try:
        conn = Client(address, authkey=bytes.fromhex(os.environ.pop("TRADEOFF_LAB_WORKER_KEY")))
        _serve(conn)
    except (EOFError, OSError):
        return  # the parent went away (server stopped): nothing left to do


def _serve(conn: Connection) -> None:
    from core.data import prepare
    from core.training import train

    prepared: OrderedDict[DataConfig, Any] = OrderedDict({DataConfig(): prepare(DataConfig())})
    if os.environ.get("TRADEOFF_LAB_WORKER_TF") == "1":
        from core.keras_import import import_keras

        import_keras()
        # One tiny fit pays TensorFlow's once-per-process start-up (kernel registration, first tracing
        # machinery) before any measured run; each real run still traces its own model in its first epoch.
        tiny = ModelConfig(kind="keras_mlp", hidden_units=(4,), epochs=1)
        train(DataConfig(), tiny, prepared=prepared[DataConfig()])
    conn.send(("ready", None))
    while True:
        message = conn.recv()
        if message is None:
            return
        data_cfg, model_cfg = message

        def on_epoch(log: EpochLog) -> bool:
            conn.send(("epoch", log))
            return bool(conn.recv())  # the parent answers: stop (True) or go on

        try:
            if data_cfg not in prepared:
                prepared[data_cfg] = prepare(data_cfg)
                while len(prepared) > _PREPARED_CACHE:
                    prepared.popitem(last=False)
            prepared.move_to_end(data_cfg)
            conn.send(("result", train(data_cfg, model_cfg, callback=on_epoch, prepared=prepared[data_cfg])))
        except CoreError as err:
            conn.send(("core_error", (type(err).__name__, str(err))))
        except Exception as err:  # a bug: report it rather than kill the worker
            conn.send(("error", f"{type(err).__name__}: {err}"))


class TrainingWorker:
    """One child process, one run at a time (``run`` holds a lock).

    ``tensorflow=True`` loads TensorFlow before the worker says it is ready (the app's Keras worker);
    ``threads=N`` caps its BLAS and TensorFlow thread pools, set before anything is imported (pool workers).
    """

    def __init__(self, *, tensorflow: bool = True, threads: int | None = None) -> None:
        self._tensorflow = tensorflow
        self._threads = threads
        self._key = secrets.token_bytes(16)
        self._listener = Listener(family="AF_UNIX", authkey=self._key)
        self._process: subprocess.Popen | None = None
        self._conn: Connection | None = None
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def start(self) -> TrainingWorker:
        env = {
            **os.environ,
            "TRADEOFF_LAB_WORKER_KEY": self._key.hex(),
            "TRADEOFF_LAB_WORKER_TF": "1" if self._tensorflow else "0",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")])),
        }
        if self._threads is not None:
            for var in _THREAD_VARS:
                env[var] = str(self._threads)
        code = f"from core.worker import _child_main; _child_main({self._listener.address!r})"
        self._process = subprocess.Popen([sys.executable, "-c", code], cwd=_ROOT, env=env)
        threading.Thread(target=self._connect, name="tradeoff-worker-connect", daemon=True).start()
        return self

    def _connect(self) -> None:
        try:
            conn = self._listener.accept()
            if conn.recv()[0] == "ready":
                self._conn = conn
                self._ready.set()
        except (OSError, EOFError):
            return  # the child died before it was ready; run() reports it

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def ready(self) -> bool:
        """True once the worker has loaded what it needs (TensorFlow, for a Keras worker)."""
        return self._ready.is_set()

    def request_stop(self) -> None:
        """Stop the run in progress at the end of its current epoch."""
        self._stop.set()

    def run(self, data_cfg: DataConfig, model_cfg: ModelConfig, *, callback: Callback | None = None) -> RunResult:
        """Train in the worker; ``callback`` gets each EpochLog here and may return True to stop."""
        with self._lock:
            waited = 0.0
            while not self._ready.wait(0.2):
                waited += 0.2
                if not self.alive or waited > _READY_TIMEOUT_S:
                    raise WorkerError("The training worker could not start TensorFlow; see the server log.")
            self._stop.clear()
            assert self._conn is not None
            try:
                return self._exchange(data_cfg, model_cfg, callback)
            except (EOFError, OSError):
                raise WorkerError("The training worker died during the run (out of memory?).") from None

    def _exchange(self, data_cfg: DataConfig, model_cfg: ModelConfig, callback: Callback | None) -> RunResult:
        conn = self._conn
        conn.send((data_cfg, model_cfg))
        while True:
            kind, payload = conn.recv()
            if kind == "epoch":
                conn.send(bool(callback and callback(payload)) or self._stop.is_set())
            elif kind == "result":
                return payload
            elif kind == "core_error":
                from core import errors

                name, text = payload
                raise getattr(errors, name, CoreError)(text)
            else:
                raise WorkerError(f"The training worker failed: {payload}")

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.send(None)
            except OSError:
                pass
        if self._process is not None:
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
        self._listener.close()
