"""Sweep executors: run a sweep's trials ``serial`` (here, or through a warm worker with
:func:`pooled_runner`), ``local`` (a pool of worker processes, one BLAS/TensorFlow thread each) or ``ray``
(remote tasks on a Ray cluster), and record each as a :class:`~core.explore.sweeps.Trial` — complete or failed,
same shape whichever executor ran it. The grid and the trial records: core/explore/sweeps.py.
"""

from __future__ import annotations

import atexit
import os
import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from core.config import ModelConfig
from core.errors import ConfigError, CoreError
from core.explore.sweeps import EXECUTORS, SweepSpec, Trial, TrialSpec, expand_grid
from core.status import Status

if TYPE_CHECKING:
    from core.training.worker import TrainingWorker


def run_trial(trial: TrialSpec, executor: str = "serial") -> Trial:
    """Train one trial here; a CoreError or a crash becomes a failed Trial, never an exception."""
    from core.training.trainer import train

    try:
        result = train(trial.data, trial.model)
        result = replace(result, cost=replace(result.cost, timing_context=_CONTEXTS.get(executor, executor)))
        return trial_from_result(trial, result, executor)
    except CoreError as err:
        return failed_trial(trial, str(err), executor)
    except Exception as err:  # recorded like Optuna's failed trials; the sweep goes on
        return failed_trial(trial, f"{type(err).__name__}: {err}", executor)


_CONTEXTS = {"serial": "serial", "ray": "ray"}  # executor → timing context of a trial run in place


def pooled_runner(
    pool_for: Callable[[ModelConfig], Any], should_stop: Callable[[], bool] | None = None
) -> Callable[[TrialSpec], Trial]:
    """Run each trial in a warm worker (``pool_for(model_cfg)``: a core.training.worker.WorkerPool), one at a time.

    ``should_stop`` is forwarded, so a stop ends the trial in hand within a batch (recorded "stopped").
    """

    def run(trial: TrialSpec) -> Trial:
        try:
            pool = pool_for(trial.model)
            result = pool.run(trial.data, trial.model, should_stop=should_stop, context="serial")
            return trial_from_result(trial, result, "serial")
        except CoreError as err:  # RunStopped and WorkerError included: the sweep goes on
            return failed_trial(trial, str(err), "serial")

    return run


def _trial_base(trial: TrialSpec, executor: str) -> dict[str, Any]:
    return dict(
        index=trial.index,
        params=trial.params,
        repeat=trial.repeat,
        seed=trial.model.seed,
        data_config=trial.data.to_dict(),
        model_config=trial.model.to_dict(),
        executor=executor,
    )


def failed_trial(trial: TrialSpec, error: str, executor: str) -> Trial:
    return Trial(status=Status.FAILED, error=error, **_trial_base(trial, executor))


def trial_from_result(trial: TrialSpec, result: Any, executor: str) -> Trial:
    """The Trial record of a finished RunResult."""
    v, t = result.validation, result.test
    pick = ("accuracy", "balanced_accuracy", "precision", "recall", "f1", "roc_auc", "log_loss")
    return Trial(
        status=Status.STOPPED if result.stopped else Status.COMPLETE,
        metrics={k: getattr(v, k) for k in pick},
        test_metrics={k: getattr(t, k) for k in pick},
        cost=result.to_dict()["cost"],
        curve=tuple((log.elapsed_s, log.val_accuracy) for log in result.history if log.val_accuracy is not None),
        result=result,
        **_trial_base(trial, executor),
    )


def _limit_threads() -> None:
    """Ray tasks: one BLAS and one TensorFlow thread each, so N tasks share N cores without fighting."""
    for var in (
        "OMP_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
        "TF_NUM_INTRAOP_THREADS",
        "TF_NUM_INTEROP_THREADS",
    ):
        os.environ[var] = "1"
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except Exception:
        pass


