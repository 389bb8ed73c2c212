"""The article's from-scratch network, in NumPy: forward pass, backpropagation, mini-batch SGD or Adam.

Generalised to 0–4 hidden layers with sigmoid/tanh/relu, a sigmoid output for binary tasks and softmax
otherwise, L2 weight decay and a seed. Fully vectorised over each mini-batch: no per-sample Python loop.
Proven by a finite-difference gradient check (tests/unit/test_numpy_mlp.py).
"""

from __future__ import annotations

import io
import time

import numpy as np

from core.config import Activation, ModelConfig, Optimizer
from core.models.base import Model
from core.training.progress import Callback, EpochLog, notify, polls_batches, stop_requested

_EPS = 1e-7


def _act(name: Activation, z: np.ndarray) -> np.ndarray:
    if name == Activation.RELU:
        return np.maximum(z, 0)
    if name == Activation.TANH:
        return np.tanh(z)
    return 1.0 / (1.0 + np.exp(-z))


def _act_grad(name: Activation, a: np.ndarray) -> np.ndarray:
    """Derivative of the activation, expressed through its output ``a``."""
    if name == Activation.RELU:
        return (a > 0).astype(a.dtype)
    if name == Activation.TANH:
        return 1.0 - a * a
    return a * (1.0 - a)


