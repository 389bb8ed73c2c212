"""Evaluation beyond one split: metrics at any threshold, the cost-optimal threshold, calibration,
k-fold cross-validation, and the imbalance lab. Built on ``sklearn.metrics`` and ``sklearn.model_selection``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from core.config import DataConfig, Imbalance, ModelConfig
from core.errors import ConfigError, DataError


# --- thresholds -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ThresholdMetrics:
    threshold: float
    tn: int
    fp: int
    fn: int
    tp: int
    accuracy: float
    precision: float
    recall: float
    specificity: float
    f1: float


def threshold_metrics(y_true: np.ndarray, p_positive: np.ndarray, *, threshold: float) -> ThresholdMetrics:
    """Binary confusion counts and scores when P(positive) ≥ ``threshold`` means positive."""
    from sklearn.metrics import confusion_matrix, f1_score, precision_score, recall_score

    y_pred = (np.asarray(p_positive) >= threshold).astype(int)
    tn, fp, fn, tp = (int(v) for v in confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel())
    return ThresholdMetrics(
        threshold=float(threshold),
        tn=tn,
        fp=fp,
        fn=fn,
        tp=tp,
        accuracy=(tp + tn) / len(y_pred),
        precision=float(precision_score(y_true, y_pred, zero_division=0)),
        recall=float(recall_score(y_true, y_pred, zero_division=0)),
        specificity=tn / (tn + fp) if tn + fp else 0.0,
        f1=float(f1_score(y_true, y_pred, zero_division=0)),
    )


def operating_curves(y_true: np.ndarray, p_positive: np.ndarray) -> dict[str, np.ndarray]:
    """Full-resolution ROC (fpr, tpr) and precision-recall (recall, precision) points for a threshold view."""
    from sklearn.metrics import precision_recall_curve, roc_curve

    fpr, tpr, _ = roc_curve(y_true, p_positive)
    precision, recall, _ = precision_recall_curve(y_true, p_positive)
    return {"fpr": fpr, "tpr": tpr, "recall": recall, "precision": precision}


def expected_cost_curve(
    y_true: np.ndarray,
    p_positive: np.ndarray,
    *,
    cost_fp: float,
    cost_fn: float,
    thresholds: Sequence[float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Expected cost per 1,000 predictions at each threshold: (thresholds, cost)."""
    if cost_fp < 0 or cost_fn < 0:
        raise ConfigError(f"Error costs must be ≥ 0. Got false positive {cost_fp}, false negative {cost_fn}.")
    y = np.asarray(y_true).astype(bool)
    p = np.asarray(p_positive, dtype=float)
    grid = np.asarray(thresholds if thresholds is not None else np.linspace(0.0, 1.0, 201))
    predicted = p[None, :] >= grid[:, None]  # thresholds × samples, vectorised
    fp = (predicted & ~y[None, :]).sum(axis=1)
    fn = (~predicted & y[None, :]).sum(axis=1)
    return grid, (fp * cost_fp + fn * cost_fn) / len(y) * 1000


def cost_optimal_threshold(y_true: np.ndarray, p_positive: np.ndarray, *, cost_fp: float, cost_fn: float) -> float:
    """The threshold (on a 0.005 grid) with the lowest expected cost; ties go to the one nearest 0.5."""
    grid, cost = expected_cost_curve(y_true, p_positive, cost_fp=cost_fp, cost_fn=cost_fn)
    best = np.flatnonzero(cost == cost.min())
    return float(grid[best[np.argmin(np.abs(grid[best] - 0.5))]])


# --- calibration -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Calibration:
    predicted: tuple[float, ...]  # mean predicted probability per bin
    observed: tuple[float, ...]  # observed frequency per bin
    brier: float


