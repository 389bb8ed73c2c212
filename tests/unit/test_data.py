import numpy as np
import pytest

from core.config import DataConfig, Imbalance, Scaling
from core.data.datasets import load
from core.data.prepare import prepare
from core.errors import DataError


def test_split_sizes_and_disjoint_rows():
    data = prepare(DataConfig(scaling=Scaling.NONE))
    assert len(data.y_train) + len(data.y_val) + len(data.y_test) == 1797
    assert len(data.y_test) == pytest.approx(0.15 * 1797, abs=2)
    rows = {tuple(r) for r in data.X_train} & {tuple(r) for r in data.X_test}
    raw = load(DataConfig())
    duplicated = len(raw.X) - len({tuple(r) for r in raw.X})
    assert len(rows) <= duplicated  # only rows that are duplicated in the source can appear on both sides


def test_fraction_and_row_cap_subsample():
    assert prepare(DataConfig(fraction=0.5)).summary()["n_train"] < prepare(DataConfig()).summary()["n_train"]
    data = prepare(DataConfig(n_rows=200))
    assert len(data.y_train) + len(data.y_val) + len(data.y_test) == 200


def test_standard_scaling_is_fitted_on_the_training_split_only():
    cfg = DataConfig(dataset="breast_cancer", scaling=Scaling.STANDARD)
    scaled = prepare(cfg)
    raw = prepare(DataConfig(dataset="breast_cancer", scaling=Scaling.NONE))
    mean, std = raw.X_train.mean(axis=0), raw.X_train.std(axis=0)
    np.testing.assert_allclose(scaled.X_train.mean(axis=0), 0, atol=1e-4)
    # validation/test use the training statistics: not re-centred on themselves
    np.testing.assert_allclose(scaled.X_val, (raw.X_val - mean) / std, rtol=1e-3, atol=1e-3)
    assert np.abs(scaled.X_val.mean(axis=0)).max() > 1e-3


def test_minmax_on_images_divides_by_the_pixel_range():
    data = prepare(DataConfig(scaling=Scaling.MINMAX))
    assert data.X_train.max() == pytest.approx(1.0) and data.X_train.min() == 0.0


def test_official_test_split_is_kept(tiny_mnist_dir):
    data = prepare(DataConfig(dataset="mnist", val_fraction=0.2))
    assert len(data.y_test) == 100 and len(data.y_train) + len(data.y_val) == 300


def _imbalanced(method):
    return prepare(DataConfig(dataset="synthetic", n_samples=2000, minority_fraction=0.1, imbalance=method))


def test_oversampling_balances_the_training_split_only():
    none, over = _imbalanced(Imbalance.NONE), _imbalanced(Imbalance.OVERSAMPLE)
    counts = over.class_counts("train")
    assert counts[0] == counts[1] > none.class_counts("train")[1]
    assert over.class_counts("val") == none.class_counts("val")
    assert over.class_counts("test") == none.class_counts("test")
    assert over.train_counts_before == none.class_counts("train")


def test_undersampling_and_class_weights():
    under = _imbalanced(Imbalance.UNDERSAMPLE)
    counts = under.class_counts("train")
    assert counts[0] == counts[1] == under.train_counts_before[1]
    weighted = _imbalanced(Imbalance.CLASS_WEIGHTS)
    assert weighted.class_weights[1] > 1 > weighted.class_weights[0]


def test_too_few_rows_for_the_split_is_a_clear_error():
    with pytest.raises(DataError, match="Too few rows for the split"):
        prepare(DataConfig(n_rows=10, val_fraction=0.1, test_fraction=0.1))


