"""Global importance: on a table whose label depends on two named columns only, permutation importance and
SHAP both rank those two first for logistic regression, a random forest and the NumPy network; a tree
model's SHAP contributions plus the base value give back its probabilities; per-pixel maps find the pixels
that decide the class."""

from __future__ import annotations

import numpy as np
import pytest

from core.config import ModelConfig
from core.errors import ConfigError
from core.explain.importance import permutation, pixel_importance, shap_importance, shap_values
from core.models import build_model

NAMES = ("age", "income", "height", "shoe_size", "zip_digit", "coin")
DECISIVE = {"age", "income"}


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(7)
    X = rng.standard_normal((700, len(NAMES))).astype(np.float32)
    y = (1.5 * X[:, 0] - X[:, 1] > 0).astype(np.int64)  # only age and income decide
    return X[:500], y[:500], X[500:], y[500:]


def _fit(kind: str, table):
    X, y, _, _ = table
    cfg = ModelConfig(kind=kind, n_trees=60, hidden_units=(16,), epochs=40, max_iter=50, seed=0)
    return build_model(cfg, n_features=X.shape[1], n_classes=2, image_shape=None).fit(X, y, n_classes=2)


@pytest.mark.parametrize("kind", ["logistic_regression", "random_forest", "numpy_mlp"])
def test_both_methods_rank_the_two_deciding_columns_first(kind, table):
    model = _fit(kind, table)
    X_train, _, X_val, y_val = table
    perm = permutation(model, X_val, y_val, NAMES, n_repeats=3)
    shap_ = shap_importance(model, X_val, NAMES, background=X_train, n_rows=40, n_background=20)
    assert set(perm.top(2)) == DECISIVE, perm.features
    assert set(shap_.top(2)) == DECISIVE, shap_.features
    # the rest matter far less than the deciding pair
    assert perm.features[1].importance > 3 * max(perm.features[2].importance, 0.01)
    assert shap_.features[1].importance > 3 * shap_.features[2].importance
    out = perm.to_dict()
    assert out["method"] == "permutation"
    values = [g["importance"] for g in out["global"]]
    assert values == sorted(values, reverse=True)
    assert shap_.values.shape == (40, len(NAMES))


def test_tree_shap_contributions_add_up_to_the_models_output(table):
    model = _fit("random_forest", table)
    X_train, _, X_val, _ = table
    values, base, explainer = shap_values(model, X_val[:30], background=X_train)
    assert explainer == "tree"
    proba = model.predict_proba(X_val[:30])
    np.testing.assert_allclose(values.sum(axis=1) + base, proba, atol=1e-6)


def test_agnostic_shap_reports_progress(table):
    model = _fit("logistic_regression", table)
    X_train, _, X_val, _ = table
    seen = []
    shap_importance(
        model, X_val, NAMES, background=X_train, n_rows=25, n_background=10, on_progress=lambda d, n, s: seen.append(d)
    )
    assert seen[-1] == 25 and seen == sorted(seen) and len(seen) >= 3


def test_bad_arguments_name_the_value(table):
    model = _fit("logistic_regression", table)
    _, _, X_val, y_val = table
    with pytest.raises(ConfigError, match="n_repeats"):
        permutation(model, X_val, y_val, NAMES, n_repeats=0)
    with pytest.raises(ConfigError, match="feature name"):
        permutation(model, X_val, y_val, NAMES[:3])


def test_pixel_importance_finds_the_class_pixels():
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 0.2, size=(400, 6, 6)).astype(np.float32)
    y = rng.integers(0, 2, 400)
    images[y == 1, 0, :] += 1.0  # class 1: a bright top row
    images[y == 0, 5, :] += 1.0  # class 0: a bright bottom row
    X = images.reshape(400, -1)
    model = build_model(ModelConfig(kind="logistic_regression"), n_features=36, n_classes=2, image_shape=(6, 6))
    model.fit(X, y, n_classes=2)
    maps = pixel_importance(model, X, y, (6, 6))
    assert maps.shape == (2, 6, 6)
    assert maps[1, 0].sum() > maps[1, 1:5].sum()  # class 1 leans on the top row
    assert maps[0, 5].sum() > maps[0, 1:5].sum()  # class 0 on the bottom row


def test_boosting_gets_exact_tree_shap_on_its_margin(table):
    X_train, y_train, X_val, _ = table
    model = _fit("hist_gradient_boosting", table)
    values, base, explainer = shap_values(model, X_val[:20], background=X_train)
    assert explainer == "tree (log-odds)" and values.shape == (20, len(NAMES), 2)
    margin = model.estimator_.decision_function(X_val[:20])  # log-odds of class 1
    np.testing.assert_allclose(values[:, :, 1].sum(axis=1) + base[:, 1], margin, atol=1e-5)
    imp = shap_importance(model, X_val, NAMES, background=X_train, n_rows=40)
    assert set(imp.top(2)) == DECISIVE and imp.explainer == "tree (log-odds)"
