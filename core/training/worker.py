"""Training workers: child processes that run ``train`` on request, so every timed run is measured on its own.

The process serving pages never trains: its reruns and chart drawing would share the CPU and the memory
counters with the run. A worker streams each epoch's ``EpochLog`` back over a local socket without waiting
for an answer, and polls for a stop message after every batch (networks), so a stop is honoured within one
batch. A scikit-learn fit cannot be interrupted: stopping one kills the worker (a fresh one starts) and the
run is reported stopped with no model. A Keras worker imports Keras on its engine ahead of time (TensorFlow
or JAX: Keras fixes the engine at import, so one process runs one, ``KERAS_BACKEND`` set in its environment);
a light worker only NumPy and scikit-learn (a Keras run sent to it loads the engine it asks for, and a run
on the other engine restarts it). :class:`WorkerPool` keeps workers of one kind warm and hands them out one
run each; :class:`EnginePools` keeps one pool per kind and picks the right one for a config. In the app, the
light pool's runs suspend the Keras workers still loading (:class:`LoaderPause`), so their time is their own.

The child is a plain ``python -c`` process (not ``multiprocessing``'s spawn, which would re-run the
parent's ``__main__`` — under Streamlit, the app script itself).

    pool = WorkerPool(tensorflow=False).start()        # NumPy/scikit-learn; tensorflow=True for Keras
    pool = WorkerPool(tensorflow=True, backend="jax")  # Keras on JAX
    result = pool.run(data_cfg, model_cfg, callback=print)
"""

from __future__ import annotations

import atexit
import dataclasses
import functools
import itertools
import os
import re
import secrets
import subprocess
import sys
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path
from typing import Any

from core.config import Backend, DataConfig, ModelConfig, ModelKind
from core.errors import CoreError
from core.records.result import RunResult
from core.training.progress import Callback, EpochLog, Progress

_PREPARED_CACHE = 4  # data sets the worker keeps prepared, most recent first
_READY_TIMEOUT_S = 180.0
_STOP_POLL_S = 0.02  # the child reads its socket for a stop message at most this often (every batch)
_PARENT_POLL_S = 0.02  # the parent forwards a stop request within this long
_BOUNDARY_EVERY_S = 0.25  # 2-D data: a live decision-boundary snapshot at most this often
_BATCH_EVERY_S = 0.2  # per-batch progress (the page's ETA) at most this often
NETWORK_STOP_GRACE_S = 10.0  # a network acknowledges a stop after its batch in hand; killed past this
FIT_STOP_GRACE_S = 0.3  # a scikit-learn fit cannot be interrupted: killed after this
_ROOT = Path(__file__).resolve().parents[2]  # the repository: core/training/worker.py
_THREAD_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS",
)


class WorkerError(CoreError):
    """The worker process died or failed in a way that is not the user's to fix."""


class RunStopped(WorkerError):
    """A run stopped before it had a model to keep (a scikit-learn fit, ended by killing its worker)."""


# --- the child ---------------------------------------------------------------------------------------------
def _child_main(address: str, parent: tuple[int, float] | None = None) -> None:
    """Entry point of the child: connect, load what it needs, then serve run requests. ``parent`` (pid, start
    time) is not read here: it is in the command line, for :func:`reap_stopped_orphans`."""
    try:
        conn = Client(address, authkey=bytes.fromhex(os.environ.pop("TRADEOFF_LAB_WORKER_KEY")))
        _serve(conn)
    except (EOFError, OSError):
        return  # the parent went away (server stopped): nothing left to do


class _StopPoll:
    """The child's stop flag for one run: reads pending messages from the parent at most every 20 ms."""

    def __init__(self, conn: Connection, run_id: int) -> None:
        self.conn, self.run_id = conn, run_id
        self.stopped = self.exit = False
        self._checked = 0.0
        self._lock = threading.Lock()  # the training loop and a stop-watcher thread may both ask

    def __call__(self) -> bool:
        if self.stopped:
            return True
        now = time.perf_counter()
        if now - self._checked < _STOP_POLL_S or not self._lock.acquire(blocking=False):
            return False
        try:
            self._checked = now
            while not self.stopped and self.conn.poll(0):
                message = self.conn.recv()
                if message is None:
                    self.exit = self.stopped = True
                elif message[0] == "stop" and message[1] == self.run_id:
                    self.stopped = True
            if self.stopped:
                self.conn.send(("halted", self.run_id, None))  # the parent stops its kill clock
        finally:
            self._lock.release()
        return self.stopped


