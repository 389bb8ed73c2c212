"""One prediction: saliency on an image whose planted bright patch decides the class puts most of its mass
on the patch (integrated gradients for the NumPy network, occlusion for the others); contributions and
the what-if editor move the prediction the way the data says."""

from __future__ import annotations

import numpy as np
import pytest

from core.config import ModelConfig
from core.errors import ConfigError
from core.explain.local import explain_row, integrated_gradients, saliency, what_if
from core.models import build_model

SHAPE = (8, 8)
PATCH = np.zeros(SHAPE, dtype=bool)
PATCH[5:8, 1:4] = True  # 9 of 64 pixels


@pytest.fixture(scope="module")
def patched():
    rng = np.random.default_rng(1)
    images = rng.uniform(0, 0.3, size=(600, *SHAPE)).astype(np.float32)
    y = rng.integers(0, 2, 600)
    images[y == 1] += PATCH * 1.0  # class 1 exactly when the patch is bright
    return images.reshape(600, -1), y


@pytest.mark.parametrize(
    ("kind", "method"),
    [("numpy_mlp", "integrated gradients"), ("random_forest", "occlusion"), ("logistic_regression", "occlusion")],
)
def test_saliency_puts_most_mass_on_the_planted_patch(kind, method, patched):
    X, y = patched
    cfg = ModelConfig(kind=kind, hidden_units=(16,), epochs=20, n_trees=50, seed=0)
    model = build_model(cfg, n_features=64, n_classes=2, image_shape=SHAPE).fit(X[:400], y[:400], n_classes=2)
    rows = np.flatnonzero(y[400:] == 1)[:5] + 400
    for r in rows:
        heat, used = saliency(model, X[r], image_shape=SHAPE)
        assert used == method
        assert heat.min() >= 0 and heat.sum() == pytest.approx(1.0)
        assert heat[PATCH].sum() > 0.5, f"{kind}: only {heat[PATCH].sum():.2f} of the mass on the patch"


def test_integrated_gradients_add_up_to_the_probability_change(patched):
    """Completeness: the attributions sum to P(x) − P(black image), up to the path's discretisation."""
    X, y = patched
    cfg = ModelConfig(kind="numpy_mlp", hidden_units=(16,), activation="tanh", epochs=10, seed=0)
    model = build_model(cfg, n_features=64, n_classes=2, image_shape=SHAPE).fit(X, y, n_classes=2)
    x = X[np.flatnonzero(y == 1)[0]]
    attributions = integrated_gradients(model, x, target=1, steps=200)
    change = model.predict_proba(x[None])[0, 1] - model.predict_proba(np.zeros((1, 64), np.float32))[0, 1]
    assert attributions.sum() == pytest.approx(change, abs=2e-3)


def test_contributions_and_what_if_follow_the_deciding_feature():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((500, 3)).astype(np.float32)
    y = (X[:, 2] > 0).astype(np.int64)  # only "dose" decides
    names = ("height", "weight", "dose")
    model = build_model(ModelConfig(kind="logistic_regression"), n_features=3, n_classes=2, image_shape=None)
    model.fit(X, y, n_classes=2)
    x = np.array([0.1, -0.2, 1.5], dtype=np.float32)
    row = explain_row(model, x, background=X, feature_names=names)
    assert row.predicted == 1 and row.contributions[0].feature == "dose"
    assert row.contributions[0].contribution > 0.2
    moved = explain_row(model, what_if(x, names, {"dose": -1.5}), background=X, feature_names=names)
    assert moved.predicted == 0 and moved.proba[1] < 0.2
    assert what_if(x, names, {"height": 3.0})[0] == 3.0 and x[0] == pytest.approx(0.1)  # a copy is edited
    with pytest.raises(ConfigError, match="'bmi'"):
        what_if(x, names, {"bmi": 1.0})


def test_gradients_need_a_network():
    X = np.random.default_rng(0).standard_normal((50, 4)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    model = build_model(ModelConfig(kind="knn"), n_features=4, n_classes=2, image_shape=None).fit(X, y, n_classes=2)
    with pytest.raises(ConfigError, match="occlusion"):
        integrated_gradients(model, X[0], 1)


@pytest.mark.parametrize(
    ("scaling", "imbalance"), [("standard", "oversample"), ("minmax", "none"), ("none", "class_weights")]
)
def test_feature_units_undo_the_scaling_prepare_applied(scaling, imbalance):
    from dataclasses import replace

    from core.config import DataConfig
    from core.data.prepare import prepare
    from core.explain.local import feature_units

    cfg = DataConfig(dataset="breast_cancer", scaling=scaling, imbalance=imbalance)
    scaled = prepare(cfg).X_val
    raw = prepare(replace(cfg, scaling="none")).X_val
    units = feature_units(cfg)
    np.testing.assert_allclose(units.to_raw(scaled), raw, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(units.to_scaled(raw), scaled, rtol=1e-4, atol=1e-4)


_KERAS_GRADIENTS = """
import json, sys
import numpy as np
from core.config import ModelConfig
from core.explain.local import integrated_gradients, saliency
from core.models import build_model
from core.models.keras_import import import_keras
import_keras(sys.argv[1])
rng = np.random.default_rng(1)
shape = (8, 8)
patch = np.zeros(shape, dtype=bool)
patch[5:8, 1:4] = True
images = rng.uniform(0, 0.3, size=(600, *shape)).astype(np.float32)
y = rng.integers(0, 2, 600)
images[y == 1] += patch * 1.0
X = images.reshape(600, -1)
cfg = ModelConfig(kind="keras_mlp", backend=sys.argv[1], hidden_units=(16,), epochs=15, seed=0)
model = build_model(cfg, n_features=64, n_classes=2, image_shape=shape).fit(X[:400], y[:400], n_classes=2)
x = X[400 + int(np.flatnonzero(y[400:] == 1)[0])]
attributions = integrated_gradients(model, x, target=1, steps=200)
change = model.predict_proba(x[None])[0, 1] - model.predict_proba(np.zeros((1, 64), np.float32))[0, 1]
heat, method = saliency(model, x, image_shape=shape)
print(json.dumps({"sum": float(attributions.sum()), "change": float(change), "method": method,
                  "on_patch": float(heat[patch].sum())}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_keras_gradients_on_either_engine_add_up_and_find_the_patch(backend):
    """Explain's "One prediction" on a Keras MLP: a tape on TensorFlow, ``jax.grad`` on JAX (a tape there fails on
    JAX arrays). Each engine in its own process: Keras fixes it at import."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    from core.models.keras_import import backend_installed

    if not backend_installed(backend):
        pytest.skip(f"{backend} is not installed")
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", _KERAS_GRADIENTS, backend],
        cwd=root,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["method"] == "integrated gradients"
    assert seen["sum"] == pytest.approx(seen["change"], abs=5e-3)  # completeness, as for the NumPy network
    assert seen["on_patch"] > 0.5
