"""Multi-objective search with Optuna: maximise a metric and minimise training time over chosen ranges.

    front, trials = search(DataConfig(), ModelConfig(), {"hidden_units": IntRange(8, 512, log=True)}, n_trials=20)

The front is the study's best trials (its Pareto set); failed configurations are told to Optuna as failed
and recorded like every other trial.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from core.config import DataConfig, ModelConfig, replace_plain
from core.errors import ConfigError
from core.explore.executors import run_trial
from core.explore.sweeps import DATA_KNOBS, SweepSpec, Trial, TrialSpec
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


def _suggest(trial: Any, name: str, rng: Range) -> Any:
    if isinstance(rng, UnitsRange):
        return (trial.suggest_int(name, rng.low, rng.high, log=rng.log),) * rng.layers
    if isinstance(rng, IntRange):
        value = trial.suggest_int(name, rng.low, rng.high, log=rng.log)
        return (value,) if name == "hidden_units" else value
    if isinstance(rng, FloatRange):
        return trial.suggest_float(name, rng.low, rng.high, log=rng.log)
    return trial.suggest_categorical(name, list(rng.options))


def search(
    data: DataConfig,
    model: ModelConfig,
    ranges: dict[str, Range],
    *,
    n_trials: int,
    metric: str = "accuracy",
    seed: int = 0,
    on_trial: Callable[[Trial, int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    runner: Callable[[TrialSpec], Trial] | None = None,
) -> tuple[list[int], list[Trial]]:
    """Run ``n_trials`` Optuna trials; returns (indices of the Pareto-best trials, all trials).

    ``runner`` runs one trial (default: here, with ``run_trial``; the app times each in a worker)."""
    import optuna

    if not 1 <= n_trials <= 500:
        raise ConfigError(f"The 'n_trials' parameter must be an integer in [1, 500]. Got {n_trials!r} instead.")
    SweepSpec(data, model, {k: [None] for k in ranges}).validate()  # same knob names as sweeps
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        directions=["maximize", "minimize"], sampler=optuna.samplers.TPESampler(seed=seed, multivariate=True)
    )
    trials: list[Trial] = []
    for i in range(n_trials):
        ask = study.ask()
        params = {name: _suggest(ask, name, rng) for name, rng in ranges.items()}
        data_changes = {k: v for k, v in params.items() if k in DATA_KNOBS}
        model_changes = {k: v for k, v in params.items() if k not in DATA_KNOBS}
        try:
            spec = TrialSpec(i, params, 0, replace_plain(data, **data_changes), replace_plain(model, **model_changes))
        except ConfigError as err:
            trial = Trial(index=i, params=params, repeat=0, seed=model.seed, status=Status.FAILED, error=str(err))
        else:
            trial = (runner or run_trial)(spec)
        if trial.status == Status.FAILED:
            study.tell(ask, state=optuna.trial.TrialState.FAIL)
        else:
            study.tell(ask, [trial.metrics[metric], trial.cost["train_time_s"]])
        trials.append(trial)
        if on_trial is not None:
            on_trial(trial, i + 1, n_trials)
        if should_stop is not None and should_stop():
            break
    front = sorted(t.number for t in study.best_trials) if any(t.status != Status.FAILED for t in trials) else []
    return front, trials


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