class _BatchSender:
    """Per-batch progress to the parent, at most every ``_BATCH_EVERY_S`` (a message costs ~20 µs; a batch can
    take less)."""

    def __init__(self, conn: Connection, run_id: int) -> None:
        self.conn, self.run_id, self._last = conn, run_id, -1e9

    def __call__(self, epoch: int, done: int, total: int) -> None:
        now = time.perf_counter()
        if now - self._last >= _BATCH_EVERY_S or done == total:
            self.conn.send(("batch", self.run_id, (epoch, done, total)))
            self._last = now


class _BoundaryProgress(Progress):
    """Progress that also sends the decision boundary on a grid, at most every ``_BOUNDARY_EVERY_S`` (2-D data).

    ``train()`` attaches the model; the snapshot (a 60×60 grid of predictions, about a millisecond for a
    small network) is taken inside the epoch callback, so it is part of the fitting wall time: the throttle
    keeps that share under half a percent."""

    def __init__(self, base: Progress, send: Callable[[Any], None], grid: Any) -> None:
        super().__init__(on_epoch=base.on_epoch, should_stop=base.should_stop, on_batch=base.on_batch)
        self._send, self._grid, self._model, self._last = send, grid, None, -1e9

    @classmethod
    def around(cls, data: Any, base: Progress, conn: Connection, run_id: int) -> _BoundaryProgress:
        from core.explain.boundary import Grid

        return cls(base, lambda snap: conn.send(("boundary", run_id, snap)), Grid.around(data.X_train))

    def attach(self, model: Any) -> None:
        self._model = model

    def __call__(self, log: EpochLog) -> bool:
        final = log.epoch == log.epochs
        if self._model is not None and (final or time.perf_counter() - self._last >= _BOUNDARY_EVERY_S):
            from core.explain.boundary import boundary

            self._send(boundary(self._model, self._grid, epoch=log.epoch, val_accuracy=log.val_accuracy))
            self._last = time.perf_counter()
        return super().__call__(log)


def warm_up_config(backend: Backend) -> ModelConfig:
    """The fit a Keras worker makes before it says it is ready, to pay its engine's once-per-process costs
    before any measured run.

    On JAX: the Train page's default Keras configuration (the MLP, JAX's family) for one epoch on the default
    data. Its programs (weight initialisers, training step, padded forward passes) go to JAX's persistent
    compilation cache (``keras_import.use_compile_cache``), so the user's first run of that shape loads them
    rather than compiling them (≈ 3 s of a 4 s first run here); that run's fit is still timed whole, in its own
    process. On TensorFlow, which keeps no compiled programs across models, a tiny fit (kernel registration,
    first tracing machinery); each real run still traces its own model in its first epoch."""
    if backend == Backend.JAX:
        return ModelConfig(kind=ModelKind.KERAS_MLP, epochs=1, backend=backend)
    return ModelConfig(kind=ModelKind.KERAS_MLP, hidden_units=(4,), epochs=1, backend=backend)


