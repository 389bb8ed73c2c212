"""Pruning a trained Keras model.

Magnitude pruning zeroes the smallest weights of every kernel (Dense and Conv2D; biases are kept), rising
gradually to the requested sparsity while fine-tuning, with the mask re-applied after each step so the
zeros stay zeros. The model stays
dense: its float file is as big as before and only gzip sees the zeros, and a dense kernel multiplies zeros
as fast as anything else — the page shows both. Structured pruning removes whole units (Dense) or filters
(Conv2D) with the smallest L2 norms and rebuilds a genuinely smaller dense model with the kept weights.
Keras is imported by the functions that need it, not by importing this module.
"""

from __future__ import annotations

import numpy as np

from core.models.keras_import import import_keras


class _LazyKeras:
    """``keras`` for this module, imported at first use (so importing the module leaves TensorFlow unloaded)."""

    def __getattr__(self, name: str):
        return getattr(import_keras(), name)


keras = _LazyKeras()


def _kernels(model) -> list:
    """Layers whose kernel is pruned: every Dense and Conv2D."""
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dense | keras.layers.Conv2D)]


def magnitude_masks(model, sparsity: float) -> dict[str, np.ndarray]:
    """Per prunable layer, a 0/1 mask keeping the ``1 - sparsity`` largest-magnitude kernel weights."""
    masks = {}
    for layer in _kernels(model):
        kernel = np.asarray(layer.kernel)
        n_zero = int(round(sparsity * kernel.size))
        mask = np.ones(kernel.size, dtype=np.float32)
        if n_zero:
            mask[np.argsort(np.abs(kernel), axis=None, kind="stable")[:n_zero]] = 0.0
        masks[layer.name] = mask.reshape(kernel.shape)
    return masks


def apply_masks(model, masks: dict[str, np.ndarray]) -> None:
    for layer in _kernels(model):
        layer.kernel.assign(np.asarray(layer.kernel) * masks[layer.name])


def _schedule(sparsity: float, total_steps: int):
    """A callback pruning gradually (Zhu & Gupta's cubic schedule, as TF Model Optimization does): the sparsity
    rises from 0 to ``sparsity`` over the first half of the fine-tuning steps, the masks recomputed from the
    current magnitudes about 20 times on the way, and re-applied after every optimizer step so a pruned weight
    cannot regrow. ``masks`` holds the last masks."""
    ramp = max(1, total_steps // 2)
    every = max(1, ramp // 20)

    class Schedule(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.step = 0
            self.masks: dict[str, np.ndarray] = {}

        def on_train_batch_end(self, batch, logs=None):
            self.step += 1
            if self.step <= ramp and (self.step % every == 0 or self.step == ramp):
                done = self.step / ramp
                self.masks = magnitude_masks(self.model, sparsity * (1 - (1 - done) ** 3))
            if self.masks:
                for layer in _kernels(self.model):
                    layer.kernel.assign(layer.kernel * self.masks[layer.name])

    return Schedule()


def sparsity_of(model) -> float:
    """Share of exact zeros over every pruned kernel."""
    kernels = [np.asarray(layer.kernel) for layer in _kernels(model)]
    total = sum(k.size for k in kernels)
    return float(sum(int((k == 0).sum()) for k in kernels) / total) if total else 0.0


def _fresh_copy(model):
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy


def _compile(model, learning_rate: float) -> None:
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )


def magnitude_prune(model, sparsity: float, X, y, *, epochs: int, batch_size: int, learning_rate: float, seed: int):
    """A pruned copy of ``model`` at ``sparsity``: pruned gradually while fine-tuning for ``epochs`` (at once when
    ``epochs`` is 0), ending with exactly the requested share of each kernel at zero."""
    keras.utils.set_random_seed(seed)
    pruned = _fresh_copy(model)
    if epochs:
        _compile(pruned, learning_rate)
        steps = epochs * int(np.ceil(len(X) / batch_size))
        pruned.fit(X, y, epochs=epochs, batch_size=batch_size, verbose=0, shuffle=True,
                   callbacks=[_schedule(sparsity, steps)])  # fmt: skip
    apply_masks(pruned, magnitude_masks(pruned, sparsity))  # the schedule ends here already; exact either way
    return pruned


def structured_prune(model, share: float, X, y, *, epochs: int, batch_size: int, learning_rate: float, seed: int):
    """A smaller model: ``share`` of each hidden Dense layer's units and each Conv2D's filters removed (smallest
    L2 norm of incoming weights first, at least one kept), the rest copied over, then fine-tuned."""
    keras.utils.set_random_seed(seed)
    layers = list(model.layers)
    if any(isinstance(layer, keras.layers.BatchNormalization) for layer in layers):
        from core.compress.litert import CompressError

        raise CompressError(
            "Structured pruning cannot remove channels from a batch-normalised model yet (batch_norm is on). Use "
            "magnitude pruning (prune:0.8), or train with batch_norm=off."
        )
    last_dense = max(i for i, layer in enumerate(layers) if isinstance(layer, keras.layers.Dense))
    keep: list[np.ndarray | None] = [None] * len(layers)  # output channels kept, per layer index
    for i, layer in enumerate(layers):
        if i == last_dense or not isinstance(layer, keras.layers.Dense | keras.layers.Conv2D):
            continue
        kernel = np.asarray(layer.kernel)
        norms = np.sqrt((kernel.reshape(-1, kernel.shape[-1]) ** 2).sum(axis=0))
        n_keep = max(1, int(round((1 - share) * kernel.shape[-1])))
        keep[i] = np.sort(np.argsort(-norms, kind="stable")[:n_keep])

    new_layers = [keras.Input(shape=model.input_shape[1:])]
    for i, layer in enumerate(layers):
        config = layer.get_config()
        if keep[i] is not None:
            config["units" if isinstance(layer, keras.layers.Dense) else "filters"] = len(keep[i])
        new_layers.append(type(layer).from_config(config))
    smaller = keras.Sequential(new_layers, name=f"{model.name}_structured")

    channels: np.ndarray | None = None  # the previous layer's kept output channels
    spatial = 1  # positions per channel entering the next Dense, after a Flatten of conv features
    for i, (old, new) in enumerate(zip(layers, smaller.layers, strict=True)):
        if isinstance(old, keras.layers.Flatten) and channels is not None:
            shape = old.input.shape  # (batch, height, width, channels) after the last pooling
            spatial = int(np.prod(shape[1:-1])) if len(shape) > 2 else 1
            continue
        if not isinstance(old, keras.layers.Dense | keras.layers.Conv2D):
            continue
        kernel, bias = (np.asarray(w) for w in old.get_weights())
        if channels is not None:
            if isinstance(old, keras.layers.Conv2D):
                kernel = kernel[:, :, channels, :]
            else:  # rows of a Dense after Flatten are (position, channel) pairs, channel fastest
                n_in = kernel.shape[0] // spatial
                kernel = kernel.reshape(spatial, n_in, -1)[:, channels, :].reshape(spatial * len(channels), -1)
                spatial = 1
        if keep[i] is not None:
            kernel, bias = kernel[..., keep[i]], bias[keep[i]]
            channels = keep[i]
        else:
            channels = None
        new.set_weights([kernel, bias])
    if epochs:
        _compile(smaller, learning_rate)
        smaller.fit(X, y, epochs=epochs, batch_size=batch_size, verbose=0, shuffle=True)
    return smaller
