"""Each compression method on digits with a real Keras MLP (slow: TensorFlow, one shared compression run):
float32 LiteRT agrees with Keras, int8 shrinks the file ≥ 3×, pruning keeps its zeros after fine-tuning,
structured pruning lowers the parameter count, distillation runs and is stored under its parent; the CLI's JSON.
"""

import json

import numpy as np
import pytest

from core.compress import CompressSpec, parse_methods, run_compress
from core.compress.runner import variant_run
from core.config import DataConfig, ModelConfig, ModelKind
from core.data.prepare import prepare
from core.records.store import RunStore
from tests.helpers import run_cli

pytestmark = pytest.mark.slow

DATA = DataConfig(dataset="digits")
MODEL = ModelConfig(kind=ModelKind.KERAS_MLP, hidden_units=(256,), epochs=4, batch_size=64)


@pytest.fixture(scope="module")
def report():
    methods = parse_methods("float16,int8,int8-full,keras-int8,prune:0.8,structured:0.5,distill:16")
    return run_compress(CompressSpec(DATA, MODEL, methods, fine_tune_epochs=1, student_epochs=3))


def _by_method(report):
    return {v.method: v for v in report.variants}


def test_every_method_completes(report):
    assert {v.method: v.status for v in report.variants if v.status != "complete"} == {}


def test_float32_litert_agrees_with_keras_within_1e_5(report):
    from core.compress.litert import LiteRTModel, convert, keras_predictor

    base = _by_method(report)["float32"]
    assert base.params["max_abs_diff_vs_keras"] <= 1e-5
    assert np.array_equal(base.proba_val.argmax(1), report.original.proba_val.argmax(1))
    # the same check on fresh rows, batch 1 included, against a direct Keras call
    from core.models.keras_import import import_keras

    keras = import_keras()
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(3)])
    X = np.random.default_rng(0).normal(size=(40, 8)).astype(np.float32)
    served = LiteRTModel(convert(model, "float32"), 8)
    proba, _ = keras_predictor(model)
    assert np.abs(served.predict_proba(X) - proba(X)).max() <= 1e-5
    assert np.abs(np.asarray(served.predict_one(X[:1])) - proba(X[:1])).max() <= 1e-5


def test_int8_shrinks_the_file_at_least_3x_and_float16_about_2x(report):
    v = _by_method(report)
    float32 = v["float32"].cost["size_bytes"]
    assert v["int8"].cost["size_bytes"] * 3 <= float32
    assert v["int8-full"].cost["size_bytes"] * 2.5 <= float32  # int32 biases and per-tensor scales: ~2.8× here
    assert v["float16"].cost["size_bytes"] * 1.7 <= float32
    assert v["int8"].params["tensor_dtypes"].get("int8", 0) >= 2  # the kernels really are int8


def test_pruning_keeps_the_requested_share_of_zeros_after_fine_tuning(report):
    pruned = _by_method(report)["prune:0.8"]
    assert pruned.epochs_run == 1
    assert pruned.params["measured_sparsity"] == pytest.approx(0.8, abs=0.005)
    float32 = _by_method(report)["float32"]
    assert pruned.cost["size_bytes"] == pytest.approx(float32.cost["size_bytes"], rel=0.01)  # still dense
    assert pruned.cost["gzip_bytes"] * 2 < float32.cost["gzip_bytes"]  # only gzip sees the zeros


def test_structured_pruning_lowers_the_parameter_count(report):
    v = _by_method(report)["structured:0.5"]
    assert v.cost["n_params"] < 0.6 * report.original.cost["n_params"]
    assert v.cost["size_bytes"] < _by_method(report)["float32"].cost["size_bytes"]


