import json
import time

import pytest

from core.config import DataConfig, ModelConfig, ModelKind
from core.errors import ConfigError
from core.records.result import RunResult
from core.training.trainer import train


def test_callback_runs_once_per_epoch_with_rising_elapsed_time():
    logs = []
    result = train(DataConfig(), ModelConfig(epochs=6), callback=logs.append)
    assert [log.epoch for log in logs] == [1, 2, 3, 4, 5, 6]
    assert all(b.elapsed_s > a.elapsed_s for a, b in zip(logs, logs[1:]))
    assert all(log.epochs == 6 and log.val_accuracy is not None for log in logs)
    assert not result.stopped and result.cost.epochs_run == 6


def test_callback_can_stop_a_run_midway():
    result = train(DataConfig(), ModelConfig(epochs=50), callback=lambda log: log.epoch == 3)
    assert result.stopped and result.cost.epochs_run == 3 and len(result.history) == 3
    assert result.validation.accuracy > 0.5  # the partial model is kept and scored


def test_costs_are_positive_and_consistent():
    started = time.perf_counter()
    result = train(DataConfig(), ModelConfig(epochs=5, hidden_units=(32,)))
    wall = time.perf_counter() - started
    c = result.cost
    assert 0 < c.first_epoch_s <= c.train_time_s <= c.total_time_s <= wall
    assert c.epoch_s_median > 0 and c.train_rows_per_s > 0
    assert sum(h.epoch_s for h in result.history) <= c.train_time_s
    assert 0 < c.latency_ms_p50 <= c.latency_ms_p95
    assert c.n_params == 64 * 32 + 32 + 32 * 10 + 10
    assert c.size_bytes > c.n_params * 4  # float32 weights plus the npz container
    assert c.peak_memory_mb >= 0 and c.predict_rows_per_s > 0
    assert result.environment["cores"] >= 1 and "numpy" in result.environment["versions"]


def test_same_seed_same_metrics_other_seed_differs():
    a = train(DataConfig(seed=1), ModelConfig(seed=1, epochs=3))
    b = train(DataConfig(seed=1), ModelConfig(seed=1, epochs=3))
    c = train(DataConfig(seed=2), ModelConfig(seed=2, epochs=3))
    assert a.validation == b.validation and a.test == b.test
    assert [h.loss for h in a.history] == [h.loss for h in b.history]
    assert [h.loss for h in a.history] != [h.loss for h in c.history]


def test_run_result_round_trips_through_json_with_required_keys():
    result = train(DataConfig(dataset="breast_cancer"), ModelConfig(kind=ModelKind.LOGISTIC))
    d = json.loads(result.to_json())
    for key in ("accuracy", "precision", "recall", "f1", "roc_auc"):
        assert isinstance(d["metrics"]["validation"][key], float)
        assert isinstance(d["metrics"]["test"][key], float)
    for key in (
        "train_time_s",
        "first_epoch_s",
        "epoch_s_median",
        "latency_ms_p50",
        "latency_ms_p95",
        "n_params",
        "size_bytes",
        "peak_memory_mb",
    ):
        assert key in d["cost"]
    assert isinstance(d["history"], list) and "environment" in d and d["stopped"] is False
    assert RunResult.from_json(result.to_json()) == result


def test_binary_task_reports_roc_auc_and_imbalance_is_applied():
    cfg = DataConfig(dataset="synthetic", n_samples=1500, minority_fraction=0.1, imbalance="oversample")
    from core.config import replace_plain as replace

    result = train(replace(cfg), ModelConfig(epochs=5))
    assert result.dataset["train_counts"][0] == result.dataset["train_counts"][1]
    assert result.dataset["train_counts_before"][1] < result.dataset["train_counts_before"][0]
    assert 0.5 < result.validation.roc_auc <= 1.0


def test_bad_model_config_fails_before_any_work():
    with pytest.raises(ConfigError, match="batch_size"):
        train(DataConfig(), ModelConfig(batch_size=0))


def test_training_time_is_fitting_only_knn_scoring_is_timed_apart():
    result = train(DataConfig(), ModelConfig(kind=ModelKind.KNN))
    c = result.cost
    # k-NN fit only stores the rows; predicting validation and test (and the training score) is the work
    assert 0 < c.train_time_s < c.eval_time_s
    assert result.history[0].epoch_s <= c.train_time_s and result.history[0].eval_s < c.eval_time_s
    assert c.latency_calls >= 1 and c.estimate_s is None


def test_validation_passes_are_not_training_time_for_networks():
    result = train(DataConfig(), ModelConfig(epochs=4, hidden_units=(16,)), estimate_s=1.25)
    c = result.cost
    assert all(log.eval_s > 0 for log in result.history)
    assert c.eval_time_s >= sum(log.eval_s for log in result.history)
    assert c.train_time_s + c.eval_time_s <= c.total_time_s
    assert c.estimate_s == 1.25 and RunResult.from_json(result.to_json()).cost.estimate_s == 1.25


def test_old_json_without_the_new_cost_and_metric_fields_still_loads():
    d = json.loads(train(DataConfig(dataset="breast_cancer"), ModelConfig(kind=ModelKind.LOGISTIC)).to_json())
    for key in ("eval_time_s", "latency_calls", "estimate_s"):
        del d["cost"][key]
    for split in ("validation", "test"):
        del d["metrics"][split]["positive_class"], d["metrics"][split]["average"]
    for log in d["history"]:
        del log["eval_s"]
    old = RunResult.from_dict(d)
    assert old.cost.eval_time_s is None and old.validation.positive_class is None
