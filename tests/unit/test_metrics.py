import numpy as np
import pytest
from sklearn import metrics as skm

from core.evaluation.metrics import MetricWarning, evaluate

Y_BIN = np.array([0, 0, 1, 1, 1, 0, 1, 0])
P_BIN = np.array([0.1, 0.6, 0.8, 0.4, 0.9, 0.2, 0.55, 0.3])


def _binary_proba(p):
    return np.c_[1 - p, p]


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.7])
def test_binary_metrics_match_sklearn_at_any_threshold(threshold):
    ev = evaluate(Y_BIN, _binary_proba(P_BIN), threshold=threshold)
    pred = (P_BIN >= threshold).astype(int)
    assert ev.accuracy == pytest.approx(skm.accuracy_score(Y_BIN, pred))
    assert ev.precision == pytest.approx(skm.precision_score(Y_BIN, pred, zero_division=0))
    assert ev.recall == pytest.approx(skm.recall_score(Y_BIN, pred))
    assert ev.f1 == pytest.approx(skm.f1_score(Y_BIN, pred))
    assert ev.mcc == pytest.approx(skm.matthews_corrcoef(Y_BIN, pred))
    assert ev.roc_auc == pytest.approx(skm.roc_auc_score(Y_BIN, P_BIN))
    assert ev.average_precision == pytest.approx(skm.average_precision_score(Y_BIN, P_BIN))
    assert ev.confusion_matrix == tuple(map(tuple, skm.confusion_matrix(Y_BIN, pred)))


def test_hand_counted_binary_case():
    ev = evaluate(Y_BIN, _binary_proba(P_BIN))  # predicted positive: 0.6, 0.8, 0.9, 0.55 → TP=3, FP=1, FN=1
    assert (ev.precision, ev.recall, ev.accuracy) == (0.75, 0.75, 0.75)
    assert ev.confusion_matrix == ((3, 1), (1, 3))


def test_multiclass_macro_weighted_and_one_vs_rest_auc():
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(3), 20)
    proba = rng.dirichlet(np.ones(3), 60)
    proba[np.arange(60), y] += 0.5
    proba /= proba.sum(axis=1, keepdims=True)
    ev = evaluate(y, proba, class_names=("a", "b", "c"))
    pred = proba.argmax(axis=1)
    assert ev.f1 == pytest.approx(skm.f1_score(y, pred, average="macro"))
    assert ev.f1_weighted == pytest.approx(skm.f1_score(y, pred, average="weighted"))
    assert ev.roc_auc == pytest.approx(skm.roc_auc_score(y, proba, multi_class="ovr", average="macro"))
    assert ev.log_loss == pytest.approx(skm.log_loss(y, proba))
    assert [c.label for c in ev.roc_curves] == ["a", "b", "c"]
    assert [row["class"] for row in ev.per_class] == ["a", "b", "c"]
    assert sum(row["support"] for row in ev.per_class) == 60


def test_one_class_present_gives_none_with_a_warning():
    with pytest.warns(MetricWarning, match="Only one class"):
        ev = evaluate(np.ones(5, int), _binary_proba(np.array([0.9, 0.8, 0.7, 0.6, 0.4])))
    assert ev.roc_auc is None and ev.average_precision is None
    assert ev.accuracy == pytest.approx(0.8)


def test_no_predicted_positive_gives_zero_precision_with_a_warning():
    with pytest.warns(MetricWarning, match="No sample was predicted positive"):
        ev = evaluate(Y_BIN, _binary_proba(P_BIN), threshold=0.99)
    assert ev.precision == 0.0 and ev.recall == 0.0


def test_curves_are_thinned_and_round_trip():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 5000)
    p = np.clip(y * 0.3 + rng.uniform(0, 0.7, 5000), 0, 1)
    ev = evaluate(y, _binary_proba(p))
    assert 2 < len(ev.roc_curves[0].x) <= 200
    assert type(ev).from_dict(ev.to_dict()) == ev


@pytest.mark.parametrize("positive", [0, 1])
def test_binary_scores_are_of_the_named_positive_class(positive):
    names = ("malignant", "benign")
    proba = _binary_proba(P_BIN)
    ev = evaluate(Y_BIN, proba, class_names=names, positive=positive, threshold=0.6)
    pred = np.where(proba[:, positive] >= 0.6, positive, 1 - positive)
    assert ev.positive_class == names[positive] and ev.average == "binary" and ev.qualifier == names[positive]
    assert ev.precision == pytest.approx(skm.precision_score(Y_BIN, pred, pos_label=positive, zero_division=0))
    assert ev.recall == pytest.approx(skm.recall_score(Y_BIN, pred, pos_label=positive))
    assert ev.f1 == pytest.approx(skm.f1_score(Y_BIN, pred, pos_label=positive))
    assert ev.average_precision == pytest.approx(skm.average_precision_score(Y_BIN == positive, proba[:, positive]))
    assert ev.roc_curves[0].label == names[positive]


def test_multiclass_scores_say_macro_over_k_classes():
    y = np.array([0, 1, 2, 2, 1, 0])
    proba = np.eye(3)[[0, 1, 2, 1, 1, 0]] * 0.9 + 0.1 / 3
    ev = evaluate(y, proba)
    assert ev.positive_class is None and ev.average == "macro" and ev.qualifier == "macro over 3 classes"
