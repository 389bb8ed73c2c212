"""The article's worked example (its §4.3): 2 inputs → 3 sigmoid units → 1 sigmoid output, binary
cross-entropy, plain (full-batch) gradient descent — with its written backprop beside the correct one.

    report = compare(X, y, epochs=500, learning_rate=1.0)
    report.check.relative_error["article"]["W1"]   # far from 0: the written gradient is wrong
    report.check.relative_error["correct"]["W1"]   # ~1e-9: agrees with finite differences

The article's backprop chains dL/dA₂ from dL/dA₃ (dA₂ = dZ₃·W₂ᵀ) and then uses dA₂ as if it were dZ₂:
it drops σ′(Z₂) = A₂(1 − A₂) ≤ ¼. Its output-layer gradients are right (sigmoid + cross-entropy give
dZ₃ = A₃ − y); its first-layer gradients are at least 4× too large, and their direction drifts from the
true one as hidden units saturate (σ′ then differs from unit to unit and row to row). A finite-difference
check of the loss shows which formula is right, and training with each shows what the error does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.errors import ConfigError

PARAMS = ("W1", "b1", "W2", "b2")
RULES = ("article", "correct")


def init_params(seed: int = 0, *, n_in: int = 2, n_hidden: int = 3) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.standard_normal((n_in, n_hidden)) * np.sqrt(2.0 / (n_in + n_hidden)),
        "b1": np.zeros(n_hidden),
        "W2": rng.standard_normal((n_hidden, 1)) * np.sqrt(2.0 / (n_hidden + 1)),
        "b2": np.zeros(1),
    }


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -60, 60)))


def forward(params: dict[str, np.ndarray], X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(A₂ hidden activations, A₃ output probabilities)."""
    a2 = _sigmoid(X @ params["W1"] + params["b1"])
    a3 = _sigmoid(a2 @ params["W2"] + params["b2"])
    return a2, a3


def loss(params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray) -> float:
    """Mean binary cross-entropy."""
    _, a3 = forward(params, X)
    p = np.clip(a3[:, 0], 1e-12, 1 - 1e-12)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def gradients(params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray, rule: str) -> dict[str, np.ndarray]:
    """Gradients of ``loss`` by the article's written formulas (``rule="article"``) or correctly."""
    if rule not in RULES:
        raise ConfigError(f"The 'rule' parameter must be one of {', '.join(RULES)}. Got {rule!r} instead.")
    n = len(X)
    a2, a3 = forward(params, X)
    dz3 = (a3 - y.reshape(-1, 1)) / n  # sigmoid + cross-entropy: right in both
    da2 = dz3 @ params["W2"].T  # dL/dA₂ chained from the output
    dz2 = da2 if rule == "article" else da2 * a2 * (1 - a2)  # the article drops σ′(Z₂) here
    return {"W1": X.T @ dz2, "b1": dz2.sum(axis=0), "W2": a2.T @ dz3, "b2": dz3.sum(axis=0)}


def numeric_gradients(
    params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray, *, eps: float = 1e-6
) -> dict[str, np.ndarray]:
    """Central finite differences of ``loss``, one parameter at a time."""
    out = {}
    for name in PARAMS:
        grad = np.zeros_like(params[name])
        for idx in np.ndindex(params[name].shape):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[name][idx] += eps
            minus[name][idx] -= eps
            grad[idx] = (loss(plus, X, y) - loss(minus, X, y)) / (2 * eps)
        out[name] = grad
    return out


@dataclass(frozen=True)
class GradientCheck:
    relative_error: dict[str, dict[str, float]]  # rule → parameter → ‖g − g_fd‖ / (‖g‖ + ‖g_fd‖)
    cosine: dict[str, dict[str, float]]  # rule → parameter → cosine between g and g_fd (1 = same direction)


def gradient_check(params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray) -> GradientCheck:
    numeric = numeric_gradients(params, X, y)
    rel: dict[str, dict[str, float]] = {}
    cos: dict[str, dict[str, float]] = {}
    for rule in RULES:
        analytic = gradients(params, X, y, rule)
        rel[rule], cos[rule] = {}, {}
        for name in PARAMS:
            a, b = analytic[name].ravel(), numeric[name].ravel()
            denom = np.linalg.norm(a) + np.linalg.norm(b)
            rel[rule][name] = float(np.linalg.norm(a - b) / denom) if denom else 0.0
            norms = np.linalg.norm(a) * np.linalg.norm(b)
            cos[rule][name] = float(a @ b / norms) if norms else 1.0
    return GradientCheck(rel, cos)


def _checked(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ConfigError(f"The article's network takes 2 inputs; got data with {X.shape[-1]} features.")
    if not set(np.unique(y)) <= {0.0, 1.0}:
        raise ConfigError("The article's network is binary: labels must be 0 and 1. Pick a 2-class 2-D dataset.")
    return X, y


@dataclass(frozen=True, eq=False)
class CaseRun:
    rule: str
    loss: tuple[float, ...]  # one per epoch
    accuracy: tuple[float, ...]  # training accuracy per epoch
    params: dict[str, np.ndarray] = field(repr=False)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        p = forward(self.params, np.asarray(X, dtype=np.float64))[1]
        return np.hstack([1 - p, p])


def train_case(
    X: np.ndarray, y: np.ndarray, rule: str, *, epochs: int = 500, learning_rate: float = 1.0, seed: int = 0
) -> CaseRun:
    """Plain full-batch gradient descent with the chosen gradient rule, from ``init_params(seed)``."""
    X, y = _checked(X, y)
    params = init_params(seed)
    losses, accs = [], []
    for _ in range(epochs):
        grads = gradients(params, X, y, rule)
        for name in PARAMS:
            params[name] -= learning_rate * grads[name]
        _, a3 = forward(params, X)
        losses.append(loss(params, X, y))
        accs.append(float(((a3[:, 0] >= 0.5) == y).mean()))
    return CaseRun(rule, tuple(losses), tuple(accs), params)


@dataclass(frozen=True, eq=False)
class ArticleComparison:
    check: GradientCheck
    runs: dict[str, CaseRun]

    def to_dict(self) -> dict[str, Any]:
        return {
            "relative_error": self.check.relative_error,
            "cosine": self.check.cosine,
            "final_loss": {r: run.loss[-1] for r, run in self.runs.items()},
            "final_accuracy": {r: run.accuracy[-1] for r, run in self.runs.items()},
        }


def compare(
    X: np.ndarray, y: np.ndarray, *, epochs: int = 500, learning_rate: float = 1.0, seed: int = 0
) -> ArticleComparison:
    """Gradient check at the initial weights (on up to 200 rows) and a training run with each rule."""
    X, y = _checked(X, y)
    check = gradient_check(init_params(seed), X[:200], y[:200])
    runs = {rule: train_case(X, y, rule, epochs=epochs, learning_rate=learning_rate, seed=seed) for rule in RULES}
    return ArticleComparison(check, runs)


__all__ = [
    "ArticleComparison",
    "CaseRun",
    "GradientCheck",
    "compare",
    "gradient_check",
    "gradients",
    "init_params",
    "loss",
    "numeric_gradients",
    "train_case",
]
