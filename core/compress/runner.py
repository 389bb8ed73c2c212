"""The compression pipeline: train the run's Keras model (its configuration and seed), measure it, convert
it to float32 LiteRT (the same-runtime baseline), then build and measure each requested variant. A method
that fails or cannot apply is recorded with its one-line reason and the others go on.

    report = run_compress(CompressSpec(data_cfg, model_cfg, parse_methods("int8,prune:0.8")).validate())
    print(json.dumps(report.to_dict()))
"""

from __future__ import annotations

import dataclasses
import statistics
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core import machine
from core.compress.measure import Variant, measure, measure_keras, measure_litert, paired_band_pp, verdict
from core.compress.methods import CompressSpec, Method
from core.compress.records import run_result, variant_run  # noqa: F401  (variant_run: re-exported)
from core.config import ModelKind
from core.data.prepare import PreparedData, prepare
from core.errors import CoreError
from core.records.result import Cost, RunResult
from core.training import perf

Step = Callable[[str], None]  # told what is starting ("training the original", "int8", ...)


@dataclass(frozen=True, eq=False)
class CompressReport:
    spec: CompressSpec
    model_repr: str
    original: Variant
    variants: tuple[Variant, ...]  # the float32 LiteRT baseline first (when the model is Keras)
    parent: RunResult  # the original as a run record (metrics, history, costs)
    environment: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        original = self.original.to_dict()
        return {
            "model": self.model_repr,
            "dataset": self.spec.data.dataset,
            "original": {k: original[k] for k in ("runtime", "metrics", "cost")},
            "variants": [v.to_dict() for v in self.variants],
            "settings": {
                "fine_tune_epochs": self.spec.fine_tune_epochs,
                "student_epochs": self.spec.student_epochs or self.spec.model.epochs,
                "temperature": self.spec.temperature,
                "alpha": self.spec.alpha,
                "calibration_rows": self.spec.calibration_rows,
            },
            "environment": self.environment,
        }


def _build(method: Method, spec: CompressSpec, teacher, data: PreparedData) -> Variant:
    """Build and measure one variant (raises on failure; the caller records it)."""
    from core.compress import litert

    cfg = spec.model
    X, y = data.X_train, data.y_train
    tune = {
        "epochs": spec.fine_tune_epochs,
        "batch_size": cfg.batch_size,
        "seed": cfg.seed,
        "learning_rate": cfg.learning_rate,
    }  # fine-tuning at the model's own batch size and learning rate
    with perf.PeakMemory() as memory:
        t0 = time.perf_counter()
        params: dict[str, Any] = {}
        epochs = 0
        if method.name in ("float16", "int8", "int8-full"):
            rng = np.random.default_rng(cfg.seed)
            sample = X[rng.choice(len(X), size=min(spec.calibration_rows, len(X)), replace=False)]
            blob = litert.convert(teacher, method.name, representative=sample)
            source = teacher
            if method.name == "int8-full":
                params["calibration_rows"] = len(sample)
        elif method.name == "keras-int8":
            from core.compress.prune import _fresh_copy

            quantized = _fresh_copy(teacher)
            with warnings.catch_warnings():  # "Layer Flatten does not have a `quantize` method": expected, not news
                warnings.simplefilter("ignore", UserWarning)
                quantized.quantize("int8")
            build_s = time.perf_counter() - t0
        elif method.name == "prune":
            from core.compress.prune import magnitude_prune, sparsity_of

            source = magnitude_prune(teacher, method.value, X, y, **tune)
            params.update(sparsity=method.value, measured_sparsity=sparsity_of(source))
            blob, epochs = litert.convert(source, "float32"), spec.fine_tune_epochs
        elif method.name == "structured":
            from core.compress.prune import structured_prune

            source = structured_prune(teacher, method.value, X, y, **tune)
            params.update(share=method.value, params_before=teacher.count_params())
            blob, epochs = litert.convert(source, "float32"), spec.fine_tune_epochs
        else:  # distill
            from core.compress.distill import distill

            epochs = spec.student_epochs or cfg.epochs
            source = distill(
                teacher,
                X,
                y,
                units=int(method.value),
                epochs=epochs,
                batch_size=cfg.batch_size,
                learning_rate=cfg.learning_rate,
                temperature=spec.temperature,
                alpha=spec.alpha,
                seed=cfg.seed,
            )
            params.update(
                units=int(method.value),
                temperature=spec.temperature,
                alpha=spec.alpha,
                epochs=epochs,
                teacher_params=teacher.count_params(),
            )
            blob = litert.convert(source, "float32")
        build_s = time.perf_counter() - t0
    if method.name == "keras-int8":
        return measure_keras(method.label, quantized, data, build_s, memory.peak_delta_mb, params)
    return measure_litert(method.label, blob, source, data, build_s, memory.peak_delta_mb, params, epochs)


def _alone(method: Method, spec: CompressSpec, data: PreparedData) -> Variant:
    """The distillation's student trained on the labels alone with the same budget, served the same way."""
    from core.compress import litert
    from core.compress.distill import train_alone

    cfg, epochs = spec.model, spec.student_epochs or spec.model.epochs
    with perf.PeakMemory() as memory:
        t0 = time.perf_counter()
        student = train_alone(
            data.n_classes,
            data.X_train,
            data.y_train,
            units=int(method.value),
            epochs=epochs,
            batch_size=cfg.batch_size,
            learning_rate=cfg.learning_rate,
            seed=cfg.seed,
        )
        blob = litert.convert(student, "float32")
        build_s = time.perf_counter() - t0
    params = {"units": int(method.value), "epochs": epochs}
    return measure_litert(
        f"alone:{int(method.value)}", blob, student, data, build_s, memory.peak_delta_mb, params, epochs
    )


