"""The article's 2-3-1 sigmoid network: the correct backprop agrees with finite differences, the article's
written one (σ′ dropped in the hidden layer) does not, and training with it ends at a higher loss."""

from __future__ import annotations

import numpy as np
import pytest

from core.config import DataConfig
from core.data.prepare import prepare
from core.errors import ConfigError
from core.explain.article_case import compare, gradient_check, gradients, init_params, numeric_gradients


@pytest.fixture(scope="module")
def moons():
    data = prepare(DataConfig(dataset="moons", n_samples=400, seed=0))
    return data.X_train.astype(np.float64), data.y_train.astype(np.float64)


def test_correct_gradients_match_finite_differences(moons):
    X, y = moons
    params = init_params(3)
    numeric = numeric_gradients(params, X, y)
    for name, g in gradients(params, X, y, "correct").items():
        np.testing.assert_allclose(g, numeric[name], rtol=1e-5, atol=1e-9)


def test_the_articles_formulas_are_wrong_in_the_hidden_layer_only(moons):
    X, y = moons
    check = gradient_check(init_params(0), X, y)
    assert check.relative_error["correct"]["W1"] < 1e-6
    assert check.relative_error["article"]["W2"] < 1e-6  # output layer: right
    assert check.relative_error["article"]["W1"] > 0.3  # hidden layer: σ′ ≤ 1/4 missing
    article = gradients(init_params(0), X, y, "article")["W1"]
    correct = gradients(init_params(0), X, y, "correct")["W1"]
    assert np.linalg.norm(article) > 3.5 * np.linalg.norm(correct)


def test_training_with_the_articles_gradients_ends_worse(moons):
    X, y = moons
    report = compare(X, y, epochs=300, learning_rate=1.0)
    correct, article = report.runs["correct"], report.runs["article"]
    assert correct.loss[-1] < correct.loss[0] and correct.accuracy[-1] > 0.8
    assert article.loss[-1] > correct.loss[-1]
    assert report.to_dict()["final_loss"]["article"] == article.loss[-1]
    assert correct.predict_proba(X).shape == (len(X), 2)


def test_the_case_is_binary_and_two_dimensional():
    with pytest.raises(ConfigError, match="2 inputs"):
        compare(np.zeros((10, 3)), np.zeros(10), epochs=1)
    with pytest.raises(ConfigError, match="rule"):
        gradients(init_params(0), np.zeros((4, 2)), np.zeros(4), "sloppy")
