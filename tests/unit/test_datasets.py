import numpy as np
import pytest

from core.config import DataConfig
from core.data.datasets import DATASETS, load
from core.errors import DataError


@pytest.mark.parametrize(
    "name", ["digits", "breast_cancer", "synthetic", "moons", "circles", "xor", "spiral", "gaussian"]
)
def test_bundled_loaders_return_consistent_arrays(name):
    raw = load(DataConfig(dataset=name, n_samples=300))
    assert raw.X.dtype == np.float32 and raw.y.dtype == np.int64
    assert raw.X.shape == (len(raw.y), len(raw.feature_names))
    assert set(np.unique(raw.y)) == set(range(raw.n_classes))
    info = DATASETS[name]
    if info.fixed_task:
        assert raw.task == info.fixed_task


def test_digits_is_the_bundled_image_default():
    raw = load(DataConfig())
    assert raw.X.shape == (1797, 64) and raw.image_shape == (8, 8) and raw.n_classes == 10


def test_synthetic_honours_classes_and_minority_fraction():
    raw = load(DataConfig(dataset="synthetic", n_samples=4000, n_classes=2, minority_fraction=0.1, label_noise=0.0))
    share = np.bincount(raw.y) / len(raw.y)
    assert share.min() == pytest.approx(0.1, abs=0.02)
    raw3 = load(DataConfig(dataset="synthetic", n_samples=600, n_classes=3, minority_fraction=0.2))
    assert raw3.n_classes == 3


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist"])
def test_mnist_family_reads_the_data_folder_first(tiny_mnist_dir, name):
    raw = load(DataConfig(dataset=name))
    assert raw.X.shape == (300, 784) and raw.image_shape == (28, 28) and raw.pixel_max == 255.0
    assert raw.test is not None and raw.test[0].shape == (100, 784)
    assert raw.n_classes == 10


def test_bad_npz_in_data_folder_is_a_data_error(tmp_path, monkeypatch):
    np.savez(tmp_path / "mnist.npz", images=np.zeros(3))
    monkeypatch.setenv("TRADEOFF_LAB_DATA", str(tmp_path))
    with pytest.raises(DataError, match="x_train, y_train, x_test, y_test"):
        load(DataConfig(dataset="mnist"))


def test_unknown_dataset_lists_the_choices():
    with pytest.raises(DataError, match="Choose one of: digits"):
        load(DataConfig(dataset="imagenet"))


def test_csv_dataset_without_a_file_says_what_to_do():
    with pytest.raises(DataError, match="upload one"):
        load(DataConfig(dataset="csv"))


def test_missing_mnist_offline_names_the_folder_and_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("TRADEOFF_LAB_DATA", str(tmp_path))
    with pytest.raises(DataError, match="TRADEOFF_LAB_DATA") as info:
        load(DataConfig(dataset="mnist"))
    assert str(tmp_path) in str(info.value)
