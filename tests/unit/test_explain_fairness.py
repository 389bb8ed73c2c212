"""Fairness by group: per-group metrics equal a hand-computed case and fairlearn's own functions; groups
come from an original CSV column (categories, or quantile bins of a number) in validation-row order;
per-group thresholds move each group's selection rate."""

from __future__ import annotations

import numpy as np
import pytest

from core.config import DataConfig
from core.data.prepare import prepare
from core.errors import ConfigError
from core.explain.fairness import apply_thresholds, group_metrics, groups_from_features, sensitive_groups

# group a: 4 rows, group b: 4 rows
Y_TRUE = np.array([1, 1, 0, 0, 1, 1, 0, 0])
Y_PRED = np.array([1, 0, 0, 0, 1, 1, 1, 0])
GROUPS = np.array(["a", "a", "a", "a", "b", "b", "b", "b"])


def test_group_metrics_equal_a_hand_computed_case():
    report = group_metrics(Y_TRUE, Y_PRED, GROUPS)
    a, b = report.rows
    # a: TP=1 FN=1 TN=2 FP=0 → accuracy 3/4, recall 1/2, precision 1, selection 1/4
    assert (a.group, a.count, a.accuracy, a.recall, a.precision, a.selection_rate) == ("a", 4, 0.75, 0.5, 1.0, 0.25)
    # b: TP=2 FN=0 TN=1 FP=1 → accuracy 3/4, recall 1, precision 2/3, selection 3/4
    assert (b.count, b.accuracy, b.recall, b.selection_rate) == (4, 0.75, 1.0, 0.75)
    assert b.precision == pytest.approx(2 / 3)
    assert report.demographic_parity_difference == pytest.approx(0.5)  # 3/4 − 1/4
    # TPR gap 1/2, FPR gap (1/2 − 0) = 1/2 → 0.5
    assert report.equalized_odds_difference == pytest.approx(0.5)
    assert report.overall.count == 8 and report.overall.accuracy == pytest.approx(0.75)
    assert (a.positives, b.positives, report.one_sided_groups) == (2, 2, [])
    lopsided = group_metrics(Y_TRUE, Y_PRED, np.array(["a", "a", "b", "b", "a", "a", "b", "b"]))
    assert lopsided.one_sided_groups == ["a", "b"]  # a: only positives, b: only negatives


def test_group_metrics_equal_fairlearns_on_random_data():
    from fairlearn.metrics import MetricFrame, demographic_parity_difference, equalized_odds_difference
    from sklearn.metrics import recall_score

    rng = np.random.default_rng(3)
    y_true, y_pred = rng.integers(0, 2, 300), rng.integers(0, 2, 300)
    groups = rng.choice(["x", "y", "z"], 300)
    report = group_metrics(y_true, y_pred, groups)
    recall = MetricFrame(metrics=recall_score, y_true=y_true, y_pred=y_pred, sensitive_features=groups).by_group
    assert [r.recall for r in report.rows] == pytest.approx(recall.to_list())
    assert report.demographic_parity_difference == pytest.approx(
        demographic_parity_difference(y_true, y_pred, sensitive_features=groups)
    )
    assert report.equalized_odds_difference == pytest.approx(
        equalized_odds_difference(y_true, y_pred, sensitive_features=groups)
    )


def test_per_group_thresholds_move_one_groups_selection_only():
    p = np.array([0.3, 0.6, 0.45, 0.2, 0.3, 0.6, 0.45, 0.2])
    y_pred = apply_thresholds(p, GROUPS, {"a": 0.25})  # b keeps 0.5
    assert y_pred.tolist() == [1, 1, 1, 0, 0, 1, 0, 0]
    with pytest.raises(ConfigError, match="one entry per row"):
        group_metrics(Y_TRUE, Y_PRED[:5], GROUPS)


def test_groups_from_categories_and_bins():
    names = ("age", "sex=F", "sex=M")
    X = np.array([[20, 1, 0], [35, 0, 1], [50, 0, 1], [65, 1, 0]], dtype=np.float32)
    groups, how = groups_from_features(X, names, "sex")
    assert groups.tolist() == ["F", "M", "M", "F"] and "2 categories" in how
    binned, how = groups_from_features(X, names, "age", bins=2)
    assert len(set(binned)) == 2 and binned[0] != binned[-1] and "quantile" in how
    assert binned[0].startswith("1: [20") and binned[-1].startswith("2: ")  # numbered in value order
    with pytest.raises(ConfigError, match="'zip'"):
        groups_from_features(X, names, "zip")


def test_sensitive_groups_follow_the_validation_rows(tmp_path):
    rng = np.random.default_rng(5)
    n = 200
    sex = rng.choice(["F", "M"], n)
    income = rng.normal(50, 10, n).round(1)
    label = (income + (sex == "M") * 5 > 52).astype(int)
    path = tmp_path / "people.csv"
    lines = ["sex,income,label"] + [f"{s},{i},{t}" for s, i, t in zip(sex, income, label, strict=True)]
    path.write_text("\n".join(lines) + "\n")
    cfg = DataConfig(dataset="csv", csv_path=str(path), target="label")
    groups, note = sensitive_groups(cfg, "sex")
    data = prepare(cfg)  # standard-scaled: the one-hot column's larger value still marks the category
    assert len(groups) == len(data.y_val)
    f_col = list(data.feature_names).index("sex=F")
    assert ((data.X_val[:, f_col] > 0) == (groups == "F")).all()
    assert "was a feature" in note
