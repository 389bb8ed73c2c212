import json

import numpy as np
import pytest
from sklearn import metrics as skm

from core.config import DataConfig, ModelConfig, ModelKind
from core.errors import ConfigError
from core.evaluation.cross_validation import cross_validate
from core.evaluation.imbalance import imbalance_lab
from core.evaluation.thresholds import (
    calibration,
    confused_pairs,
    cost_optimal_threshold,
    expected_cost_curve,
    threshold_metrics,
)
from tests.helpers import run_cli_here

Y = np.array([0, 0, 1, 1, 1, 0, 1, 0, 1, 0])
P = np.array([0.1, 0.6, 0.8, 0.4, 0.9, 0.2, 0.55, 0.3, 0.35, 0.05])


@pytest.mark.parametrize("threshold", [0.0, 0.3, 0.5, 0.7, 1.0])
def test_threshold_metrics_match_sklearn(threshold):
    tm = threshold_metrics(Y, P, threshold=threshold)
    pred = (P >= threshold).astype(int)
    tn, fp, fn, tp = skm.confusion_matrix(Y, pred, labels=[0, 1]).ravel()
    assert (tm.tn, tm.fp, tm.fn, tm.tp) == (tn, fp, fn, tp)
    assert tm.accuracy == pytest.approx(skm.accuracy_score(Y, pred))
    assert tm.precision == pytest.approx(skm.precision_score(Y, pred, zero_division=0))
    assert tm.recall == pytest.approx(skm.recall_score(Y, pred))
    assert tm.f1 == pytest.approx(skm.f1_score(Y, pred, zero_division=0))
    assert tm.specificity == pytest.approx(tn / (tn + fp))


def test_cost_optimal_threshold_on_a_hand_made_case():
    y = np.array([0, 0, 0, 1, 1])
    p = np.array([0.1, 0.2, 0.45, 0.4, 0.9])
    # false negatives 10× dearer: catch the positive at 0.4 even though it costs the 0.45 negative
    assert 0.2 < cost_optimal_threshold(y, p, cost_fp=1, cost_fn=10) <= 0.4
    # false positives dearer: only the sure positive
    assert 0.45 < cost_optimal_threshold(y, p, cost_fp=10, cost_fn=1) <= 0.9
    grid, cost = expected_cost_curve(y, p, cost_fp=1, cost_fn=10, thresholds=[0.0, 0.5, 1.0])
    assert cost.tolist() == [3 / 5 * 1000, 10 / 5 * 1000, 20 / 5 * 1000]
    with pytest.raises(ConfigError, match="costs must be"):
        expected_cost_curve(y, p, cost_fp=-1, cost_fn=1)


def test_calibration_and_confused_pairs():
    cal = calibration(Y, P, n_bins=5)
    assert cal.brier == pytest.approx(skm.brier_score_loss(Y, P))
    assert len(cal.predicted) == len(cal.observed) >= 2
    assert confused_pairs([[5, 2, 0], [0, 4, 7], [1, 0, 3]], ["a", "b", "c"]) == [
        ("b", "c", 7),
        ("a", "b", 2),
        ("c", "a", 1),
    ]


def test_cross_validation_returns_k_folds_with_mean_and_std_matching_numpy():
    cv = cross_validate(DataConfig(), ModelConfig(epochs=3), folds=4)
    assert [f.fold for f in cv.folds] == [1, 2, 3, 4]
    values = [f.metrics["accuracy"] for f in cv.folds]
    assert cv.mean_std("accuracy") == pytest.approx((np.mean(values), np.std(values)))
    n_held = sum(f.n_val for f in cv.folds)
    assert n_held == cv.folds[0].n_train + cv.folds[0].n_val  # every non-test row is held out exactly once
    with pytest.raises(ConfigError, match="folds"):
        cross_validate(DataConfig(), ModelConfig(), folds=1)


def test_imbalance_lab_shows_the_accuracy_paradox_at_5_percent():
    majority, rows = imbalance_lab(0.05, ModelConfig(kind=ModelKind.LOGISTIC))
    none = next(r for r in rows if r.method.value == "none")
    assert none.accuracy > none.balanced_accuracy
    assert majority > 0.9  # always guessing the majority already scores > 90 %
    over = next(r for r in rows if r.method.value == "oversample")
    under = next(r for r in rows if r.method.value == "undersample")
    assert over.train_rows > none.train_rows > under.train_rows
    assert over.minority_recall >= none.minority_recall


def test_cli_cv_json():
    proc = run_cli_here("cv", "--dataset", "breast_cancer", "--model", "logistic_regression", "--folds", "3", "--json")
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    assert len(d["folds"]) == 3 and d["summary"]["accuracy"]["mean"] > 0.9


def test_operating_curves_are_sklearns():
    from core.evaluation.thresholds import operating_curves

    curves = operating_curves(Y, P)
    fpr, tpr, _ = skm.roc_curve(Y, P)
    np.testing.assert_array_equal(curves["fpr"], fpr)
    np.testing.assert_array_equal(curves["tpr"], tpr)
    assert curves["recall"][0] == 1.0 and len(curves["precision"]) == len(curves["recall"])


def test_cross_validation_equals_sklearn_cross_val_score_on_the_same_folds():
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from core.evaluation.cross_validation import cv_splits
    from core.models.sklearn_models import SklearnModel

    data_cfg = DataConfig(dataset="breast_cancer")
    model_cfg = ModelConfig(kind=ModelKind.LOGISTIC)
    splits = cv_splits(data_cfg, folds=5)
    cv = cross_validate(data_cfg, model_cfg, folds=5)
    pipeline = make_pipeline(StandardScaler(), SklearnModel(model_cfg)._make())
    for metric, scoring in (("accuracy", "accuracy"), ("roc_auc", "roc_auc")):
        theirs = cross_val_score(pipeline, splits.X, splits.y, cv=list(splits.folds), scoring=scoring)
        ours = [f.metrics[metric] for f in cv.folds]
        np.testing.assert_allclose(ours, theirs, atol=1e-6)
    # each fold's model saw exactly n_train rows; the stored run's validation is the fold score
    for fold, (tr, va) in zip(cv.folds, splits.folds, strict=True):
        assert fold.n_train == len(tr) == fold.result.dataset["n_train"]
        assert fold.n_val == len(va) == fold.result.dataset["n_val"]
        assert fold.result.validation.accuracy == fold.metrics["accuracy"]
    assert "5-fold" in cv.protocol and f"{splits.n_test:,} test rows stay held out" in cv.protocol
