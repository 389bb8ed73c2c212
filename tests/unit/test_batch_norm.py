"""The ``batch_norm`` knob of the Keras families: BatchNormalization layers only when asked for, where asked for,
training on TensorFlow and on JAX, a knob of the Keras families only, and carried in a run's JSON."""

import json

import numpy as np
import pytest

from core import ConfigError, DataConfig, ModelConfig
from core.config import BatchNorm, ModelKind
from core.knobs import KNOBS, MODEL_KNOBS
from core.records.result import RunResult
from tests.helpers import run_cli_here


def _layers(kind: str, batch_norm: str, **knobs):
    from core.models import build_model

    cfg = ModelConfig(kind=kind, batch_norm=batch_norm, **knobs).validate()
    model = build_model(cfg, n_features=64, n_classes=10, image_shape=(8, 8)).build(64, 10)
    return [type(layer).__name__ for layer in model.layers], model


def test_the_knob_is_keras_only_checked_and_named_in_errors():
    assert KNOBS["batch_norm"].families == (ModelKind.KERAS_CNN,)  # an MLP has no convolution: no no-op value
    assert "batch_norm" not in MODEL_KNOBS[ModelKind.NUMPY_MLP] and "batch_norm" not in MODEL_KNOBS[ModelKind.KERAS_MLP]
    assert ModelConfig().batch_norm == BatchNorm.OFF  # off unless asked: every earlier run is unchanged
    assert ModelConfig(kind="keras_cnn", batch_norm="conv").validate().batch_norm == BatchNorm.CONV
    with pytest.raises(ConfigError, match="'batch_norm' parameter must be one of off, conv, all. Got 'layer'"):
        ModelConfig(kind="keras_cnn", batch_norm="layer")


def test_the_cli_has_the_flag_for_keras_and_refuses_it_for_other_families():
    done = run_cli_here("train", "--help")
    assert done.returncode == 0 and "--batch-norm" in done.stdout
    done = run_cli_here("train", "--model", "numpy_mlp", "--batch-norm", "conv")
    assert done.returncode == 2
    assert "--batch-norm (batch_norm) is not a knob of numpy_mlp" in done.stderr
    assert "keras_cnn" in done.stderr
    done = run_cli_here("train", "--model", "keras_mlp", "--batch-norm", "all")
    assert done.returncode == 2 and "is not a knob of keras_mlp" in done.stderr
    done = run_cli_here("train", "--model", "keras_cnn", "--batch-norm", "sometimes")
    assert done.returncode == 2 and "'batch_norm' parameter must be one of off, conv, all" in done.stderr


@pytest.mark.slow
def test_layers_are_built_only_when_on_between_each_layer_and_its_activation():
    knobs = dict(conv_blocks=2, filters=4, hidden_units=(16, 8))
    off, _ = _layers("keras_cnn", "off", **knobs)
    assert "BatchNormalization" not in off
    conv, model = _layers("keras_cnn", "conv", **knobs)
    assert conv.count("BatchNormalization") == 2
    assert [conv[i + 1] for i, name in enumerate(conv) if name == "Conv2D"] == ["BatchNormalization"] * 2
    convs = [layer for layer in model.layers if type(layer).__name__ == "Conv2D"]
    assert all(not c.use_bias and c.activation.__name__ == "linear" for c in convs)  # BN's shift is the bias
    every, _ = _layers("keras_cnn", "all", **knobs)
    assert every.count("BatchNormalization") == 2 + 2  # each conv and each hidden Dense, not the output
    mlp_conv, _ = _layers("keras_mlp", "conv", hidden_units=(16,))
    assert "BatchNormalization" not in mlp_conv  # an MLP has no convolution to normalise
    mlp_all, _ = _layers("keras_mlp", "all", hidden_units=(16, 8))
    assert mlp_all.count("BatchNormalization") == 2