def _serve(conn: Connection) -> None:
    from core.data.prepare import prepare
    from core.training.trainer import train

    prepared: OrderedDict[DataConfig, Any] = OrderedDict({DataConfig(): prepare(DataConfig())})
    if os.environ.get("TRADEOFF_LAB_WORKER_TF") == "1":
        from core.models.keras_import import import_keras

        backend = Backend(os.environ.get("KERAS_BACKEND", "tensorflow"))
        import_keras(backend)
        train(DataConfig(), warm_up_config(backend), prepared=prepared[DataConfig()])
    else:  # the first fit of each family pays imports and first-call costs; pay them before a timed run
        train(DataConfig(), ModelConfig(hidden_units=(4,), epochs=1), prepared=prepared[DataConfig()])
    conn.send(("ready", None, None))
    while True:
        message = conn.recv()
        if message is None:
            return
        if message[0] != "run":
            continue  # a stop for a run that has already ended
        _, run_id, data_cfg, model_cfg, context, backend = message
        if backend is not None:  # the engine the parent chose; Keras reads it at its first import here
            os.environ["KERAS_BACKEND"] = backend
        stop = _StopPoll(conn, run_id)
        progress = Progress(
            on_epoch=lambda log, rid=run_id: conn.send(("epoch", rid, log)),
            should_stop=stop,
            on_batch=_BatchSender(conn, run_id),
        )
        try:
            if data_cfg not in prepared:
                prepared[data_cfg] = prepare(data_cfg)
                while len(prepared) > _PREPARED_CACHE:
                    prepared.popitem(last=False)
            prepared.move_to_end(data_cfg)
            if prepared[data_cfg].n_features == 2:  # 2-D data: the page draws the boundary live, Playground-style
                progress = _BoundaryProgress.around(prepared[data_cfg], progress, conn, run_id)
            result = train(data_cfg, model_cfg, callback=progress, prepared=prepared[data_cfg])
            result = dataclasses.replace(result, cost=dataclasses.replace(result.cost, timing_context=context))
            conn.send(("result", run_id, result))
        except CoreError as err:
            conn.send(("core_error", run_id, (type(err).__name__, str(err))))
        except Exception as err:  # a bug: report it rather than kill the worker
            conn.send(("error", run_id, f"{type(err).__name__}: {err}"))
        if stop.exit:
            return


# --- the parent ----------------------------------------------------------------------------------------------
_SUSPENDED: weakref.WeakSet[TrainingWorker] = weakref.WeakSet()  # children suspended by pause_loading, right now


_CHILD_CALL = re.compile(r"_child_main\('[^']*', \((\d+), ([0-9.]+)\)\)")  # the parent a child names


def _parent_stamp() -> tuple[int, float]:
    """This process as a child's command line names it: pid and start time (a pid alone may be reused)."""
    import psutil

    return os.getpid(), round(psutil.Process().create_time(), 2)


def reap_stopped_orphans() -> int:
    """Kill this user's workers left suspended by a server that was killed outright (SIGKILL: no atexit), so no
    longer read by anyone: a stopped child never notices its parent has gone and would hold its memory (an engine
    half loaded, ~0.5 GB) until the machine restarts. Only a child that is stopped and whose parent, named in its
    command line by pid and start time, is no longer running. Returns how many were killed."""
    import psutil

    killed = 0
    me = psutil.Process().username()
    for proc in psutil.process_iter(["cmdline", "status", "username"]):
        try:
            info = proc.info
            if info["status"] != psutil.STATUS_STOPPED or info["username"] != me:
                continue
            named = _CHILD_CALL.search(" ".join(info["cmdline"] or ()))
            if named is None or _running(int(named[1]), float(named[2])):
                continue
            proc.kill()  # SIGKILL ends a stopped process too
            killed += 1
        except psutil.Error:
            continue  # gone meanwhile, or not ours to look at
    return killed


def _running(pid: int, started: float) -> bool:
    import psutil

    try:
        return abs(psutil.Process(pid).create_time() - started) < 0.05
    except psutil.Error:
        return False


@functools.cache
def _reap_once() -> None:
    """``reap_stopped_orphans``, once per process, in a background thread (a scan of every process costs ~20 ms;
    the app's first pool starts in Home's script): the first pool started clears what a killed server left."""
    threading.Thread(target=reap_stopped_orphans, name="tradeoff-reap-orphans", daemon=True).start()


@atexit.register
def _resume_suspended() -> None:
    """A server that exits while a run holds a loader paused resumes it, so it notices and exits too (a stopped
    child would not read its socket's end)."""
    for worker in list(_SUSPENDED):
        worker._drop_pauses()


class _Overlap:
    """How many runs trained at once, process-wide, while one run did: its timing context says so.

    A run being stopped does not count (it ends within a batch), so a run that supersedes another is clean.
    """

    _lock = threading.Lock()
    _active: dict[int, _Overlap] = {}

    def __init__(self, worker: TrainingWorker) -> None:
        self.worker, self.peak = worker, 1

    @classmethod
    def begin(cls, worker: TrainingWorker) -> _Overlap:
        me = cls(worker)
        with cls._lock:
            live = [o for o in cls._active.values() if not o.worker.stopping]
            me.peak = len(live) + 1
            for other in live:
                other.peak = max(other.peak, me.peak)
            cls._active[id(me)] = me
        return me

    def end(self) -> None:
        with self._lock:
            self._active.pop(id(self), None)

    def context(self, asked: str) -> str:
        """``asked`` unless more runs overlapped this one than it says ("serial" → "parallel:<n>")."""
        if asked == "serial" and self.peak > 1:
            return f"parallel:{self.peak}"
        if asked.startswith("parallel:") and asked[9:].isdigit() and self.peak > int(asked[9:]):
            return f"parallel:{self.peak}"
        return asked


