from core.config import DataConfig, ModelConfig
from core.explore.pareto import pareto_mask
from core.explore.search import Choice, FloatRange, IntRange, front_is_non_dominated, search


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
