"""The public contracts that must not change silently: RunResult JSON, the CLI's JSON (train, sweep, cv),
URL keys, the run store's schema version and columns. JSON may gain keys; losing or renaming one fails here
(then it is a decision: update this file, the README's Architecture section and the release notes)."""

from __future__ import annotations

import json
from dataclasses import fields

import pytest
from sqlalchemy import inspect

from core.cli import main
from core.config import DataConfig, ModelConfig
from core.knobs import KNOBS
from core.records.links import CSV_FILE_KEY, read_link, to_query
from core.records.result import Cost, RunResult
from core.records.store import SCHEMA_VERSION, RunStore
from core.status import STATUSES

RUN_RESULT_KEYS = {
    "data_config",
    "model_config",
    "model_repr",
    "dataset",
    "metrics",
    "history",
    "cost",
    "environment",
    "stopped",
    "created_at",
    "predictions",
    "warnings",
}
COST_KEYS = {
    "train_time_s",
    "first_epoch_s",
    "epoch_s_median",
    "samples_per_s",  # old name, kept: train_rows_per_s
    "train_rows_per_s",
    "epochs_run",
    "latency_ms_p50",
    "latency_ms_p95",
    "rows_per_s",  # old name, kept: predict_rows_per_s
    "predict_rows_per_s",
    "n_params",
    "size_bytes",
    "peak_memory_mb",
    "prepare_time_s",
    "total_time_s",
    "timing_context",
    "eval_time_s",
    "latency_calls",
    "estimate_s",
}
METRIC_KEYS = {"accuracy", "balanced_accuracy", "precision", "recall", "f1", "roc_auc", "log_loss", "confusion_matrix"}
EPOCH_KEYS = {"epoch", "epochs", "loss", "val_accuracy", "elapsed_s"}
TRIAL_KEYS = {
    "index",
    "params",
    "repeat",
    "seed",
    "status",
    "metrics",
    "test_metrics",
    "cost",
    "curve",
    "error",
    "data_config",
    "model_config",
    "executor",
    "pareto",
}
RUN_COLUMNS = {
    "id",
    "created_at",
    "kind",
    "status",
    "dataset",
    "model",
    "result_json",
    "error",
    "app_version",
    "notes",
    "tags",
    "uuid",
    "owner",
    "parent_id",
    "compress_json",
    # 5: History's headline columns
    "val_accuracy",
    "val_f1",
    "test_accuracy",
    "train_time_s",
    "model_repr",
    "task",
    "result_state",
    "timing_context",
    # 6: packed arrays, groups, imports
    "result_arrays",
    "group_id",
    "imported_at",
}
TINY = ["--dataset", "digits", "--hidden", "8", "--epochs", "1"]


def _json_of(argv: list[str], capsys) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def train_json() -> dict:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert main(["train", *TINY, "--rows", "300", "--json", "--no-save"]) == 0
    return json.loads(out.getvalue())


def _check_run_result(d: dict) -> None:
    assert RUN_RESULT_KEYS <= set(d)
    assert COST_KEYS <= set(d["cost"])
    assert d["cost"]["train_rows_per_s"] == d["cost"]["samples_per_s"]
    assert d["cost"]["predict_rows_per_s"] == d["cost"]["rows_per_s"]
    assert set(d["metrics"]) == {"validation", "test"} and METRIC_KEYS <= set(d["metrics"]["validation"])
    assert EPOCH_KEYS <= set(d["history"][0])
    assert {f.name for f in fields(DataConfig)} == set(d["data_config"])
    assert {f.name for f in fields(ModelConfig)} <= set(d["model_config"])


def test_train_json_is_the_run_result_contract(train_json):
    _check_run_result(train_json)
    again = RunResult.from_dict(train_json).to_dict()  # it loads back, and writes the same keys and costs
    assert set(again) == set(train_json) and again["cost"] == train_json["cost"]


def test_old_cost_json_without_the_new_names_still_loads(train_json):
    old = {k: v for k, v in train_json["cost"].items() if k not in ("train_rows_per_s", "predict_rows_per_s")}
    cost = Cost.from_dict(old)
    assert cost.train_rows_per_s == old["samples_per_s"] and cost.predict_rows_per_s == old["rows_per_s"]


def test_sweep_json_shape(capsys):
    d = _json_of(["sweep", *TINY[:2], "--param", "hidden=4,8", "--epochs", "1", "--json"], capsys)
    assert set(d) == {"trials"} and len(d["trials"]) == 2
    for trial in d["trials"]:
        assert TRIAL_KEYS <= set(trial) and trial["status"] in STATUSES
        assert COST_KEYS <= set(trial["cost"])
    assert [t["params"]["hidden_units"] for t in d["trials"]] == [[4], [8]]


def test_cv_json_shape(capsys):
    d = _json_of(["cv", *TINY, "--folds", "2", "--json"], capsys)
    assert set(d) == {"folds", "summary", "protocol"}
    assert {"fold", "n_train", "n_val", "accuracy", "train_time_s"} <= set(d["folds"][0])
    assert set(d["summary"]["accuracy"]) == {"mean", "std"}


def test_url_keys_are_d_and_m_field_names_in_the_knob_tables_written_form():
    data = DataConfig(dataset="csv", csv_path="/srv/x/churn.csv", target="churn", fraction=0.5)
    model = ModelConfig(hidden_units=(64, 32), batch_size=100, learning_rate=0.0047)
    query = to_query(data, model)
    assert query == {
        "d.dataset": "csv",
        "d.fraction": "0.5",
        "d.target": "churn",
        CSV_FILE_KEY: "churn.csv",
        "m.hidden_units": "64-32",
        "m.batch_size": "100",
        "m.learning_rate": "0.0047",
    }
    assert CSV_FILE_KEY == "d.csv_file"
    for knob in KNOBS.values():  # every knob's URL key is its field under its config's prefix
        assert knob.url_key == ("d." if knob.is_data else "m.") + knob.name
    assert read_link({"m.hidden_units": "64-32", "m.batch_size": "100"}).model == ModelConfig(
        hidden_units=(64, 32), batch_size=100
    )


def test_store_schema_version_and_columns(tmp_path):
    store = RunStore(str(tmp_path / "runs.sqlite"))
    assert SCHEMA_VERSION == 6
    assert store.schema_version() == SCHEMA_VERSION
    columns = {c["name"] for c in inspect(store._engine).get_columns("runs")}
    assert RUN_COLUMNS <= columns
    assert STATUSES == ("running", "complete", "stopped", "failed", "interrupted")
