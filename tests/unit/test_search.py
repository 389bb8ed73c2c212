"""core.explore.search: Optuna honours the pickers' ranges, the repeats and the serial timing; labels are
rounded; parameter importances say which knob mattered; the what-if defaults are reached."""

from collections import Counter

import pytest

from core.config import DataConfig, ModelConfig, Optimizer
from core.explore import search as search_module
from core.explore.analysis import (
    best_within_budget,
    default_budget,
    default_target,
    display_value,
    fastest_reaching,
    params_label,
    summarise,
)
from core.explore.executors import trial_from_result
from core.explore.pareto import pareto_mask
from core.explore.plan import plan_exploration
from core.explore.search import Choice, FloatRange, IntRange, front_is_non_dominated, param_importances, search
from core.status import Status


def test_optuna_search_returns_a_non_dominated_front():
    ranges = {
        "hidden_units": IntRange(4, 128, log=True),
        "learning_rate": FloatRange(1e-4, 3e-2, log=True),
        "batch_size": Choice((32, 128)),
    }
    front, trials = search(DataConfig(), ModelConfig(epochs=3), ranges, n_trials=8, seed=1)
    assert len(trials) == 8 and front
    assert front_is_non_dominated(trials, front)
    mask = pareto_mask([t.metrics["accuracy"] for t in trials], [t.cost["train_time_s"] for t in trials])
    assert set(front) <= {i for i, m in enumerate(mask) if m}


def test_failed_search_trials_are_recorded():
    front, trials = search(
        DataConfig(dataset="breast_cancer"), ModelConfig(epochs=2), {"kind": Choice(("keras_cnn",))}, n_trials=2
    )
    assert front == [] and all(t.status == "failed" for t in trials)


@pytest.fixture(scope="module")
def fake_result():
    from core.training.trainer import train

    return train(DataConfig(), ModelConfig(epochs=1))


def _echo_runner(fake_result):
    """A runner that trains nothing: it records the spec it was given (fast, so many trials can be checked)."""
    seen = []

    def run(spec):
        seen.append(spec)
        return trial_from_result(spec, fake_result, "serial")

    return run, seen


def test_sampled_values_never_leave_the_pickers_ranges(fake_result):
    picked = {"learning_rate": [0.0003, 0.01], "optimizer": [Optimizer.ADAM, Optimizer.RMSPROP]}
    plan = plan_exploration(DataConfig(), ModelConfig(), picked, search=True, n_trials=30)
    run, seen = _echo_runner(fake_result)
    _, trials = plan.bind(run)()
    assert len(trials) == len(seen) == 30
    rates = [s.model.learning_rate for s in seen]
    assert all(0.0003 <= r <= 0.01 for r in rates) and len(set(rates)) > 5
    assert {s.model.optimizer for s in seen} <= {Optimizer.ADAM, Optimizer.RMSPROP}  # never sgd, not picked
    # the value trained is the value shown: two significant digits, no 0.006902902940976648
    assert all(float(display_value(r)) == r and len(display_value(r).lstrip("0.")) <= 2 for r in rates)


def test_integer_and_unit_ranges_stay_inside_and_stay_integers(fake_result):
    picked = {"batch_size": [16, 64], "hidden_units": [(8, 8), (32, 32)]}
    plan = plan_exploration(DataConfig(), ModelConfig(), picked, search=True, n_trials=20)
    run, seen = _echo_runner(fake_result)
    plan.bind(run)()
    assert all(isinstance(s.model.batch_size, int) and 16 <= s.model.batch_size <= 64 for s in seen)
    assert all(len(s.model.hidden_units) == 2 and 8 <= s.model.hidden_units[0] <= 32 for s in seen)


def test_each_configuration_runs_repeats_times_with_the_grid_seeds(fake_result):
    plan = plan_exploration(
        DataConfig(seed=3), ModelConfig(seed=3), {"epochs": [1, 9]}, search=True, n_trials=5, repeats=3
    )
    assert plan.total == 15
    run, seen = _echo_runner(fake_result)
    done = []
    _, trials = plan.bind(run)(on_trial=lambda t, n, total: done.append((n, total)))
    assert done[-1] == (15, 15) and [t.index for t in trials] == list(range(15))
    for first in range(0, 15, 3):  # each sampled configuration: three consecutive runs, repeats 0, 1, 2
        group = trials[first : first + 3]
        assert [t.repeat for t in group] == [0, 1, 2] and all(t.params == group[0].params for t in group)
    assert [(s.repeat, s.model.seed, s.data.seed) for s in seen[:3]] == [(0, 3, 3), (1, 4, 4), (2, 5, 5)]


