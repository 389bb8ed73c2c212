"""core.explore.plan: the Trade-offs page's picks become a checked grid sweep or an Optuna search whose ranges span
the values picked (not the whole suggested grid)."""

from __future__ import annotations

import pytest

from core.config import DataConfig, ModelConfig
from core.errors import ConfigError
from core.explore.executors import run_sweep
from core.explore.plan import plan_exploration
from core.explore.search import Choice, FloatRange, IntRange, search


def test_a_grid_plan_counts_its_trials_and_picks_the_executor():
    plan = plan_exploration(DataConfig(), ModelConfig(), {"batch_size": [32, 100], "epochs": [1]}, repeats=2)
    assert (plan.search, plan.executor, plan.total) == (False, "serial", 4)
    assert plan.bind(None).func is run_sweep
    assert plan_exploration(DataConfig(), ModelConfig(), {"epochs": [1]}, parallel=True).executor == "local"


def test_a_search_plan_spans_the_picked_values_only():
    picked = {"learning_rate": [0.003, 0.0047], "batch_size": [37, 100]}
    plan = plan_exploration(DataConfig(), ModelConfig(), picked, search=True, n_trials=5)
    assert plan.total == 5
    assert plan.ranges == {
        "learning_rate": FloatRange(0.003, 0.0047, log=True),
        "batch_size": IntRange(37, 100, log=True),
    }
    plan = plan_exploration(DataConfig(), ModelConfig(), {"optimizer": ["adam", "sgd"]}, search=True)
    assert plan.ranges == {"optimizer": Choice(("adam", "sgd"))}


def test_a_search_without_picked_values_spans_the_suggested_ones():
    plan = plan_exploration(DataConfig(), ModelConfig(), {"epochs": []}, search=True)
    assert plan.ranges["epochs"] == IntRange(1, 50, log=True)


@pytest.mark.parametrize(
    ("picked", "needle"),
    [
        ({}, "at least one knob"),
        ({"epochs": []}, "at least one value for epochs"),
        ({"nonsense": [1]}, "nonsense"),
        ({"epochs": [1], "l2": [0.0], "batch_size": [32]}, "at most 2 knobs"),
    ],
)
def test_bad_picks_are_config_errors_that_say_what_to_pick(picked, needle):
    with pytest.raises(ConfigError, match=needle):
        plan_exploration(DataConfig(), ModelConfig(), picked)


def test_a_search_plan_carries_repeats_and_the_executor():
    plan = plan_exploration(
        DataConfig(), ModelConfig(), {"epochs": [1, 3]}, search=True, n_trials=6, repeats=2, executor="local"
    )
    assert (plan.total, plan.executor, plan.spec.repeats) == (12, "local", 2)
    bound = plan.bind(None)
    assert bound.func is search and bound.keywords["repeats"] == 2 and bound.keywords["executor"] == "local"
    assert plan_exploration(DataConfig(), ModelConfig(), {"epochs": [1]}, executor="ray").executor == "ray"
    with pytest.raises(ConfigError, match="executor"):
        plan_exploration(DataConfig(), ModelConfig(), {"epochs": [1]}, executor="cloud")
