"""One prediction: its class probabilities and top contributions, a what-if edit, and saliency for images.

    row = explain_row(model, x, background=data.X_train, feature_names=data.feature_names)
    moved = explain_row(model, what_if(x, data.feature_names, {"age": 2.0}), ...)
    heat = saliency(model, image_row, image_shape=(8, 8), target=3)  # (8, 8), sums to 1

Contributions are "occlusion by the mean": how much the predicted class's probability falls when one
feature is set to its training mean — one batched call, cheap enough to follow a what-if slider. Saliency
is the gradient of the class probability with respect to the pixels (integrated gradients along a
straight path from a black image) for the NumPy network (analytic backpropagation) and Keras models
(a TensorFlow tape or ``jax.grad``, by the engine the model runs on); other families get occlusion of small patches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from core.config import ModelKind
from core.errors import ConfigError
from core.models.base import Model


@dataclass(frozen=True)
class Contribution:
    feature: str
    value: float  # the row's value (as the model sees it: after scaling)
    contribution: float  # probability of the predicted class lost when this feature is set to its mean


@dataclass(frozen=True, eq=False)
class RowExplanation:
    proba: np.ndarray  # (n_classes,)
    predicted: int
    contributions: tuple[Contribution, ...]  # largest |contribution| first

    def to_dict(self) -> dict[str, Any]:
        return {
            "proba": [float(p) for p in self.proba],
            "predicted": self.predicted,
            "contributions": [c.__dict__ for c in self.contributions],
        }


def explain_row(
    model: Model,
    x: np.ndarray,
    *,
    background: np.ndarray,
    feature_names: tuple[str, ...] | list[str],
    target: int | None = None,
) -> RowExplanation:
    """Probabilities of one row and each feature's contribution to ``target`` (default: the predicted class)."""
    x = np.asarray(x, dtype=np.float32).reshape(1, -1)
    if x.shape[1] != len(feature_names):
        raise ConfigError(f"The row has {x.shape[1]} values but there are {len(feature_names)} features.")
    proba = model.predict_proba(x)[0]
    cls = int(proba.argmax()) if target is None else int(target)
    mean = np.asarray(background, dtype=np.float32).mean(axis=0)
    occluded = np.repeat(x, x.shape[1], axis=0)
    occluded[np.arange(x.shape[1]), np.arange(x.shape[1])] = mean
    drops = proba[cls] - model.predict_proba(occluded)[:, cls]
    order = np.argsort(-np.abs(drops), kind="stable")
    contributions = tuple(Contribution(str(feature_names[j]), float(x[0, j]), float(drops[j])) for j in order)
    return RowExplanation(proba, int(proba.argmax()), contributions)


def what_if(x: np.ndarray, feature_names: tuple[str, ...] | list[str], changes: dict[str, float]) -> np.ndarray:
    """A copy of row ``x`` with the named features set to new values (unknown names are a ConfigError)."""
    edited = np.array(x, dtype=np.float32).reshape(-1).copy()
    names = list(feature_names)
    for name, value in changes.items():
        if name not in names:
            raise ConfigError(f"what-if: no feature named {name!r}. Features: {', '.join(names[:20])}.")
        edited[names.index(name)] = float(value)
    return edited


