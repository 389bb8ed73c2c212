"""The dataset registry: what each dataset is, and a loader that returns its arrays.

``DATASETS`` maps a name to a :class:`DatasetInfo`; ``load(data_cfg)`` returns :class:`RawData`. MNIST and
Fashion-MNIST are read first from the folder named by ``TRADEOFF_LAB_DATA`` (``mnist.npz``,
``fashion_mnist.npz`` with keys ``x_train y_train x_test y_test``), then through Keras's own loaders.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core.config import DataConfig
from core.errors import DataError

if TYPE_CHECKING:
    from core.data.csv_columns import ColumnDecision

DATA_DIR_ENV = "TRADEOFF_LAB_DATA"
OFFLINE_ENV = "TRADEOFF_LAB_OFFLINE"  # "1": never fall back to Keras's downloader (the tests set it)


@dataclass(frozen=True)
class RawData:
    """A dataset before splitting: features as float32 rows, labels as 0..k-1."""

    X: np.ndarray  # (n_rows, n_features); images are flattened row-major
    y: np.ndarray  # (n_rows,) int64
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]
    image_shape: tuple[int, int] | None = None
    pixel_max: float | None = None  # images: the largest possible pixel value (min-max scaling divides by it)
    test: tuple[np.ndarray, np.ndarray] | None = None  # an official test split, when the dataset has one
    notes: tuple[str, ...] = field(default=())  # what loading did (rows dropped, values imputed...)
    default_positive: str | None = None  # binary: the class that "positive" means unless configured
    # columns whose missing values (NaN in X) are filled after the split, from the training rows only:
    # ("median", (j,)) for a numeric column, ("mode", (j0, j1, ...)) for a one-hot encoded text column
    impute: tuple[tuple[str, tuple[int, ...]], ...] = ()
    columns: tuple[ColumnDecision, ...] = ()  # CSV: what each feature column looked like and what was done with it
    warnings: tuple[str, ...] = ()  # what the person should know before trusting a run (most rows dropped...)

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def task(self) -> str:
        return "binary" if self.n_classes == 2 else "multiclass"


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    title: str
    description: str
    kind: str  # "image", "tabular" or "toy2d"
    loader: Callable[[DataConfig], RawData]
    fixed_task: str | None = None  # "binary"/"multiclass" when the dataset fixes it; None = set by config

    @property
    def is_image(self) -> bool:
        return self.kind == "image"


def _digits(cfg: DataConfig) -> RawData:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return RawData(
        X=bunch.data.astype(np.float32),
        y=bunch.target.astype(np.int64),
        feature_names=tuple(f"pixel_{i}" for i in range(64)),
        class_names=tuple(str(c) for c in range(10)),
        image_shape=(8, 8),
        pixel_max=16.0,
    )


def _breast_cancer(cfg: DataConfig) -> RawData:
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer()
    return RawData(
        X=bunch.data.astype(np.float32),
        y=bunch.target.astype(np.int64),
        feature_names=tuple(str(n) for n in bunch.feature_names),
        class_names=tuple(str(n) for n in bunch.target_names),
        default_positive="malignant",  # the finding worth detecting (class 0 in scikit-learn's encoding)
    )


FASHION_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)


def _keras_image_set(name: str, class_names: tuple[str, ...]) -> Callable[[DataConfig], RawData]:
    def load(cfg: DataConfig) -> RawData:
        (x_train, y_train), (x_test, y_test) = _read_npz_or_keras(name)
        return RawData(
            X=x_train.reshape(len(x_train), -1).astype(np.float32),
            y=y_train.astype(np.int64),
            feature_names=tuple(f"pixel_{i}" for i in range(28 * 28)),
            class_names=class_names,
            image_shape=(28, 28),
            pixel_max=255.0,
            test=(x_test.reshape(len(x_test), -1).astype(np.float32), y_test.astype(np.int64)),
        )

    return load


def _read_npz_or_keras(name: str) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    folder = os.environ.get(DATA_DIR_ENV)
    if folder:
        path = Path(folder).expanduser() / f"{name}.npz"
        if path.exists():
            try:
                with np.load(path, allow_pickle=False) as npz:
                    return (npz["x_train"], npz["y_train"]), (npz["x_test"], npz["y_test"])
            except (KeyError, ValueError, OSError) as err:
                raise DataError(
                    f"{path} is not a readable {name} file ({err}). It must be an .npz with the keys "
                    "x_train, y_train, x_test, y_test, as Keras ships it."
                ) from err
    where = f"{folder}/{name}.npz" if folder else f"${DATA_DIR_ENV}/{name}.npz"
    hint = (
        f"Put {name}.npz (keys x_train, y_train, x_test, y_test) in a folder and set {DATA_DIR_ENV} to it "
        f"(looked for {where})."
    )
    if os.environ.get(OFFLINE_ENV) == "1":
        raise DataError(f"Could not load {name}: no local copy, and downloads are off ({OFFLINE_ENV}=1). {hint}")
    try:
        from core.models.keras_import import import_keras

        keras = import_keras()  # heavy; only reached when no local copy exists
        module = {"mnist": keras.datasets.mnist, "fashion_mnist": keras.datasets.fashion_mnist}[name]
        return module.load_data()
    except Exception as err:  # Keras raises plain Exceptions (URL errors, hash mismatches) when offline
        raise DataError(
            f"Could not load {name}: no local copy and Keras could not download it "
            f"({str(err)[:120] or type(err).__name__}). {hint}"
        ) from err


def _synthetic(cfg: DataConfig) -> RawData:
    from sklearn.datasets import make_classification

    k = cfg.n_classes
    # the smallest class gets `minority_fraction`; the rest share what is left equally
    rest = (1.0 - cfg.minority_fraction) / (k - 1)
    weights = [rest] * (k - 1) + [cfg.minority_fraction]
    n_informative = max(cfg.n_informative, int(np.ceil(np.log2(k * 2))))  # make_classification's own rule
    if n_informative > cfg.n_features:
        raise DataError(
            f"{k} classes need at least {n_informative} informative features, but n_features is {cfg.n_features}. "
            "Raise n_features or lower n_classes."
        )
    X, y = make_classification(
        n_samples=cfg.n_samples,
        n_features=cfg.n_features,
        n_informative=n_informative,
        n_redundant=min(2, cfg.n_features - n_informative),
        n_classes=k,
        n_clusters_per_class=1 if k > 4 else 2,
        weights=weights,
        flip_y=cfg.label_noise,
        class_sep=cfg.class_sep,
        random_state=cfg.seed,
    )
    return RawData(
        X=X.astype(np.float32),
        y=y.astype(np.int64),
        feature_names=tuple(f"x{i}" for i in range(cfg.n_features)),
        class_names=tuple(f"class {c}" for c in range(k)),
    )


def _toy(shape: str) -> Callable[[DataConfig], RawData]:
    def load(cfg: DataConfig) -> RawData:
        X, y = make_toy(shape, cfg.n_samples, cfg.noise, cfg.seed)
        return RawData(X=X, y=y, feature_names=("x1", "x2"), class_names=("0", "1"))

    return load


def make_toy(shape: str, n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """TensorFlow-Playground-style 2-D binary problems."""
    from sklearn import datasets as skd

    rng = np.random.default_rng(seed)
    if shape == "moons":
        X, y = skd.make_moons(n, noise=noise, random_state=seed)
    elif shape == "circles":
        X, y = skd.make_circles(n, noise=noise * 0.5, factor=0.5, random_state=seed)
    elif shape == "xor":
        X = rng.uniform(-1, 1, size=(n, 2))
        y = (X[:, 0] * X[:, 1] > 0).astype(int)
        X = X + rng.normal(0, noise * 0.5, size=X.shape)
    elif shape == "spiral":
        half = n // 2
        t = np.sqrt(rng.uniform(0, 1, size=half)) * 3 * np.pi
        arms = [np.c_[t * np.cos(t + phase), t * np.sin(t + phase)] for phase in (0.0, np.pi)]
        X = np.vstack(arms) / (3 * np.pi) + rng.normal(0, noise * 0.3, size=(2 * half, 2))
        y = np.r_[np.zeros(half, int), np.ones(half, int)]
    elif shape == "gaussian":
        X, y = skd.make_blobs(n, centers=[(-1, -1), (1, 1)], cluster_std=0.5 + noise * 2, random_state=seed)
    else:
        raise DataError(f"Unknown 2-D toy {shape!r}. Choose one of moons, circles, xor, spiral, gaussian.")
    return X.astype(np.float32), np.asarray(y, dtype=np.int64)


def _csv(cfg: DataConfig) -> RawData:
    from core.data.csv_table import load_csv

    if not cfg.csv_path:
        raise DataError("The csv dataset needs a file: upload one or pass --csv PATH.")
    return load_csv(
        cfg.csv_path,
        cfg.target,
        missing=cfg.missing,
        max_categories=cfg.max_categories,
        keep=cfg.keep_columns,
        drop=cfg.drop_columns,
    )


_TOYS = {
    "moons": "Two interleaving half-moons.",
    "circles": "A ring around a disc.",
    "xor": "Four quadrants, opposite ones alike: no straight line separates them.",
    "spiral": "Two interleaved spirals: needs depth.",
    "gaussian": "Two overlapping Gaussian blobs: almost linear.",
}

DATASETS: dict[str, DatasetInfo] = {
    info.name: info
    for info in [
        DatasetInfo(
            "digits",
            "Digits (8×8)",
            "scikit-learn's 1,797 handwritten digits, 10 classes. Fast.",
            "image",
            _digits,
            "multiclass",
        ),
        DatasetInfo(
            "breast_cancer",
            "Breast cancer",
            "569 tumours, 30 measurements, malignant vs benign.",
            "tabular",
            _breast_cancer,
            "binary",
        ),
        DatasetInfo(
            "mnist",
            "MNIST (28×28)",
            "70,000 handwritten digits, the article's dataset.",
            "image",
            _keras_image_set("mnist", tuple(str(c) for c in range(10))),
            "multiclass",
        ),
        DatasetInfo(
            "fashion_mnist",
            "Fashion-MNIST (28×28)",
            "70,000 clothing images, 10 classes; harder than MNIST.",
            "image",
            _keras_image_set("fashion_mnist", FASHION_CLASSES),
            "multiclass",
        ),
        DatasetInfo(
            "synthetic",
            "Synthetic",
            "make_classification: choose size, features, classes, imbalance, noise.",
            "tabular",
            _synthetic,
        ),
        *[DatasetInfo(name, name.capitalize(), text, "toy2d", _toy(name), "binary") for name, text in _TOYS.items()],
        DatasetInfo("csv", "Your CSV", "A CSV file of yours, with a target column you choose.", "tabular", _csv),
    ]
}


def get_info(name: str) -> DatasetInfo:
    try:
        return DATASETS[name]
    except KeyError:
        raise DataError(f"Unknown dataset {name!r}. Choose one of: {', '.join(DATASETS)}.") from None


def load(cfg: DataConfig) -> RawData:
    """Load the configured dataset's full arrays (before subsampling and splitting)."""
    return get_info(cfg.dataset).loader(cfg)