def calibration(y_true: np.ndarray, p_positive: np.ndarray, *, n_bins: int = 10) -> Calibration:
    """Reliability-diagram points and the Brier score (for multi-class, pass one class's one-vs-rest)."""
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import brier_score_loss

    observed, predicted = calibration_curve(y_true, p_positive, n_bins=n_bins, strategy="uniform")
    return Calibration(
        tuple(map(float, predicted)), tuple(map(float, observed)), float(brier_score_loss(y_true, p_positive))
    )


def confused_pairs(
    confusion: Sequence[Sequence[int]], class_names: Sequence[str], top: int = 5
) -> list[tuple[str, str, int]]:
    """The most frequent (true, predicted) mistakes, largest first."""
    pairs = [
        (class_names[i], class_names[j], int(v))
        for i, row in enumerate(confusion)
        for j, v in enumerate(row)
        if i != j and v > 0
    ]
    return sorted(pairs, key=lambda p: -p[2])[:top]


# --- cross-validation ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FoldResult:
    fold: int
    n_train: int
    n_val: int
    metrics: dict[str, float | None]
    train_time_s: float
    result: Any = field(default=None, compare=False, repr=False)  # the fold's RunResult, for the run store


@dataclass(frozen=True)
class CrossValidation:
    folds: tuple[FoldResult, ...]
    protocol: str = ""  # which rows, how many folds, what each fold trains and scores on

    def mean_std(self, key: str) -> tuple[float, float]:
        values = [f.train_time_s if key == "train_time_s" else f.metrics[key] for f in self.folds]
        values = [v for v in values if v is not None]
        return float(np.mean(values)), float(np.std(values))

    def to_dict(self) -> dict[str, Any]:
        keys = [*self.folds[0].metrics, "train_time_s"] if self.folds else []
        return {
            "folds": [
                {"fold": f.fold, "n_train": f.n_train, "n_val": f.n_val, **f.metrics, "train_time_s": f.train_time_s}
                for f in self.folds
            ],
            "summary": {k: dict(zip(("mean", "std"), self.mean_std(k), strict=True)) for k in keys},
            "protocol": self.protocol,
        }


CV_METRICS = ("accuracy", "balanced_accuracy", "precision", "recall", "f1", "roc_auc")


def cv_protocol(n_rows: int, folds: int, n_test: int) -> str:
    """One sentence saying which rows cross-validation uses and what each fold trains and scores on."""
    return (
        f"{folds}-fold stratified cross-validation over the {n_rows:,} training and validation rows (the "
        f"{n_test:,} test rows stay held out): each fold's model trains on the other {folds - 1} folds, exactly "
        "the rows shown as n_train, with imputation and scaling fitted on them alone, and is scored on its own "
        "held-out fold (n_val). Early stopping, when on, carves its own inner split from n_train."
    )


@dataclass(frozen=True)
class CvSplits:
    """The rows cross-validation uses and its folds: give ``folds`` to scikit-learn to reproduce the numbers."""

    X: np.ndarray  # training + validation rows, before imputation and scaling
    y: np.ndarray
    folds: tuple[tuple[np.ndarray, np.ndarray], ...]  # (train indices, held-out indices)
    n_test: int  # rows left out of every fold
    positive_class: str | None  # the positive class the single-split run uses, so the numbers compare


def cv_splits(data_cfg: DataConfig, *, folds: int = 5, raw: Any = None) -> CvSplits:
    """k stratified folds over the training and validation rows of ``data_cfg`` (the test split stays out)."""
    from sklearn.model_selection import StratifiedKFold

    from core.data import resolve_positive, split_rows
    from core.datasets import load

    if not 2 <= folds <= 10:
        raise ConfigError(f"The 'folds' parameter must be an integer in [2, 10]. Got {folds!r} instead.")
    data_cfg.validate()
    raw = raw if raw is not None else load(data_cfg)
    (X_tr, y_tr), (X_va, y_va), (_, y_te) = split_rows(data_cfg, raw)
    X = np.vstack([X_tr, X_va])
    y = np.concatenate([y_tr, y_va])
    if np.bincount(y).min() < folds:
        raise DataError(f"A class has fewer than {folds} rows: too few for {folds} stratified folds. Use fewer folds.")
    positive = resolve_positive(data_cfg, raw, tuple(int(c) for c in np.bincount(y_tr, minlength=raw.n_classes)))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=data_cfg.seed)
    return CvSplits(X, y, tuple((tr, va) for tr, va in splitter.split(X, y)), len(y_te), positive)


