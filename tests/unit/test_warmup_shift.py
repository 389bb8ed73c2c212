"""The ``warmup`` knob (the learning rate climbs from 0 over a share of the steps) and the ``augment_shift`` knob
(training images moved at random by up to N pixels, never when scoring): checked, flagged, off by default, and
doing what they say on TensorFlow (and the shift on JAX)."""

import json

import numpy as np
import pytest

from core import ConfigError, DataConfig, ModelConfig
from core.config import LrSchedule, ModelKind
from core.knobs import KNOBS, MODEL_KNOBS
from core.records.result import RunResult
from tests.helpers import run_cli_here


def test_the_knobs_are_checked_off_by_default_and_read_by_the_right_families():
    assert ModelConfig().warmup == 0.0 and ModelConfig().augment_shift == 0  # every earlier run is unchanged
    assert KNOBS["warmup"].families == (ModelKind.KERAS_MLP, ModelKind.KERAS_CNN)
    assert KNOBS["augment_shift"].families == (ModelKind.KERAS_CNN,)  # an MLP's rows are not images to it
    assert "warmup" not in MODEL_KNOBS[ModelKind.NUMPY_MLP] and "augment_shift" not in MODEL_KNOBS[ModelKind.KERAS_MLP]
    assert ModelConfig(kind="keras_cnn", warmup=0.1, augment_shift=2).validate().augment_shift == 2
    with pytest.raises(ConfigError, match=r"'warmup' parameter must be a number in \[0\.0, 0\.5\]. Got 0\.6"):
        ModelConfig(kind="keras_cnn", warmup=0.6).validate()
    with pytest.raises(ConfigError, match=r"'augment_shift' parameter must be an integer in \[0, 4\]. Got 5"):
        ModelConfig(kind="keras_cnn", augment_shift=5).validate()


def test_the_cli_has_both_flags_and_refuses_them_where_they_mean_nothing():
    done = run_cli_here("train", "--help")
    assert done.returncode == 0 and "--warmup" in done.stdout and "--augment-shift" in done.stdout
    done = run_cli_here("train", "--model", "keras_mlp", "--augment-shift", "2")
    assert done.returncode == 2 and "--augment-shift (augment_shift) is not a knob of keras_mlp" in done.stderr
    done = run_cli_here("train", "--model", "numpy_mlp", "--warmup", "0.1")
    assert done.returncode == 2 and "--warmup (warmup) is not a knob of numpy_mlp" in done.stderr


def test_old_run_json_without_the_fields_reads_as_off():
    plain = ModelConfig(kind="keras_cnn", warmup=0.1, augment_shift=2).to_dict()
    assert (plain["warmup"], plain["augment_shift"]) == (0.1, 2)
    del plain["warmup"], plain["augment_shift"]
    old = ModelConfig.from_dict(plain)
    assert (old.warmup, old.augment_shift) == (0.0, 0)


def _schedule(**knobs):
    from core.models import build_model

    model = build_model(ModelConfig(**knobs).validate(), n_features=64, n_classes=10, image_shape=(8, 8))
    return model.learning_rate_schedule(n_rows=1000)  # batch 100: 10 steps an epoch


@pytest.mark.slow
def test_warmup_climbs_from_zero_then_decays_or_holds():
    lr = 0.02
    cosine = _schedule(kind="keras_cnn", learning_rate=lr, batch_size=100, epochs=2, lr_schedule="cosine", warmup=0.2)
    # 20 steps, the first 4 warm-up: 0 → lr linearly, then a cosine over the 16 others down to 0
    rates = [float(cosine(step)) for step in (0, 2, 4, 12, 20)]
    assert rates == pytest.approx([0.0, lr / 2, lr, lr / 2, 0.0], abs=1e-7)
    held = _schedule(kind="keras_mlp", learning_rate=lr, batch_size=100, epochs=2, lr_schedule="constant", warmup=0.2)
    assert [float(held(step)) for step in (0, 2, 4, 12, 20)] == pytest.approx([0.0, lr / 2, lr, lr, lr], abs=1e-7)
    # off: exactly what it was before the knob (a plain rate; a cosine from the first step)
    assert _schedule(kind="keras_mlp", learning_rate=lr, batch_size=100, epochs=2) == lr
    plain_cosine = _schedule(
        kind="keras_mlp", learning_rate=lr, batch_size=100, epochs=2, lr_schedule=LrSchedule.COSINE
    )
    assert float(plain_cosine(0)) == pytest.approx(lr) and float(plain_cosine(10)) == pytest.approx(lr / 2)


