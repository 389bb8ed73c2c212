import numpy as np
import pytest

from core.config import DataConfig, ModelConfig, ModelKind, Penalty
from core.data.prepare import prepare
from core.models import build_model

BASELINES = [ModelKind.LOGISTIC, ModelKind.RANDOM_FOREST, ModelKind.HIST_GB, ModelKind.KNN]


@pytest.fixture(scope="module")
def digits():
    return prepare(DataConfig())


@pytest.mark.parametrize("kind", BASELINES)
def test_baselines_reach_93_percent_on_digits(digits, kind):
    cfg = ModelConfig(kind=kind, max_iter=50 if kind == ModelKind.HIST_GB else 200)
    logs = []
    model = build_model(cfg, n_features=64, n_classes=10, image_shape=(8, 8))
    model.fit(
        digits.X_train, digits.y_train, n_classes=10, validation=(digits.X_val, digits.y_val), callback=logs.append
    )
    assert (model.predict(digits.X_test) == digits.y_test).mean() >= 0.93
    assert len(logs) == 1 and logs[0].val_accuracy is not None
    assert model.n_params > 0 and model.size_bytes() > 0


def test_l1_logistic_regression_zeroes_weights(digits):
    cfg = ModelConfig(kind=ModelKind.LOGISTIC, penalty=Penalty.L1, C=0.05, max_iter=300)
    model = build_model(cfg, n_features=64, n_classes=10, image_shape=None)
    model.fit(digits.X_train, digits.y_train, n_classes=10)
    assert (model.estimator_.coef_ == 0).mean() > 0.2


def test_probabilities_cover_classes_missing_from_training():
    X = np.random.default_rng(0).standard_normal((40, 3))
    y = np.array([0, 2] * 20)  # class 1 never seen
    model = build_model(ModelConfig(kind=ModelKind.KNN), n_features=3, n_classes=3, image_shape=None)
    proba = model.fit(X, y, n_classes=3).predict_proba(X)
    assert proba.shape == (40, 3) and (proba[:, 1] == 0).all()