def cross_validate(
    data_cfg: DataConfig,
    model_cfg: ModelConfig,
    *,
    folds: int = 5,
    on_fold: Callable[[FoldResult, int], None] | None = None,
) -> CrossValidation:
    """k stratified folds over the training and validation rows (the test split stays untouched).

    Each fold's model trains on exactly its ``n_train`` rows (imputation, scaling and resampling fitted on
    them only) and is scored on its held-out fold, which is the fold's stored validation split, so the
    history shows the same fold score as the page. Early stopping carves its own inner split.
    """
    from core.data import finish
    from core.datasets import load
    from core.training import train

    raw = load(data_cfg)  # once: the folds below reuse it
    splits = cv_splits(data_cfg, folds=folds, raw=raw)
    fold_cfg = replace(data_cfg, positive_class=splits.positive_class)
    X, y = splits.X, splits.y
    results = []
    for k, (tr, va) in enumerate(splits.folds, start=1):
        held_out = (X[va], y[va])  # scored as "validation"; also stored as "test" (no other rows are used)
        prepared = finish(fold_cfg, raw, (X[tr], y[tr]), held_out, held_out)
        result = train(fold_cfg, model_cfg, prepared=prepared)
        ev = result.validation
        fold = FoldResult(
            k, len(tr), len(va), {m: getattr(ev, m) for m in CV_METRICS}, result.cost.train_time_s, result
        )
        results.append(fold)
        if on_fold is not None:
            on_fold(fold, len(splits.folds))
    return CrossValidation(tuple(results), cv_protocol(len(y), len(splits.folds), splits.n_test))


# --- imbalance lab ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ImbalanceRow:
    method: Imbalance
    accuracy: float
    balanced_accuracy: float
    minority_recall: float
    pr_auc: float | None
    mcc: float
    train_time_s: float
    train_rows: int


def imbalance_lab(
    minority_fraction: float,
    model_cfg: ModelConfig,
    *,
    n_samples: int = 3000,
    seed: int = 0,
    methods: Sequence[Imbalance] = tuple(Imbalance),
) -> tuple[float, list[ImbalanceRow]]:
    """Train ``model_cfg`` on synthetic binary data with each resampling method.

    Returns the "always predict the majority" accuracy on the validation split (the accuracy paradox's
    reference line) and one row per method.
    """
    from core.training import train

    data = DataConfig(
        dataset="synthetic",
        n_samples=n_samples,
        n_classes=2,
        minority_fraction=minority_fraction,
        label_noise=0.0,
        class_sep=0.8,
        seed=seed,
    )
    rows, majority = [], 0.0
    for method in methods:
        result = train(replace(data, imbalance=method), model_cfg)
        ev = result.validation
        counts = result.dataset["train_counts_before"]
        minority = int(np.argmin(counts))
        majority = max(result.dataset["n_val"] - ev.per_class[minority]["support"], 0) / result.dataset["n_val"]
        rows.append(
            ImbalanceRow(
                method,
                ev.accuracy,
                ev.balanced_accuracy,
                ev.per_class[minority]["recall"],
                ev.average_precision,
                ev.mcc,
                result.cost.train_time_s,
                sum(result.dataset["train_counts"]),
            )
        )
    return majority, rows


__all__ = [
    "Calibration",
    "CrossValidation",
    "CvSplits",
    "FoldResult",
    "ImbalanceRow",
    "ThresholdMetrics",
    "calibration",
    "confused_pairs",
    "cost_optimal_threshold",
    "cross_validate",
    "cv_protocol",
    "cv_splits",
    "expected_cost_curve",
    "imbalance_lab",
    "threshold_metrics",
]