@pytest.mark.slow
def test_a_batch_normalised_cnn_trains_on_tensorflow_and_round_trips_in_the_run_json():
    from core.training.trainer import train

    cfg = ModelConfig(kind="keras_cnn", batch_norm="all", filters=8, hidden_units=(32,), epochs=3, batch_size=32)
    result = train(DataConfig(), cfg)
    assert result.environment["backend"] == "tensorflow"
    assert result.validation.accuracy > 0.85  # digits; an untrained net is at 10 %
    again = RunResult.from_json(result.to_json())
    assert again.model_config.batch_norm == BatchNorm.ALL
    assert json.loads(result.to_json())["model_config"]["batch_norm"] == "all"
    plain = result.model_config.to_dict()
    del plain["batch_norm"]  # a run stored before the knob existed reads as off
    assert ModelConfig.from_dict(plain).batch_norm == BatchNorm.OFF


@pytest.mark.slow
def test_a_batch_normalised_cnn_trains_on_jax_and_differs_from_the_plain_one(jax_worker):
    knobs = dict(kind="keras_cnn", backend="jax", filters=8, hidden_units=(32,), epochs=3, batch_size=32, seed=1)
    normed = jax_worker.run(DataConfig(), ModelConfig(**knobs, batch_norm="conv"))
    plain = jax_worker.run(DataConfig(), ModelConfig(**knobs))
    assert normed.environment["backend"] == "jax"
    assert normed.validation.accuracy > 0.85
    assert normed.model_config.batch_norm == BatchNorm.CONV
    # BN adds 4 values per channel (gamma, beta, moving mean and variance) and drops the conv biases
    assert normed.cost.n_params == plain.cost.n_params + 3 * 8  # one conv block (the default) of 8 filters
    assert not np.isclose(normed.history[0].loss, plain.history[0].loss)


def test_first_stride_is_a_cnn_knob_that_the_estimate_counts():
    from core.explore.estimate import macs_per_row

    assert KNOBS["first_stride"].families == (ModelKind.KERAS_CNN,)
    with pytest.raises(ConfigError, match="'first_stride' parameter must be an integer in \\[1, 2\\]. Got 3"):
        ModelConfig(kind="keras_cnn", first_stride=3).validate()
    done = run_cli_here("train", "--model", "keras_mlp", "--first-stride", "2")
    assert done.returncode == 2 and "--first-stride (first_stride) is not a knob of keras_mlp" in done.stderr
    plain = ModelConfig(kind="keras_cnn", conv_blocks=2, filters=8, hidden_units=(128,))
    strided = ModelConfig(**{**plain.to_dict(), "first_stride": 2, "hidden_units": (128,)})
    # 28×28 image: conv1 over 784 pixels (plain) or 196 (strided); both reach conv2 at 14×14 and the head at 7×7
    first_conv = 9 * 8
    assert macs_per_row(plain, 784, 10, (28, 28)) - macs_per_row(strided, 784, 10, (28, 28)) == (784 - 196) * first_conv


@pytest.mark.slow
def test_a_strided_first_conv_replaces_its_pooling_and_keeps_the_head_size():
    knobs = dict(conv_blocks=2, filters=4, hidden_units=(16,))
    plain, plain_model = _layers("keras_cnn", "off", **knobs)
    strided, strided_model = _layers("keras_cnn", "off", first_stride=2, **knobs)
    assert plain.count("MaxPooling2D") == 2 and strided.count("MaxPooling2D") == 1
    assert strided_model.layers[1].strides == (2, 2) and strided_model.layers[1].output.shape[1:3] == (4, 4)
    models = (plain_model, strided_model)
    flat = [layer.output.shape[-1] for m in models for layer in m.layers if layer.name.startswith("flat")]
    assert flat[0] == flat[1]  # 8×8 digits: 2×2×8 features into the head either way
    assert strided_model.count_params() == plain_model.count_params()


@pytest.mark.slow
def test_structured_pruning_refuses_a_batch_normalised_model_with_a_core_error():
    from core.compress.litert import CompressError
    from core.compress.prune import structured_prune

    _, model = _layers("keras_cnn", "conv", filters=4, hidden_units=(8,))
    X, y = np.zeros((4, 64), dtype=np.float32), np.zeros(4, dtype=int)
    with pytest.raises(CompressError, match="batch-normalised model.*prune:0.8.*batch_norm=off"):
        structured_prune(model, 0.5, X, y, epochs=0, batch_size=4, learning_rate=1e-3, seed=0)
