import numpy as np
import pytest

from core.config import Activation, DataConfig, ModelConfig, Optimizer
from core.data.prepare import prepare
from core.errors import NotFittedError
from core.models.numpy_mlp import NumpyMLP


def _numeric_grad(model, X, y, weights, param, index, eps=1e-6):
    old = param[index]
    param[index] = old + eps
    plus, _ = model.loss_and_grads(X, y, weights)
    param[index] = old - eps
    minus, _ = model.loss_and_grads(X, y, weights)
    param[index] = old
    return (plus - minus) / (2 * eps)


@pytest.mark.parametrize("n_classes", [2, 4])
@pytest.mark.parametrize("activation", list(Activation))
def test_backprop_matches_finite_differences(n_classes, activation):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((12, 5))
    y = rng.integers(0, n_classes, 12)
    weights = rng.uniform(0.5, 2.0, 12)  # class weights enter the gradient too
    model = NumpyMLP(ModelConfig(hidden_units=(7, 6), activation=activation, l2=0.01, seed=3), dtype=np.float64)
    model.init_params(5, n_classes)
    for W in model.weights_:
        W += rng.normal(0, 0.1, W.shape)  # move off zero so relu kinks are not hit
    for b in model.biases_:
        b += rng.normal(0, 0.1, b.shape)
    _, grads = model.loss_and_grads(X, y, weights)
    for param, grad in zip(model.params(), grads, strict=True):
        for index in list(np.ndindex(param.shape))[:15]:
            numeric = _numeric_grad(model, X, y, weights, param, index)
            assert grad[index] == pytest.approx(numeric, rel=1e-4, abs=1e-7)


def test_defaults_reach_95_percent_on_digits():
    data = prepare(DataConfig())
    model = NumpyMLP(ModelConfig()).fit(data.X_train, data.y_train, n_classes=10)
    assert (model.predict(data.X_test) == data.y_test).mean() >= 0.95


@pytest.mark.parametrize("optimizer", list(Optimizer))
def test_every_optimizer_learns(optimizer):
    data = prepare(DataConfig(dataset="breast_cancer"))
    lr = 0.05 if optimizer == Optimizer.SGD else 1e-3
    model = NumpyMLP(ModelConfig(optimizer=optimizer, learning_rate=lr)).fit(data.X_train, data.y_train, n_classes=2)
    assert (model.predict(data.X_test) == data.y_test).mean() > 0.9
    assert model.predict_proba(data.X_test).shape == (len(data.y_test), 2)


def test_no_hidden_layer_is_logistic_regression_and_same_seed_same_weights():
    data = prepare(DataConfig(dataset="breast_cancer"))
    a = NumpyMLP(ModelConfig(hidden_units=())).fit(data.X_train, data.y_train, n_classes=2)
    b = NumpyMLP(ModelConfig(hidden_units=())).fit(data.X_train, data.y_train, n_classes=2)
    assert repr(a) == "NumpyMLP(30 → 1, relu)"
    assert a.n_params == 31
    np.testing.assert_array_equal(a.weights_[0], b.weights_[0])


def test_predict_before_fit_raises():
    with pytest.raises(NotFittedError, match="fit"):
        NumpyMLP(ModelConfig()).predict_proba(np.zeros((1, 3)))
