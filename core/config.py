"""Typed, frozen configuration for data preparation and models.

Every control in the app and every CLI flag maps onto one field here. Configs are frozen, so they are
hashable cache keys; variants are made with ``dataclasses.replace``; ``to_dict``/``from_dict`` give the
plain form used by JSON, the run store and the URL.
"""

from __future__ import annotations

import enum
import json
import math
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeVar, get_type_hints

from core.errors import ConfigError


def lab_home() -> Path:
    """The lab's own folder, ``~/.tradeoff_lab``: the run store, runs it could not save, JAX's compiled programs."""
    return Path.home() / ".tradeoff_lab"


class Scaling(str, enum.Enum):
    NONE = "none"
    MINMAX = "minmax"  # images: pixels ÷ max pixel value; tabular: per-feature min-max
    STANDARD = "standard"  # zero mean, unit variance per feature (the article's StandardScaler)


class Imbalance(str, enum.Enum):
    NONE = "none"
    CLASS_WEIGHTS = "class_weights"
    OVERSAMPLE = "oversample"
    UNDERSAMPLE = "undersample"


class MissingValues(str, enum.Enum):
    DROP = "drop"
    IMPUTE = "impute"  # median for numbers, most frequent for categories


class ModelKind(str, enum.Enum):
    NUMPY_MLP = "numpy_mlp"
    KERAS_MLP = "keras_mlp"
    KERAS_CNN = "keras_cnn"
    LOGISTIC = "logistic_regression"
    RANDOM_FOREST = "random_forest"
    HIST_GB = "hist_gradient_boosting"
    KNN = "knn"

    @property
    def uses_keras(self) -> bool:
        return self in (ModelKind.KERAS_MLP, ModelKind.KERAS_CNN)

    @property
    def is_network(self) -> bool:
        return self in (ModelKind.NUMPY_MLP, ModelKind.KERAS_MLP, ModelKind.KERAS_CNN)


class Activation(str, enum.Enum):
    RELU = "relu"
    TANH = "tanh"
    SIGMOID = "sigmoid"


class Optimizer(str, enum.Enum):
    SGD = "sgd"
    ADAM = "adam"
    RMSPROP = "rmsprop"


class Precision(str, enum.Enum):
    FLOAT32 = "float32"
    MIXED_BFLOAT16 = "mixed_bfloat16"


class LrSchedule(str, enum.Enum):
    """How the learning rate moves during training: held, or decayed along a cosine to 0 at the last step."""

    CONSTANT = "constant"
    COSINE = "cosine"


class BatchNorm(str, enum.Enum):
    """Batch normalisation in the Keras networks: none, after each convolution, or after every hidden layer
    (each convolution and each hidden Dense), always between the layer and its activation."""

    OFF = "off"
    CONV = "conv"
    ALL = "all"


class Backend(str, enum.Enum):
    """The engine under Keras 3: each runs in its own worker process (KERAS_BACKEND is fixed at import)."""

    TENSORFLOW = "tensorflow"
    JAX = "jax"


class Device(str, enum.Enum):
    """Where Keras computes: the CPU, or a GPU the engine sees (placed per run, in the engine's process)."""

    CPU = "cpu"
    GPU = "gpu"


class Penalty(str, enum.Enum):
    L2 = "l2"
    L1 = "l1"
    NONE = "none"


C = TypeVar("C")


class _Plain:
    """``to_dict``/``from_dict``: the plain form used by JSON, the run store, the CLI and the URL."""

    def to_dict(self) -> dict[str, Any]:
        return _to_plain(self)

    @classmethod
    def from_dict(cls: type[C], values: dict[str, Any]) -> C:
        return _from_plain(cls, values)


