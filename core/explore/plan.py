"""What the Trade-offs page asks for, as a plan: the knobs and values picked become a grid sweep or an
Optuna search (ranges spanning the picked values), checked before anything trains.

    plan = plan_exploration(data_cfg, model_cfg, {"batch_size": [32, 256]}, repeats=2)
    trials = plan.bind(runner=None)(on_trial=print, should_stop=lambda: False)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from core.config import DataConfig, ModelConfig
from core.errors import ConfigError
from core.explore.executors import run_sweep
from core.explore.search import Range, search, search_ranges
from core.explore.sweeps import EXECUTORS, SweepSpec, Trial, TrialSpec, expand_grid
from core.knobs import sweep_values

MAX_KNOBS = 2  # a frontier against one or two knobs is readable; more is a table


@dataclass(frozen=True)
class ExplorePlan:
    """A checked sweep (``search=False``) or search: what to run, on which executor, how many trials."""

    spec: SweepSpec  # the knobs and their picked values (a search's charts order values by it too), repeats
    search: bool = False
    executor: str = "serial"  # "serial" (honest times), "local" (a process pool) or "ray"
    n_trials: int = 0  # search only: configurations Optuna samples (each run ``spec.repeats`` times)
    metric: str = "accuracy"
    ranges: dict[str, Range] = field(default_factory=dict)  # search only: the Optuna ranges

    @property
    def total(self) -> int:
        return self.n_trials * self.spec.repeats if self.search else len(expand_grid(self.spec))

    def bind(self, runner: Callable[[TrialSpec], Trial] | None) -> Callable[..., Any]:
        """The run, its arguments bound but ``on_trial`` and ``should_stop`` (what a SweepJob passes)."""
        if self.search:
            return partial(
                search,
                self.spec.data,
                self.spec.model,
                self.ranges,
                n_trials=self.n_trials,
                metric=self.metric,
                repeats=self.spec.repeats,
                executor=self.executor,
                runner=runner,
            )
        return partial(run_sweep, self.spec, executor=self.executor, runner=runner)


def plan_exploration(
    data: DataConfig,
    model: ModelConfig,
    picked: dict[str, Sequence[Any]],
    *,
    search: bool = False,
    repeats: int = 1,
    parallel: bool = False,
    executor: str | None = None,
    n_trials: int = 12,
    metric: str = "accuracy",
) -> ExplorePlan:
    """Check the picks and make the plan; ConfigError says what to pick when something is missing.

    ``executor`` ("serial", "local" or "ray") wins over ``parallel`` (True: "local"). A search honours the
    repeats and the executor as a grid does; its ranges span the values picked for each knob."""
    executor = executor or ("local" if parallel else "serial")
    if executor not in EXECUTORS:
        raise ConfigError(f"The 'executor' parameter must be one of {', '.join(EXECUTORS)}. Got {executor!r} instead.")
    if not picked:
        raise ConfigError("Pick at least one knob.")
    if len(picked) > MAX_KNOBS:
        raise ConfigError(f"Pick at most {MAX_KNOBS} knobs. Got {len(picked)}: {', '.join(picked)}.")
    if search:
        values = {k: list(v) or sweep_values(k) for k, v in picked.items()}
        spec = SweepSpec(data, model, values, repeats=repeats).validate()
        return ExplorePlan(spec, True, executor, n_trials=n_trials, metric=metric, ranges=search_ranges(values))
    empty = [k for k, v in picked.items() if not v]
    if empty:
        raise ConfigError(f"Pick at least one value for {', '.join(empty)}.")
    spec = SweepSpec(data, model, {k: list(v) for k, v in picked.items()}, repeats=repeats).validate()
    return ExplorePlan(spec, executor=executor, metric=metric)