@dataclass(frozen=True, eq=False)
class FeatureUnits:
    """The scaling ``prepare`` applied to a table: scaled = (raw − offset) / scale, for values in their own units."""

    offset: np.ndarray
    scale: np.ndarray

    def to_raw(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(x, dtype=np.float64) * self.scale + self.offset

    def to_scaled(self, raw: np.ndarray) -> np.ndarray:
        return ((np.asarray(raw, dtype=np.float64) - self.offset) / self.scale).astype(np.float32)


def feature_units(data_cfg) -> FeatureUnits:
    """Recover the training split's scaling from the same split unscaled (before any resampling)."""
    from dataclasses import replace

    from core.config import Imbalance, Scaling
    from core.data.datasets import DATASETS
    from core.data.prepare import prepare

    raw = prepare(replace(data_cfg, scaling=Scaling.NONE, imbalance=Imbalance.NONE)).X_train.astype(np.float64)
    n = raw.shape[1]
    if data_cfg.scaling == Scaling.STANDARD:
        scale = raw.std(axis=0)
        return FeatureUnits(raw.mean(axis=0), np.where(scale > 0, scale, 1.0))
    if data_cfg.scaling == Scaling.MINMAX:
        if DATASETS[data_cfg.dataset].is_image:
            raise ConfigError("feature_units is for tables; images are scaled by their largest pixel value.")
        span = raw.max(axis=0) - raw.min(axis=0)
        return FeatureUnits(raw.min(axis=0), np.where(span > 0, span, 1.0))
    return FeatureUnits(np.zeros(n), np.ones(n))


# --- saliency -----------------------------------------------------------------------------------------
def _numpy_input_gradient(model: Model, X: np.ndarray, target: int) -> np.ndarray:
    """d P(target) / d x for the NumPy MLP, by backpropagating to the input (rows of X, float64)."""
    from core.models.numpy_mlp import _times_act_grad

    acts = [a.copy() for a in model._forward(X)]  # type: ignore[attr-defined]  (views of a reused workspace)
    out = acts[-1]
    if model.n_outputs_ == 1:  # type: ignore[attr-defined]
        p = out[:, 0:1]
        delta = p * (1 - p) * (1.0 if target == 1 else -1.0)  # d p_target / d z
    else:
        onehot = np.zeros_like(out)
        onehot[:, target] = 1
        p_t = out[:, target : target + 1]
        delta = p_t * (onehot - out)  # softmax Jacobian row
    weights = model.weights_  # type: ignore[attr-defined]
    for i in range(len(weights) - 1, -1, -1):
        delta = delta @ weights[i].T
        if i > 0:
            _times_act_grad(model.config.activation, delta, acts[i], np.empty_like(delta))  # delta *= f'(z)
    return delta


def _keras_input_gradient(model: Model, X: np.ndarray, target: int) -> np.ndarray:
    """d output[target] / d input, per row, on the engine the model was built on (Keras has no gradient of its own:
    JAX differentiates a function, TensorFlow records a tape)."""
    import keras

    net = model.model_  # type: ignore[attr-defined]
    if keras.backend.backend() == "jax":
        import jax
        import jax.numpy as jnp

        def total(inputs):  # rows are independent (inference mode): the sum's gradient is each row's own
            return net(inputs, training=False)[:, target].sum()

        return np.asarray(jax.grad(total)(jnp.asarray(X, dtype=jnp.float32)), dtype=np.float64)
    import tensorflow as tf

    inputs = tf.convert_to_tensor(X, dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        out = net(inputs, training=False)[:, target]
    return tape.gradient(out, inputs).numpy().astype(np.float64)


def integrated_gradients(model: Model, x: np.ndarray, target: int, *, steps: int = 32) -> np.ndarray:
    """Integrated gradients from a zero baseline: (x − 0) × mean gradient along the straight path."""
    x = np.asarray(x, dtype=np.float64).reshape(1, -1)
    alphas = (np.arange(steps) + 0.5) / steps  # midpoint rule
    path = alphas[:, None] * x
    if model.config.kind == ModelKind.NUMPY_MLP:
        grads = _numpy_input_gradient(model, path.astype(model.dtype), target)  # type: ignore[attr-defined]
    elif model.config.kind.uses_keras:
        grads = _keras_input_gradient(model, path, target)
    else:
        raise ConfigError(f"Gradients need a network; {model.config.kind.value} has none. Use occlusion.")
    return (x * grads.mean(axis=0))[0]


def occlusion(model: Model, x: np.ndarray, target: int, image_shape: tuple[int, int], *, patch: int = 2) -> np.ndarray:
    """Probability of ``target`` lost when each ``patch``×``patch`` square is blacked out (per pixel)."""
    h, w = image_shape
    image = np.asarray(x, dtype=np.float32).reshape(h, w)
    fill = float(image.min())
    covered, boxes = [], []
    for i in range(0, h, patch):
        for j in range(0, w, patch):
            c = image.copy()
            c[i : i + patch, j : j + patch] = fill
            covered.append(c.reshape(-1))
            boxes.append((i, j))
    base = model.predict_proba(image.reshape(1, -1))[0, target]
    drops = base - model.predict_proba(np.stack(covered))[:, target]
    heat = np.zeros((h, w))
    for (i, j), d in zip(boxes, drops, strict=True):
        heat[i : i + patch, j : j + patch] = d
    return heat


def saliency(
    model: Model, x: np.ndarray, *, image_shape: tuple[int, int], target: int | None = None, patch: int = 2
) -> tuple[np.ndarray, str]:
    """A non-negative heat map over the image that sums to 1, and the method used to make it."""
    x = np.asarray(x, dtype=np.float32).reshape(-1)
    if x.size != image_shape[0] * image_shape[1]:
        raise ConfigError(f"image_shape {image_shape} does not match a row of {x.size} pixels.")
    if target is None:
        target = int(model.predict_proba(x.reshape(1, -1))[0].argmax())
    if model.config.kind.is_network:
        heat, method = np.abs(integrated_gradients(model, x, target)).reshape(image_shape), "integrated gradients"
    else:
        heat, method = np.clip(occlusion(model, x, target, image_shape, patch=patch), 0, None), "occlusion"
    total = heat.sum()
    return (heat / total if total > 0 else heat), method


__all__ = [
    "Contribution",
    "FeatureUnits",
    "feature_units",
    "RowExplanation",
    "explain_row",
    "integrated_gradients",
    "occlusion",
    "saliency",
    "what_if",
]
