"""What one training run produces: configs, metrics on validation and test, per-epoch history, costs,
the environment stamp — a frozen record that round-trips through JSON with ``to_dict``/``from_dict``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from core.config import DataConfig, ModelConfig
from core.evaluation.metrics import Evaluation
from core.training.progress import EpochLog

# Clear names written beside two fields whose names predate them: new name → field.
COST_NAMES = {"train_rows_per_s": "samples_per_s", "predict_rows_per_s": "rows_per_s"}


@dataclass(frozen=True)
class Cost:
    train_time_s: float  # fitting only: fit() wall time minus its per-epoch validation; first epoch included
    first_epoch_s: float  # fitting time of epoch 1; includes graph tracing / compilation for Keras
    epoch_s_median: float | None  # median fitting time of the steady epochs (2nd on); None with a single epoch
    samples_per_s: float | None  # training rows ÷ steady epoch (fitting) time
    epochs_run: int
    latency_ms_p50: float  # batch 1, direct model call, after warm-up
    latency_ms_p95: float
    rows_per_s: float  # predicting a batch of 1,024 rows
    n_params: int
    size_bytes: int  # serialised in the family's own format
    peak_memory_mb: float  # MB (10**6 B): peak RSS while fitting minus RSS at its start, in the training process
    prepare_time_s: float  # loading, splitting, scaling, resampling
    total_time_s: float  # the whole train() call: preparation, fit, evaluation and these measurements
    # what else ran while this was timed: "serial" (nothing: a clean time), "parallel:<n workers>",
    # "ray" or "tensorflow-loading"; set by whoever ran the training (worker, sweep executor)
    timing_context: str = "serial"
    # Added later; defaults keep older stored JSON loadable.
    eval_time_s: float | None = None  # per-epoch validation inside fit() + scoring validation and test after it
    latency_calls: int | None = None  # batch-1 calls timed for the latency percentiles
    estimate_s: float | None = None  # the training-time estimate shown before the run started

    # Names that say what they measure. The fields keep their old names (stored JSON, other modules build
    # Cost with them); to_dict writes both, so JSON only gains keys.
    @property
    def train_rows_per_s(self) -> float | None:
        """Training speed: training rows ÷ steady epoch fitting time (field ``samples_per_s``)."""
        return self.samples_per_s

    @property
    def predict_rows_per_s(self) -> float:
        """Prediction speed on a batch of 1,024 rows (field ``rows_per_s``)."""
        return self.rows_per_s

    def to_dict(self) -> dict[str, Any]:
        """Every field, plus the clear names ``train_rows_per_s`` and ``predict_rows_per_s``."""
        return {**asdict(self), "train_rows_per_s": self.samples_per_s, "predict_rows_per_s": self.rows_per_s}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Cost:
        """From JSON old or new: the clear names are read when the old keys are missing."""
        d = dict(d)
        for name, field_name in COST_NAMES.items():
            value = d.pop(name, None)
            if field_name not in d and value is not None:
                d[field_name] = value
        d.setdefault("samples_per_s", None)
        return cls(**d)


@dataclass(frozen=True, eq=False)
class Predictions:
    """Stored labels and probabilities, so thresholds and costs can be explored without retraining."""

    y_true: np.ndarray
    proba: np.ndarray

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Predictions)
            and np.array_equal(self.y_true, other.y_true)
            and np.allclose(self.proba, other.proba, atol=1e-6)
        )

    def to_dict(self) -> dict[str, Any]:
        return {"y_true": self.y_true.tolist(), "proba": np.round(self.proba, 6).tolist()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Predictions:
        return cls(np.asarray(d["y_true"], dtype=np.int64), np.asarray(d["proba"], dtype=np.float64))


@dataclass(frozen=True)
class RunResult:
    data_config: DataConfig
    model_config: ModelConfig
    model_repr: str
    dataset: dict[str, Any]  # n_train, n_val, n_test, n_features, n_classes, task, class_names, notes
    validation: Evaluation
    test: Evaluation
    history: tuple[EpochLog, ...]
    cost: Cost
    environment: dict[str, Any]
    stopped: bool
    created_at: str
    predictions: dict[str, Predictions] = field(default_factory=dict)  # "validation", "test"
    warnings: tuple[str, ...] = ()

    def with_estimate(self, estimate_s: float) -> RunResult:
        """This result with the estimate shown before the run stored beside its measured cost."""
        return replace(self, cost=replace(self.cost, estimate_s=float(estimate_s)))

    @property
    def metrics(self) -> dict[str, Evaluation]:
        return {"validation": self.validation, "test": self.test}

    def to_dict(self) -> dict[str, Any]:
        return {
            "data_config": self.data_config.to_dict(),
            "model_config": self.model_config.to_dict(),
            "model_repr": self.model_repr,
            "dataset": self.dataset,
            "metrics": {"validation": self.validation.to_dict(), "test": self.test.to_dict()},
            "history": [log.to_dict() for log in self.history],
            "cost": self.cost.to_dict(),
            "environment": self.environment,
            "stopped": self.stopped,
            "created_at": self.created_at,
            "predictions": {k: p.to_dict() for k, p in self.predictions.items()},
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RunResult:
        return cls(
            data_config=DataConfig.from_dict(d["data_config"]),
            model_config=ModelConfig.from_dict(d["model_config"]),
            model_repr=d["model_repr"],
            dataset=d["dataset"],
            validation=Evaluation.from_dict(d["metrics"]["validation"]),
            test=Evaluation.from_dict(d["metrics"]["test"]),
            history=tuple(EpochLog(**log) for log in d["history"]),
            cost=Cost.from_dict(d["cost"]),
            environment=d["environment"],
            stopped=d["stopped"],
            created_at=d["created_at"],
            predictions={k: Predictions.from_dict(p) for k, p in d.get("predictions", {}).items()},
            warnings=tuple(d.get("warnings", ())),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, text: str) -> RunResult:
        return cls.from_dict(json.loads(text))
