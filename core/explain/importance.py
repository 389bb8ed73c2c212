"""Global importance: which features a model leans on, by permutation and by SHAP, and per-pixel maps.

    from core.explain import refit
    from core.explain.importance import permutation, shap_importance
    fit = refit(DataConfig(dataset="breast_cancer"), ModelConfig(kind="random_forest"))
    permutation(fit.model, fit.data.X_val, fit.data.y_val, fit.data.feature_names).to_dict()

Permutation importance is scikit-learn's ``permutation_importance`` around the model's own predictions on
the validation split (accuracy drop, with repeats and a std). SHAP uses a tree explainer for forests and
boosting, and a model-agnostic permutation explainer with a small background sample for the rest.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.config import ModelKind
from core.errors import ConfigError
from core.models.base import Model

Progress = Callable[[int, int, float], None]  # (rows done, rows in all, seconds so far)


@dataclass(frozen=True)
class FeatureImportance:
    feature: str
    importance: float
    std: float  # permutation: across repeats; SHAP: across the explained rows


@dataclass(frozen=True, eq=False)
class GlobalImportance:
    method: str  # "permutation" or "shap"
    features: tuple[FeatureImportance, ...]  # sorted by importance, largest first
    time_s: float
    n_rows: int
    explainer: str = ""  # which SHAP explainer ran ("tree", "permutation")
    values: np.ndarray | None = field(default=None, repr=False)  # SHAP: (rows, features) for the strip plot
    X: np.ndarray | None = field(default=None, repr=False)  # the explained rows, same order as values
    feature_order: tuple[str, ...] = ()  # the columns of values and X, in the data's order

    def top(self, n: int) -> list[str]:
        return [f.feature for f in self.features[:n]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "global": [{"feature": f.feature, "importance": f.importance, "std": f.std} for f in self.features],
            "time_s": self.time_s,
            "n_rows": self.n_rows,
        }


class _Predictor:
    """The estimator face ``permutation_importance`` asks for; the model is already fitted."""

    def __init__(self, model: Model):
        self.model = model

    def fit(self, X: np.ndarray, y: np.ndarray) -> _Predictor:  # required by sklearn's checks, never called
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.model.predict(np.asarray(X, dtype=np.float32))


def _sorted(names: tuple[str, ...] | list[str], mean: np.ndarray, std: np.ndarray) -> tuple[FeatureImportance, ...]:
    order = np.argsort(-mean, kind="stable")
    return tuple(FeatureImportance(str(names[i]), float(mean[i]), float(std[i])) for i in order)


def _check(X: np.ndarray, feature_names) -> None:
    if X.ndim != 2 or X.shape[1] != len(feature_names):
        raise ConfigError(
            f"X must have one column per feature name: got shape {X.shape} and {len(feature_names)} names."
        )
    if len(X) < 2:
        raise ConfigError(f"Importance needs at least 2 rows to explain; got {len(X)}. Use a larger validation split.")


def permutation(
    model: Model,
    X: np.ndarray,
    y: np.ndarray,
    feature_names: tuple[str, ...] | list[str],
    *,
    n_repeats: int = 5,
    seed: int = 0,
    max_rows: int = 2000,
) -> GlobalImportance:
    """Accuracy lost when one feature's column is shuffled, mean ± std over ``n_repeats`` shuffles."""
    from sklearn.inspection import permutation_importance

    _check(X, feature_names)
    if not 1 <= n_repeats <= 100:
        raise ConfigError(f"The 'n_repeats' parameter must be an integer in [1, 100]. Got {n_repeats!r} instead.")
    X, y = X[:max_rows], y[:max_rows]
    started = time.perf_counter()
    result = permutation_importance(
        _Predictor(model),
        X,
        y,
        scoring=lambda est, X_, y_: float((est.predict(X_) == y_).mean()),
        n_repeats=n_repeats,
        random_state=seed,
        n_jobs=1,
    )
    elapsed = time.perf_counter() - started
    return GlobalImportance(
        "permutation", _sorted(feature_names, result.importances_mean, result.importances_std), elapsed, len(X)
    )


def _tree_estimator(model: Model):
    kind = model.config.kind
    if kind in (ModelKind.RANDOM_FOREST, ModelKind.HIST_GB):
        return getattr(model, "estimator_", None)
    return None


