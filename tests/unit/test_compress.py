"""Compression without TensorFlow: method parsing, the spec's checks, the noise band, verdicts, the store's
parent links, and a non-Keras run whose methods are skipped with a reason while the rest of the report stands."""

import numpy as np
import pytest

from core.compress import CompressSpec, parse_methods, run_compress
from core.compress.measure import Variant, paired_band_pp, verdict
from core.config import DataConfig, ModelConfig
from core.errors import ConfigError
from core.records.store import RunNotFound, RunStore
from core.training.trainer import train


def test_parse_methods_reads_names_and_values():
    methods = parse_methods("float16, int8,int8-full,prune:0.8,structured:0.25,distill:32,keras-int8")
    assert [m.label for m in methods] == [
        "float16", "int8", "int8-full", "prune:0.8", "structured:0.25", "distill:32", "keras-int8"
    ]  # fmt: skip
    assert methods[3].value == 0.8 and methods[5].value == 32
    assert parse_methods("prune")[0].value == 0.8  # the default sparsity


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("int4", "Unknown compression method 'int4'"),
        ("prune:0.99", r"sparsity of prune must be in \[0, 0.95\]. Got 0.99"),
        ("prune:lots", "takes a number"),
        ("int8:2", "takes no value"),
        ("distill:2.5", "whole number"),
        ("int8,int8", "twice"),
        (" , ", "lists no method"),
    ],
)
def test_parse_methods_refuses_with_a_message_naming_the_value(text, match):
    with pytest.raises(ConfigError, match=match):
        parse_methods(text)


@pytest.mark.parametrize(
    ("change", "match"),
    [({"alpha": 1.5}, "alpha"), ({"temperature": 0}, "temperature"), ({"fine_tune_epochs": -1}, "fine_tune_epochs")],
)
def test_spec_validate_names_the_bad_setting(change, match):
    spec = CompressSpec(DataConfig(), ModelConfig(), parse_methods("int8"), **change)
    with pytest.raises(ConfigError, match=match):
        spec.validate()


def test_noise_band_is_zero_for_identical_predictions_and_follows_a_real_difference():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, size=300)
    proba = rng.dirichlet(np.ones(3), size=300)
    assert paired_band_pp(y, proba, proba, 200) == (0.0, 0.0)
    perfect = np.eye(3)[y]
    low, high = paired_band_pp(y, proba, perfect, 200)
    gain = 100 * (1 - (proba.argmax(1) == y).mean())
    assert 0 < low < gain < high


def _variant(method, runtime, size, latency, delta=None, band=None):
    cost = {"size_bytes": size, "gzip_bytes": size, "latency_ms_p50": latency}
    return Variant(method, runtime, cost=cost, delta_pp=delta, band_pp=band)


def test_verdict_separates_the_runtime_from_the_compression():
    original = _variant("original", "keras", 40_000, 2.0)
    baseline = _variant("float32", "litert", 40_000, 0.01)
    int8 = _variant("int8", "litert", 10_000, 0.005, delta=-0.2, band=(-0.6, 0.2))
    line = verdict(int8, original, baseline)
    assert line.startswith("int8: 4.0× smaller, 2.0× faster than the float32 model in LiteRT")
    assert "vs the Keras original 400.0× faster, of which the runtime alone is 200.0× faster" in line
    assert line.endswith("-0.2 pp accuracy — within noise")
    slower = verdict(_variant("int8-full", "litert", 12_000, 0.02, delta=-1.0, band=(-2.0, -0.5)), original, baseline)
    assert "2.0× slower than the float32 model" in slower and "within noise" not in slower
    reference = verdict(baseline, original, baseline)  # the float32 model in LiteRT is not compared with itself
    assert reference.startswith("float32: 1.0× smaller, 200.0× faster than the Keras original")
    assert "no compression: the reference for the other LiteRT variants" in reference


@pytest.fixture
def store(tmp_path):
    return RunStore(str(tmp_path / "runs.sqlite"))


def test_variants_are_stored_linked_to_their_parent(store):
    parent = train(DataConfig(), ModelConfig(epochs=2))
    parent_id = store.save(parent)
    info = {"method": "int8", "status": "complete", "batch": "b1"}
    child = store.save_variant(parent, parent_id=parent_id, info=info)
    failed = store.save_variant(None, parent_id=parent_id, info={"method": "x", "status": "failed", "error": "boom"})
    rows = store.variants(parent_id)
    assert [run.id for run, _ in rows] == [child, failed]
    assert rows[0][0].kind == "compress" and rows[0][0].parent_id == parent_id and rows[0][1] == info
    assert rows[1][0].status == "failed" and rows[1][0].error == "boom"
    assert store.get(parent_id).parent_id is None and store.compressed_parents() == [parent_id]
    with pytest.raises(RunNotFound, match="999"):
        store.save_variant(parent, parent_id=999, info=info)


def test_a_variant_is_not_on_the_training_time_frontier_unless_compress_runs_are_asked_for(store):
    from core.records.store import RunFilter

    parent = train(DataConfig(), ModelConfig(epochs=2))
    parent_id = store.save(parent)
    child = store.save_variant(parent, parent_id=parent_id, info={"method": "int8", "status": "complete"})
    assert [p[0] for p in store.frontier_points()] == [parent_id]  # its time is a conversion, not a training
    assert [p[0] for p in store.frontier_points(RunFilter(kinds=("compress",)))] == [child]
    assert [p[0] for p in store.frontier_points(RunFilter(datasets=("digits",)))] == [parent_id]


def test_a_non_keras_model_is_measured_and_each_method_skipped_with_its_reason():
    report = run_compress(CompressSpec(DataConfig(), ModelConfig(epochs=3), parse_methods("int8,prune:0.5")))
    out = report.to_dict()
    assert out["original"]["metrics"]["validation"]["accuracy"] > 0.8
    assert [v["status"] for v in out["variants"]] == ["skipped", "skipped"]
    assert "needs a Keras model" in out["variants"][0]["error"] and "numpy_mlp" in out["variants"][0]["error"]


def test_cli_distillation_defaults_are_the_specs():
    from core.cli import build_parser

    args = build_parser().parse_args(["compress", "--dataset", "digits"])
    spec = CompressSpec(DataConfig(), ModelConfig(), parse_methods("distill:8"))
    assert (args.student_epochs, args.temperature, args.alpha) == (spec.student_epochs, spec.temperature, spec.alpha)
    assert spec.student_epochs >= 10  # distillation only pays once both students reach their plateau