class NumpyMLP(Model):
    """``NumpyMLP(64 → 128 → 10, relu)``: dense layers trained by hand-written backpropagation."""

    def __init__(self, config: ModelConfig, *, dtype: type = np.float32):
        super().__init__(config)
        self.dtype = dtype  # float64 for the gradient check; float32 for speed

    def __repr__(self) -> str:
        if not hasattr(self, "weights_"):
            return f"NumpyMLP(hidden={self.config.hidden_units}, {self.config.activation.value}, unfitted)"
        sizes = [self.weights_[0].shape[0]] + [w.shape[1] for w in self.weights_]
        return f"NumpyMLP({' → '.join(map(str, sizes))}, {self.config.activation.value})"

    # --- parameters -------------------------------------------------------------------------------
    def init_params(self, n_features: int, n_classes: int) -> None:
        rng = np.random.default_rng(self.config.seed)
        self.n_outputs_ = 1 if n_classes == 2 else n_classes
        sizes = [n_features, *self.config.hidden_units, self.n_outputs_]
        self.weights_, self.biases_ = [], []
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            hidden_relu = self.config.activation == Activation.RELU and i < len(sizes) - 2
            scale = np.sqrt(2.0 / fan_in) if hidden_relu else np.sqrt(2.0 / (fan_in + fan_out))  # He / Glorot
            self.weights_.append((rng.standard_normal((fan_in, fan_out)) * scale).astype(self.dtype))
            self.biases_.append(np.zeros(fan_out, dtype=self.dtype))

    def params(self) -> list[np.ndarray]:
        return [*self.weights_, *self.biases_]

    # --- forward and backward ---------------------------------------------------------------------
    def _forward(self, X: np.ndarray) -> list[np.ndarray]:
        """Activations of every layer, input first, output probabilities last."""
        acts = [X]
        last = len(self.weights_) - 1
        for i, (W, b) in enumerate(zip(self.weights_, self.biases_, strict=True)):
            z = acts[-1] @ W + b
            if i < last:
                acts.append(_act(self.config.activation, z))
            elif self.n_outputs_ == 1:
                acts.append(1.0 / (1.0 + np.exp(-np.clip(z, -60, 60))))
            else:
                z = z - z.max(axis=1, keepdims=True)
                e = np.exp(z)
                acts.append(e / e.sum(axis=1, keepdims=True))
        return acts

    def loss_and_grads(
        self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> tuple[float, list[np.ndarray]]:
        """Mean (weighted) cross-entropy + L2/2·ΣW², and its gradients in ``params()`` order."""
        loss, grads, _ = self._loss_grads_output(X, y, sample_weight)
        return loss, grads

    def _loss_grads_output(self, X, y, sample_weight):
        acts = self._forward(X)
        out = acts[-1]
        n = len(X)
        w = np.ones(n, dtype=out.dtype) if sample_weight is None else sample_weight.astype(out.dtype)
        if self.n_outputs_ == 1:
            target = y.reshape(-1, 1).astype(out.dtype)
            p = np.clip(out, _EPS, 1 - _EPS)
            per_sample = -(target * np.log(p) + (1 - target) * np.log(1 - p))[:, 0]
        else:
            target = np.zeros_like(out)
            target[np.arange(n), y] = 1
            per_sample = -np.log(np.clip(out[np.arange(n), y], _EPS, 1))
        l2 = self.config.l2
        loss = float((per_sample * w).mean() + 0.5 * l2 * sum(float((W * W).sum()) for W in self.weights_))
        # sigmoid+BCE and softmax+CE share the same output gradient: p - target
        delta = (out - target) * (w[:, None] / n)
        grads_w, grads_b = [], []
        for i in range(len(self.weights_) - 1, -1, -1):
            grads_w.append(acts[i].T @ delta + l2 * self.weights_[i])
            grads_b.append(delta.sum(axis=0))
            if i > 0:
                delta = (delta @ self.weights_[i].T) * _act_grad(self.config.activation, acts[i])
        return loss, [*grads_w[::-1], *grads_b[::-1]], out

    # --- training --------------------------------------------------------------------------------
    def fit(self, X, y, *, n_classes, validation=None, class_weights=None, callback: Callback | None = None):
        cfg = self.config
        X = np.ascontiguousarray(X, dtype=self.dtype)
        y = np.asarray(y, dtype=np.int64)
        self.n_classes_ = n_classes
        self.init_params(X.shape[1], n_classes)
        weights = None
        if class_weights:
            table = np.ones(n_classes, dtype=self.dtype)
            for c, wt in class_weights.items():
                table[c] = wt
            weights = table[y]
        step = _OPTIMIZERS[cfg.optimizer](self.params(), cfg.learning_rate)
        rng = np.random.default_rng(cfg.seed + 1)
        self.history_ = []
        started = time.perf_counter()
        poll = polls_batches(callback)  # a stop flag checked after every batch, not only at epoch ends
        for epoch in range(1, cfg.epochs + 1):
            t0 = time.perf_counter()
            order = rng.permutation(len(X))
            loss_sum, correct, seen, halted = 0.0, 0, 0, False
            for start in range(0, len(X), cfg.batch_size):
                idx = order[start : start + cfg.batch_size]
                loss, grads, out = self._loss_grads_output(X[idx], y[idx], None if weights is None else weights[idx])
                step.apply(self.params(), grads)
                loss_sum += loss * len(idx)
                predicted = (out[:, 0] >= 0.5) if self.n_outputs_ == 1 else out.argmax(axis=1)
                correct += int((predicted == y[idx]).sum())
                seen += len(idx)
                if poll and stop_requested(callback):
                    halted = True  # this epoch is logged as far as it got
                    break
            train_acc = correct / seen  # running, as Keras reports it: measured while the weights moved
            fitted = time.perf_counter()
            val_loss = val_acc = None
            if validation is not None:
                val_loss, val_acc = self._score(*validation)
            now = time.perf_counter()
            mean_loss, fit_s, eval_s = loss_sum / seen, fitted - t0, now - fitted
            log = EpochLog(epoch, cfg.epochs, mean_loss, train_acc, val_loss, val_acc, now - started, fit_s, eval_s)
            self.history_.append(log)
            self.epochs_run_ = epoch
            if (notify(callback, log) and epoch < cfg.epochs) or halted:
                self.stopped_ = True
                break
        return self

    def _score(self, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        proba = self.predict_proba(X)
        p_true = np.clip(proba[np.arange(len(y)), y], _EPS, 1)
        return float(-np.log(p_true).mean()), float((proba.argmax(axis=1) == y).mean())

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        self._check_fitted("weights_")
        out = self._forward(np.asarray(X, dtype=self.dtype))[-1]
        return np.hstack([1 - out, out]) if self.n_outputs_ == 1 else out

    def predict_one(self, row: np.ndarray) -> object:
        return self._forward(row)[-1]

    @property
    def n_params(self) -> int:
        self._check_fitted("weights_")
        return int(sum(p.size for p in self.params()))

    def size_bytes(self) -> int:
        buffer = io.BytesIO()
        np.savez(buffer, *self.params())
        return buffer.getbuffer().nbytes


class _SGD:
    def __init__(self, params: list[np.ndarray], lr: float):
        self.lr = lr

    def apply(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        for p, g in zip(params, grads, strict=True):
            p -= self.lr * g


class _Adam:
    """Adam (Kingma & Ba) with Keras's defaults: β1=0.9, β2=0.999, ε=1e-7."""

    def __init__(self, params: list[np.ndarray], lr: float, beta1: float = 0.9, beta2: float = 0.999):
        self.lr, self.beta1, self.beta2, self.t = lr, beta1, beta2, 0
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def apply(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        self.t += 1
        lr_t = self.lr * np.sqrt(1 - self.beta2**self.t) / (1 - self.beta1**self.t)
        for p, g, m, v in zip(params, grads, self.m, self.v, strict=True):
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            p -= lr_t * m / (np.sqrt(v) + 1e-7)


class _RMSprop:
    """RMSprop with Keras's defaults: ρ=0.9, ε=1e-7."""

    def __init__(self, params: list[np.ndarray], lr: float, rho: float = 0.9):
        self.lr, self.rho = lr, rho
        self.v = [np.zeros_like(p) for p in params]

    def apply(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        for p, g, v in zip(params, grads, self.v, strict=True):
            v *= self.rho
            v += (1 - self.rho) * g * g
            p -= self.lr * g / (np.sqrt(v) + 1e-7)


_OPTIMIZERS = {Optimizer.SGD: _SGD, Optimizer.ADAM: _Adam, Optimizer.RMSPROP: _RMSprop}
