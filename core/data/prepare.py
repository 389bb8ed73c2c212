"""Data preparation: subsample, split, then impute, scale (both fitted on the training split only) and rebalance.

A minority share (``DataConfig.minority_share``, any dataset) subsamples the training split's minority class
(binary: the positive class) before anything is fitted on it; validation and test rows are never touched.

``prepare(data_cfg)`` turns a :class:`~core.config.DataConfig` into :class:`PreparedData`: train, validation
and test arrays plus everything a page or a report needs to describe them. What-if scoring uses the
validation split; the test split is kept for final numbers. ``split_rows`` and ``finish`` are its two
halves, so cross-validation can fit imputation and scaling inside each fold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.config import DataConfig, Imbalance, Scaling
from core.data.datasets import RawData, load
from core.errors import DataError

if TYPE_CHECKING:
    from core.data.csv_columns import ColumnDecision

MIN_ROWS_PER_SPLIT = 2


@dataclass(frozen=True)
class PreparedData:
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]
    image_shape: tuple[int, int] | None
    class_weights: dict[int, float] | None  # set when imbalance == CLASS_WEIGHTS
    train_counts_before: tuple[int, ...]  # class counts of the training split before resampling
    notes: tuple[str, ...]
    positive_class: str | None = None  # binary: the class precision/recall/F1 are of; None for multi-class
    columns: tuple[ColumnDecision, ...] = ()  # CSV: each feature column's decision (core.data.csv_columns)
    warnings: tuple[str, ...] = ()  # what to know before trusting a run on this data (most rows dropped...)

    @property
    def positive_index(self) -> int:
        """Index of the positive class (1 when there is none: multi-class ignores it)."""
        return self.class_names.index(self.positive_class) if self.positive_class is not None else 1

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    @property
    def task(self) -> str:
        return "binary" if self.n_classes == 2 else "multiclass"

    def class_counts(self, split: str = "train") -> tuple[int, ...]:
        y = {"train": self.y_train, "val": self.y_val, "test": self.y_test}[split]
        return tuple(int(c) for c in np.bincount(y, minlength=self.n_classes))

    def summary(self) -> dict[str, object]:
        return {
            "n_train": len(self.y_train),
            "n_val": len(self.y_val),
            "n_test": len(self.y_test),
            "n_features": self.n_features,
            "n_classes": self.n_classes,
            "task": self.task,
        }


Split = tuple[np.ndarray, np.ndarray]


def prepare(cfg: DataConfig, raw: RawData | None = None) -> PreparedData:
    """Load (unless ``raw`` is given), subsample, split, impute, scale and rebalance as ``cfg`` says."""
    cfg.validate()
    raw = raw if raw is not None else load(cfg)
    train, val, test = split_rows(cfg, raw)
    return finish(cfg, raw, train, val, test)


def split_rows(cfg: DataConfig, raw: RawData) -> tuple[Split, Split, Split]:
    """Subsample and split ``raw`` into (train, validation, test) rows, before anything is fitted on them."""
    rng = np.random.default_rng(cfg.seed)
    X, y = _subsample(raw.X, raw.y, cfg, rng)
    if raw.test is not None:  # official test split: subsample it alike, carve validation from train
        X_test, y_test = _subsample(*raw.test, cfg, rng)
        X_train, X_val, y_train, y_val = _split(X, y, cfg.val_fraction, cfg)
    else:
        X_rest, X_test, y_rest, y_test = _split(X, y, cfg.test_fraction, cfg)
        X_train, X_val, y_train, y_val = _split(X_rest, y_rest, cfg.val_fraction / (1 - cfg.test_fraction), cfg)
    return (X_train, y_train), (X_val, y_val), (X_test, y_test)


def finish(cfg: DataConfig, raw: RawData, train: Split, val: Split, test: Split) -> PreparedData:
    """Impute, scale and rebalance split rows; everything fitted here sees the training rows only."""
    (X_train, y_train), (X_val, y_val), (X_test, y_test) = train, val, test
    if len(np.unique(y_train)) < 2:
        raise DataError(f"The training split holds only one class ({len(y_train)} rows). Use more rows.")
    notes = list(raw.notes)
    counts = tuple(int(c) for c in np.bincount(y_train, minlength=raw.n_classes))
    positive = resolve_positive(cfg, raw, counts)
    if cfg.minority_share is not None:
        minority = raw.class_names.index(positive) if positive is not None else int(np.argmin(counts))
        X_train, y_train = subsample_class(X_train, y_train, minority, cfg.minority_share, cfg.seed, raw, notes)
    if raw.impute:
        fills = fit_imputation(X_train, raw.impute, raw.feature_names, notes)
        X_train, X_val, X_test = (apply_imputation(X, raw.impute, fills) for X in (X_train, X_val, X_test))
    X_train, X_val, X_test = _scale(cfg.scaling, raw, X_train, X_val, X_test)
    counts_before = tuple(int(c) for c in np.bincount(y_train, minlength=raw.n_classes))
    class_weights = None
    if cfg.imbalance == Imbalance.CLASS_WEIGHTS:
        class_weights = balanced_class_weights(y_train, raw.n_classes)
    elif cfg.imbalance in (Imbalance.OVERSAMPLE, Imbalance.UNDERSAMPLE):
        X_train, y_train = _resample(cfg.imbalance, X_train, y_train, cfg.seed)
        verb = "Over-sampled" if cfg.imbalance == Imbalance.OVERSAMPLE else "Under-sampled"
        notes.append(f"{verb} the training split: {sum(counts_before)} → {len(y_train)} rows.")
    return PreparedData(
        X_train=np.ascontiguousarray(X_train, dtype=np.float32),
        y_train=y_train,
        X_val=np.ascontiguousarray(X_val, dtype=np.float32),
        y_val=y_val,
        X_test=np.ascontiguousarray(X_test, dtype=np.float32),
        y_test=y_test,
        feature_names=raw.feature_names,
        class_names=raw.class_names,
        image_shape=raw.image_shape,
        class_weights=class_weights,
        train_counts_before=counts_before,
        notes=tuple(notes),
        positive_class=positive,
        columns=raw.columns,
        warnings=raw.warnings,
    )


def subsample_class(
    X: np.ndarray, y: np.ndarray, label: int, share: float, seed: int, raw: RawData, notes: list[str]
) -> Split:
    """Training rows with class ``label`` subsampled (seeded) to ``share`` of the rows; never more than it has.

    The other classes keep every row, so ``label``'s rows become share · others / (1 - share). At least
    ``MIN_ROWS_PER_SPLIT`` of them stay, so the class can still be learned and scored.
    """
    mine = np.flatnonzero(y == label)
    others = len(y) - len(mine)
    name = raw.class_names[label]
    had = len(mine) / len(y)
    wanted = max(int(round(share * others / (1.0 - share))), MIN_ROWS_PER_SPLIT)
    if wanted >= len(mine):
        notes.append(
            f"Minority share: '{name}' is already {had:.1%} of the training split (asked for {share:.1%}); "
            "nothing was removed."
        )
        return X, y
    keep_mine = np.random.default_rng(seed).choice(mine, size=wanted, replace=False)
    rows = np.sort(np.concatenate([np.flatnonzero(y != label), keep_mine]))
    notes.append(
        f"Minority share: kept {wanted} of {len(mine)} '{name}' training rows, {wanted / len(rows):.1%} of the "
        f"training split (was {had:.1%}); validation and test rows are untouched."
    )
    return X[rows], y[rows]


def resolve_positive(cfg: DataConfig, raw: RawData, train_counts: tuple[int, ...]) -> str | None:
    """The positive class's name: the configured one, else the dataset's, else the training minority."""
    names = raw.class_names
    if len(names) != 2:
        if cfg.positive_class is not None:
            raise DataError(
                f"positive_class={cfg.positive_class!r} applies to binary tasks, but {cfg.dataset} has "
                f"{len(names)} classes (precision, recall and F1 are macro averages there). Leave it unset."
            )
        return None
    if cfg.positive_class is not None:
        if cfg.positive_class not in names:
            raise DataError(
                f"positive_class={cfg.positive_class!r} is not a class of {cfg.dataset}. Its classes are "
                f"{', '.join(repr(n) for n in names)}: pick one of them."
            )
        return cfg.positive_class
    if raw.default_positive in names:
        return raw.default_positive
    if train_counts[0] == train_counts[1]:
        return names[1]  # balanced: the conventional positive, label 1
    return names[int(np.argmin(train_counts))]


def fit_imputation(
    X_train: np.ndarray,
    groups: tuple[tuple[str, tuple[int, ...]], ...],
    feature_names: tuple[str, ...],
    notes: list[str] | None = None,
) -> list[np.ndarray]:
    """Fill values from the training rows only: a column's median, or a text column's most frequent value."""
    fills = []
    empty = []
    for how, cols in groups:
        block = X_train[:, list(cols)].astype(np.float64)
        present = ~np.isnan(block).any(axis=1)
        if not present.any():
            empty.append(feature_names[cols[0]].split("=")[0])
            fills.append(np.zeros(len(cols)) if how == "median" else np.eye(len(cols))[0])
            continue
        if how == "median":
            fills.append(np.array([np.median(block[present, 0])]))
        else:
            counts = block[present].sum(axis=0)
            fills.append(np.eye(len(cols))[int(np.argmax(counts))])  # ties: the first in sorted order
    if empty and notes is not None:
        notes.append(
            f"No training row has a value in {', '.join(sorted(set(empty)))}: missing values there were filled "
            "with 0 (or the first category)."
        )
    return fills


def apply_imputation(
    X: np.ndarray, groups: tuple[tuple[str, tuple[int, ...]], ...], fills: list[np.ndarray]
) -> np.ndarray:
    """A copy of ``X`` with each group's missing rows set to its fill value."""
    X = np.array(X, dtype=np.float32, copy=True)
    for (_, cols), fill in zip(groups, fills, strict=True):
        idx = list(cols)
        missing = np.isnan(X[:, idx]).any(axis=1)
        if missing.any():
            X[np.ix_(missing, idx)] = fill
    return X


