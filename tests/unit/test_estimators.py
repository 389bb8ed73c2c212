"""The scikit-learn face (core/estimators.py): scikit-learn's own estimator checks for every family, and
the tools it opens up (cross-validation, permutation importance, pipelines, grid search) on real data.

The Keras families run the same checks with tiny networks, marked slow: every check on LabKerasMLP, and on
LabKerasCNN those that reach code of its own (see CNN_SHARED_CHECKS).
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_digits, make_classification
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.inspection import permutation_importance
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import shuffle
from sklearn.utils.estimator_checks import parametrize_with_checks

from core.config import MODEL_KNOBS, ModelConfig, ModelKind
from core.errors import ConfigError, CoreError
from core.errors import NotFittedError as LabNotFittedError
from core.models import build_model
from core.models.estimators import (
    CLASSIFIERS,
    LabClassifier,
    LabHistGradientBoosting,
    LabKerasCNN,
    LabKerasMLP,
    LabKNN,
    LabLogisticRegression,
    LabNumpyMLP,
    LabRandomForest,
    classifier_for,
)

# Small but able to learn scikit-learn's check data (accuracy > 0.83 on 300 blobs); none is listed as an
# expected failure: every check passes for every family.
FAST = [
    LabNumpyMLP(hidden_units=(16,)),
    LabLogisticRegression(),
    LabRandomForest(n_trees=10),
    LabHistGradientBoosting(max_iter=10),
    LabKNN(),
]
KERAS_MLP = LabKerasMLP(hidden_units=(8,), epochs=3, batch_size=32, learning_rate=0.03)
# scikit-learn's check data is tabular (2 to 10 features): each row is read as a 1-pixel-high image
KERAS_CNN = LabKerasCNN(image_shape=(1, -1), filters=4, hidden_units=(8,), epochs=3, batch_size=32, learning_rate=0.03)

# Each Keras check fits small networks several times (≈ 1 s a fit on 2 cores), so LabKerasCNN skips the checks
# that only reach code it shares with LabKerasMLP, which runs them all. The two differ in (a) LabKerasCNN's
# `image_shape` parameter and `_image_shape()` at fit, and (b) the Reshape/Conv2D/MaxPooling layers
# KerasModel.build adds for keras_cnn. Everything before the model is LabClassifier's (validate_data, label
# encoding, the fitted check, `return self`), and the input conversion, prediction chunks and n_iter_ are
# KerasModel's for both families; LabKerasMLP and the five families in FAST run those checks. The CNN still runs
# the parameter checks (get/set_params, clone, init, repr, tags), the checks that fit must leave `image_shape`
# unchanged (overwrite_params, dont_overwrite_parameters, dict_unchanged), odd shapes through the conv layers
# (fit2d_1sample, fit2d_1feature), learning (classifiers_train in float64, float32 and read-only memory: the
# dtypes estimators_dtypes would feed it after validate_data), reproducibility (fit_idempotent), batch
# invariance of the conv layers (methods_subset_invariance, methods_sample_order_invariance) and pickling.
CNN_SHARED_CHECKS = {
    # input validation in LabClassifier.fit / predict_proba: rejected or converted before any network is built
    "check_dtype_object",
    "check_complex_data",
    "check_estimators_dtypes",
    "check_estimators_empty_data_messages",
    "check_estimators_nan_inf",
    "check_estimator_sparse_tag",
    "check_estimator_sparse_array",
    "check_estimator_sparse_matrix",
    "check_array_api_input",
    "check_f_contiguous_array_estimator",
    "check_readonly_memmap_input",
    "check_classifier_data_not_an_array",
    "check_fit1d",
    "check_fit2d_predict1d",
    "check_n_features_in",
    "check_n_features_in_after_fitting",
    # labels: LabClassifier's encoding and decoding
    "check_classifiers_classes",
    "check_classifiers_one_label",
    "check_classifiers_one_label_sample_weights",
    "check_classifiers_regression_target",
    "check_supervised_y_no_nan",
    "check_supervised_y_2d",
    "check_positive_only_tag_during_fit",
    "check_requires_y_none",
    # the API around fit: signatures, `return self`, the fitted check, n_iter_, methods it does not have
    "check_fit_score_takes_y",
    "check_estimators_fit_returns_self",
    "check_estimators_unfitted",
    "check_fit_check_is_fitted",
    "check_non_transformer_estimators_n_iter",
    "check_estimators_partial_fit_n_features",
    "check_decision_proba_consistency",
    "check_pipeline_consistency",  # a seeded fit in a pipeline equals one outside it; fit_idempotent stays
}


def _check_name(param) -> str:
    check = param[1]
    return getattr(check, "func", check).__name__


def _keras_checks():
    """Every check for LabKerasMLP, then LabKerasCNN's without CNN_SHARED_CHECKS (each of which must exist)."""
    mlp, cnn = parametrize_with_checks([KERAS_MLP]), parametrize_with_checks([KERAS_CNN])
    argnames, cnn_params = cnn.args
    unknown = CNN_SHARED_CHECKS - {_check_name(p) for p in cnn_params}
    assert not unknown, f"not checks of this scikit-learn: {sorted(unknown)}"
    kept = [p for p in cnn_params if _check_name(p) not in CNN_SHARED_CHECKS]
    return pytest.mark.parametrize(argnames, [*mlp.args[1], *kept], **mlp.kwargs)


