"""Sweeps: expand a grid of knob values from a base configuration, run the trials on an executor, and
record each as an immutable trial — complete or failed, same shape whichever executor ran it.

    from core.explore.sweeps import SweepSpec, run_sweep
    spec = SweepSpec(DataConfig(), ModelConfig(), {"hidden_units": [(16,), (64,)], "batch_size": [32, 256]})
    trials = run_sweep(spec, executor="local", on_trial=print)

Executors: ``serial`` (one at a time: honest times), ``local`` (a process pool over the cores, each worker
capped to one BLAS/TensorFlow thread; times measured under contention) and ``ray`` (remote tasks on a Ray
cluster, ``RAY_ADDRESS`` or ``address=``). A failing trial is recorded with its error and the sweep goes on.
Each trial's ``cost.timing_context`` says how it was timed: ``serial``, ``parallel:<n workers>`` or ``ray``.
A serial sweep runs its trials here, or through ``runner`` (the app passes :func:`pooled_runner`, so every
trial is timed in a worker process, away from the page server).
"""

from __future__ import annotations

import atexit
import itertools
import os
import queue
import statistics
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

from core.config import DataConfig, ModelConfig, replace_plain
from core.errors import ConfigError, CoreError
from core.explore.pareto import pareto_mask
from core.knobs import ALIASES, DATA_SWEEP_KNOBS, KNOBS, parse_value, write_value
from core.status import Status

if TYPE_CHECKING:
    from core.training.worker import TrainingWorker

EXECUTORS = ("serial", "local", "ray")
DATA_KNOBS = DATA_SWEEP_KNOBS  # the data fields a sweep may vary (core.knobs)
_MODEL_FIELDS = {f.name for f in fields(ModelConfig)} - {"seed"}


@dataclass(frozen=True)
class SweepSpec:
    data: DataConfig
    model: ModelConfig
    params: dict[str, Sequence[Any]]  # knob → values; the grid is their product
    repeats: int = 1  # seeds per configuration: seed, seed+1, ...

    def validate(self) -> SweepSpec:
        if not self.params:
            raise ConfigError("A sweep needs at least one knob with values, e.g. --param hidden=16,64,256.")
        for knob, values in self.params.items():
            if knob not in _MODEL_FIELDS and knob not in DATA_KNOBS:
                known = ", ".join(sorted(_MODEL_FIELDS | set(DATA_KNOBS)))
                raise ConfigError(f"Unknown sweep knob {knob!r}. Knobs: {known}.")
            if not values:
                raise ConfigError(f"The sweep knob {knob!r} has no values.")
        if not 1 <= self.repeats <= 10:
            raise ConfigError(f"The 'repeats' parameter must be an integer in [1, 10]. Got {self.repeats!r} instead.")
        return self


@dataclass(frozen=True)
class TrialSpec:
    index: int
    params: dict[str, Any]  # the knob values of this configuration (JSON-plain)
    repeat: int
    data: DataConfig
    model: ModelConfig


@dataclass(frozen=True)
class Trial:
    """One finished trial: what ran, and what it measured (or why it failed)."""

    index: int
    params: dict[str, Any]
    repeat: int
    seed: int
    status: Status  # COMPLETE, STOPPED or FAILED
    metrics: dict[str, float | None] = field(default_factory=dict)  # validation metrics
    test_metrics: dict[str, float | None] = field(default_factory=dict)
    cost: dict[str, Any] = field(default_factory=dict)
    curve: tuple[tuple[float, float], ...] = ()  # (elapsed s, validation accuracy) per epoch
    error: str | None = None
    data_config: dict[str, Any] = field(default_factory=dict)
    model_config: dict[str, Any] = field(default_factory=dict)
    executor: str = "serial"
    result: Any = field(default=None, compare=False, repr=False)  # the RunResult, for the run store

    def to_dict(self, pareto: bool | None = None) -> dict[str, Any]:
        d = {
            "index": self.index,
            "params": _plain(self.params),
            "repeat": self.repeat,
            "seed": self.seed,
            "status": Status(self.status).value,
            "metrics": self.metrics,
            "test_metrics": self.test_metrics,
            "cost": self.cost,
            "curve": [list(p) for p in self.curve],
            "error": self.error,
            "data_config": self.data_config,
            "model_config": self.model_config,
            "executor": self.executor,
        }
        if pareto is not None:
            d["pareto"] = pareto
        return d


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    return {k: (list(v) if isinstance(v, tuple) else getattr(v, "value", v)) for k, v in params.items()}