def _subsample(X: np.ndarray, y: np.ndarray, cfg: DataConfig, rng: np.random.Generator):
    n = len(y)
    keep = int(round(n * cfg.fraction))
    if cfg.n_rows is not None:
        keep = min(keep, cfg.n_rows)
    keep = max(keep, 1)
    if keep >= n:
        return X, y
    idx = np.sort(rng.choice(n, size=keep, replace=False))
    return X[idx], y[idx]


def _split(X: np.ndarray, y: np.ndarray, fraction: float, cfg: DataConfig):
    from sklearn.model_selection import train_test_split

    n_hold = int(np.ceil(len(y) * fraction))
    if n_hold < MIN_ROWS_PER_SPLIT or len(y) - n_hold < MIN_ROWS_PER_SPLIT:
        raise DataError(
            f"Too few rows for the split: {len(y)} rows cannot give {fraction:.0%} to a held-out split and keep "
            f"at least {MIN_ROWS_PER_SPLIT} rows on each side. Use more rows or a larger data size."
        )
    counts = np.bincount(y)
    counts = counts[counts > 0]
    # stratify only where every class can appear on both sides
    stratify = y if cfg.stratify and counts.min() >= 2 and n_hold >= len(counts) else None
    return train_test_split(X, y, test_size=n_hold, random_state=cfg.seed, stratify=stratify)


