"""Measuring a compressed variant as the lab measures everything (core/perf.py): validation and test metrics,
serialized size (bytes and gzip), batch-1 latency p50/p95 of direct calls after warm-up in the runtime that
would serve it, rows/s at batch 1,024, peak memory while it was produced and the time that took — and the
one-line verdict against both baselines (the Keras original and the float32 model in the same runtime).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.evaluation.metrics import Evaluation, evaluate
from core.training import perf

NOISE_RESAMPLES_SEED = 0
SUMMARY_METRICS = ("accuracy", "balanced_accuracy", "f1", "precision", "recall", "log_loss")


@dataclass(frozen=True, eq=False)
class Variant:
    """One measured model: the original, the float32 LiteRT baseline, or a compressed variant."""

    method: str  # "original", "float32", "float16", "int8", "int8-full", "keras-int8", "prune:0.8", ...
    runtime: str  # "keras" or "litert": what runs it for the latency and throughput numbers
    params: dict[str, Any] = field(default_factory=dict)
    status: str = "complete"  # "complete", "failed" (an error while building) or "skipped" (cannot apply)
    error: str | None = None
    validation: Evaluation | None = None
    test: Evaluation | None = None
    cost: dict[str, float | int | None] = field(default_factory=dict)
    delta_pp: float | None = None  # validation accuracy minus the original's, in percentage points
    band_pp: tuple[float, float] | None = None  # 95 % paired-bootstrap interval of delta_pp
    verdict: str = ""
    proba_val: np.ndarray | None = None
    proba_test: np.ndarray | None = None
    epochs_run: int = 0

    @property
    def within_noise(self) -> bool:
        return self.band_pp is not None and self.band_pp[0] <= 0 <= self.band_pp[1]

    def to_dict(self) -> dict[str, Any]:
        metrics = {}
        if self.validation is not None:
            metrics["validation"] = {k: getattr(self.validation, k) for k in SUMMARY_METRICS}
        return {
            "method": self.method,
            "runtime": self.runtime,
            "params": dict(self.params),
            "metrics": metrics,
            "cost": dict(self.cost),
            "status": self.status,
            "error": self.error,
            "delta_accuracy_pp": self.delta_pp,
            "noise_band_pp": list(self.band_pp) if self.band_pp else None,
            "within_noise": self.within_noise if self.band_pp else None,
            "verdict": self.verdict,
        }


def measure(
    method: str,
    runtime: str,
    *,
    predict_proba: Callable[[np.ndarray], np.ndarray],
    predict_one: Callable[[np.ndarray], object],
    data,
    size_bytes: int,
    gzip_bytes: int,
    n_params: int,
    build_time_s: float,
    peak_memory_mb: float,
    params: dict[str, Any] | None = None,
    epochs_run: int = 0,
) -> Variant:
    """Score and time one served model on the prepared data's validation and test splits."""
    proba_val = predict_proba(data.X_val)
    proba_test = predict_proba(data.X_test)
    latency = perf.measure_latency(predict_one, np.ascontiguousarray(data.X_val[:1], dtype=np.float32))
    cost = {
        "size_bytes": int(size_bytes),
        "gzip_bytes": int(gzip_bytes),
        "latency_ms_p50": latency.latency_ms_p50,
        "latency_ms_p95": latency.latency_ms_p95,
        "rows_per_s": perf.measure_throughput(predict_proba, np.asarray(data.X_val, dtype=np.float32)),
        "n_params": int(n_params),
        "peak_memory_mb": float(peak_memory_mb),
        "build_time_s": float(build_time_s),
    }
    return Variant(
        method,
        runtime,
        params=dict(params or {}),
        validation=evaluate(data.y_val, proba_val, class_names=data.class_names),
        test=evaluate(data.y_test, proba_test, class_names=data.class_names),
        cost=cost,
        proba_val=proba_val,
        proba_test=proba_test,
        epochs_run=epochs_run,
    )