def test_every_model_family_has_a_classifier():
    assert set(CLASSIFIERS) == set(ModelKind)
    for kind in ModelKind:
        assert classifier_for(kind.value) is CLASSIFIERS[kind]
        assert CLASSIFIERS[kind].kind == kind
    with pytest.raises(ConfigError, match="'svm'.*numpy_mlp"):
        classifier_for("svm")


@parametrize_with_checks(FAST)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.slow
@_keras_checks()
def test_sklearn_estimator_checks_keras(estimator, check):
    check(estimator)


@pytest.mark.parametrize("kind", list(ModelKind))
def test_parameters_are_the_familys_knobs_with_the_configs_defaults(kind):
    params = classifier_for(kind)().get_params()
    extra = {"image_shape": None} if kind == ModelKind.KERAS_CNN else {}
    assert set(params) == {*MODEL_KNOBS[kind], "random_state", *extra}
    default = ModelConfig()
    for name in MODEL_KNOBS[kind]:
        value = getattr(default, name)
        assert params[name] == getattr(value, "value", value), name
    assert params["random_state"] == default.seed


@pytest.mark.parametrize("kind", list(ModelKind))
def test_config_round_trip(kind):
    cfg = ModelConfig(kind=kind, seed=7, hidden_units=(32, 16), epochs=3, n_trees=12, k_neighbors=3, max_iter=40)
    clf = LabClassifier.from_config(cfg)
    assert isinstance(clf, CLASSIFIERS[kind])
    assert clf.random_state == 7
    back = clf.to_config()
    assert back.kind == kind and back.seed == 7
    for name in MODEL_KNOBS[kind]:
        assert getattr(back, name) == getattr(cfg, name), name


def test_the_face_trains_the_same_model_as_the_app():
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    cfg = ModelConfig(hidden_units=(32,), epochs=3, seed=3)
    direct = build_model(cfg, n_features=64, n_classes=10, image_shape=(8, 8)).fit(X, y, n_classes=10)
    face = LabClassifier.from_config(cfg).fit(X, y)
    np.testing.assert_allclose(face.predict_proba(X), direct.predict_proba(X), rtol=1e-6)
    assert [log.loss for log in face.history_] == [log.loss for log in direct.history_]


@pytest.mark.parametrize("cls", [LabNumpyMLP, LabLogisticRegression, LabKNN])
def test_any_labels_come_back_as_given(cls):
    X, y = make_classification(
        n_samples=240, n_features=6, n_informative=4, n_classes=3, n_clusters_per_class=1, random_state=0
    )
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    numbers = np.array([-5, 10, 42])[y]
    by_name = cls().fit(X, names)
    by_number = cls().fit(X, numbers)
    assert list(by_name.classes_) == ["setosa", "versicolor", "virginica"]
    assert list(by_number.classes_) == [-5, 10, 42]
    assert set(by_name.predict(X)) <= set(names) and by_name.score(X, names) > 0.8
    # the same rows, the same probabilities: labels only name the columns
    np.testing.assert_array_equal(by_name.predict_proba(X), by_number.predict_proba(X))
    as_number = {"setosa": -5, "versicolor": 10, "virginica": 42}
    assert [as_number[label] for label in by_name.predict(X)] == list(by_number.predict(X))


def test_constructor_only_stores_validation_is_in_fit():
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    bad = LabNumpyMLP(learning_rate=-1.0, activation="swish")  # no error yet
    assert bad.get_params()["learning_rate"] == -1.0
    with pytest.raises(ConfigError, match="activation.*swish"):
        bad.fit(X, y)
    with pytest.raises(ConfigError, match="learning_rate.*-1.0"):
        bad.set_params(activation="tanh").fit(X, y)
    with pytest.raises(TypeError, match="dropout"):
        LabNumpyMLP(dropout=0.5)  # a Keras knob: not a parameter of the NumPy network
    with pytest.raises(ConfigError, match="random_state"):
        LabKNN(random_state="seven").fit(X, y)


@pytest.mark.parametrize("labels", [["spam"] * 20, np.array(["spam"] * 20, dtype=object)])
def test_one_class_is_a_config_error_naming_it(labels):
    X = np.random.default_rng(0).normal(size=(20, 3))
    with pytest.raises(ConfigError, match="one class: 'spam'"):
        LabLogisticRegression().fit(X, labels)