def run_sweep(
    spec: SweepSpec,
    *,
    executor: str = "serial",
    workers: int | None = None,
    ray_address: str | None = None,
    on_trial: Callable[[Trial, int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    runner: Callable[[TrialSpec], Trial] | None = None,
) -> list[Trial]:
    """Run every trial of ``spec``; ``on_trial(trial, done, total)`` after each; ``should_stop()`` ends early.

    ``runner`` runs one trial of a serial sweep (default: here, with :func:`run_trial`)."""
    trials = expand_grid(spec)
    done: list[Trial] = []
    for trial in run_specs(
        trials, executor=executor, workers=workers, ray_address=ray_address, should_stop=should_stop, runner=runner
    ):
        done.append(trial)
        if on_trial is not None:
            on_trial(trial, len(done), len(trials))
        if should_stop is not None and should_stop():
            break
    return sorted(done, key=lambda t: t.index)


def run_specs(
    trials: list[TrialSpec],
    *,
    executor: str = "serial",
    workers: int | None = None,
    ray_address: str | None = None,
    should_stop: Callable[[], bool] | None = None,
    runner: Callable[[TrialSpec], Trial] | None = None,
) -> Iterable[Trial]:
    """The trials of ``trials`` as they finish (in any order) on ``executor``; grid sweeps and searches share it."""
    if executor not in EXECUTORS:
        raise ConfigError(f"The 'executor' parameter must be one of {', '.join(EXECUTORS)}. Got {executor!r} instead.")
    if executor == "serial":
        one = runner or run_trial
        return (one(t) for t in trials)
    if executor == "local":
        return _local(trials, workers or os.cpu_count() or 1, should_stop)
    return _ray(trials, ray_address or os.environ.get("RAY_ADDRESS"), should_stop)


def _local(trials: list[TrialSpec], workers: int, should_stop: Callable[[], bool] | None) -> Iterable[Trial]:
    """A pool of worker processes (core.training.worker), one thread each feeding it trials from a shared queue.

    Plain ``python -c`` children: multiprocessing's pools re-run the parent's ``__main__`` in every worker,
    which under Streamlit is the app script. Each worker caps its BLAS/TensorFlow threads to one; workers
    stay up between sweeps.
    """
    todo: queue.Queue[TrialSpec] = queue.Queue()
    for t in trials:
        todo.put(t)
    done: queue.Queue[Trial | None] = queue.Queue()
    pool = _pool(min(workers, len(trials)))
    context = f"parallel:{len(pool)}" if len(pool) > 1 else "serial"  # one worker alone is timed cleanly

    def feed(worker: TrainingWorker) -> None:
        while not (should_stop is not None and should_stop()):
            try:
                spec = todo.get_nowait()
            except queue.Empty:
                break
            try:
                result = worker.run(spec.data, spec.model, should_stop=should_stop, context=context)
                done.put(trial_from_result(spec, result, "local"))
            except CoreError as err:  # WorkerError included: the trial fails, the sweep goes on
                done.put(failed_trial(spec, str(err), "local"))
        done.put(None)  # this feeder is finished

    feeders = [threading.Thread(target=feed, args=(w,), daemon=True) for w in pool]
    try:
        for f in feeders:
            f.start()
        finished = 0
        while finished < len(feeders):
            item = done.get()
            if item is None:
                finished += 1
            else:
                yield item
    finally:
        for w in pool:
            w.request_stop()
        for f in feeders:
            f.join(timeout=60)


_POOL: list[TrainingWorker] = []  # worker processes kept between sweeps: a second sweep starts at once
_POOL_LOCK = threading.Lock()


def _pool(size: int) -> list[TrainingWorker]:
    from core.training.worker import TrainingWorker

    with _POOL_LOCK:
        _POOL[:] = [w for w in _POOL if w.alive]
        while len(_POOL) < size:
            _POOL.append(TrainingWorker(tensorflow=False, threads=1).start())
        return _POOL[:size]


@atexit.register
def close_pool() -> None:
    """Stop the sweep worker processes (they also exit on their own when this process ends)."""
    with _POOL_LOCK:
        for w in _POOL:
            w.close()
        _POOL.clear()


# A local Ray cluster listens on the loopback interface only. Ray 2.60 turns _node_ip_address="127.0.0.1" into
# the machine's outward IP (services.resolve_ip_for_localhost) and its servers then listen on every interface
# ("::"), unless RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0, read when ray is imported, keeps the node on loopback.
LOCAL_RAY_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
LOCAL_RAY_INIT = {"include_dashboard": False, "_node_ip_address": "127.0.0.1", "log_to_driver": False}


def start_ray(address: str | None = None) -> None:
    """Connect this process to the Ray cluster at ``address`` (None: start a local one, ~4 s), once."""
    if not address:
        for key, value in LOCAL_RAY_ENV.items():
            os.environ.setdefault(key, value)
    try:
        import ray
    except ImportError:
        raise ConfigError("The ray executor needs Ray: pip install 'ray[default]'.") from None
    if not ray.is_initialized():
        if address:
            ray.init(address=address, include_dashboard=False, log_to_driver=False)
        else:
            ray.init(**LOCAL_RAY_INIT)


def _ray(trials: list[TrialSpec], address: str | None, should_stop: Callable[[], bool] | None) -> Iterable[Trial]:
    start_ray(address)
    import ray

    @ray.remote(num_cpus=1)
    def remote_trial(trial: TrialSpec) -> Trial:
        _limit_threads()
        return run_trial(trial, executor="ray")

    pending = [remote_trial.remote(t) for t in trials]
    while pending:
        ready, pending = ray.wait(pending, num_returns=1)
        yield ray.get(ready[0])
        if should_stop is not None and should_stop():
            for ref in pending:
                ray.cancel(ref)
            return
