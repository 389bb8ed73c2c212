"""Metrics at any threshold, the cost-optimal threshold, calibration and the most-confused pairs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.errors import ConfigError


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
