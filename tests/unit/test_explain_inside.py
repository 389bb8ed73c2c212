"""Inside the network and the price of interpretability: first-layer weights as images, activations with
dead ReLUs counted, a tree's rules and logistic-regression coefficients on the same split."""

from __future__ import annotations

import numpy as np
import pytest

from core.config import DataConfig, ModelConfig
from core.data.prepare import prepare
from core.errors import ConfigError
from core.explain import refit
from core.explain.inside import first_layer_images, layer_activations
from core.explain.interpretable import fit_logistic, fit_tree, price_sentence

DIGITS = DataConfig(dataset="digits", fraction=0.5)


@pytest.fixture(scope="module")
def digits_mlp():
    return refit(DIGITS, ModelConfig(kind="numpy_mlp", hidden_units=(32, 16), epochs=5))


def test_first_layer_weights_are_images_of_the_inputs(digits_mlp):
    images = first_layer_images(digits_mlp.model, (8, 8), max_units=10)
    assert images.shape == (10, 8, 8)
    np.testing.assert_array_equal(images[3].ravel(), digits_mlp.model.weights_[0][:, 3])
    with pytest.raises(ConfigError, match="image_shape"):
        first_layer_images(digits_mlp.model, (4, 4))


def test_activations_per_layer_and_dead_relus(digits_mlp):
    model = digits_mlp.model
    layers = layer_activations(model, digits_mlp.data.X_val)
    assert [(a.name, a.n_units) for a in layers] == [("dense_1", 32), ("dense_2", 16)]
    assert layers[0].dead_units == int((layers[0].values.max(axis=0) <= 0).sum())
    model.weights_[0][:, :5] = -50.0  # kill five first-layer units: they can no longer fire
    model.biases_[0][:5] = -50.0
    assert layer_activations(model, np.abs(digits_mlp.data.X_val))[0].dead_units >= 5


def test_families_without_layers_say_so():
    fit = refit(DIGITS, ModelConfig(kind="logistic_regression", max_iter=50))
    with pytest.raises(ConfigError, match="no layers"):
        layer_activations(fit.model, fit.data.X_val)


def test_tree_rules_coefficients_and_the_price():
    data = prepare(DataConfig(dataset="breast_cancer"))
    shallow, deeper = fit_tree(data, depth=1), fit_tree(data, depth=4)
    assert shallow.n_rules == 2 and deeper.n_rules > 2
    assert "|---" in deeper.rules and any(name in deeper.rules for name in data.feature_names)
    assert deeper.accuracy >= shallow.accuracy - 0.02
    lr = fit_logistic(data)
    assert lr.coefficients.shape == (1, data.n_features) and len(lr.top_coefficients(5)) == 5
    top = lr.top_coefficients(30)
    assert [abs(c) for _, c in top] == sorted((abs(c) for _, c in top), reverse=True)
    line = price_sentence(shallow, best_accuracy=shallow.accuracy + 0.06, best_name="NumpyMLP(30 → 128 → 1)")
    assert line.startswith("A depth-1 tree is 6.0 pp less accurate than NumpyMLP") and "2 rules" in line
    with pytest.raises(ConfigError, match="depth"):
        fit_tree(data, depth=0)


@pytest.mark.slow
def test_keras_layers_feature_maps_and_saliency(tiny_mnist_dir):
    """One Keras pass (TensorFlow loads): a CNN's feature maps and activations, an MLP's gradients."""
    from core.explain.inside import feature_maps
    from core.explain.local import saliency

    data_cfg = DataConfig(dataset="mnist", scaling="minmax")
    cnn = refit(data_cfg, ModelConfig(kind="keras_cnn", filters=4, hidden_units=(16,), epochs=2))
    maps = feature_maps(cnn.model, cnn.data.X_val[0])
    assert [m.shape for _, m in maps] == [(28, 28, 4)]
    layers = layer_activations(cnn.model, cnn.data.X_val[:20])
    assert [a.n_units for a in layers] == [4, 16]
    mlp = refit(data_cfg, ModelConfig(kind="keras_mlp", hidden_units=(16,), epochs=3))
    assert first_layer_images(mlp.model, (28, 28), max_units=4).shape == (4, 28, 28)
    row = cnn.data.X_val[0]
    heat, method = saliency(mlp.model, row, image_shape=(28, 28))
    assert method == "integrated gradients" and heat.sum() == pytest.approx(1.0)
    # the fixture's class is a bright row at 2 × label: the map leans on that row more than on others
    label = int(cnn.data.y_val[0])
    assert heat[2 * label].sum() > heat.sum(axis=1).mean()
    with pytest.raises(ConfigError, match="feature maps"):
        first_layer_images(cnn.model, (28, 28))