@dataclass(frozen=True)
class DataConfig(_Plain):
    dataset: str = "digits"
    fraction: float = 1.0  # share of the dataset's rows used, in (0, 1]
    n_rows: int | None = None  # absolute row cap; applied after `fraction` when set
    val_fraction: float = 0.15  # of all rows used; what-if scoring happens here
    test_fraction: float = 0.15  # ignored by datasets with an official test split (MNIST)
    stratify: bool = True
    scaling: Scaling = Scaling.STANDARD
    imbalance: Imbalance = Imbalance.NONE  # applied to the training split only
    # binary tasks: the class precision, recall, F1, ROC and PR are of. None = the dataset's own choice
    # (breast_cancer: malignant), else the training split's minority class (the one usually worth finding)
    positive_class: str | None = None
    seed: int = 0
    # synthetic (make_classification)
    n_samples: int = 2000
    n_features: int = 20
    n_informative: int = 5
    n_classes: int = 2
    class_sep: float = 1.0
    label_noise: float = 0.01  # share of labels flipped at random
    minority_fraction: float = 0.5  # share of the smallest class; 0.5 = balanced for 2 classes
    # 2-D toys (moons, circles, xor, spiral, gaussian)
    noise: float = 0.2
    # csv
    csv_path: str | None = None
    target: str | None = None
    missing: MissingValues = MissingValues.DROP
    max_categories: int = 50  # one-hot columns allowed per categorical feature
    # CSV columns: the person's overrides of the column detection (core.data.csv_columns), by name
    keep_columns: tuple[str, ...] = ()  # used although they look like IDs, empty, constant, free text (dates: as text)
    drop_columns: tuple[str, ...] = ()  # left out although they look usable
    # every dataset: subsample the training split's minority (binary: positive) class to this share of its rows;
    # None = as it is. Validation and test splits are never touched.
    minority_share: float | None = None

    def __post_init__(self) -> None:
        _coerce_enums(self)
        for name in ("keep_columns", "drop_columns"):
            if not isinstance(getattr(self, name), tuple):
                object.__setattr__(self, name, tuple(getattr(self, name)))

    def validate(self) -> DataConfig:
        from core.knobs import check_all

        check_all(self)  # bounds from the knob table; the checks below depend on other fields
        if self.val_fraction + self.test_fraction >= 0.9:
            raise ConfigError(
                "val_fraction + test_fraction must leave at least 10% of rows for training. "
                f"Got {self.val_fraction} + {self.test_fraction}."
            )
        _check_int_range("n_informative", self.n_informative, 1, self.n_features)
        _check_range("minority_fraction", self.minority_fraction, 0.0, 1.0 / self.n_classes, low_open=True)
        both = sorted(set(self.keep_columns) & set(self.drop_columns))
        if both:
            raise ConfigError(
                f"Columns {', '.join(repr(c) for c in both)} are both kept and dropped (keep_columns, drop_columns). "
                "Choose one for each."
            )
        if self.positive_class is not None and (not isinstance(self.positive_class, str) or not self.positive_class):
            raise ConfigError(
                f"The 'positive_class' parameter must be a class name (text) or None. Got {self.positive_class!r}."
            )
        return self


