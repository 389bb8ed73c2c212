"""No selection on the test set: sweeps, their what-if answers and Optuna choose on validation numbers only.

Each test changes one split's numbers and nothing else: moving test accuracy must change no choice; moving
validation accuracy must.
"""

from dataclasses import replace

import pytest

from core.config import DataConfig, ModelConfig, ModelKind
from core.explore import search as search_module
from core.explore.analysis import best_within_budget, fastest_reaching, pareto_trials, summarise
from core.explore.executors import trial_from_result
from core.explore.search import Choice, search
from core.explore.sweeps import TrialSpec
from core.training.trainer import train


@pytest.fixture(scope="module")
def base_result():
    return train(DataConfig(dataset="breast_cancer"), ModelConfig(kind=ModelKind.LOGISTIC))


def _trial(base, index: int, c: float, *, val: float, test: float, seconds: float):
    result = replace(
        base,
        validation=replace(base.validation, accuracy=val),
        test=replace(base.test, accuracy=test),
        cost=replace(base.cost, train_time_s=seconds),
    )
    spec = TrialSpec(index, {"C": c}, 0, base.data_config, replace(base.model_config, C=c))
    return trial_from_result(spec, result, "serial")


def _answers(trials):
    summaries = summarise(trials)
    budget = best_within_budget(summaries, budget_s=10.0)
    target = fastest_reaching(summaries, target=0.9)
    return budget.params["C"], target.params["C"], pareto_trials(trials)


def test_sweep_answers_follow_validation_and_ignore_test(base_result):
    # C=1: slower, better on validation; C=0.1: faster, worse on validation but better on test
    trials = [
        _trial(base_result, 0, 1.0, val=0.97, test=0.90, seconds=2.0),
        _trial(base_result, 1, 0.1, val=0.93, test=0.99, seconds=1.0),
    ]
    assert _answers(trials) == (1.0, 0.1, [True, True])
    test_only = [
        _trial(base_result, 0, 1.0, val=0.97, test=0.99, seconds=2.0),
        _trial(base_result, 1, 0.1, val=0.93, test=0.50, seconds=1.0),
    ]
    assert _answers(test_only) == _answers(trials)  # the test numbers moved; no answer did
    val_only = [
        _trial(base_result, 0, 1.0, val=0.97, test=0.90, seconds=2.0),
        _trial(base_result, 1, 0.1, val=0.98, test=0.99, seconds=1.0),
    ]
    assert _answers(val_only) == (0.1, 0.1, [False, True])  # the validation numbers moved; the answers did


def test_optuna_search_is_told_validation_numbers_only(base_result, monkeypatch):
    def fake_run(spec: TrialSpec, swap: bool):
        c = spec.model.C
        val, test = (0.9 + c / 100, 0.99 - c / 100)
        return _trial(base_result, spec.index, c, val=test if swap else val, test=val if swap else test, seconds=1.0)

    chosen = {}
    for swap in (False, True):
        monkeypatch.setattr(search_module, "run_trial", lambda spec, swap=swap: fake_run(spec, swap))
        front, trials = search(
            base_result.data_config,
            base_result.model_config,
            {"C": Choice((1.0, 5.0))},
            n_trials=6,
        )
        chosen[swap] = {trials[i].params["C"] for i in front}
    # equal times: the front is the best validation accuracy; swapping which split holds it flips the choice
    assert chosen[False] == {5.0} and chosen[True] == {1.0}
