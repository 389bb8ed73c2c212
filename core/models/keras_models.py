"""Keras networks: an MLP and a small CNN, the same code on either engine (TensorFlow or JAX). Importing this
module imports Keras (TensorFlow ≈5 s, JAX ≈2.4 s), so only ``core.models.build_model`` does, after choosing
the engine (core.models.keras_import), and only when a Keras model is asked for.

The adapter reports each epoch as an ``EpochLog`` from Keras's own ``logs``; a callback asking to stop sets
``model.stop_training``. A callback with a per-batch stop flag is watched from a thread that sets it as soon
as the flag is up; Keras 3 honours it after the batch in hand.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time

import numpy as np

from core.config import BatchNorm, LrSchedule, ModelConfig, ModelKind, Precision
from core.models.base import Model, inner_split
from core.models.keras_import import import_keras
from core.training.progress import Callback, EpochLog, batch_done, notify, polls_batches, stop_requested

keras = import_keras()
_CHUNK = 4096  # rows per direct call when scoring


class _EpochReporter(keras.callbacks.Callback):
    """Keras logs → EpochLog once per epoch; honours a stop request.

    Validation is timed apart from fitting: the reported split is scored here, after each epoch, and any
    evaluation Keras runs inside ``fit`` (early stopping's inner split) is timed by ``on_test_begin/end``.
    """

    def __init__(self, epochs: int, callback: Callback | None, owner: KerasModel, validation=None):
        super().__init__()
        self.epochs, self.user_callback, self.owner, self.validation = epochs, callback, owner, validation
        self.history: list[EpochLog] = []
        self.inner_eval_s = 0.0

    def on_train_begin(self, logs=None):
        self.started = time.perf_counter()

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_started = time.perf_counter()
        self.inner_eval_s = 0.0

    def on_test_begin(self, logs=None):
        self.test_started = time.perf_counter()

    def on_test_end(self, logs=None):
        self.inner_eval_s += time.perf_counter() - self.test_started

    def on_epoch_end(self, epoch, logs=None):
        fitted = time.perf_counter()
        logs = logs or {}
        val_loss = val_acc = None
        if self.validation is not None:
            val_loss, val_acc = self.owner._score(*self.validation)
        now = time.perf_counter()
        log = EpochLog(
            epoch=epoch + 1,
            epochs=self.epochs,
            loss=float(logs.get("loss", float("nan"))),
            accuracy=float(logs.get("accuracy", float("nan"))),
            val_loss=val_loss,
            val_accuracy=val_acc,
            elapsed_s=now - self.started,
            epoch_s=fitted - self.epoch_started - self.inner_eval_s,
            eval_s=now - fitted + self.inner_eval_s,
        )
        self.history.append(log)
        self.owner.epochs_run_ = epoch + 1
        if notify(self.user_callback, log) and epoch + 1 < self.epochs:
            self.owner.stopped_ = True
            self.model.stop_training = True


class _StopWatcher(keras.callbacks.Callback):
    """While Keras trains, a thread polls the stop flag every 20 ms and sets ``model.stop_training``.

    Keras 3 checks ``stop_training`` after every batch, so a stop lands within a batch with no per-batch
    hook (a batch hook makes Keras turn each batch's logs into Python numbers, slowing every timed step).
    """

    def __init__(self, callback: Callback, owner: KerasModel):
        super().__init__()
        self.user_callback, self.owner = callback, owner
        self._done = threading.Event()

    def on_train_begin(self, logs=None):
        self._epoch = None  # (1-based epoch, optimizer steps before it) once an epoch has begun
        threading.Thread(target=self._watch, name="tradeoff-keras-stop", daemon=True).start()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = (epoch + 1, self._steps())

    def on_train_end(self, logs=None):
        self._done.set()

    def _steps(self) -> int | None:
        try:  # the optimizer's step counter, read from this thread: batch progress without a batch hook
            return int(self.model.optimizer.iterations.numpy())
        except Exception:  # progress is best effort; the stop flag is what matters
            return None

    def _watch(self) -> None:
        beat = 0
        while not self._done.wait(0.02):
            if stop_requested(self.user_callback):
                self.owner.stopped_ = True
                self.model.stop_training = True
                return
            beat += 1
            if beat % 10 == 0 and self._epoch is not None and self._epoch[1] is not None:  # every 0.2 s
                steps, total = self._steps(), self.params.get("steps")
                if steps is not None and total:
                    batch_done(self.user_callback, self._epoch[0], min(steps - self._epoch[1], total), total)


class _BatchStop(keras.callbacks.Callback):
    """JAX: the stop flag checked in the training loop's own thread at each batch start; Keras's JAX loop reads
    ``stop_training`` after that batch's step, so a stop lands within one batch.

    Set from another thread (``_StopWatcher``) the flag can land while the JAX trainer holds its state outside
    the model, and the state it then writes back refers to buffers a step has already donated. Not a batch-end
    hook: one of those turns Keras's per-batch dispatch synchronous (every step's logs converted to Python
    numbers, waiting for the step), which cost the seed model's JAX epoch about a third of its speed."""

    def __init__(self, callback: Callback, owner: KerasModel):
        super().__init__()
        self.user_callback, self.owner = callback, owner

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch + 1

    def on_train_batch_begin(self, batch, logs=None):
        steps = self.params.get("steps") or batch
        if batch:  # progress too: the batches before this one are done (a batch-start hook costs no sync)
            batch_done(self.user_callback, self._epoch, min(batch, steps), steps)
        if stop_requested(self.user_callback):
            self.owner.stopped_ = True
            self.model.stop_training = True


class _FullBatches(keras.utils.PyDataset):
    """JAX: every batch the same shape, so the training step compiles once (a last, shorter batch compiles it a
    second time: ≈ 6 s for the seed model's 16-row remainder under load, ≈ 1.5 s quiet).

    Rows are reshuffled each epoch (seeded); the last batch is padded with zero-weight rows and its real rows
    weighted ``batch / real`` so its loss (Keras divides by the batch size) and gradient equal the unpadded
    batch's. Class weights multiply the row weights, as Keras's ``class_weight`` does. Keras's reported
    running loss and accuracy weigh that one batch as a full one (a 16-row batch among 1,688: no visible change).
    """

    def __init__(self, X, y, batch_size: int, seed: int, class_weights: dict | None):
        super().__init__()
        self.X, self.y, self.batch_size = np.asarray(X, dtype=np.float32), np.asarray(y), batch_size
        self.weights = np.ones(len(y), dtype=np.float32)
        for c, wt in (class_weights or {}).items():
            self.weights[self.y == c] = wt
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(len(y))

    def __len__(self) -> int:
        return -(-len(self.y) // self.batch_size)

    def __getitem__(self, i: int):
        idx = self.order[i * self.batch_size : (i + 1) * self.batch_size]
        n = len(idx)
        if n == self.batch_size:
            return self.X[idx], self.y[idx], self.weights[idx]
        xb = np.zeros((self.batch_size, self.X.shape[1]), dtype=np.float32)
        yb = np.zeros(self.batch_size, dtype=self.y.dtype)
        wb = np.zeros(self.batch_size, dtype=np.float32)
        xb[:n], yb[:n], wb[:n] = self.X[idx], self.y[idx], self.weights[idx] * (self.batch_size / n)
        return xb, yb, wb

    def on_epoch_end(self) -> None:
        self.order = self.rng.permutation(len(self.y))


class KerasModel(Model):
    """``keras_mlp`` (Flatten → [Dense → Dropout] × layers → Dense) or ``keras_cnn`` (conv-pool blocks first)."""

    def __init__(self, config: ModelConfig, *, image_shape: tuple[int, int] | None = None):
        super().__init__(config)
        self.image_shape = image_shape

    def __repr__(self) -> str:
        c = self.config
        head = " → ".join(str(u) for u in c.hidden_units) or "linear"
        if c.kind == ModelKind.KERAS_CNN:
            stride = f"/{c.first_stride}" if c.first_stride > 1 else ""
            extras = f", BN {c.batch_norm.value}" if c.batch_norm != BatchNorm.OFF else ""
            extras += f", shift ±{c.augment_shift}px" if c.augment_shift else ""
            return (
                f"KerasCNN({c.conv_blocks}×conv{c.kernel_size}{stride}({c.filters}) → {head}, {c.activation.value}"
                f"{extras})"
            )
        return f"KerasMLP({head}, {c.activation.value}, {c.optimizer.value})"

    def build(self, n_features: int, n_classes: int, n_rows: int | None = None) -> keras.Model:
        """The compiled Keras model; ``n_rows`` (the rows it will fit on) sets a decaying schedule's length."""
        c = self.config
        keras.utils.set_random_seed(c.seed)
        dtype = "mixed_bfloat16" if c.precision == Precision.MIXED_BFLOAT16 else "float32"
        regularizer = keras.regularizers.L1L2(l1=c.l1, l2=c.l2) if (c.l1 or c.l2) else None
        layers: list[keras.layers.Layer] = [keras.Input(shape=(n_features,))]
        norm_convs = c.batch_norm != BatchNorm.OFF
        norm_dense = c.batch_norm == BatchNorm.ALL

        def unit(layer_type, size, *args, norm: bool, activation: str, **kwargs) -> None:
            """A conv or Dense layer and its activation; with batch normalisation the layer has no bias (the
            normalisation's shift replaces it) and the normalisation sits between the layer and its activation."""
            if not norm:
                layers.append(layer_type(size, *args, activation=activation, **kwargs))
                return
            layers.append(layer_type(size, *args, use_bias=False, **kwargs))
            # momentum 0.9, not Keras's 0.99: the lab's runs are short (digits, 3 epochs: 120 steps, after which
            # 0.99 still leaves 30 % of the running statistics at their initial values)
            layers.append(keras.layers.BatchNormalization(momentum=0.9, dtype=dtype))
            layers.append(keras.layers.Activation(activation, dtype=dtype))

        if c.kind == ModelKind.KERAS_CNN:
            h, w = self.image_shape  # build_model refuses keras_cnn without image data
            layers.append(keras.layers.Reshape((h, w, 1)))
            if c.augment_shift:
                # training only (Keras passes training=False when scoring); "nearest" repeats the border row (blank
                # in digit images, whatever the scaling made of blank), where "constant" would fill a literal 0
                layers.append(
                    keras.layers.RandomTranslation(
                        c.augment_shift / h, c.augment_shift / w, fill_mode="nearest", seed=c.seed
                    )
                )
            for block in range(c.conv_blocks):
                # first_stride=2: the first convolution downsamples by itself (a quarter of its full-resolution
                # work and no pooling pass over its output); every other block convolves, then max-pools
                strided = block == 0 and c.first_stride > 1
                unit(
                    keras.layers.Conv2D,
                    c.filters * 2**block,
                    c.kernel_size,
                    norm=norm_convs,
                    activation="relu",
                    strides=c.first_stride if block == 0 else 1,
                    padding="same",
                    kernel_regularizer=regularizer,
                    dtype=dtype,
                )
                if not strided:
                    layers.append(keras.layers.MaxPooling2D(2, padding="same", dtype=dtype))
        layers.append(keras.layers.Flatten())
        for units in c.hidden_units:
            unit(
                keras.layers.Dense,
                units,
                norm=norm_dense,
                activation=c.activation.value,
                kernel_regularizer=regularizer,
                dtype=dtype,
            )
            if c.dropout:
                layers.append(keras.layers.Dropout(c.dropout, seed=c.seed))
        layers.append(keras.layers.Dense(n_classes, activation="softmax", dtype="float32"))  # stable softmax
        model = keras.Sequential(layers, name=c.kind.value)
        optimizer = {"sgd": keras.optimizers.SGD, "adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop}[
            c.optimizer.value
        ](learning_rate=self.learning_rate_schedule(n_rows))
        model.compile(
            optimizer=optimizer,
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
            # "auto": XLA on a GPU, none on a CPU-only TensorFlow, always compiled on JAX. Forcing XLA on this CPU
            # made the MNIST CNN's fit 4.6× slower (61.5 s against 13.5 s, 8/16 filters, batch 256, 2 epochs, load 5).
            jit_compile="auto",
        )
        return model

    def learning_rate_schedule(self, n_rows: int | None) -> float | keras.optimizers.schedules.LearningRateSchedule:
        """The learning rate, or for ``lr_schedule=cosine`` a cosine decay from it to 0 over every step of the
        run (epochs × batches of ``n_rows``). With ``warmup`` the rate first climbs linearly from 0 over that
        share of the steps, then stays (constant) or decays over the rest (cosine)."""
        c = self.config
        steps = c.epochs * -(-n_rows // c.batch_size) if n_rows else 0
        warm = min(round(c.warmup * steps), steps - 1) if steps else 0
        if not warm:
            if c.lr_schedule == LrSchedule.CONSTANT or not steps:
                return c.learning_rate
            return keras.optimizers.schedules.CosineDecay(c.learning_rate, decay_steps=steps)
        return keras.optimizers.schedules.CosineDecay(
            0.0,
            decay_steps=steps - warm,
            alpha=1.0 if c.lr_schedule == LrSchedule.CONSTANT else 0.0,  # alpha 1: no decay after the warm-up
            warmup_target=c.learning_rate,
            warmup_steps=warm,
        )

    def fit(self, X, y, *, n_classes, validation=None, class_weights=None, callback: Callback | None = None):
        c = self.config
        self.n_classes_ = n_classes
        reporter = _EpochReporter(c.epochs, callback, self, validation)
        callbacks: list[keras.callbacks.Callback] = [reporter]
        if polls_batches(callback):  # a stop flag to honour within a batch
            on_jax = keras.backend.backend() == "jax"
            callbacks.append(_BatchStop(callback, self) if on_jax else _StopWatcher(callback, self))
        monitored = None
        self.notes_ = ()
        if c.early_stopping_patience:
            # early stopping watches rows carved from the training data, never the reported validation split
            X, y, monitored = inner_split(X, y, seed=c.seed)
            self.notes_ = (
                f"Early stopping held out {len(monitored[1])} of the {len(y) + len(monitored[1])} training rows "
                "to decide when to stop; the model fitted on the other "
                f"{len(y)}.",
            )
            callbacks.append(
                keras.callbacks.EarlyStopping(
                    monitor="val_loss", patience=c.early_stopping_patience, restore_best_weights=True
                )
            )
        self.n_fit_rows_ = len(y)
        self.model_ = self.build(X.shape[1], n_classes, n_rows=len(y))  # after the split: its rows set the schedule
        if keras.backend.backend() == "jax" and len(y) % c.batch_size:  # one batch shape: one compile
            batches = _FullBatches(X, y, c.batch_size, c.seed, class_weights)
            self.model_.fit(
                batches, epochs=c.epochs, verbose=0, shuffle=False, validation_data=monitored, callbacks=callbacks
            )
        else:
            self.model_.fit(
                X,
                y,
                batch_size=c.batch_size,
                epochs=c.epochs,
                verbose=0,
                shuffle=True,
                validation_data=monitored,
                class_weight=class_weights,
                callbacks=callbacks,
            )
        self.history_ = reporter.history
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        self._check_fitted("model_")
        # direct calls in chunks: predict() costs ~50 ms of set-up a call and retraces for every new model
        chunks = [self._call(X[i : i + _CHUNK]) for i in range(0, len(X), _CHUNK)]
        return np.concatenate([np.asarray(c, dtype=np.float64) for c in chunks])

    def predict_one(self, row: np.ndarray) -> object:
        return self._call(row)

    def _call(self, X: np.ndarray) -> np.ndarray:
        """The model's outputs for up to ``_CHUNK`` rows, as NumPy (JAX dispatches asynchronously: a latency
        timed without waiting for the result would time the dispatch only).

        On JAX the forward pass is one compiled function of the current weights (``stateless_call`` under
        ``jax.jit``), compiled once per model and input shape and shared by the per-epoch validation, the
        final scoring, the latency and the throughput measurements; eager Keras on JAX dispatches every layer's
        operations one by one (≈ 5 ms a batch-1 call here). Rows are padded with zeros up to the next power of
        two, so a model compiles for a handful of shapes (1, 1024, 2048, 4096 ...), not one per row count.
        On TensorFlow the direct eager call."""
        if keras.backend.backend() != "jax":
            return np.asarray(self.model_(X, training=False))
        if getattr(self, "_jit_for", None) is not self.model_:
            import jax

            model = self.model_

            def forward(trainable, non_trainable, x):
                return model.stateless_call(trainable, non_trainable, x, training=False)[0]

            self._jit, self._jit_for = jax.jit(forward), model
        n = len(X)
        X = np.asarray(X, dtype=np.float32)
        size = 1 << max(0, n - 1).bit_length()
        if size != n:
            padded = np.zeros((size, *X.shape[1:]), dtype=np.float32)
            padded[:n] = X
            X = padded
        trainable = [v.value for v in self.model_.trainable_variables]
        non_trainable = [v.value for v in self.model_.non_trainable_variables]
        return np.asarray(self._jit(trainable, non_trainable, X))[:n]

    def _score(self, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        proba = self.predict_proba(X)
        p_true = np.clip(proba[np.arange(len(y)), y], 1e-7, 1)
        return float(-np.log(p_true).mean()), float((proba.argmax(axis=1) == y).mean())

    @property
    def n_params(self) -> int:
        self._check_fitted("model_")
        return int(self.model_.count_params())

    def size_bytes(self) -> int:
        self._check_fitted("model_")
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "model.keras")
            self.model_.save(path)
            return os.path.getsize(path)