def shap_values(
    model: Model,
    X: np.ndarray,
    *,
    background: np.ndarray,
    n_background: int = 50,
    seed: int = 0,
    on_progress: Progress | None = None,
    chunk: int = 10,
) -> tuple[np.ndarray, np.ndarray, str]:
    """SHAP values: (values (rows, features, classes), base (rows, classes), explainer name).

    Forests use shap's exact TreeExplainer on the probabilities, gradient boosting on its raw margin
    (log-odds); everything else a permutation explainer of the probabilities over ``n_background`` rows
    drawn from ``background``, explaining ``chunk`` rows at a time so a progress callback can show how far
    it is and how long the rest will take.
    """
    import shap

    X = np.asarray(X, dtype=np.float64)
    started = time.perf_counter()
    tree = _tree_estimator(model)
    if tree is not None and model.config.kind == ModelKind.RANDOM_FOREST:
        explainer = shap.TreeExplainer(tree)
        values = np.asarray(explainer.shap_values(X, check_additivity=True))
        base = np.broadcast_to(np.asarray(explainer.expected_value, dtype=np.float64), (len(X), values.shape[-1]))
        if on_progress:
            on_progress(len(X), len(X), time.perf_counter() - started)
        return values, np.array(base), "tree"
    if tree is not None:  # boosting: exact tree SHAP on the raw margin (log-odds), far faster than permuting
        try:
            explainer = shap.TreeExplainer(tree)
            values = np.asarray(explainer.shap_values(X))
            base = np.atleast_1d(np.asarray(explainer.expected_value, dtype=np.float64))
        except Exception:  # noqa: BLE001  (a model shap's tree code does not take: permute instead)
            pass
        else:
            if values.ndim == 2:  # binary: one margin for class 1; class 0's is its negative
                values, base = np.stack([-values, values], axis=2), np.array([-base[0], base[0]])
            if on_progress:
                on_progress(len(X), len(X), time.perf_counter() - started)
            return values, np.broadcast_to(base, (len(X), values.shape[2])).copy(), "tree (log-odds)"
    rng = np.random.default_rng(seed)
    take = rng.choice(len(background), size=min(n_background, len(background)), replace=False)
    masker = shap.maskers.Independent(np.asarray(background[take], dtype=np.float64), max_samples=len(take))

    def f(rows: np.ndarray) -> np.ndarray:
        return model.predict_proba(np.asarray(rows, dtype=np.float32))

    explainer = shap.explainers.Permutation(f, masker, seed=seed)
    n_features = X.shape[1]
    parts, bases = [], []
    for start in range(0, len(X), chunk):
        explanation = explainer(X[start : start + chunk], max_evals=max(2 * n_features + 1, 200), silent=True)
        parts.append(np.asarray(explanation.values))
        bases.append(np.asarray(explanation.base_values))
        if on_progress:
            on_progress(min(start + chunk, len(X)), len(X), time.perf_counter() - started)
    return np.concatenate(parts), np.concatenate(bases), "permutation"


def shap_importance(
    model: Model,
    X: np.ndarray,
    feature_names: tuple[str, ...] | list[str],
    *,
    background: np.ndarray,
    n_rows: int = 100,
    n_background: int = 50,
    seed: int = 0,
    on_progress: Progress | None = None,
) -> GlobalImportance:
    """Mean |SHAP value| per feature over ``n_rows`` rows (averaged over classes), ± its std over rows."""
    _check(X, feature_names)
    if not 2 <= n_rows <= 100_000:
        raise ConfigError(f"The 'n_rows' parameter must be an integer in [2, 100000]. Got {n_rows!r} instead.")
    X = X[:n_rows]
    started = time.perf_counter()
    values, _, kind = shap_values(
        model, X, background=background, n_background=n_background, seed=seed, on_progress=on_progress
    )
    per_row = np.abs(values).mean(axis=2)  # (rows, features): |contribution| averaged over the classes
    signed = values[:, :, -1]  # the last class (the positive one for binary data), for the strip plot
    elapsed = time.perf_counter() - started
    return GlobalImportance(
        "shap",
        _sorted(feature_names, per_row.mean(axis=0), per_row.std(axis=0)),
        elapsed,
        len(X),
        kind,
        signed,
        X,
        tuple(str(n) for n in feature_names),
    )


def shap_seconds_per_row(model: Model, X: np.ndarray, *, background: np.ndarray, n_background: int = 50) -> float:
    """Seconds SHAP takes per explained row, timed on one row (after a first call that pays shap's one-off
    compilation), so a page can say how long ``n`` rows will take before it starts."""
    shap_values(model, X[:1], background=background, n_background=n_background)  # compile / warm up
    started = time.perf_counter()
    shap_values(model, X[1:3], background=background, n_background=n_background)
    return (time.perf_counter() - started) / len(X[1:3])


def pixel_importance(
    model: Model,
    X: np.ndarray,
    y: np.ndarray,
    image_shape: tuple[int, int],
    *,
    patch: int = 1,
    max_rows_per_class: int = 50,
) -> np.ndarray:
    """Per class, the probability of the true class lost when a patch of pixels is set to the mean image.

    Returns (n_classes, height, width); occlusion works for every family and needs no gradients.
    """
    h, w = image_shape
    if X.shape[1] != h * w:
        raise ConfigError(f"image_shape {image_shape} does not match {X.shape[1]} features per row.")
    n_classes = int(max(y.max() + 1, model.predict_proba(X[:1]).shape[1]))
    fill = X.mean(axis=0).reshape(h, w)
    maps = np.zeros((n_classes, h, w))
    for c in range(n_classes):
        rows = X[y == c][:max_rows_per_class]
        if not len(rows):
            continue
        images = rows.reshape(-1, h, w)
        base = model.predict_proba(rows)[:, c]
        for i in range(0, h, patch):
            for j in range(0, w, patch):
                covered = images.copy()
                covered[:, i : i + patch, j : j + patch] = fill[i : i + patch, j : j + patch]
                drop = base - model.predict_proba(covered.reshape(len(rows), -1).astype(np.float32))[:, c]
                maps[c, i : i + patch, j : j + patch] = float(drop.mean())
    return maps


__all__ = [
    "FeatureImportance",
    "GlobalImportance",
    "permutation",
    "pixel_importance",
    "shap_importance",
    "shap_seconds_per_row",
    "shap_values",
]