def _failed(label: str, err: BaseException, runtime: str = "litert") -> Variant:
    detail = str(err).strip().splitlines()[0][:240] if str(err).strip() else type(err).__name__
    status = "skipped" if isinstance(err, CoreError) else "failed"
    return Variant(
        label, runtime, status=status, error=detail if status == "skipped" else f"{type(err).__name__}: {detail}"
    )


def _finish(v: Variant, original: Variant, baseline: Variant | None, data: PreparedData, resamples: int) -> Variant:
    if v.status != "complete":
        return dataclasses.replace(v, verdict=verdict(v, original, baseline))
    delta = (v.validation.accuracy - original.validation.accuracy) * 100
    band = paired_band_pp(data.y_val, original.proba_val, v.proba_val, resamples)
    done = dataclasses.replace(v, delta_pp=delta, band_pp=band)
    return dataclasses.replace(done, verdict=verdict(done, original, baseline))


def run_compress(
    spec: CompressSpec, *, prepared: PreparedData | None = None, on_step: Step | None = None, callback=None
) -> CompressReport:
    """Train ``spec.model`` on ``spec.data``, measure it and every method in ``spec.methods``."""
    from core.training.trainer import fit_model

    spec = spec.validate()
    step = on_step or (lambda _text: None)
    started = time.perf_counter()
    data = prepared if prepared is not None else prepare(spec.data)
    prepare_s = time.perf_counter() - started
    step("training the original")
    with perf.PeakMemory() as memory:
        t0 = time.perf_counter()
        model = fit_model(data, spec.model, callback=callback)
        train_s = time.perf_counter() - t0
    if not spec.model.kind.uses_keras:
        original = measure(
            "original",
            "numpy" if spec.model.kind == ModelKind.NUMPY_MLP else "scikit-learn",
            predict_proba=model.predict_proba,
            predict_one=model.predict_one,
            data=data,
            size_bytes=model.size_bytes(),
            gzip_bytes=model.size_bytes(),
            n_params=model.n_params,
            build_time_s=train_s,
            peak_memory_mb=memory.peak_delta_mb,
        )
        why = (
            f"needs a Keras model (keras_mlp or keras_cnn); this run is {spec.model.kind.value}. "
            "Pick a Keras run on Train."
        )
        variants = [Variant(m.label, "litert", status="skipped", error=f"{m.name} {why}") for m in spec.methods]
        variants = [_finish(v, original, None, data, spec.bootstrap) for v in variants]
        return _report(spec, model, original, variants, data, train_s, memory.peak_delta_mb, prepare_s, started)

    teacher = model.model_
    original = measure_keras("original", teacher, data, train_s, memory.peak_delta_mb, epochs=model.epochs_run_)
    step("float32 in LiteRT (the runtime baseline)")
    try:
        from core.compress import litert

        with perf.PeakMemory() as mem32:
            t0 = time.perf_counter()
            blob = litert.convert(teacher, "float32")
            convert_s = time.perf_counter() - t0
        baseline = measure_litert("float32", blob, teacher, data, convert_s, mem32.peak_delta_mb)
        gap = float(np.abs(baseline.proba_val - original.proba_val).max())
        baseline = dataclasses.replace(baseline, params={**baseline.params, "max_abs_diff_vs_keras": gap})
    except Exception as err:  # recorded like any variant; the rest still run in Keras terms
        baseline = _failed("float32", err)
    variants: list[Variant] = [baseline]
    ok_baseline = baseline if baseline.status == "complete" else None
    for method in spec.methods:
        step(method.label)
        try:
            variants.append(_build(method, spec, teacher, data))
        except Exception as err:  # one method's failure is its own row, never the end of the others
            variants.append(_failed(method.label, err, "keras" if method.name == "keras-int8" else "litert"))
        if method.name == "distill":
            step(f"alone:{int(method.value)} (the same student without a teacher)")
            try:
                variants.append(_alone(method, spec, data))
            except Exception as err:
                variants.append(_failed(f"alone:{int(method.value)}", err))
    variants = [_finish(v, original, ok_baseline, data, spec.bootstrap) for v in variants]
    return _report(spec, model, original, variants, data, train_s, memory.peak_delta_mb, prepare_s, started)


def _report(spec, model, original: Variant, variants, data, train_s, memory_mb, prepare_s, started) -> CompressReport:
    epochs = [log.epoch_s for log in model.history_]
    steady = statistics.median(epochs[1:]) if len(epochs) > 1 else None
    cost = Cost(
        train_time_s=train_s,
        first_epoch_s=epochs[0] if epochs else train_s,
        epoch_s_median=steady,
        samples_per_s=len(data.y_train) / steady if steady else None,
        epochs_run=model.epochs_run_,
        latency_ms_p50=original.cost["latency_ms_p50"],
        latency_ms_p95=original.cost["latency_ms_p95"],
        rows_per_s=original.cost["rows_per_s"],
        n_params=model.n_params,
        size_bytes=model.size_bytes(),
        peak_memory_mb=memory_mb,
        prepare_time_s=prepare_s,
        total_time_s=time.perf_counter() - started,
    )
    parent = run_result(spec, repr(model), data, original, cost, tuple(model.history_), model.stopped_)
    return CompressReport(spec, repr(model), original, tuple(variants), parent, machine.environment_stamp())