def paired_band_pp(y_true: np.ndarray, proba_a: np.ndarray, proba_b: np.ndarray, resamples: int) -> tuple[float, float]:
    """95 % interval of accuracy(b) − accuracy(a) in pp, resampling the same validation rows for both."""
    right_a = proba_a.argmax(axis=1) == y_true
    right_b = proba_b.argmax(axis=1) == y_true
    diff = right_b.astype(np.float64) - right_a
    rng = np.random.default_rng(NOISE_RESAMPLES_SEED)
    idx = rng.integers(0, len(diff), size=(resamples, len(diff)))
    means = diff[idx].mean(axis=1) * 100
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def _times(ratio: float, more: str, less: str) -> str:
    if not np.isfinite(ratio) or ratio <= 0:
        return "n/a"
    return f"{ratio:.1f}× {more}" if ratio >= 1 else f"{1 / ratio:.1f}× {less}"


def verdict(v: Variant, original: Variant, same_runtime: Variant | None) -> str:
    """One line: size and speed against the float32 model in the same runtime, the runtime's own share, Δ accuracy."""
    if v.status != "complete":
        return f"{v.method}: {v.status} — {v.error}"
    reference = v.method == "float32"  # the float32 LiteRT model itself: against the Keras original, not itself
    in_litert = same_runtime is not None and v.runtime == same_runtime.runtime and not reference
    base = same_runtime if in_litert else original
    where = "the float32 model in LiteRT" if base is same_runtime else "the Keras original"
    size = _times(base.cost["size_bytes"] / v.cost["size_bytes"], "smaller", "larger")
    if v.method.startswith("prune"):
        size = f"gzip {_times(base.cost['gzip_bytes'] / v.cost['gzip_bytes'], 'smaller', 'larger')} (dense file {size})"
    speed = _times(base.cost["latency_ms_p50"] / v.cost["latency_ms_p50"], "faster", "slower")
    parts = [f"{v.method}: {size}, {speed} than {where}"]
    if base is same_runtime and v.method != "float32":
        runtime = original.cost["latency_ms_p50"] / same_runtime.cost["latency_ms_p50"]
        total = original.cost["latency_ms_p50"] / v.cost["latency_ms_p50"]
        parts.append(
            f"vs the Keras original {_times(total, 'faster', 'slower')}, of which the runtime alone is "
            f"{_times(runtime, 'faster', 'slower')}"
        )
    elif reference:
        parts.append("the runtime alone, no compression: the reference for the other LiteRT variants")
    if v.delta_pp is not None:
        noise = " — within noise" if v.within_noise else ""
        parts.append(f"{v.delta_pp:+.1f} pp accuracy{noise}")
    return "; ".join(parts)


def keras_weights_bytes(model) -> tuple[int, int]:
    """(bytes, gzip bytes) of the model's weights file (.weights.h5) without optimizer state (an uncompiled copy)."""
    from core.compress.litert import gzip_bytes
    from core.compress.prune import _fresh_copy

    if model.optimizer is not None:
        model = _fresh_copy(model)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.weights.h5")
        model.save_weights(path)
        with open(path, "rb") as fh:
            blob = fh.read()
    return len(blob), gzip_bytes(blob)


def measure_keras(method, model, data, build_s, memory, params=None, epochs=0) -> Variant:
    from core.compress.litert import keras_predictor

    proba, one = keras_predictor(model)
    size, gz = keras_weights_bytes(model)
    return measure(
        method,
        "keras",
        predict_proba=proba,
        predict_one=one,
        data=data,
        size_bytes=size,
        gzip_bytes=gz,
        n_params=model.count_params(),
        build_time_s=build_s,
        peak_memory_mb=memory,
        params=params,
        epochs_run=epochs,
    )


def measure_litert(method, blob, keras_model, data, build_s, memory, params=None, epochs=0) -> Variant:
    from core.compress.litert import LiteRTModel, gzip_bytes

    served = LiteRTModel(blob, data.n_features)
    params = {**(params or {}), "tensor_dtypes": served.weight_dtypes()}
    return measure(
        method,
        "litert",
        predict_proba=served.predict_proba,
        predict_one=served.predict_one,
        data=data,
        size_bytes=len(blob),
        gzip_bytes=gzip_bytes(blob),
        n_params=keras_model.count_params(),
        build_time_s=build_s,
        peak_memory_mb=memory,
        params=params,
        epochs_run=epochs,
    )
