"""The training-time estimate per Keras engine: each engine its own overheads, the engine a config resolves to
as the app's workers choose it, and past runs rescaling only estimates of their own engine."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

import pytest

from core.config import Backend, DataConfig, ModelConfig, ModelKind
from core.explore.estimate import KERAS_COSTS, REFERENCE, estimate_seconds, keras_engine, model_seconds
from core.models.keras_import import backend_installed
from core.training.trainer import train

DIGITS = {"n_train": 1257, "n_features": 64, "n_classes": 10, "image_shape": (8, 8)}
MNIST = {"n_train": 54_000, "n_features": 784, "n_classes": 10, "image_shape": (28, 28)}
FIXED = {"cal": REFERENCE}  # the reference machine, so no test depends on this one's load


def _auto_train_max_s() -> float:
    """The Train page's auto-train limit, read from the page script (running it needs Streamlit)."""
    tree = ast.parse((Path(__file__).resolve().parents[2] / "app_pages" / "train.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "AUTO_TRAIN_MAX_S" for t in node.targets):
            return float(ast.literal_eval(node.value))
    raise AssertionError("app_pages/train.py defines no AUTO_TRAIN_MAX_S")


def test_every_engine_has_costs():
    assert set(KERAS_COSTS) == set(Backend)


def test_jax_mlp_is_estimated_below_the_same_mlp_on_tensorflow():
    for batch in (8, 64, 256):
        cfg = ModelConfig(kind=ModelKind.KERAS_MLP, batch_size=batch, epochs=10)
        jax = estimate_seconds(replace(cfg, backend=Backend.JAX), **DIGITS, **FIXED)
        tf = estimate_seconds(replace(cfg, backend=Backend.TENSORFLOW), **DIGITS, **FIXED)
        assert 0 < jax.seconds < tf.seconds
    one, two = (
        model_seconds(replace(cfg, backend=Backend.JAX), **DIGITS, epochs=e, **FIXED) for e in (1, 2)
    )  # JAX's first epoch still costs more than a steady one (tracing, loading compiled programs)
    assert one > two - one > 0


def test_a_large_cnn_is_estimated_faster_on_tensorflow():
    cfg = ModelConfig(kind=ModelKind.KERAS_CNN, conv_blocks=2, filters=16, batch_size=128, epochs=3)
    jax = estimate_seconds(replace(cfg, backend=Backend.JAX), **MNIST, **FIXED)
    tf = estimate_seconds(replace(cfg, backend=Backend.TENSORFLOW), **MNIST, **FIXED)
    assert tf.seconds < jax.seconds  # convolutions: TensorFlow's oneDNN kernels beat JAX's on CPU


def test_a_random_shift_is_priced_where_it_costs_on_jax_not_on_tensorflow():
    """Measured (estimate.py, KERAS_COSTS): JAX's translation made article-98.5's epoch ≈ 6× longer, TensorFlow's no
    longer beyond the noise. Before, the estimate ignored the knob: Train would auto-train a JAX CNN with a shift
    expecting a sixth of its time."""
    from core.presets import get_preset

    cnn = replace(get_preset("article-98.5").model, augment_shift=0)
    for backend, low, high in ((Backend.JAX, 3.0, 10.0), (Backend.TENSORFLOW, 1.0, 1.0)):
        plain = model_seconds(replace(cnn, backend=backend), **MNIST, **FIXED)
        shifted = model_seconds(replace(cnn, backend=backend, augment_shift=2), **MNIST, **FIXED)
        assert low <= shifted / plain <= high, (backend, plain, shifted)
    mlp = ModelConfig(kind=ModelKind.KERAS_MLP, backend=Backend.JAX)  # the knob is the CNN's only
    assert model_seconds(replace(mlp, augment_shift=2), **MNIST, **FIXED) == model_seconds(mlp, **MNIST, **FIXED)


def test_the_estimate_follows_the_engine_the_config_resolves_to(monkeypatch):
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    mlp, cnn = ModelConfig(kind=ModelKind.KERAS_MLP), ModelConfig(kind=ModelKind.KERAS_CNN)
    assert keras_engine(cnn) == Backend.TENSORFLOW and keras_engine(ModelConfig()) is None
    default = estimate_seconds(mlp, **DIGITS, **FIXED).seconds
    chosen = estimate_seconds(replace(mlp, backend=keras_engine(mlp)), **DIGITS, **FIXED).seconds
    assert default == chosen
    monkeypatch.setenv("KERAS_BACKEND", "tensorflow")  # Keras's own switch moves a default config's engine
    assert keras_engine(mlp) == Backend.TENSORFLOW
    assert estimate_seconds(mlp, **DIGITS, **FIXED).seconds == pytest.approx(
        estimate_seconds(replace(mlp, backend=Backend.TENSORFLOW), **DIGITS, **FIXED).seconds
    )


@pytest.mark.skipif(not backend_installed(Backend.JAX), reason="the Keras MLP defaults to JAX only where installed")
def test_a_40_epoch_keras_mlp_on_digits_auto_trains(monkeypatch):
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    cfg = ModelConfig(kind=ModelKind.KERAS_MLP, epochs=40)
    assert keras_engine(cfg) == Backend.JAX
    assert estimate_seconds(cfg, **DIGITS, **FIXED).seconds < _auto_train_max_s()
    # the same run on TensorFlow, whose every step costs several times more, is too long to auto-train
    assert estimate_seconds(replace(cfg, backend=Backend.TENSORFLOW), **DIGITS, **FIXED).seconds > _auto_train_max_s()


@pytest.fixture(scope="module")
def past_run():
    """A finished run to stand in as history (a NumPy fit, quick); tests dress it as a Keras run."""
    return train(DataConfig(), ModelConfig(hidden_units=(8,), epochs=3))


def _as_keras_run(run, cfg: ModelConfig, engine: Backend, *, first_epoch_s: float, steady_s: float):
    cost = replace(run.cost, first_epoch_s=first_epoch_s, train_time_s=first_epoch_s + steady_s, epochs_run=cfg.epochs)
    return replace(run, model_config=cfg, cost=cost, environment={**run.environment, "backend": engine.value})


def test_a_past_run_rescales_only_estimates_of_its_own_engine(past_run):
    cfg = ModelConfig(kind=ModelKind.KERAS_MLP, epochs=3, backend=Backend.JAX)
    shape = {k: past_run.dataset[k] for k in ("n_train", "n_features", "n_classes")}
    plain = estimate_seconds(cfg, **shape, **FIXED)
    tf_run = _as_keras_run(past_run, replace(cfg, backend=None), Backend.TENSORFLOW, first_epoch_s=3.0, steady_s=2.0)
    other = estimate_seconds(cfg, **shape, history=[tf_run], **FIXED)
    assert other.basis == plain.basis == "calibrated on this machine" and other.seconds == plain.seconds
    jax_run = replace(tf_run, environment={**tf_run.environment, "backend": "jax"})
    own = estimate_seconds(cfg, **shape, history=[jax_run], **FIXED)
    assert own.basis == "speed of your last run" and own.seconds > plain.seconds


def test_a_past_runs_first_epoch_does_not_rescale_the_next(past_run):
    """A JAX shape new to the compile cache pays seconds of compiling in its first epoch, once: the next run's
    estimate follows the past run's steady epochs."""
    cfg = ModelConfig(kind=ModelKind.KERAS_MLP, epochs=5, backend=Backend.JAX)
    shape = {k: past_run.dataset[k] for k in ("n_train", "n_features", "n_classes")}
    plain = estimate_seconds(cfg, **shape, **FIXED)
    steady = model_seconds(cfg, **shape, **FIXED) - model_seconds(cfg, **shape, epochs=1, **FIXED)
    for slow_first in (0.0, 1.0, 4.0):
        run = _as_keras_run(past_run, cfg, Backend.JAX, first_epoch_s=slow_first + 0.1, steady_s=2 * steady)
        est = estimate_seconds(cfg, **shape, history=[run], **FIXED)
        assert est.seconds == pytest.approx(2 * plain.seconds)  # twice as slow as modelled, whatever epoch 1 took