class TrainingWorker:
    """One child process, one run at a time (``run`` holds a lock; all socket traffic is on its thread).

    ``tensorflow=True`` loads Keras on ``backend`` (default TensorFlow) before the worker says it is ready (the
    app's Keras workers); ``threads=N`` caps its BLAS and TensorFlow thread pools, set before anything is
    imported (pool workers). A worker that dies or is killed to stop a fit starts again by itself; a Keras
    run on another engine than the one the child loaded restarts it on that engine (before the run is timed).
    """

    _ids = itertools.count(1)

    def __init__(
        self, *, tensorflow: bool = True, threads: int | None = None, backend: Backend | str | None = None
    ) -> None:
        self._tensorflow = tensorflow
        self._threads = threads
        # the engine the child runs Keras on: fixed at start for a Keras worker, on first Keras run otherwise
        self._backend: Backend | None = Backend(backend) if backend else (Backend.TENSORFLOW if tensorflow else None)
        self._key = secrets.token_bytes(16)
        self._listener = Listener(family="AF_UNIX", authkey=self._key)
        self._process: subprocess.Popen | None = None
        self._conn: Connection | None = None
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._busy = False
        self._should_stop: Callable[[], bool] | None = None  # the run in progress's own stop flag
        self._closed = False
        self.started_at = 0.0
        self.ready_after_s: float | None = None  # start → ready, once known
        # pauses of a loading child (see pause_loading): holders, and a stamp that moves whenever the child is
        # suspended afresh or resumed before its holders let go (a run claimed it, a restart, close)
        self._pause_lock = threading.Lock()
        self._pauses = 0
        self._pause_stamp = 0
        self._psutil_process: Any = None  # psutil.Process of the child, made on its first pause

    @property
    def tensorflow(self) -> bool:
        """True for a Keras worker (it loads Keras before it is ready), whichever engine."""
        return self._tensorflow

    @property
    def backend(self) -> Backend | None:
        """The engine the child runs Keras on (None: a light worker that has not run a Keras model)."""
        return self._backend

    def start(self) -> TrainingWorker:
        env = {
            **os.environ,
            "TRADEOFF_LAB_WORKER_KEY": self._key.hex(),
            "TRADEOFF_LAB_WORKER_TF": "1" if self._tensorflow else "0",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")])),
        }
        if self._backend is not None:
            env["KERAS_BACKEND"] = self._backend.value
        else:
            env.pop("KERAS_BACKEND", None)  # a run chooses (core.models.keras_import), not this process's history
        if self._threads is not None:
            for var in _THREAD_VARS:
                env[var] = str(self._threads)
        parent = _parent_stamp()
        code = f"from core.training.worker import _child_main; _child_main({self._listener.address!r}, {parent!r})"
        with self._pause_lock:  # a new child is never suspended; an old holder's pause has lapsed
            self._pauses, self._pause_stamp, self._psutil_process = 0, self._pause_stamp + 1, None
        self._ready.clear()
        self.started_at = time.perf_counter()
        self._process = self._spawn(code, env)
        threading.Thread(target=self._connect, name="tradeoff-worker-connect", daemon=True).start()
        return self

    def _spawn(self, code: str, env: dict[str, str]) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-c", code], cwd=_ROOT, env=env)

    def _connect(self) -> None:
        try:
            conn = self._listener.accept()
            if conn.recv()[0] == "ready":
                self._conn = conn
                self.ready_after_s = time.perf_counter() - self.started_at
                self._ready.set()
        except (OSError, EOFError):
            return  # the child died before it was ready; run() reports it

    def _restart(self) -> None:
        """Kill the child (if alive) and start a fresh one; the next run waits until it is ready."""
        self._ready.clear()
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=10)
        if not self._closed:
            self.start()

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def ready(self) -> bool:
        """True once the worker has loaded what it needs (TensorFlow, for a Keras worker)."""
        return self._ready.is_set()

    @property
    def busy(self) -> bool:
        return self._busy

    def pause_loading(self) -> int | None:
        """Suspend the child while it loads, so a run timed beside it has the CPU to itself; pauses are counted.

        Only a child that is alive, still loading and not claimed by a run (a run waiting for it resumes it at
        once). Returns a token for :meth:`unpause_loading`, or None when nothing was paused."""
        import psutil

        with self._pause_lock:
            if self._busy or self._closed or self.ready or not self.alive:
                return None
            if self._pauses == 0:
                try:
                    if self._psutil_process is None:
                        self._psutil_process = psutil.Process(self._process.pid)
                    self._psutil_process.suspend()
                except psutil.Error:
                    return None  # gone meanwhile, or not ours to stop: it loads on, and the run is stamped so
                self._pause_stamp += 1
                _SUSPENDED.add(self)
            self._pauses += 1
            return self._pause_stamp

    def unpause_loading(self, token: int) -> bool:
        """Give back one pause; the child resumes when no pause is left. True when the child stayed suspended from
        ``token``'s pause until now; False when it was resumed earlier (claimed by a run, restarted, closed)."""
        with self._pause_lock:
            if token != self._pause_stamp or self._pauses == 0:
                return False
            self._pauses -= 1
            if self._pauses == 0:
                self._resume_child()
            return True

    def _drop_pauses(self) -> None:
        """Resume the child now, whoever paused it: a run needs it (their holders learn it was resumed)."""
        with self._pause_lock:
            if self._pauses:
                self._pauses, self._pause_stamp = 0, self._pause_stamp + 1
                self._resume_child()

    def _resume_child(self) -> None:
        import psutil

        _SUSPENDED.discard(self)
        try:
            self._psutil_process.resume()
        except (psutil.Error, AttributeError):
            pass  # it died while paused: nothing left to resume

    @property
    def paused(self) -> bool:
        """The child is suspended by :meth:`pause_loading`."""
        return self._pauses > 0

    def loading_between(self, start: float, end: float) -> bool:
        """True when the child was loading (started, alive, not yet ready) at some moment of ``[start, end]``
        (``time.perf_counter`` seconds), suspended or not."""
        if self._process is None or self.started_at > end:
            return False
        if not self.ready:
            return self.alive
        return self.ready_after_s is not None and self.started_at + self.ready_after_s >= start

    def _stop_asked(self) -> bool:
        should_stop = self._should_stop
        return self._stop.is_set() or (should_stop is not None and bool(should_stop()))

    @property
    def stopping(self) -> bool:
        """A run is in progress and has been asked to stop."""
        return self._busy and self._stop_asked()

    def request_stop(self) -> None:
        """Stop the run in progress within a batch (networks), or at once by killing a scikit-learn fit."""
        self._stop.set()

    def run(
        self,
        data_cfg: DataConfig,
        model_cfg: ModelConfig,
        *,
        callback: Callback | None = None,
        should_stop: Callable[[], bool] | None = None,
        on_halted: Callable[[], None] | None = None,
        context: str = "serial",
        on_boundary: Callable[[Any], None] | None = None,
        on_batch: Callable[[int, int, int], None] | None = None,
    ) -> RunResult:
        """Train in the worker; ``callback`` gets each EpochLog here and may return True to stop, ``on_batch``
        (epoch, batches done, batches per epoch) how far the epoch in hand has got.

        ``should_stop`` is polled every 50 ms and forwarded to the child, which checks it every batch;
        ``request_stop()`` does the same for whatever run is in progress; ``on_halted()`` is called when
        training has stopped (the partial model is then scored). ``context`` is stored as the
        run's ``cost.timing_context``. Raises :class:`RunStopped` when a stop had to kill the worker before
        there was a model, :class:`WorkerError` when the worker died.
        """
        with self._lock:
            self._stop.clear()  # a stop asked before this run began was meant for an earlier one
            self._busy, self._should_stop = True, should_stop
            self._drop_pauses()  # never keep a run waiting for a child another run paused
            try:
                self._switch_engine(model_cfg)
                waited = 0.0
                while not self._ready.wait(0.2):
                    waited += 0.2
                    if self._stop_asked():
                        raise RunStopped("The run was stopped before it started.")
                    if not self.alive or waited > _READY_TIMEOUT_S:
                        keras_worker = self._tensorflow and self._backend
                        what = f"Keras on {self._backend.value}" if keras_worker else "its libraries"
                        raise WorkerError(f"The training worker could not load {what}; see the server log.")
                overlap = _Overlap.begin(self)
                try:
                    result = self._exchange(data_cfg, model_cfg, callback, context, on_halted, on_boundary, on_batch)
                except (EOFError, OSError):
                    self._restart()
                    raise WorkerError("The training worker died during the run (out of memory?).") from None
                finally:
                    overlap.end()
                final = overlap.context(context)
                if final != result.cost.timing_context:
                    result = dataclasses.replace(result, cost=dataclasses.replace(result.cost, timing_context=final))
                return result
            finally:
                self._busy, self._should_stop = False, None

    def _switch_engine(self, model_cfg: ModelConfig) -> None:
        """Make sure the child can run ``model_cfg``'s engine: restart it on that engine if it runs the other."""
        if not model_cfg.kind.uses_keras:
            return
        from core.models.keras_import import require_installed, wanted_backend

        wanted = wanted_backend(model_cfg)
        assert wanted is not None
        require_installed(wanted)  # say so here, not as a failed import in the child
        if self._backend is None:
            self._backend = wanted  # the light child has not loaded Keras: it loads the run's engine
        elif self._backend != wanted:
            self._backend = wanted
            self._restart()

    def _exchange(
        self,
        data_cfg: DataConfig,
        model_cfg: ModelConfig,
        callback: Callback | None,
        context: str,
        on_halted: Callable[[], None] | None,
        on_boundary: Callable[[Any], None] | None = None,
        on_batch: Callable[[int, int, int], None] | None = None,
    ) -> RunResult:
        conn = self._conn
        assert conn is not None
        run_id = next(self._ids)
        backend = self._backend.value if model_cfg.kind.uses_keras and self._backend else None
        conn.send(("run", run_id, data_cfg, model_cfg, context, backend))
        grace = NETWORK_STOP_GRACE_S if model_cfg.kind.is_network else FIT_STOP_GRACE_S
        stop_sent_at: float | None = None
        acknowledged = False
        while True:
            if stop_sent_at is None and self._stop_asked():
                conn.send(("stop", run_id))
                stop_sent_at = time.perf_counter()
            if stop_sent_at is not None and not acknowledged and time.perf_counter() - stop_sent_at > grace:
                self._restart()  # a fit that cannot be interrupted (or a hung batch): end the process
                raise RunStopped(
                    f"Stopped: {model_cfg.kind.value} cannot be interrupted mid-fit, so its worker was "
                    "restarted and no model was kept."
                )
            if not conn.poll(_PARENT_POLL_S):
                continue
            kind, rid, payload = conn.recv()
            if rid != run_id:
                continue  # a late message of an earlier run
            if kind == "epoch":
                if callback is not None and callback(payload):
                    self._stop.set()
            elif kind == "boundary":
                if on_boundary is not None:
                    on_boundary(payload)
            elif kind == "batch":
                if on_batch is not None:
                    on_batch(*payload)
            elif kind == "halted":
                acknowledged = True
                if on_halted is not None:
                    on_halted()
            elif kind == "result":
                return payload
            elif kind == "core_error":
                from core import errors

                name, text = payload
                raise getattr(errors, name, CoreError)(text)
            else:
                raise WorkerError(f"The training worker failed: {payload}")

    def close(self) -> None:
        self._closed = True
        self._drop_pauses()  # a suspended child would not read the goodbye; a kill would end it either way
        if self._conn is not None:
            try:
                self._conn.send(None)
            except OSError:
                pass
        if self._process is not None:
            try:
                self._process.wait(timeout=5 if self._conn is not None else 0)  # one still loading: no wait
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
        self._listener.close()


