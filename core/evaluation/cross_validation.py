"""k-fold cross-validation on the training and validation rows (the test split stays out)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from core.config import DataConfig, ModelConfig
from core.errors import ConfigError, DataError


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

    from core.data.datasets import load
    from core.data.prepare import resolve_positive, split_rows

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
    from core.data.datasets import load
    from core.data.prepare import finish
    from core.training.trainer import train

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