@dataclass(frozen=True)
class ModelConfig(_Plain):
    kind: ModelKind = ModelKind.NUMPY_MLP
    # networks (numpy_mlp, keras_mlp, keras_cnn head)
    hidden_units: tuple[int, ...] = (128,)  # one entry per hidden layer; () = no hidden layer
    activation: Activation = Activation.RELU
    optimizer: Optimizer = Optimizer.ADAM
    learning_rate: float = 3e-3  # 10 Adam epochs reach ≥ 95 % on digits for every seed tried
    lr_schedule: LrSchedule = LrSchedule.CONSTANT  # Keras only
    warmup: float = 0.0  # Keras only: share of the run's steps over which the learning rate climbs from 0
    batch_norm: BatchNorm = BatchNorm.OFF  # Keras only
    batch_size: int = 64  # the article's 32 halves each step's work but doubles per-step overhead
    epochs: int = 10
    l1: float = 0.0  # Keras only
    l2: float = 0.0
    dropout: float = 0.0  # Keras only, after each hidden Dense
    early_stopping_patience: int = 0  # Keras only; 0 = off; best weights are restored when on
    precision: Precision = Precision.FLOAT32  # Keras only
    backend: Backend | None = None  # Keras only; None = the family's default engine (DEFAULT_BACKEND)
    device: Device | None = None  # Keras only; None = the engine's own choice (a GPU it sees, else the CPU)
    # keras_cnn
    conv_blocks: int = 1  # conv + max-pool blocks, 1 or 2
    filters: int = 16  # first block; the second doubles it
    kernel_size: int = 3
    first_stride: int = 1  # 2: the first convolution strides over the image, in place of its block's pooling
    augment_shift: int = 0  # training images moved at random by up to this many pixels (0 = off); never when scoring
    # scikit-learn baselines
    C: float = 1.0  # logistic regression inverse regularisation strength
    penalty: Penalty = Penalty.L2
    n_trees: int = 100
    max_depth: int | None = None  # random forest; None = grow fully
    max_iter: int = 100  # gradient-boosting iterations / logistic regression iterations
    gb_learning_rate: float = 0.1
    k_neighbors: int = 5
    seed: int = 0

    def __post_init__(self) -> None:
        _coerce_enums(self)
        if not isinstance(self.hidden_units, tuple):
            object.__setattr__(self, "hidden_units", tuple(self.hidden_units))

    def validate(self) -> ModelConfig:
        """Every knob within its bounds (core.knobs, the one table of knobs); returns self."""
        from core.knobs import check_all

        check_all(self)
        for name in ("backend", "device"):
            value = getattr(self, name)
            if value is not None and not self.kind.uses_keras:
                raise ConfigError(
                    f"The '{name}' parameter applies to keras_mlp and keras_cnn only. Got {name}={value.value!r} "
                    f"for {self.kind.value}; leave it unset."
                )
        return self

    @property
    def engine(self) -> Backend | None:
        """The Keras engine this config asks for (its own, else the family default); None for non-Keras models."""
        if not self.kind.uses_keras:
            return None
        return self.backend or DEFAULT_BACKEND[self.kind]


# Per family, the engine bench_engine.py measured faster on these CPUs: the article's MLP is overhead-bound
# (JAX's compiled step is 3-5× quicker), convolutions are faster on TensorFlow's oneDNN kernels (≈3×).
DEFAULT_BACKEND: dict[ModelKind, Backend] = {ModelKind.KERAS_MLP: Backend.JAX, ModelKind.KERAS_CNN: Backend.TENSORFLOW}


def __getattr__(name: str) -> Any:
    """``MODEL_KNOBS`` (the knobs each family reads) lives in core.knobs; kept importable from here."""
    if name == "MODEL_KNOBS":
        from core.knobs import MODEL_KNOBS

        return MODEL_KNOBS
    raise AttributeError(f"module 'core.config' has no attribute {name!r}")


def _coerce_enums(config: Any) -> None:
    """Accept enum values as plain strings (``ModelConfig(kind="keras_mlp")``); reject unknown ones clearly."""
    for f in fields(config):
        hint = _field_types(type(config))[f.name]
        value = getattr(config, f.name)
        optional = [a for a in getattr(hint, "__args__", ()) if a is not type(None)]
        if value is None and len(optional) < len(getattr(hint, "__args__", ())):
            continue  # an optional enum left unset (ModelConfig.backend)
        if len(optional) == 1 and isinstance(optional[0], type) and issubclass(optional[0], enum.Enum):
            hint = optional[0]
        if isinstance(hint, type) and issubclass(hint, enum.Enum) and not isinstance(value, hint):
            try:
                object.__setattr__(config, f.name, hint(value))
            except ValueError:
                choices = ", ".join(m.value for m in hint)
                raise ConfigError(
                    f"The '{f.name}' parameter must be one of {choices}. Got {value!r} instead."
                ) from None


