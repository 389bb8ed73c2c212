"""Compression results as run records for the store: the original (a "train" run) and each variant (a
"compress" run, linked to its parent by ``RunStore.save_variant``), with metrics, predictions and costs."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from core import machine
from core.compress.measure import Variant
from core.config import ModelKind
from core.records.result import Cost, Predictions, RunResult


def run_result(spec, model_repr, data, v: Variant, cost: Cost, history=(), stopped=False) -> RunResult:
    return RunResult(
        data_config=spec.data,
        model_config=spec.model,
        model_repr=model_repr,
        dataset={
            **data.summary(),
            "class_names": list(data.class_names),
            "notes": list(data.notes),
            "train_counts_before": list(data.train_counts_before),
            "train_counts": list(data.class_counts()),
        },
        validation=v.validation,
        test=v.test,
        history=history,
        cost=cost,
        environment=machine.environment_stamp(),
        stopped=stopped,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        predictions={
            "validation": Predictions(data.y_val, v.proba_val),
            "test": Predictions(data.y_test, v.proba_test),
        },
    )


def variant_run(report, v: Variant) -> RunResult:
    """A complete variant as a run record (kind "compress" in the store): its metrics, predictions and costs."""
    c = v.cost
    cost = Cost(
        train_time_s=c["build_time_s"],
        first_epoch_s=c["build_time_s"],
        epoch_s_median=None,
        samples_per_s=None,
        epochs_run=v.epochs_run,
        latency_ms_p50=c["latency_ms_p50"],
        latency_ms_p95=c["latency_ms_p95"],
        rows_per_s=c["rows_per_s"],
        n_params=c["n_params"],
        size_bytes=c["size_bytes"],
        peak_memory_mb=c["peak_memory_mb"],
        prepare_time_s=0.0,
        total_time_s=c["build_time_s"],
    )
    model_cfg = report.spec.model
    if v.method.startswith(("distill:", "alone:")):
        model_cfg = dataclasses.replace(
            model_cfg,
            kind=ModelKind.KERAS_MLP,
            hidden_units=(int(v.params["units"]),),
            epochs=int(v.params["epochs"]),
            dropout=0.0,
        )
    parent = report.parent
    result = run_result(
        dataclasses.replace(report.spec, model=model_cfg),
        f"{v.method} ({v.runtime}) of {report.model_repr}",
        _DatasetView(parent),
        v,
        cost,
    )
    return result


class _DatasetView:
    """The parent's stored dataset summary, shaped like PreparedData for ``_run_result``."""

    def __init__(self, parent: RunResult):
        self._d = parent.dataset
        self.y_val = parent.predictions["validation"].y_true
        self.y_test = parent.predictions["test"].y_true
        self.class_names = tuple(self._d["class_names"])
        self.notes = tuple(self._d.get("notes", ()))
        self.train_counts_before = tuple(self._d.get("train_counts_before", ()))

    def summary(self) -> dict[str, Any]:
        keys = ("n_train", "n_val", "n_test", "n_features", "n_classes", "task")
        return {k: self._d[k] for k in keys}

    def class_counts(self) -> tuple[int, ...]:
        return tuple(self._d.get("train_counts", ()))