def test_structured_pruning_of_a_cnn_slices_the_flattened_channels():
    from core.compress.prune import structured_prune
    from core.models.keras_import import import_keras

    keras = import_keras()
    data = prepare(DataConfig(dataset="digits", n_rows=300))
    X = data.X_train.reshape(-1, 8, 8, 1)
    cnn = keras.Sequential([
        keras.Input((8, 8, 1)), keras.layers.Conv2D(8, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(2), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax"),
    ])  # fmt: skip
    small = structured_prune(cnn, 0.5, X, data.y_train, epochs=0, batch_size=32, learning_rate=1e-3, seed=0)
    assert small.layers[0].filters == 4 and small.count_params() < cnn.count_params()
    # with no fine-tuning, dropping filters must equal zeroing them in the original
    kernel, bias = cnn.layers[0].get_weights()
    norms = np.sqrt((kernel.reshape(-1, 8) ** 2).sum(0))
    dropped = np.argsort(-norms, kind="stable")[4:]
    kernel[..., dropped], bias[dropped] = 0.0, 0.0
    cnn.layers[0].set_weights([kernel, bias])
    assert np.abs(np.asarray(small(X[:20])) - np.asarray(cnn(X[:20]))).max() < 1e-5


def test_distillation_runs_beside_the_student_alone_and_stores_its_parent_link(report, tmp_path):
    v = _by_method(report)
    student, alone = v["distill:16"], v["alone:16"]
    assert student.cost["n_params"] == alone.cost["n_params"] < report.original.cost["n_params"] / 4
    assert student.validation.accuracy > 0.5 and student.params["teacher_params"] == report.original.cost["n_params"]
    store = RunStore(str(tmp_path / "runs.sqlite"))
    parent_id = store.save(report.parent)
    child = store.save_variant(variant_run(report, student), parent_id=parent_id, info=student.to_dict())
    (run, info), = store.variants(parent_id)  # fmt: skip
    assert run.id == child and run.parent_id == parent_id and run.kind == "compress"
    assert info["method"] == "distill:16" and run.result.model_config.hidden_units == (16,)
    assert run.result.validation.accuracy == pytest.approx(student.validation.accuracy)


def test_cli_json_has_the_documented_shape_and_saves_variants(tmp_path, monkeypatch):
    monkeypatch.setenv("TRADEOFF_LAB_DB", str(tmp_path / "cli.sqlite"))
    done = run_cli("compress", "--dataset", "digits", "--model", "keras_mlp", "--hidden", "64", "--epochs", "2",
                   "--method", "int8,prune:0.5", "--fine-tune-epochs", "1", "--json", timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert set(out["original"]) >= {"metrics", "cost"} and "accuracy" in out["original"]["metrics"]["validation"]
    assert [v["method"] for v in out["variants"]] == ["float32", "int8", "prune:0.5"]
    for v in out["variants"]:
        assert set(v) >= {"method", "params", "metrics", "cost", "status"} and v["status"] == "complete"
        assert {"size_bytes", "gzip_bytes", "latency_ms_p50", "latency_ms_p95", "build_time_s"} <= set(v["cost"])
        assert set(v["metrics"]) == {"validation"} and 0 <= v["metrics"]["validation"]["f1"] <= 1
    assert v["params"]["sparsity"] == 0.5
    store = RunStore(str(tmp_path / "cli.sqlite"))
    rows = store.variants(out["parent_id"])
    assert [r.id for r, _ in rows] == out["variant_ids"] and store.get(out["parent_id"]).kind == "train"


def test_cli_refuses_a_bad_method_in_one_line():
    done = run_cli("compress", "--dataset", "digits", "--model", "keras_mlp", "--method", "int4")
    assert done.returncode == 2 and done.stderr.strip().count("\n") == 0 and "int4" in done.stderr


def test_report_rows_and_chart_show_every_complete_variant_with_the_original_marked(report):
    from core.compress.charts import accuracy_size_latency_chart, report_rows

    out = report.to_dict()
    rows = report_rows(out)
    assert list(rows["method"]) == ["original", *[v["method"] for v in out["variants"]]]
    spec = accuracy_size_latency_chart(out).to_dict()
    assert len(spec["hconcat"]) == 2
    assert [layer["encoding"]["x"]["field"] for layer in (p["layer"][1] for p in spec["hconcat"])] == [
        "size_bytes",
        "latency_ms_p50",
    ]


def _locked(path):
    """Another program holding the store's write lock (released by the caller's rollback)."""
    import sqlite3

    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    return holder


def test_variants_a_locked_store_refuses_are_kept_in_a_file_and_import_linked_to_their_run(
    report, private_home, tmp_path, capsys
):
    from core.cli.args import EXIT_STORE
    from core.cli.compress_cmd import _save_variants
    from core.records.store_import import import_unsaved

    path = tmp_path / "runs.sqlite"
    store = RunStore(str(path))
    parent = store.get(store.save(report.parent))
    out = report.to_dict()
    holder = _locked(path)
    try:
        assert _save_variants(report, out, parent, store) == EXIT_STORE
    finally:
        holder.rollback()
        holder.close()
    said = capsys.readouterr().err
    assert "the variants are not in the history" in said and "runs import --unsaved" in said
    assert store.variants(parent.id) == []
    (kept,) = (private_home / ".tradeoff_lab" / "unsaved").glob("*compress*runs.json")
    assert str(kept) in said
    import_unsaved(store)
    rows = store.variants(parent.id)
    assert [info["method"] for _, info in rows] == [v.method for v in report.variants]
    assert len({info["batch"] for _, info in rows}) == 1 and rows[0][1]["original"] == out["original"]
    assert all(run.kind == "compress" and run.parent_id == parent.id for run, _ in rows)


def test_variants_travel_with_their_run_through_an_export_and_a_file_kept_before_the_run_was_saved(
    report, private_home, tmp_path
):
    from core.records.keep import keep_in_file
    from core.records.store_import import export_json, import_json, import_unsaved
    from core.records.unsaved import Unsaved

    source = RunStore(str(tmp_path / "source.sqlite"))
    parent_id = source.save(report.parent)
    student = _by_method(report)["distill:16"]
    info = {**student.to_dict(), "batch": "b1", "model": report.model_repr, "original": report.to_dict()["original"]}
    source.save_variant(variant_run(report, student), parent_id=parent_id, info=info)
    elsewhere = RunStore(str(tmp_path / "elsewhere.sqlite"))
    elsewhere.save(report.parent)  # ids differ between the two stores: the link travels by uuid
    assert import_json(elsewhere, export_json(source)).added == 2
    new_parent = elsewhere.id_of(source.get(parent_id).uuid)
    ((run, moved),) = elsewhere.variants(new_parent)
    assert new_parent != parent_id and moved == info and run.result.model_config.hidden_units == (16,)

    # a run trained from flags whose store refused everything: the file holds the run, then its variants
    run_uuid = "6f1c3e2a-0000-4000-8000-000000000001"
    keep_in_file([Unsaved(report.parent, uuid=run_uuid), Unsaved(None, kind="compress", status="failed",
                  dataset="?", model="?", error="boom", parent=run_uuid,
                  compress={**info, "status": "failed", "method": "int8"})], kind="compress")  # fmt: skip
    fresh = RunStore(str(tmp_path / "fresh.sqlite"))
    import_unsaved(fresh)
    ((failed, kept),) = fresh.variants(fresh.id_of(run_uuid))
    assert failed.status == "failed" and failed.error == "boom" and kept["method"] == "int8"