_TYPES: dict[type, dict[str, Any]] = {}


def _field_types(cls: type) -> dict[str, Any]:
    if cls not in _TYPES:
        _TYPES[cls] = get_type_hints(cls)
    return _TYPES[cls]


def _check_range(name: str, value: float, low: float, high: float, *, low_open: bool = False) -> None:
    bad = not isinstance(value, (int, float)) or isinstance(value, bool) or math.isnan(value)
    if not bad:
        bad = value < low or value > high or (low_open and value == low)
    if bad:
        left = "(" if low_open else "["
        raise ConfigError(f"The '{name}' parameter must be a number in {left}{low}, {high}]. Got {value!r} instead.")


def _check_int_range(name: str, value: int, low: int, high: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ConfigError(f"The '{name}' parameter must be an integer in [{low}, {high}]. Got {value!r} instead.")


def _to_plain(config: Any) -> dict[str, Any]:
    plain = {}
    for f in fields(config):
        value = getattr(config, f.name)
        if isinstance(value, enum.Enum):
            value = value.value
        elif isinstance(value, tuple):
            value = list(value)
        plain[f.name] = value
    return plain


def _from_plain(cls: type[C], values: dict[str, Any]) -> C:
    """Build a config from plain values, converting enums and tuples; unknown keys are a ConfigError."""
    hints = _field_types(cls)
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(f"Unknown {cls.__name__} field(s): {', '.join(unknown)}. Known: {', '.join(sorted(known))}.")
    kwargs = {}
    for name, value in values.items():
        hint = hints[name]
        try:
            kwargs[name] = _coerce(hint, value)
        except (ValueError, TypeError) as err:
            raise ConfigError(f"The '{name}' parameter got {value!r}, which is not a valid {hint}.") from err
    return cls(**kwargs)


def _coerce(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    args = getattr(hint, "__args__", ())
    origin = getattr(hint, "__origin__", None)
    if origin is tuple:
        if args and args[0] is str:  # column names: a list, or the JSON list a link writes
            if isinstance(value, str):
                value = json.loads(value) if value.startswith("[") else [v for v in value.split(",") if v]
            return tuple(str(v) for v in value)
        return tuple(int(v) for v in value)
    if args and type(None) in args:  # Optional[X]
        inner = [a for a in args if a is not type(None)][0]
        return _coerce(inner, value)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value)
    if hint is bool:
        if isinstance(value, str):
            return value.lower() in ("1", "true", "yes", "on")
        return bool(value)
    if hint is int:
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(value)
        return int(value)
    if hint is float:
        return float(value)
    return value


def coerce_field(cls: type, name: str, value: Any) -> Any:
    """Convert a plain value (a CLI or URL string) to the type of ``cls``'s field ``name``."""
    hint = _field_types(cls)[name]
    try:
        return _coerce(hint, value)
    except (ValueError, TypeError) as err:
        raise ConfigError(f"The '{name}' parameter got {value!r}, which is not a valid {hint}.") from err


def replace_plain(config: C, **changes: Any) -> C:
    """A copy of ``config`` with plain values (strings and lists from a CLI, URL or JSON) converted to the
    field types; ``dataclasses.replace`` is for values already typed."""
    current = config.to_dict()  # type: ignore[attr-defined]
    current.update(changes)
    return type(config).from_dict(current)  # type: ignore[attr-defined]


replace = replace_plain  # the old name, kept for callers not yet renamed


__all__ = [
    "Activation",
    "Backend",
    "Device",
    "DEFAULT_BACKEND",
    "DataConfig",
    "Imbalance",
    "MissingValues",
    "ModelConfig",
    "ModelKind",
    "Optimizer",
    "Penalty",
    "Precision",
    "Scaling",
    "replace_plain",
]
