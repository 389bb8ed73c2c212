"""Classification metrics, all computed by ``sklearn.metrics`` (never re-implemented).

``evaluate(y_true, proba, *, positive=1, threshold=0.5)`` returns an :class:`Evaluation`: headline scores, the confusion
matrix, ROC and PR curve points (per class for multi-class, one-vs-rest) and a per-class report. Binary
scores can be recomputed at any threshold from stored probabilities, without retraining. Degenerate input
(one class present, no predicted positives) gives ``None`` or 0 with a warning, never an exception.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

MAX_CURVE_POINTS = 200  # curves are thinned to this many points: enough to draw, small to store


class MetricWarning(UserWarning):
    """A metric was undefined for this input and was reported as None or 0."""


@dataclass(frozen=True)
class Curve:
    label: str  # "positive" for binary, the class name for one-vs-rest
    x: tuple[float, ...]  # ROC: false-positive rate; PR: recall
    y: tuple[float, ...]  # ROC: true-positive rate; PR: precision
    thresholds: tuple[float, ...]


@dataclass(frozen=True)
class Evaluation:
    n_samples: int
    threshold: float | None  # binary only: on P(positive class)
    accuracy: float
    balanced_accuracy: float
    precision: float  # binary: of the positive class (named below); multi-class: macro
    recall: float
    f1: float
    precision_weighted: float
    recall_weighted: float
    f1_weighted: float
    roc_auc: float | None  # binary; multi-class: one-vs-rest macro
    average_precision: float | None
    log_loss: float | None
    mcc: float
    confusion_matrix: tuple[tuple[int, ...], ...]
    roc_curves: tuple[Curve, ...]
    pr_curves: tuple[Curve, ...]
    per_class: tuple[dict[str, Any], ...]  # class, precision, recall, f1, support
    positive_class: str | None = None  # binary: the class precision/recall/F1 are of; None for multi-class
    average: str | None = None  # "binary" (of positive_class) or "macro" (unweighted mean over classes)

    @property
    def n_classes(self) -> int:
        return len(self.confusion_matrix)

    @property
    def qualifier(self) -> str:
        """What precision, recall and F1 are of: "malignant", "macro over 10 classes" (empty if unknown)."""
        if self.positive_class is not None:
            return self.positive_class
        return f"macro over {self.n_classes} classes" if self.average == "macro" else ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Evaluation:
        values = dict(d)
        values["confusion_matrix"] = tuple(tuple(int(v) for v in row) for row in d["confusion_matrix"])
        for key in ("roc_curves", "pr_curves"):
            values[key] = tuple(Curve(c["label"], tuple(c["x"]), tuple(c["y"]), tuple(c["thresholds"])) for c in d[key])
        values["per_class"] = tuple(dict(row) for row in d["per_class"])
        return cls(**values)


def evaluate(
    y_true: np.ndarray,
    proba: np.ndarray,
    *,
    class_names: tuple[str, ...] | None = None,
    positive: int = 1,
    threshold: float = 0.5,
) -> Evaluation:
    """Score predicted probabilities ``proba`` (n_samples × n_classes) against ``y_true``.

    Parameters
    ----------
    y_true : array of int, shape (n_samples,)
        True labels 0..k-1.
    proba : array of float, shape (n_samples, k)
        Predicted class probabilities; rows sum to 1.
    class_names : tuple of str, optional
        Names for the per-class report and curves; defaults to "0".."k-1".
    positive : int, default 1
        Binary only: the index of the positive class, which precision, recall, F1, the ROC and PR curves and
        average precision are of.
    threshold : float, default 0.5
        Binary only: predict the positive class when its probability is at least this.
    """
    from sklearn import metrics as skm

    y_true = np.asarray(y_true, dtype=np.int64)
    proba = np.asarray(proba, dtype=np.float64)
    if proba.ndim == 2:  # float32 outputs drift from summing to 1 by ~1e-7; log_loss warns on that
        proba = proba / proba.sum(axis=1, keepdims=True)
    if proba.ndim != 2 or len(proba) != len(y_true):
        raise ValueError(f"proba must be (n_samples, n_classes) with n_samples={len(y_true)}; got {proba.shape}.")
    k = proba.shape[1]
    names = tuple(class_names) if class_names else tuple(str(c) for c in range(k))
    labels = np.arange(k)
    binary = k == 2
    if binary and positive not in (0, 1):
        raise ValueError(f"positive must be 0 or 1 for a binary task; got {positive!r}.")
    y_pred = predict_labels(proba, threshold, positive=positive)
    average = "binary" if binary else "macro"
    pos_kw = {"pos_label": positive} if binary else {}

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # we report undefined metrics ourselves, once, below
        precision = skm.precision_score(
            y_true, y_pred, labels=labels if not binary else None, average=average, zero_division=0, **pos_kw
        )
        recall = skm.recall_score(
            y_true, y_pred, labels=labels if not binary else None, average=average, zero_division=0, **pos_kw
        )
        f1 = skm.f1_score(
            y_true, y_pred, labels=labels if not binary else None, average=average, zero_division=0, **pos_kw
        )
        p_w, r_w, f_w, _ = skm.precision_recall_fscore_support(
            y_true, y_pred, labels=labels, average="weighted", zero_division=0
        )
        p_c, r_c, f_c, s_c = skm.precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
        balanced = skm.balanced_accuracy_score(y_true, y_pred) if len(np.unique(y_true)) > 0 else 0.0
        mcc = skm.matthews_corrcoef(y_true, y_pred)
    roc_auc, average_precision, logloss = _ranking_scores(y_true, proba, binary, labels, positive)
    if binary and not (y_pred == positive).any():
        _warn("No sample was predicted positive at this threshold; precision is reported as 0.")
    return Evaluation(
        n_samples=len(y_true),
        threshold=float(threshold) if binary else None,
        accuracy=float(skm.accuracy_score(y_true, y_pred)),
        balanced_accuracy=float(balanced),
        precision=float(precision),
        recall=float(recall),
        f1=float(f1),
        precision_weighted=float(p_w),
        recall_weighted=float(r_w),
        f1_weighted=float(f_w),
        roc_auc=roc_auc,
        average_precision=average_precision,
        log_loss=logloss,
        mcc=float(mcc),
        confusion_matrix=tuple(
            tuple(int(v) for v in row) for row in skm.confusion_matrix(y_true, y_pred, labels=labels)
        ),
        roc_curves=_curves(y_true, proba, names, "roc", positive),
        pr_curves=_curves(y_true, proba, names, "pr", positive),
        per_class=tuple(
            {
                "class": names[i],
                "precision": float(p_c[i]),
                "recall": float(r_c[i]),
                "f1": float(f_c[i]),
                "support": int(s_c[i]),
            }
            for i in range(k)
        ),
        positive_class=names[positive] if binary else None,
        average=average,
    )


def predict_labels(proba: np.ndarray, threshold: float = 0.5, *, positive: int = 1) -> np.ndarray:
    """Binary: ``positive`` when P(positive) ≥ threshold, else the other class; multi-class: the most probable."""
    if proba.shape[1] == 2:
        return np.where(proba[:, positive] >= threshold, positive, 1 - positive).astype(np.int64)
    return proba.argmax(axis=1).astype(np.int64)


def _ranking_scores(y_true, proba, binary, labels, positive=1) -> tuple[float | None, float | None, float | None]:
    from sklearn import metrics as skm

    present = np.unique(y_true)
    logloss = float(skm.log_loss(y_true, np.clip(proba, 1e-15, 1), labels=labels))
    if len(present) < 2:
        _warn(f"Only one class ({present.tolist()}) is present in y_true: ROC AUC and average precision are undefined.")
        return None, None, logloss
    if binary:
        hit = (y_true == positive).astype(int)
        return (
            float(skm.roc_auc_score(hit, proba[:, positive])),
            float(skm.average_precision_score(hit, proba[:, positive])),
            logloss,
        )
    if len(present) < len(labels):
        _warn(f"{len(labels) - len(present)} class(es) absent from y_true: ROC AUC is averaged over present classes.")
    onehot = (y_true[:, None] == labels[None, :]).astype(int)
    cols = [c for c in labels if onehot[:, c].any()]
    auc = float(np.mean([skm.roc_auc_score(onehot[:, c], proba[:, c]) for c in cols]))
    ap = float(np.mean([skm.average_precision_score(onehot[:, c], proba[:, c]) for c in cols]))
    return auc, ap, logloss


def _curves(y_true, proba, names, which: str, positive: int = 1) -> tuple[Curve, ...]:
    from sklearn import metrics as skm

    k = proba.shape[1]
    targets = [(names[positive], positive)] if k == 2 else [(names[c], c) for c in range(k)]
    curves = []
    for label, c in targets:
        positives = (y_true == c).astype(int)
        if positives.min() == positives.max():
            continue  # a curve needs both outcomes present
        if which == "roc":
            x, y, thr = skm.roc_curve(positives, proba[:, c])
        else:
            y, x, thr = skm.precision_recall_curve(positives, proba[:, c])
            thr = np.r_[thr, 1.0]
        keep = _thin(len(x))
        curves.append(Curve(label, _round(x[keep]), _round(y[keep]), _round(np.clip(thr[keep], 0, 1))))
    return tuple(curves)


def _thin(n: int) -> np.ndarray:
    if n <= MAX_CURVE_POINTS:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, MAX_CURVE_POINTS).round().astype(int))


def _round(values: np.ndarray) -> tuple[float, ...]:
    return tuple(float(v) for v in np.round(values, 5))


def _warn(message: str) -> None:
    warnings.warn(message, MetricWarning, stacklevel=3)