def _scale(scaling: Scaling, raw: RawData, X_train, X_val, X_test):
    if scaling == Scaling.NONE:
        return X_train, X_val, X_test
    if scaling == Scaling.MINMAX and raw.pixel_max is not None:
        return X_train / raw.pixel_max, X_val / raw.pixel_max, X_test / raw.pixel_max
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    scaler = StandardScaler() if scaling == Scaling.STANDARD else MinMaxScaler()
    scaler.fit(X_train)  # training split only: validation and test never leak into the statistics
    return scaler.transform(X_train), scaler.transform(X_val), scaler.transform(X_test)


def balanced_class_weights(y: np.ndarray, n_classes: int) -> dict[int, float]:
    """sklearn's 'balanced' weights, n / (k · count), for the classes present."""
    from sklearn.utils.class_weight import compute_class_weight

    present = np.unique(y)
    weights = compute_class_weight("balanced", classes=present, y=y)
    return {int(c): float(w) for c, w in zip(present, weights, strict=True)}


def _resample(method: Imbalance, X: np.ndarray, y: np.ndarray, seed: int):
    from imblearn.over_sampling import RandomOverSampler
    from imblearn.under_sampling import RandomUnderSampler

    sampler = (
        RandomOverSampler(random_state=seed)
        if method == Imbalance.OVERSAMPLE
        else RandomUnderSampler(random_state=seed)
    )
    X_res, y_res = sampler.fit_resample(X, y)
    order = np.random.default_rng(seed).permutation(len(y_res))  # imblearn appends copies at the end
    return X_res[order], np.asarray(y_res, dtype=np.int64)[order]
