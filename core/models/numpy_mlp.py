"""The article's from-scratch network, in NumPy: forward pass, backpropagation, mini-batch SGD or Adam.

Generalised to 0–4 hidden layers with sigmoid/tanh/relu, a sigmoid output for binary tasks and softmax
otherwise, L2 weight decay and a seed. Fully vectorised over each mini-batch: no per-sample Python loop.
Close to the machine: float32 end to end, every buffer a step needs allocated once (_Workspace), ``out=``
matmuls, in-place activations, softmax and optimiser updates; bench_engine.py reports its share of fp32 peak.
Proven by a finite-difference gradient check (tests/unit/test_numpy_mlp.py).
"""

from __future__ import annotations

import io
import time

import numpy as np

from core.config import Activation, ModelConfig, Optimizer
from core.models.base import Model
from core.training.progress import Callback, EpochLog, batch_done, notify, polls_batches, stop_requested

_EPS = 1e-7


def _act_inplace(name: Activation, z: np.ndarray) -> None:
    """Apply the activation to ``z`` in place."""
    if name == Activation.RELU:
        np.maximum(z, 0, out=z)
    elif name == Activation.TANH:
        np.tanh(z, out=z)
    else:  # sigmoid: 1 / (1 + e^-z)
        np.negative(z, out=z)
        np.exp(z, out=z)
        z += 1
        np.reciprocal(z, out=z)


def _times_act_grad(name: Activation, delta: np.ndarray, a: np.ndarray, scratch: np.ndarray) -> None:
    """``delta *= f'(z)``, in place, with the derivative expressed through the activation's output ``a``.

    ``scratch`` is a buffer of ``delta``'s shape and dtype: no temporary array is allocated."""
    if name == Activation.RELU:
        np.greater(a, 0, out=scratch)  # 1.0 where the unit was active, else 0.0
    elif name == Activation.TANH:
        np.multiply(a, a, out=scratch)  # 1 - a²
        np.subtract(1.0, scratch, out=scratch)
    else:
        np.subtract(1.0, a, out=scratch)  # a (1 - a)
        scratch *= a
    delta *= scratch