def test_predicting_before_fit_is_both_projects_not_fitted_error():
    with pytest.raises(LabNotFittedError, match="LabKNN is not fitted") as caught:
        LabKNN().predict(np.zeros((2, 3)))
    assert isinstance(caught.value, SklearnNotFittedError) and isinstance(caught.value, CoreError)


def test_numpy_scalars_from_a_grid_are_accepted():
    X, y = make_classification(n_samples=80, n_features=4, random_state=0)
    clf = LabNumpyMLP(hidden_units=np.array([8, 4]), epochs=np.int64(2), learning_rate=np.float32(0.01))
    cfg = clf.fit(X, y).to_config()
    assert cfg.hidden_units == (8, 4) and cfg.epochs == 2 and type(cfg.epochs) is int
    assert LabNumpyMLP(hidden_units=16).to_config().hidden_units == (16,)


def test_callback_stops_and_validation_is_scored():
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    seen = []
    clf = LabNumpyMLP(hidden_units=(16,), epochs=10)
    clf.fit(
        X[:1500], y[:1500], validation=(X[1500:], y[1500:]), callback=lambda log: seen.append(log) or log.epoch == 3
    )
    assert [log.epoch for log in seen] == [1, 2, 3] and clf.n_iter_ == 3 and clf.model_.stopped_
    assert all(log.val_accuracy is not None for log in seen)
    assert seen[-1].val_accuracy == pytest.approx(clf.score(X[1500:], y[1500:]))
    with pytest.raises(ConfigError, match="validation has labels that y does not: 'x'"):
        LabKNN().fit(X[:100], y[:100].astype(str), validation=(X[100:102], np.array(["x", "1"])))


def test_cnn_image_shape_is_checked_before_tensorflow_loads():
    clf = LabKerasCNN()
    assert clf._image_shape(64) == (8, 8)
    assert LabKerasCNN(image_shape=(1, -1))._image_shape(30) == (1, 30)
    assert LabKerasCNN(image_shape=(-1, 5))._image_shape(30) == (6, 5)
    X, y = make_classification(n_samples=40, n_features=30, random_state=0)
    with pytest.raises(ConfigError, match="30 features, not a square"):
        clf.fit(X, y)
    with pytest.raises(ConfigError, match=r"image_shape.*= 30.*\(7, -1\)"):
        LabKerasCNN(image_shape=(7, -1)).fit(X, y)


def test_cross_val_score_permutation_importance_and_a_pipeline():
    X, y = load_breast_cancer(return_X_y=True)  # raw features span 0.001 to 4,000: scaling matters
    pipe = make_pipeline(StandardScaler(), LabNumpyMLP(hidden_units=(16,), epochs=10))
    scores = cross_val_score(pipe, X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0))
    assert scores.shape == (5,) and scores.min() > 0.9

    # four classes at the corners of a square in the first two features (both needed), then four of noise
    X, y = make_classification(
        n_samples=400,
        n_features=6,
        n_informative=2,
        n_redundant=0,
        n_classes=4,
        n_clusters_per_class=1,
        class_sep=1.5,
        shuffle=False,  # keeps the informative features first; the rows are shuffled next
        random_state=1,
    )
    X, y = shuffle(X, y, random_state=0)
    clf = LabNumpyMLP(hidden_units=(16,), epochs=20).fit(X[:300], y[:300])
    imp = permutation_importance(clf, X[300:], y[300:], n_repeats=5, random_state=0).importances_mean
    assert imp[:2].min() > 0.2 and imp[2:].max() < 0.05


def test_grid_search_over_knobs_and_pickling():
    X, y = load_digits(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), LabLogisticRegression(max_iter=50))
    search = GridSearchCV(pipe, {"lablogisticregression__C": [1e-4, 1.0]}, cv=3).fit(X, y)
    assert search.best_params_ == {"lablogisticregression__C": 1.0}  # 0.93 vs 0.80 for C=1e-4 (over-regularised)
    again = pickle.loads(pickle.dumps(search.best_estimator_))
    np.testing.assert_array_equal(again.predict(X), search.predict(X))


@pytest.mark.slow
def test_keras_cnn_on_square_images_and_early_stopping():
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    cnn = LabKerasCNN(filters=4, hidden_units=(16,), epochs=5, batch_size=32, learning_rate=0.01)
    assert cnn.fit(X[:1000], y[:1000]).score(X[1200:], y[1200:]) > 0.8  # 64 features read as 8 × 8 images
    with pytest.warns(UserWarning, match="early_stopping_patience=1 has no effect without validation"):
        LabKerasMLP(hidden_units=(4,), epochs=1, early_stopping_patience=1).fit(X[:100], y[:100])
    mlp = LabKerasMLP(hidden_units=(16,), epochs=50, batch_size=128, learning_rate=0.05, early_stopping_patience=1)
    mlp.fit(X[:1000], y[:1000], validation=(X[1200:], y[1200:]))
    assert mlp.n_iter_ == len(mlp.history_) < 50  # stopped early on the validation loss