def parse_values(knob: str, text: str) -> tuple[str, list[Any]]:
    """``hidden=16,64-64,256`` style values for one knob, each parsed by the knob table (hidden units take
    ``-`` between layers, the one written form; the older ``64x64`` is read too)."""
    knob = ALIASES.get(knob, knob)
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        raise ConfigError(f"The sweep knob {knob!r} has no values.")
    if knob != "kind" and (knob not in KNOBS or (KNOBS[knob].is_data and knob not in DATA_KNOBS)):
        SweepSpec(DataConfig(), ModelConfig(), {knob: parts}).validate()  # raises with the list of knobs
    return knob, [parse_value(knob, p) for p in parts]


def expand_grid(spec: SweepSpec) -> list[TrialSpec]:
    """Every combination of the knob values, ``repeats`` times with seeds base, base+1, ..."""
    spec.validate()
    knobs = list(spec.params)
    trials = []
    for combo in itertools.product(*(spec.params[k] for k in knobs)):
        params = dict(zip(knobs, combo, strict=True))
        data_changes = {k: v for k, v in params.items() if k in DATA_KNOBS}
        model_changes = {k: v for k, v in params.items() if k not in DATA_KNOBS}
        data = replace_plain(spec.data, **data_changes) if data_changes else spec.data
        base_model = replace_plain(spec.model, **model_changes) if model_changes else spec.model
        for repeat in range(spec.repeats):
            model = replace(base_model, seed=spec.model.seed + repeat)
            trial_data = replace(data, seed=spec.data.seed + repeat)
            trials.append(TrialSpec(len(trials), params, repeat, trial_data, model))
    return trials


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
    if executor not in EXECUTORS:
        raise ConfigError(f"The 'executor' parameter must be one of {', '.join(EXECUTORS)}. Got {executor!r} instead.")
    trials = expand_grid(spec)
    if executor == "serial":
        one = runner or run_trial
        trial_runs: Iterable[Trial] = (one(t) for t in trials)
    elif executor == "local":
        trial_runs = _local(trials, workers or os.cpu_count() or 1, should_stop)
    else:
        trial_runs = _ray(trials, ray_address or os.environ.get("RAY_ADDRESS"), should_stop)
    done: list[Trial] = []
    for trial in trial_runs:
        done.append(trial)
        if on_trial is not None:
            on_trial(trial, len(done), len(trials))
        if should_stop is not None and should_stop():
            break
    return sorted(done, key=lambda t: t.index)


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


def _ray(trials: list[TrialSpec], address: str | None, should_stop: Callable[[], bool] | None) -> Iterable[Trial]:
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


# --- summaries -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConfigSummary:
    """A configuration's repeats folded into mean and spread (population std) of metric and time."""

    params: dict[str, Any]
    n: int
    metric_mean: float
    metric_std: float
    time_mean: float
    time_std: float
    trials: tuple[int, ...]  # indices

    @property
    def metric_band(self) -> tuple[float, float]:
        return self.metric_mean - self.metric_std, self.metric_mean + self.metric_std


def summarise(trials: Sequence[Trial], metric: str = "accuracy", cost: str = "train_time_s") -> list[ConfigSummary]:
    groups: dict[tuple, list[Trial]] = {}
    for t in trials:
        if t.status == Status.FAILED or t.metrics.get(metric) is None:
            continue
        groups.setdefault(tuple(sorted((k, str(v)) for k, v in t.params.items())), []).append(t)
    out = []
    for members in groups.values():
        m = [t.metrics[metric] for t in members]
        c = [t.cost[cost] for t in members]
        out.append(
            ConfigSummary(
                members[0].params,
                len(members),
                statistics.fmean(m),
                statistics.pstdev(m),
                statistics.fmean(c),
                statistics.pstdev(c),
                tuple(t.index for t in members),
            )
        )
    return out


