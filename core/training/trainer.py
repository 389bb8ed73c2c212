"""``train(data_cfg, model_cfg)``: prepare the data, fit the model with per-epoch progress, evaluate it
and measure what it cost — one call, one :class:`~core.records.result.RunResult`.

    from core import DataConfig, ModelConfig, train
    result = train(DataConfig(dataset="digits"), ModelConfig(kind="keras_mlp"), callback=print)
"""

from __future__ import annotations

import dataclasses
import statistics
import time
import warnings
from datetime import UTC, datetime

from core import machine
from core.config import DataConfig, ModelConfig
from core.data.prepare import PreparedData, prepare
from core.evaluation.metrics import MetricWarning, evaluate
from core.models import build_model
from core.models.base import Model
from core.records.result import Cost, Predictions, RunResult
from core.training import perf
from core.training.progress import Callback


def fit_model(data: PreparedData, model_cfg: ModelConfig, *, callback: Callback | None = None) -> Model:
    """Build ``model_cfg``'s model and fit it on ``data``'s training split, validating on its validation split.

    A ``callback`` with an ``attach(model)`` method (the live decision boundary) is given the model first."""
    model = build_model(model_cfg, n_features=data.n_features, n_classes=data.n_classes, image_shape=data.image_shape)
    attach = getattr(callback, "attach", None)
    if attach is not None:
        attach(model)
    model.fit(
        data.X_train,
        data.y_train,
        n_classes=data.n_classes,
        validation=(data.X_val, data.y_val),
        class_weights=data.class_weights,
        callback=callback,
    )
    return model


def train(
    data_cfg: DataConfig,
    model_cfg: ModelConfig,
    *,
    callback: Callback | None = None,
    prepared: PreparedData | None = None,
    estimate_s: float | None = None,
) -> RunResult:
    """Train ``model_cfg`` on the data ``data_cfg`` describes and return the measured result.

    ``callback`` receives one ``EpochLog`` per epoch and may return True to stop; a stopped run returns
    its partial model's result with ``stopped=True``. Pass ``prepared`` to reuse data already prepared, and
    ``estimate_s`` (the estimate shown before the run) to store it beside the measured time. A Keras run that
    names a ``device`` is built, fitted and scored on it (``keras_import.device_scope``).

    ``cost.train_time_s`` is fitting only: ``fit()``'s wall time minus the per-epoch validation passes it
    makes, which go, with scoring the validation and test splits afterwards, into ``cost.eval_time_s``.
    """
    from core.models.keras_import import device_scope

    with device_scope(model_cfg):
        return _train(data_cfg, model_cfg, callback, prepared, estimate_s)


def _train(
    data_cfg: DataConfig,
    model_cfg: ModelConfig,
    callback: Callback | None,
    prepared: PreparedData | None,
    estimate_s: float | None,
) -> RunResult:
    started = time.perf_counter()
    model_cfg.validate()
    data = prepared if prepared is not None else prepare(data_cfg)
    prepare_s = time.perf_counter() - started
    with perf.PeakMemory() as memory:
        t0 = time.perf_counter()
        model = fit_model(data, model_cfg, callback=callback)  # building a model is instant: timed with the fit
        fit_s = time.perf_counter() - t0
    in_fit_eval_s = sum(log.eval_s for log in model.history_)
    train_s = fit_s - in_fit_eval_s

    caught: list[str] = [*data.warnings, *getattr(model, "warnings_", ())]
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as metric_warnings:
        warnings.simplefilter("always", MetricWarning)
        proba_val = model.predict_proba(data.X_val)
        proba_test = model.predict_proba(data.X_test)
        named = {"class_names": data.class_names, "positive": data.positive_index}
        validation = evaluate(data.y_val, proba_val, **named)
        test = evaluate(data.y_test, proba_test, **named)
    eval_s = in_fit_eval_s + time.perf_counter() - t0
    caught += sorted({str(w.message) for w in metric_warnings})

    epochs = [log.epoch_s for log in model.history_]
    steady = epochs[1:]
    epoch_median = statistics.median(steady) if steady else None
    fit_rows = getattr(model, "n_fit_rows_", len(data.y_train))  # early stopping fits on fewer rows
    latency = perf.measure_latency(model.predict_one, data.X_val[:1])
    cost = Cost(
        train_time_s=train_s,
        first_epoch_s=epochs[0] if epochs else train_s,
        epoch_s_median=epoch_median,
        samples_per_s=fit_rows / epoch_median if epoch_median else None,
        epochs_run=model.epochs_run_,
        latency_ms_p50=latency.latency_ms_p50,
        latency_ms_p95=latency.latency_ms_p95,
        rows_per_s=perf.measure_throughput(model.predict_proba, data.X_val),
        n_params=model.n_params,
        size_bytes=model.size_bytes(),
        peak_memory_mb=memory.peak_delta_mb,
        prepare_time_s=prepare_s,
        total_time_s=0.0,  # set below, once every measurement above is done
        eval_time_s=eval_s,
        latency_calls=latency.n_calls,
        estimate_s=estimate_s,
    )
    cost = dataclasses.replace(cost, total_time_s=time.perf_counter() - started)
    return RunResult(
        data_config=data_cfg,
        model_config=model_cfg,
        model_repr=repr(model),
        dataset={
            **data.summary(),
            "class_names": list(data.class_names),
            "notes": [*data.notes, *getattr(model, "notes_", ())],
            "positive_class": data.positive_class,
            "train_counts_before": list(data.train_counts_before),
            "train_counts": list(data.class_counts("train")),
            "columns": [d.to_dict() for d in data.columns],  # CSV: each column's decision, with its note
        },
        validation=validation,
        test=test,
        history=tuple(model.history_),
        cost=cost,
        environment=machine.environment_stamp(model_cfg),
        stopped=model.stopped_,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        predictions={"validation": Predictions(data.y_val, proba_val), "test": Predictions(data.y_test, proba_test)},
        warnings=tuple(caught),
    )