class _Workspace:
    """Preallocated buffers for steps of up to ``size`` rows: activations, back-propagated deltas, gradients.

    The gradient buffers are reused by every step: an optimiser must apply them before the next step.
    """

    def __init__(self, model: NumpyMLP, size: int):
        self.size = size
        dtype = model.dtype
        outs = [W.shape[1] for W in model.weights_]
        self.acts = [np.empty((size, o), dtype=dtype) for o in outs]
        self.back = [np.empty((size, o), dtype=dtype) for o in outs[:-1]]
        self.scratch = [np.empty((size, o), dtype=dtype) for o in outs[:-1]]  # activation derivatives
        self.probs = np.empty((size, outs[-1]), dtype=dtype)
        self.rows = np.arange(size)
        self.grad_w = [np.empty_like(W) for W in model.weights_]
        self.grad_b = [np.empty_like(b) for b in model.biases_]
        self.grads = [*self.grad_w, *self.grad_b]


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
    def _forward(self, X: np.ndarray, ws: _Workspace | None = None) -> list[np.ndarray]:
        """Activations of every layer, input first, output probabilities last.

        With a workspace ``ws`` every activation is written into its preallocated buffer (``out=`` matmuls,
        in-place bias, activation and softmax): a training step allocates no large array.
        """
        n = len(X)
        ws = ws if ws is not None else _Workspace(self, n)
        acts = [X]
        last = len(self.weights_) - 1
        for i, (W, b) in enumerate(zip(self.weights_, self.biases_, strict=True)):
            z = ws.acts[i][:n]
            np.matmul(acts[-1], W, out=z)
            z += b
            if i < last:
                _act_inplace(self.config.activation, z)
            elif self.n_outputs_ == 1:
                np.clip(z, -60, 60, out=z)
                _act_inplace(Activation.SIGMOID, z)
            else:
                z -= z.max(axis=1, keepdims=True)
                np.exp(z, out=z)
                z /= z.sum(axis=1, keepdims=True)
            acts.append(z)
        return acts

    def loss_and_grads(
        self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> tuple[float, list[np.ndarray]]:
        """Mean (weighted) cross-entropy + L2/2·ΣW², and its gradients in ``params()`` order."""
        loss, grads, _ = self._loss_grads_output(X, y, sample_weight)
        return loss, [g.copy() for g in grads]

    def _loss_grads_output(self, X, y, sample_weight, ws: _Workspace | None = None):
        """Loss, gradients (the workspace's buffers: valid until its next step) and output probabilities."""
        ws = ws if ws is not None else _Workspace(self, len(X))
        acts = self._forward(X, ws)
        out = acts[-1]
        n = len(X)
        rows = ws.rows[:n]
        if self.n_outputs_ == 1:
            target = y.astype(out.dtype)
            p = np.clip(out[:, 0], _EPS, 1 - _EPS)
            per_sample = -(target * np.log(p) + (1 - target) * np.log(1 - p))
        else:
            per_sample = -np.log(np.clip(out[rows, y], _EPS, 1))
        l2 = self.config.l2
        weighted = per_sample if sample_weight is None else per_sample * sample_weight
        loss = float(weighted.mean())
        if l2:
            loss += 0.5 * l2 * sum(float(np.vdot(W, W)) for W in self.weights_)
        # sigmoid+BCE and softmax+CE share the same output gradient: p - target. The output buffer becomes the
        # output delta in place, so keep the probabilities the caller needs first.
        probs = ws.probs[:n]
        np.copyto(probs, out)
        delta = out
        if self.n_outputs_ == 1:
            delta[:, 0] -= target
        else:
            delta[rows, y] -= 1
        if sample_weight is None:
            delta *= 1.0 / n
        else:
            delta *= (sample_weight.astype(out.dtype) / n)[:, None]
        for i in range(len(self.weights_) - 1, -1, -1):
            np.matmul(acts[i].T, delta, out=ws.grad_w[i])
            if l2:
                ws.grad_w[i] += l2 * self.weights_[i]
            np.sum(delta, axis=0, out=ws.grad_b[i])
            if i > 0:
                back = ws.back[i - 1][:n]
                np.matmul(delta, self.weights_[i].T, out=back)
                _times_act_grad(self.config.activation, back, acts[i], ws.scratch[i - 1][:n])
                delta = back
        return loss, ws.grads, probs

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
        ws = _Workspace(self, min(cfg.batch_size, len(X)))  # every buffer a step needs, allocated once
        xb = np.empty((ws.size, X.shape[1]), dtype=self.dtype)
        yb = np.empty(ws.size, dtype=np.int64)
        wb = None if weights is None else np.empty(ws.size, dtype=self.dtype)
        n_batches = -(-len(X) // cfg.batch_size)
        for epoch in range(1, cfg.epochs + 1):
            t0 = time.perf_counter()
            order = rng.permutation(len(X))
            loss_sum, correct, seen, halted = 0.0, 0, 0, False
            for start in range(0, len(X), cfg.batch_size):
                idx = order[start : start + cfg.batch_size]
                n = len(idx)
                np.take(X, idx, axis=0, out=xb[:n])  # gathered into one buffer: no new batch array per step
                np.take(y, idx, out=yb[:n])
                if wb is not None:
                    np.take(weights, idx, out=wb[:n])
                loss, grads, out = self._loss_grads_output(xb[:n], yb[:n], None if wb is None else wb[:n], ws)
                step.apply(self.params(), grads)
                loss_sum += loss * n
                predicted = (out[:, 0] >= 0.5) if self.n_outputs_ == 1 else out.argmax(axis=1)
                correct += int((predicted == yb[:n]).sum())
                seen += n
                if poll:
                    batch_done(callback, epoch, start // cfg.batch_size + 1, n_batches)
                    if stop_requested(callback):
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
        return self._forward(np.asarray(row, dtype=self.dtype))[-1]

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
        self.tmp = [np.empty_like(p) for p in params]  # one scratch buffer per parameter: no temporaries

    def apply(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        self.t += 1
        lr_t = float(self.lr * np.sqrt(1 - self.beta2**self.t) / (1 - self.beta1**self.t))
        # every pass in place (Python scalars keep the parameters' dtype); the learning rate folded into √v + ε
        b1, b2, inv_lr, eps = 1 - self.beta1, self.beta2, 1 / lr_t, 1e-7 / lr_t
        for p, g, m, v, tmp in zip(params, grads, self.m, self.v, self.tmp, strict=True):
            np.subtract(g, m, out=tmp)  # m += (1 - β1)(g - m)
            tmp *= b1
            m += tmp
            np.multiply(g, g, out=tmp)  # v = β2 v + (1 - β2) g²
            tmp *= 1 - b2
            v *= b2
            v += tmp
            np.sqrt(v, out=tmp)  # p -= m / ((√v + ε) / lr_t)
            tmp *= inv_lr
            tmp += eps
            np.divide(m, tmp, out=tmp)
            p -= tmp


class _RMSprop:
    """RMSprop with Keras's defaults: ρ=0.9, ε=1e-7."""

    def __init__(self, params: list[np.ndarray], lr: float, rho: float = 0.9):
        self.lr, self.rho = lr, rho
        self.v = [np.zeros_like(p) for p in params]
        self.tmp = [np.empty_like(p) for p in params]

    def apply(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        for p, g, v, tmp in zip(params, grads, self.v, self.tmp, strict=True):
            v *= self.rho
            np.multiply(g, g, out=tmp)
            tmp *= 1 - self.rho
            v += tmp
            np.sqrt(v, out=tmp)
            tmp += 1e-7
            np.divide(g, tmp, out=tmp)
            tmp *= self.lr
            p -= tmp


_OPTIMIZERS = {Optimizer.SGD: _SGD, Optimizer.ADAM: _Adam, Optimizer.RMSPROP: _RMSprop}
