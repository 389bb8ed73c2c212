"""Multi-objective search with Optuna: maximise a metric and minimise training time over chosen ranges.

    front, trials = search(DataConfig(), ModelConfig(), {"hidden_units": IntRange(8, 512, log=True)}, n_trials=20)

The front is the study's best trials (its Pareto set); failed configurations are told to Optuna as failed
and recorded like every other trial.
"""

from __future__ import annotations

import itertools
import os
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from core.config import DataConfig, ModelConfig, replace_plain
from core.errors import ConfigError
from core.explore.executors import run_specs, run_trial
from core.explore.sweeps import DATA_KNOBS, EXECUTORS, SweepSpec, Trial, TrialSpec
from core.knobs import KNOBS, sweep_values
from core.status import Status


@dataclass(frozen=True)
class IntRange:
    low: int
    high: int
    log: bool = False


@dataclass(frozen=True)
class FloatRange:
    low: float
    high: float
    log: bool = False


@dataclass(frozen=True)
class Choice:
    options: tuple[Any, ...]


@dataclass(frozen=True)
class UnitsRange:
    """Hidden units: ``layers`` layers of the same width, the width searched in [low, high]."""

    low: int
    high: int
    layers: int = 1
    log: bool = True


Range = IntRange | FloatRange | Choice | UnitsRange


def search_ranges(picked: dict[str, Sequence[Any]]) -> dict[str, Range]:
    """Optuna ranges spanning the values picked for each knob (all its suggested values when none are):
    numbers from the smallest to the largest picked, on the knob's scale; enums and families among those
    picked; hidden units over the picked widths, with the picked layer count when they agree."""
    ranges: dict[str, Range] = {}
    for name, values in picked.items():
        values = [v for v in (values or sweep_values(name)) if v is not None]
        knob = KNOBS.get(name)
        if knob is None or knob.choices or not values:
            ranges[name] = Choice(tuple(values))
        elif knob.type is tuple:
            widths = [u for v in values for u in v] or [knob.default[0] if knob.default else 64]
            depths = {len(v) for v in values if v}
            layers = depths.pop() if len(depths) == 1 else 1
            ranges[name] = UnitsRange(min(widths), max(widths), layers, log=knob.log)
        else:
            low, high = min(values), max(values)
            log = knob.log and low > 0
            ranges[name] = IntRange(low, high, log) if knob.type is int else FloatRange(low, high, log)
    return ranges


def _round(name: str, value: float, rng: FloatRange) -> float:
    """A sampled float rounded to what people read (2 significant digits on a log scale, 0.01 on a linear
    one), kept inside the range: the configuration that trains is the one its label names."""
    rounded = float(f"{value:.2g}") if rng.log else round(value, 2)
    return min(max(rounded, rng.low), rng.high)


def _suggest(trial: Any, name: str, rng: Range) -> Any:
    if isinstance(rng, UnitsRange):
        return (trial.suggest_int(name, rng.low, rng.high, log=rng.log),) * rng.layers
    if isinstance(rng, IntRange):
        value = trial.suggest_int(name, rng.low, rng.high, log=rng.log)
        return (value,) if name == "hidden_units" else value
    if isinstance(rng, FloatRange):
        return _round(name, trial.suggest_float(name, rng.low, rng.high, log=rng.log), rng)
    return trial.suggest_categorical(name, list(rng.options))


def _specs(first_index: int, params: dict[str, Any], data: DataConfig, model: ModelConfig, repeats: int):
    """The ``repeats`` runs of one sampled configuration, seeds base, base+1, ... as a grid sweep's repeats."""
    data_changes = {k: v for k, v in params.items() if k in DATA_KNOBS}
    model_changes = {k: v for k, v in params.items() if k not in DATA_KNOBS}
    base_data = replace_plain(data, **data_changes) if data_changes else data
    base_model = replace_plain(model, **model_changes) if model_changes else model
    return [
        TrialSpec(
            first_index + r, params, r, replace(base_data, seed=data.seed + r), replace(base_model, seed=model.seed + r)
        )
        for r in range(repeats)
    ]