def _csv_with_missing(tmp_path):
    """60 rows; 'x' is 1..3 on most rows but 1000 on rows marked 'far', and missing on a few rows."""
    rng = np.random.default_rng(0)
    lines = ["x,color,label"]
    for i in range(60):
        label = "churned" if i % 4 == 0 else "stayed"
        x = "" if i % 10 == 3 else str(1000 if i % 10 == 7 else rng.integers(1, 4))
        color = "" if i % 10 == 5 else ("red" if i % 3 else "blue")
        lines.append(f"{x},{color},{label}")
    path = tmp_path / "churn.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_imputation_is_fitted_on_the_training_rows_only(tmp_path):
    from core.data.prepare import split_rows

    path = _csv_with_missing(tmp_path)
    cfg = DataConfig(dataset="csv", csv_path=str(path), target="label", missing="impute", scaling=Scaling.NONE)
    raw = load(cfg)
    assert raw.impute and np.isnan(raw.X[:, 0]).any()
    (X_tr, _), _, _ = split_rows(cfg, raw)
    data = prepare(cfg)
    was_missing = np.isnan(X_tr[:, 0])
    fill = set(data.X_train[was_missing, 0].tolist())
    assert fill == {float(np.nanmedian(X_tr[:, 0]))}
    # a value only seen outside the training rows cannot reach the fill value
    only_elsewhere = set(raw.X[:, 0][~np.isnan(raw.X[:, 0])].tolist()) - set(X_tr[:, 0].tolist())
    assert not fill & only_elsewhere
    assert not np.isnan(data.X_val).any() and not np.isnan(data.X_test).any()


def test_imputation_fill_moves_with_training_rows_not_with_test_rows(tmp_path):
    """Change only values outside the training split: the fill value must not move."""
    from core.data.prepare import finish, split_rows

    path = _csv_with_missing(tmp_path)
    cfg = DataConfig(dataset="csv", csv_path=str(path), target="label", missing="impute", scaling=Scaling.NONE)
    raw = load(cfg)
    train, val, test = split_rows(cfg, raw)
    a = finish(cfg, raw, train, val, test)
    test_x = test[0].copy()
    test_x[~np.isnan(test_x[:, 0]), 0] = 1e6  # a value present only in test rows
    b = finish(cfg, raw, train, val, (test_x, test[1]))
    np.testing.assert_array_equal(a.X_train, b.X_train)
    assert 1e6 not in set(b.X_train[:, 0].tolist()) | set(b.X_val[:, 0].tolist())


def test_positive_class_defaults_breast_cancer_malignant_csv_minority_and_can_be_set(tmp_path):
    assert prepare(DataConfig(dataset="breast_cancer")).positive_class == "malignant"
    path = _csv_with_missing(tmp_path)
    csv = DataConfig(dataset="csv", csv_path=str(path), target="label", missing="impute")
    data = prepare(csv)
    assert data.class_names == ("churned", "stayed") and data.positive_class == "churned"  # the minority
    assert prepare(DataConfig(dataset="breast_cancer", positive_class="benign")).positive_index == 1
    assert prepare(DataConfig()).positive_class is None  # digits: multi-class, macro averages
    with pytest.raises(DataError, match="'left' is not a class.*'churned', 'stayed'"):
        prepare(DataConfig(dataset="csv", csv_path=str(path), target="label", positive_class="left"))
    with pytest.raises(DataError, match="binary tasks"):
        prepare(DataConfig(positive_class="3"))


@pytest.mark.parametrize("dataset", ["breast_cancer", "digits"])
def test_minority_share_subsamples_only_the_training_splits_minority_class(dataset):
    base = prepare(DataConfig(dataset=dataset))
    shared = prepare(DataConfig(dataset=dataset, minority_share=0.05))
    minority = base.positive_index if base.positive_class else int(np.argmin(base.class_counts("train")))
    before, after = base.class_counts("train"), shared.class_counts("train")
    assert after[minority] < before[minority]
    assert after[minority] / sum(after) == pytest.approx(0.05, abs=0.005)
    assert [a for i, a in enumerate(after) if i != minority] == [b for i, b in enumerate(before) if i != minority]
    assert shared.class_counts("val") == base.class_counts("val")
    assert shared.class_counts("test") == base.class_counts("test")
    np.testing.assert_array_equal(shared.y_test, base.y_test)
    assert shared.train_counts_before == after  # the share sets the training data; resampling comes after it
    assert any(n.startswith("Minority share: kept") for n in shared.notes)
    if dataset == "breast_cancer":
        assert base.class_names[minority] == "malignant"  # the positive class is the one subsampled


def test_minority_share_above_the_current_share_changes_nothing_and_says_so():
    base = prepare(DataConfig(dataset="breast_cancer"))
    same = prepare(DataConfig(dataset="breast_cancer", minority_share=0.5))
    assert same.class_counts("train") == base.class_counts("train")
    assert any("nothing was removed" in n for n in same.notes)
