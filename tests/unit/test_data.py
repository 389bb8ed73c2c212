import numpy as np
import pytest

from core.config import DataConfig, Imbalance, Scaling
from core.data import prepare
from core.datasets import load
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