def test_labels_are_rounded_by_one_formatter():
    assert display_value(0.006902902940976648) == "0.0069"
    assert display_value(109.579218) == "110"
    assert display_value(1e-4) == "0.0001"
    assert (display_value(64), display_value((64, 64)), display_value(Optimizer.SGD)) == ("64", "64-64", "sgd")
    assert params_label({"learning_rate": 0.0123456, "batch_size": 32}) == "learning_rate=0.0123, batch_size=32"


def test_rounding_a_sample_keeps_it_inside_its_range():
    rng = FloatRange(0.0003, 0.01, log=True)
    assert search_module._round("learning_rate", 0.0099996, rng) == 0.01
    assert search_module._round("learning_rate", 0.00030004, rng) == 0.0003
    assert search_module._round("dropout", 0.3333, FloatRange(0.0, 0.5)) == 0.33


# --- a real study: digits, the NumPy MLP, 8 configurations × 2 repeats ------------------------------------
@pytest.fixture(scope="module")
def digits_study():
    picked = {"learning_rate": [0.001, 0.1], "batch_size": [32, 128]}
    plan = plan_exploration(
        DataConfig(dataset="digits"),
        ModelConfig(kind="numpy_mlp", epochs=2),
        picked,
        search=True,
        n_trials=8,
        repeats=2,
    )
    front, trials = plan.bind(None)()
    return plan, front, trials


def test_a_digits_study_honours_ranges_repeats_and_serial_timing(digits_study):
    plan, front, trials = digits_study
    assert len(trials) == 16 and all(t.status == Status.COMPLETE for t in trials)
    assert all(0.001 <= t.params["learning_rate"] <= 0.1 and 32 <= t.params["batch_size"] <= 128 for t in trials)
    assert all(t.cost["timing_context"] == "serial" for t in trials)
    assert all(Counter(str(t.params) for t in trials)[str(t.params)] % 2 == 0 for t in trials)
    assert front and {trials[i].params["learning_rate"] for i in front}


def test_importances_cover_every_varied_knob_and_sum_to_one(digits_study):
    plan, _, trials = digits_study
    for target in ("metric", "time"):
        found = param_importances(trials, plan.ranges, target=target)
        assert set(found) == {"learning_rate", "batch_size"}
        assert sum(found.values()) == pytest.approx(1.0, abs=1e-6)
        assert list(found.values()) == sorted(found.values(), reverse=True)
    again = param_importances(trials, plan.ranges)
    assert again == param_importances(trials, plan.ranges)  # fixed seed: the same answer twice
    # a knob held to one value is not "varied" and gets no share
    fixed = dict(plan.ranges, batch_size=IntRange(32, 32))
    assert set(param_importances(trials, fixed)) == {"learning_rate"}
    assert param_importances(trials[:2], plan.ranges) == {}  # one configuration explains nothing


def test_the_what_if_defaults_are_reached(digits_study):
    _, _, trials = digits_study
    summaries = summarise(trials)
    target = default_target(summaries)
    assert fastest_reaching(summaries, target) is not None
    assert target * 200 == pytest.approx(round(target * 200))  # a multiple of 0.5 pp
    assert sum(s.metric_mean >= target for s in summaries) >= len(summaries) / 2
    budget = default_budget(summaries)
    assert best_within_budget(summaries, budget) is not None
    assert sum(s.time_mean <= budget for s in summaries) >= len(summaries) / 2
    assert default_target([]) is None and default_budget([]) is None


def test_a_search_on_the_local_pool_runs_repeats_side_by_side_and_says_so():
    from core.explore.executors import close_pool

    try:
        _, trials = search(
            DataConfig(),
            ModelConfig(kind="knn"),
            {"k_neighbors": IntRange(1, 30)},
            n_trials=2,
            repeats=2,
            executor="local",
            workers=2,
        )
    finally:
        close_pool()
    assert len(trials) == 4 and all(t.status == Status.COMPLETE and t.executor == "local" for t in trials)
    assert all(t.cost["timing_context"] == "parallel:2" for t in trials)  # timed under contention, and labelled so
    assert [t.repeat for t in trials] == [0, 1, 0, 1]
