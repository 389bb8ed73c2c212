"""Sweeps: expand a grid of knob values from a base configuration, run the trials on an executor, and
record each as an immutable trial — complete or failed, same shape whichever executor ran it.
The grid and the trial records live here; the executors in core/explore/executors.py, summaries and what-ifs
in core/explore/analysis.py.

    from core.explore.executors import run_sweep
    from core.explore.sweeps import SweepSpec
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

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

from core.config import DataConfig, ModelConfig, replace_plain
from core.errors import ConfigError
from core.knobs import ALIASES, DATA_SWEEP_KNOBS, KNOBS, parse_value
from core.status import Status

if TYPE_CHECKING:
    pass

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