def search(
    data: DataConfig,
    model: ModelConfig,
    ranges: dict[str, Range],
    *,
    n_trials: int,
    metric: str = "accuracy",
    seed: int = 0,
    repeats: int = 1,
    executor: str = "serial",
    workers: int | None = None,
    ray_address: str | None = None,
    on_trial: Callable[[Trial, int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    runner: Callable[[TrialSpec], Trial] | None = None,
) -> tuple[list[int], list[Trial]]:
    """Run ``n_trials`` Optuna trials (configurations), each ``repeats`` times with seeds seed, seed+1, ... as
    a grid sweep does; Optuna is told the mean metric and mean training time over the repeats. Returns
    (indices of the runs of the Pareto-best configurations, all runs: ``n_trials × repeats``).

    ``executor`` as in :func:`~core.explore.executors.run_sweep`: ``serial`` runs one at a time (honest times;
    ``runner`` runs one, default: here with ``run_trial``); ``local`` and ``ray`` run the repeats of a
    configuration side by side (and ask Optuna for ``workers`` configurations at a time)."""
    import optuna

    if not 1 <= n_trials <= 500:
        raise ConfigError(f"The 'n_trials' parameter must be an integer in [1, 500]. Got {n_trials!r} instead.")
    SweepSpec(data, model, {k: [None] for k in ranges}, repeats=repeats).validate()  # same knobs and repeats
    if executor not in EXECUTORS:
        raise ConfigError(f"The 'executor' parameter must be one of {', '.join(EXECUTORS)}. Got {executor!r} instead.")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        directions=["maximize", "minimize"], sampler=optuna.samplers.TPESampler(seed=seed, multivariate=True)
    )
    batch = 1 if executor == "serial" else max(1, (workers or os.cpu_count() or 1) // repeats)
    total = n_trials * repeats
    trials: list[Trial] = []
    runs_of: dict[int, list[int]] = {}  # Optuna trial number → indices of its runs
    stopped = False
    while len(runs_of) < n_trials and not stopped:
        asked = [study.ask() for _ in range(min(batch, n_trials - len(runs_of)))]
        specs: list[TrialSpec] = []
        finished: list[Trial] = []  # configurations the config check refused: failed without running
        for ask in asked:
            params = {name: _suggest(ask, name, rng) for name, rng in ranges.items()}
            first = len(trials) + len(specs) + len(finished)
            runs_of[ask.number] = list(range(first, first + repeats))
            try:
                specs += _specs(first, params, data, model, repeats)
            except ConfigError as err:
                finished += [
                    Trial(index=first + r, params=params, repeat=r, seed=model.seed + r, status=Status.FAILED,
                          error=str(err))
                    for r in range(repeats)
                ]  # fmt: skip
        owner = {i: n for n in (a.number for a in asked) for i in runs_of[n]}
        runs: dict[int, list[Trial]] = {a.number: [] for a in asked}
        ran = run_specs(
            specs,
            executor=executor,
            workers=workers,
            ray_address=ray_address,
            should_stop=should_stop,
            runner=runner or run_trial,
        )
        for trial in itertools.chain(finished, ran if specs else ()):
            runs[owner[trial.index]].append(trial)
            trials.append(trial)
            if on_trial is not None:
                on_trial(trial, len(trials), total)
            if should_stop is not None and should_stop():
                stopped = True
                break
        for ask in asked:
            _tell(study, ask, runs[ask.number], repeats, metric)
    trials.sort(key=lambda t: t.index)
    best = {t.number for t in study.best_trials} if any(t.status != Status.FAILED for t in trials) else set()
    have = {t.index for t in trials}
    front = sorted(i for n in best for i in runs_of[n] if i in have)
    return front, trials


def _tell(study: Any, ask: Any, runs: list[Trial], repeats: int, metric: str) -> None:
    """Optuna learns the configuration's mean metric and time; failed (or unfinished) when any run failed."""
    import optuna

    ok = [t for t in runs if t.status != Status.FAILED and t.metrics.get(metric) is not None]
    if len(ok) < repeats or len(runs) < repeats:
        study.tell(ask, state=optuna.trial.TrialState.FAIL)
        return
    mean = statistics.fmean
    study.tell(ask, [mean(t.metrics[metric] for t in ok), mean(t.cost["train_time_s"] for t in ok)])


def front_is_non_dominated(trials: Sequence[Trial], front: Sequence[int], metric: str = "accuracy") -> bool:
    """True when no trial beats a front trial on both objectives (a check for tests and reports)."""
    for i in front:
        a = trials[i]
        for b in trials:
            if b.status == Status.FAILED or b is a:
                continue
            better_metric = b.metrics[metric] >= a.metrics[metric]
            better_time = b.cost["train_time_s"] <= a.cost["train_time_s"]
            strictly = b.metrics[metric] > a.metrics[metric] or b.cost["train_time_s"] < a.cost["train_time_s"]
            if better_metric and better_time and strictly:
                return False
    return True


# --- what drove the results ---------------------------------------------------------------------------
def _distribution(rng: Range) -> Any:
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    if isinstance(rng, (IntRange, UnitsRange)):
        return IntDistribution(rng.low, rng.high, log=rng.log)
    if isinstance(rng, FloatRange):
        return FloatDistribution(rng.low, rng.high, log=rng.log)
    return CategoricalDistribution(tuple(_category(o) for o in rng.options))


def _category(value: Any) -> Any:
    return getattr(value, "value", value)


def _internal(value: Any, rng: Range) -> Any:
    """The number or category Optuna sampled for a knob value (hidden units (64, 64) → 64)."""
    if isinstance(value, (tuple, list)):
        return value[0] if value else 0
    return _category(value) if isinstance(rng, Choice) else value


def _inside(value: Any, rng: Range) -> bool:
    if isinstance(rng, Choice):
        return value in [_category(o) for o in rng.options]
    return rng.low <= value <= rng.high


def param_importances(
    trials: Sequence[Trial],
    ranges: dict[str, Range],
    *,
    metric: str = "accuracy",
    target: str = "metric",
    seed: int = 0,
) -> dict[str, float]:
    """How much each searched knob explains the metric (``target="metric"``) or the training time
    (``"time"``): Optuna's fANOVA importances (fixed ``seed``), summing to 1, largest first.

    Computed from the trial records (repeats averaged per configuration), so a finished or stopped search
    and a saved one give the same answer. Knobs whose range is a single value are left out; fewer than two
    finished configurations (or all alike) give ``{}``."""
    import optuna
    from optuna.importance import FanovaImportanceEvaluator, get_param_importances

    if target not in ("metric", "time"):
        raise ConfigError(f"The 'target' parameter must be 'metric' or 'time'. Got {target!r} instead.")
    groups: dict[str, list[Trial]] = {}
    for t in trials:
        if t.status != Status.FAILED and t.metrics.get(metric) is not None and set(ranges) <= set(t.params):
            groups.setdefault(repr(sorted((k, str(v)) for k, v in t.params.items())), []).append(t)
    dists = {name: _distribution(rng) for name, rng in ranges.items()}
    dists = {name: d for name, d in dists.items() if not d.single()}  # a knob held to one value explains nothing
    rows = []
    for members in groups.values():
        params = {name: _internal(members[0].params[name], ranges[name]) for name in dists}
        if all(_inside(params[name], ranges[name]) for name in dists):  # configurations of these ranges only
            values = [t.metrics[metric] if target == "metric" else t.cost["train_time_s"] for t in members]
            rows.append((params, statistics.fmean(values)))
    if len(rows) < 2 or not dists or len({value for _, value in rows}) < 2:
        return {}  # nothing varied, nothing to explain
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize" if target == "metric" else "minimize")
    for params, value in rows:
        study.add_trial(optuna.trial.create_trial(value=value, params=params, distributions=dists))
    found = get_param_importances(study, evaluator=FanovaImportanceEvaluator(seed=seed))
    return {k: float(v) for k, v in sorted(found.items(), key=lambda kv: -kv[1])}