def pareto_trials(trials: Sequence[Trial], metric: str = "accuracy", cost: str = "train_time_s") -> list[bool]:
    """Per trial: on the frontier (maximise metric, minimise cost)? Failed trials never are."""
    ok = [t.status != Status.FAILED and t.metrics.get(metric) is not None for t in trials]
    mask = pareto_mask(
        [t.metrics[metric] if o else float("-inf") for t, o in zip(trials, ok, strict=True)],
        [t.cost.get(cost, float("inf")) if o else float("inf") for t, o in zip(trials, ok, strict=True)],
    )
    return [m and o for m, o in zip(mask, ok, strict=True)]


def within_noise(a: ConfigSummary, b: ConfigSummary) -> bool:
    """True when the metric bands (mean ± std over repeats) of two configurations overlap."""
    (a_lo, a_hi), (b_lo, b_hi) = a.metric_band, b.metric_band
    return a_lo <= b_hi and b_lo <= a_hi


def best_within_budget(summaries: Sequence[ConfigSummary], budget_s: float) -> ConfigSummary | None:
    """The most accurate configuration whose mean training time fits ``budget_s``."""
    fitting = [s for s in summaries if s.time_mean <= budget_s]
    return max(fitting, key=lambda s: (s.metric_mean, -s.time_mean)) if fitting else None


def fastest_reaching(summaries: Sequence[ConfigSummary], target: float) -> ConfigSummary | None:
    """The fastest configuration whose mean metric reaches ``target``."""
    reaching = [s for s in summaries if s.metric_mean >= target]
    return min(reaching, key=lambda s: (s.time_mean, -s.metric_mean)) if reaching else None


def marginal_costs(summaries: Sequence[ConfigSummary]) -> list[tuple[ConfigSummary, ConfigSummary, float]]:
    """Between neighbouring frontier configurations: seconds of training per percentage point of metric."""
    front_mask = pareto_mask([s.metric_mean for s in summaries], [s.time_mean for s in summaries])
    front = sorted((s for s, f in zip(summaries, front_mask, strict=True) if f), key=lambda s: s.time_mean)
    out = []
    for a, b in zip(front, front[1:]):
        gain_pp = (b.metric_mean - a.metric_mean) * 100
        if gain_pp > 0:
            out.append((a, b, (b.time_mean - a.time_mean) / gain_pp))
    return out


def display_value(value: Any) -> str:
    """A knob value in its one written form: (64, 64) → "64-64", enums by value (as links and the CLI)."""
    if isinstance(value, (tuple, list)):
        return write_value("hidden_units", tuple(value))
    return str(getattr(value, "value", value))


def params_label(params: dict[str, Any]) -> str:
    """``hidden_units=64, batch_size=32``: a configuration's knob values as people read them."""
    return ", ".join(f"{k}={display_value(v)}" for k, v in params.items())


def trial_rows(trials: Sequence[Trial], metric: str = "accuracy") -> list[dict[str, Any]]:
    """One flat row per trial for tables and charts: knob values (display form), metric, time, frontier flag."""
    front = pareto_trials(trials, metric=metric)
    rows = []
    for t, on_front in zip(trials, front, strict=True):
        label = params_label(t.params)
        rows.append(
            {
                "run": t.index,
                "label": f"{label} (seed {t.seed})",
                "status": Status(t.status).value,
                **{k: display_value(v) for k, v in t.params.items()},
                metric: t.metrics.get(metric),
                "train_time_s": t.cost.get("train_time_s"),
                "latency_ms_p50": t.cost.get("latency_ms_p50"),
                "pareto": on_front,
                "error": t.error or "",
            }
        )
    return rows


def summary_rows(summaries: Sequence[ConfigSummary], spec: SweepSpec) -> list[dict[str, Any]]:
    """One row per configuration (repeats folded), with each knob's display value and its order in the spec."""
    rows = []
    for s in summaries:
        row = {
            "metric_mean": s.metric_mean,
            "metric_std": s.metric_std,
            "time_mean": s.time_mean,
            "time_std": s.time_std,
            "n": s.n,
        }
        for i, (knob, value) in enumerate(s.params.items()):
            row[knob] = display_value(value)
            order = [display_value(v) for v in spec.params.get(knob, [])]
            key = "order" if i == 0 else "order_y"
            row[key] = order.index(row[knob]) if row[knob] in order else 0
            if i == 0:
                row["order_x"] = row["order"]
        rows.append(row)
    return rows