LOADING_CONTEXT = "tensorflow-loading"  # the timing context of a run timed while a Keras engine loaded beside it


class LoaderPause:
    """Keras workers still loading their engine, suspended while one run is timed, so its time is its own.

    ``with LoaderPause(workers, cap_s=20) as pause: ...`` suspends each worker of ``workers()`` that is loading
    and not claimed by a run (none with ``cap_s=None``: it only watches), and resumes them on leaving (an error
    or a stop too). Past ``cap_s`` a timer resumes them whatever the run's thread is doing, so no loader waits on
    a run longer than that (nor on a thread that never comes back). Pauses are counted per worker: two runs at
    once keep a loader paused until both have ended. Afterwards ``clean`` says whether the run was timed with no
    Keras engine loading beside it: False past the cap, when a paused loader was resumed early (a run claimed
    it), or when a loader it did not pause (one started meanwhile, or claimed by a run) loaded during the run.
    """

    def __init__(self, workers: Callable[[], list[TrainingWorker]], *, cap_s: float | None) -> None:
        self._workers, self.cap_s = workers, cap_s
        self._held: list[tuple[TrainingWorker, int]] = []
        self._lock = threading.Lock()
        self._released = self.capped = False
        self._kept = True  # every paused loader stayed suspended until released
        self._timer: threading.Timer | None = None
        self.started_at = self.ended_at = 0.0

    def __enter__(self) -> LoaderPause:
        self.started_at = time.perf_counter()
        for worker in self._workers() if self.cap_s is not None else ():
            token = worker.pause_loading()
            if token is not None:
                self._held.append((worker, token))
        if self._held and self.cap_s is not None:
            self._timer = threading.Timer(self.cap_s, self._cap)
            self._timer.daemon = True
            self._timer.start()
        return self

    def _cap(self) -> None:
        with self._lock:
            if not self._released:
                self.capped = True
                self._release()

    def _release(self) -> None:
        self._released = True
        kept = [worker.unpause_loading(token) for worker, token in self._held]  # every one, not all()'s first
        self._kept = all(kept)

    def __exit__(self, *exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            if not self._released:
                self._release()
        self.ended_at = time.perf_counter()

    @property
    def paused(self) -> list[TrainingWorker]:
        return [worker for worker, _ in self._held]

    @property
    def clean(self) -> bool:
        """After the block: no Keras engine loaded beside the run (see the class docstring)."""
        if self.capped or not self._kept:
            return False
        held = {id(worker) for worker, _ in self._held}
        return not any(id(w) not in held and w.loading_between(self.started_at, self.ended_at) for w in self._workers())


class WorkerPool:
    """Warm workers of one kind, each running one run at a time.

    ``run`` takes an idle worker (preferring one that is ready). When every worker is busy it waits a
    moment for one whose run is being stopped, and otherwise starts another (up to ``max_size``), so a new
    run never queues behind an abandoned one.
    """

    def __init__(
        self,
        *,
        tensorflow: bool,
        threads: int | None = None,
        warm: int = 1,
        max_size: int = 3,
        backend: Backend | str | None = None,
        quiet: Callable[[], LoaderPause] | None = None,
    ) -> None:
        self.tensorflow, self.threads, self.warm, self.max_size = tensorflow, threads, warm, max_size
        self.quiet = quiet  # a LoaderPause to hold around each run (EnginePools gives the light pool one)
        self.backend = Backend(backend) if backend else (Backend.TENSORFLOW if tensorflow else None)
        self._workers: list[TrainingWorker] = []
        self._claimed: set[int] = set()  # ids of workers handed out
        self._cond = threading.Condition()

    def start(self) -> WorkerPool:
        _reap_once()
        with self._cond:
            while len(self._workers) < self.warm:
                self._workers.append(self._new())
        return self

    def _new(self) -> TrainingWorker:
        return TrainingWorker(tensorflow=self.tensorflow, threads=self.threads, backend=self.backend).start()

    @property
    def workers(self) -> list[TrainingWorker]:
        return list(self._workers)

    @property
    def ready(self) -> bool:
        """True once some worker of the pool has finished loading."""
        return any(w.ready for w in self._workers)

    @property
    def busy_count(self) -> int:
        return len(self._claimed)

    def acquire(self, *, stopping_wait_s: float = 3.0) -> TrainingWorker:
        with self._cond:
            deadline = time.monotonic() + stopping_wait_s
            while True:
                self._workers = [w for w in self._workers if w.alive or id(w) in self._claimed]
                idle = [w for w in self._workers if id(w) not in self._claimed]
                if idle:
                    worker = max(idle, key=lambda w: w.ready)  # a ready one first
                    break
                stopping = any(w.stopping for w in self._workers)
                if len(self._workers) < self.max_size and (not stopping or time.monotonic() > deadline):
                    worker = self._new()
                    self._workers.append(worker)
                    break
                self._cond.wait(0.05)
            self._claimed.add(id(worker))
            return worker

    def release(self, worker: TrainingWorker) -> None:
        with self._cond:
            self._claimed.discard(id(worker))
            self._cond.notify_all()

    def run(self, data_cfg: DataConfig, model_cfg: ModelConfig, *, callback: Callback | None = None, **kw) -> RunResult:
        """Train in an idle worker. With ``quiet``, loading Keras workers are paused meanwhile; a run they loaded
        beside anyway (past the pause's cap, or a loader it could not pause) is stamped "tensorflow-loading"."""
        if self.quiet is None:
            return self._run(data_cfg, model_cfg, callback=callback, **kw)
        with self.quiet() as pause:
            result = self._run(data_cfg, model_cfg, callback=callback, **kw)
        if not pause.clean:
            result = dataclasses.replace(result, cost=dataclasses.replace(result.cost, timing_context=LOADING_CONTEXT))
        return result

    def _run(self, data_cfg: DataConfig, model_cfg: ModelConfig, **kw) -> RunResult:
        worker = self.acquire()
        try:
            return worker.run(data_cfg, model_cfg, **kw)
        finally:
            self.release(worker)

    def close(self) -> None:
        with self._cond:
            for w in self._workers:
                w.close()
            self._workers.clear()


class EnginePools:
    """One warm :class:`WorkerPool` per kind of worker: light (NumPy, scikit-learn), Keras on TensorFlow, Keras
    on JAX. ``pool_for(model_cfg)`` starts the pool it needs on first use; ``start(...)`` warms some ahead.

    Process-wide in the app (ui.cached) and in ``python -m core sweep`` (a sweep over ``backend``).
    """

    def __init__(
        self, *, keras_max_size: int = 2, light_max_size: int = 3, pause_loaders_s: float | None = None
    ) -> None:
        self.keras_max_size, self.light_max_size = keras_max_size, light_max_size
        # set: the light pool's runs pause the Keras workers still loading, this long at most; None: they only
        # watch them (a run one loaded beside is stamped "tensorflow-loading" either way)
        self.pause_loaders_s = pause_loaders_s
        self._pools: dict[Backend | None, WorkerPool] = {}
        self._lock = threading.Lock()

    def pool(self, backend: Backend | str | None) -> WorkerPool:
        """The pool for ``backend`` (None: the light pool), started on first use."""
        key = Backend(backend) if backend else None
        with self._lock:
            if key not in self._pools:
                if key is None:
                    pool = WorkerPool(tensorflow=False, max_size=self.light_max_size, quiet=self.loader_pause)
                    self._pools[key] = pool.start()
                else:
                    self._pools[key] = WorkerPool(tensorflow=True, backend=key, max_size=self.keras_max_size).start()
            return self._pools[key]

    def pool_for(self, model_cfg: ModelConfig) -> WorkerPool:
        """The pool that trains ``model_cfg``: its engine's Keras pool, or the light one. A Keras engine that
        is not installed is a ConfigError naming the pip command."""
        if not model_cfg.kind.uses_keras:
            return self.pool(None)
        from core.models.keras_import import require_installed, wanted_backend

        wanted = wanted_backend(model_cfg)
        assert wanted is not None
        require_installed(wanted)
        return self.pool(wanted)

    def keras_workers(self) -> list[TrainingWorker]:
        """Every worker of the Keras pools started so far."""
        return [w for key, pool in self.existing().items() if key is not None for w in pool.workers]

    def loader_pause(self) -> LoaderPause:
        """A pause of the Keras workers still loading, capped at ``pause_loaders_s`` (None: watched, not paused)."""
        return LoaderPause(self.keras_workers, cap_s=self.pause_loaders_s)

    def existing(self) -> dict[Backend | None, WorkerPool]:
        """The pools started so far (engine → pool; None is the light pool)."""
        with self._lock:
            return dict(self._pools)

    def close(self) -> None:
        with self._lock:
            for pool in self._pools.values():
                pool.close()
            self._pools.clear()


__all__ = ["EnginePools", "EpochLog", "LoaderPause", "RunStopped", "TrainingWorker", "WorkerError", "WorkerPool"]