def _layers(**knobs):
    from core.models import build_model

    cfg = ModelConfig(kind="keras_cnn", filters=4, hidden_units=(8,), **knobs).validate()
    return build_model(cfg, n_features=64, n_classes=10, image_shape=(8, 8)).build(64, 10)


@pytest.mark.slow
def test_the_shift_layer_is_built_only_when_on_moves_training_images_and_never_scored_ones():
    assert "RandomTranslation" not in [type(layer).__name__ for layer in _layers().layers]
    model = _layers(augment_shift=2)
    names = [type(layer).__name__ for layer in model.layers]
    assert names[:3] == ["Reshape", "RandomTranslation", "Conv2D"]  # on the image, before any convolution
    shift = model.layers[1]
    image = np.zeros((16, 8, 8, 1), dtype=np.float32)
    image[:, 3:5, 3:5, 0] = 1.0  # a 2×2 blob in the middle of a blank 8×8 image
    moved = np.asarray(shift(image, training=True))
    assert not np.allclose(moved, image)  # training: moved
    centres = [np.argwhere(m[..., 0] > 0.5).mean(axis=0) for m in moved if (m > 0.5).any()]
    assert all(np.all(np.abs(c - 3.5) <= 2.01) for c in centres)  # by at most 2 pixels each way
    assert moved.min() >= 0.0 and np.isclose(moved.max(), 1.0, atol=0.05)  # the border filled with background
    np.testing.assert_array_equal(np.asarray(shift(image, training=False)), image)  # scoring: untouched
    X = np.random.default_rng(0).random((32, 64), dtype=np.float32)
    np.testing.assert_array_equal(np.asarray(model(X, training=False)), np.asarray(model(X, training=False)))


@pytest.mark.slow
def test_a_shifted_warmed_up_cnn_trains_on_tensorflow_and_round_trips_in_the_run_json():
    from core.training.trainer import train

    knobs = dict(kind="keras_cnn", filters=8, hidden_units=(32,), epochs=6, batch_size=32, learning_rate=5e-3)
    cfg = ModelConfig(**knobs, augment_shift=1, warmup=0.1, lr_schedule="cosine")
    result = train(DataConfig(), cfg)
    assert result.environment["backend"] == "tensorflow"
    assert result.validation.accuracy > 0.85, result.validation.accuracy  # digits; an untrained net: 10 %
    assert "shift ±1px" in result.model_repr
    plain = train(DataConfig(), ModelConfig(**knobs, lr_schedule="cosine"))
    assert not np.isclose(result.history[0].loss, plain.history[0].loss)  # the knobs change what is fitted
    again = RunResult.from_json(result.to_json())
    assert (again.model_config.augment_shift, again.model_config.warmup) == (1, 0.1)
    assert json.loads(result.to_json())["model_config"]["augment_shift"] == 1


@pytest.mark.slow
def test_a_shifted_cnn_trains_on_jax_and_reproduces_with_its_seed(jax_worker):
    # batch 64 at a higher rate: as far in half the steps (each JAX step of a CNN costs ~3× TensorFlow's)
    knobs = dict(
        kind="keras_cnn",
        backend="jax",
        filters=8,
        hidden_units=(32,),
        epochs=3,
        batch_size=64,
        learning_rate=5e-3,
        seed=1,
    )
    a = jax_worker.run(DataConfig(), ModelConfig(**knobs, augment_shift=1, warmup=0.1))
    b = jax_worker.run(DataConfig(), ModelConfig(**knobs, augment_shift=1, warmup=0.1))
    assert a.environment["backend"] == "jax"
    assert a.validation.accuracy > 0.8  # digits; an untrained net: 10 %
    assert [h.loss for h in a.history] == pytest.approx([h.loss for h in b.history], rel=1e-5)
