"""scikit-learn's face on the lab's models: every model family as a classifier for notebooks and sklearn tools.

    from core.models.estimators import LabNumpyMLP
    from sklearn.model_selection import cross_val_score
    cross_val_score(LabNumpyMLP(hidden_units=(64,), epochs=20), X, y, cv=5)

One class per family (``LabNumpyMLP``, ``LabKerasMLP``, ``LabKerasCNN``, ``LabLogisticRegression``,
``LabRandomForest``, ``LabHistGradientBoosting``, ``LabKNN``; ``classifier_for(kind)`` picks one). A class's
parameters are its family's knobs (``MODEL_KNOBS``, defaults from ``ModelConfig``) plus ``random_state`` (the
config's ``seed``), so they follow the config without being written twice. ``fit`` builds and validates a
``ModelConfig`` and trains the model ``core.models.build_model`` gives: the app and a notebook run the same
code. Labels may be anything (strings, non-contiguous ints); the model sees 0..n-1 and ``predict`` decodes.

Importing this module imports scikit-learn, not TensorFlow; a Keras family imports it at its first fit.
"""

from __future__ import annotations

import inspect
import math
import warnings
from dataclasses import fields
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import NotFittedError as _SklearnNotFittedError
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from core import errors
from core.config import MODEL_KNOBS, ModelConfig, ModelKind
from core.errors import ConfigError
from core.models import build_model
from core.training.progress import Callback

_DEFAULTS = {f.name: f.default for f in fields(ModelConfig)}


class NotFittedError(errors.NotFittedError, _SklearnNotFittedError):
    """Predicting before ``fit``: the lab's NotFittedError that scikit-learn's tools also recognise."""


class LabClassifier(ClassifierMixin, BaseEstimator):
    """Base of the per-family classifiers; a subclass sets ``kind`` and gets its parameters from it.

    Learned attributes: ``classes_`` (the labels seen in ``fit``, sorted), ``n_features_in_``,
    ``feature_names_in_`` (for DataFrames with string column names), ``model_`` (the lab's fitted
    ``core.models.Model``: ``history_``, ``n_params``, ``size_bytes()``), ``history_`` (one ``EpochLog``
    per epoch run), ``n_iter_`` (epochs run by a network, iterations of logistic regression or gradient
    boosting).
    """

    kind: ClassVar[ModelKind]
    _extra_params: ClassVar[dict[str, Any]] = {}  # parameters that are not ModelConfig knobs

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "kind" not in cls.__dict__:  # a subclass of a family keeps that family's parameters
            return
        knobs = {name: _plain(_DEFAULTS[name]) for name in MODEL_KNOBS[cls.kind]}
        params = {**knobs, **cls._extra_params, "random_state": _DEFAULTS["seed"]}
        cls.__init__ = _make_init(params)  # type: ignore[method-assign]
        lines = [f"    {name} : default={value!r}" for name, value in params.items()]
        cls.__doc__ = (cls.__doc__ or "").rstrip() + "\n\n    Parameters\n    ----------\n" + "\n".join(lines) + "\n"

    # --- configs ----------------------------------------------------------------------------------
    def to_config(self) -> ModelConfig:
        """The ModelConfig these parameters describe (validated), e.g. to rerun it in the app or the CLI."""
        knobs = {name: _python(getattr(self, name)) for name in MODEL_KNOBS[self.kind]}
        if isinstance(knobs.get("hidden_units"), int):
            knobs["hidden_units"] = (knobs["hidden_units"],)
        try:
            config = ModelConfig(kind=self.kind, seed=self._seed(), **knobs)
        except TypeError as err:  # e.g. hidden_units=3.5, which is not a sequence of layer widths
            raise ConfigError(f"{type(self).__name__} got a parameter of the wrong type: {err}.") from None
        return config.validate()

    @staticmethod
    def from_config(config: ModelConfig) -> LabClassifier:
        """The classifier for ``config``'s family with its knobs and seed (other families' knobs are ignored)."""
        cls = classifier_for(config.kind)
        knobs = {name: _plain(getattr(config, name)) for name in MODEL_KNOBS[config.kind]}
        return cls(**knobs, random_state=config.seed)

    def _seed(self) -> int:
        rs = self.random_state
        if isinstance(rs, (int, np.integer)) and not isinstance(rs, bool):
            return int(rs)
        if rs is None or isinstance(rs, np.random.RandomState):
            return int(check_random_state(rs).randint(np.iinfo(np.int32).max))
        raise ConfigError(
            f"The 'random_state' parameter of {type(self).__name__} must be an int, None or a "
            f"numpy RandomState. Got {rs!r} instead."
        )

    def _image_shape(self, n_features: int) -> tuple[int, int] | None:
        return None

    # --- scikit-learn API -------------------------------------------------------------------------
    def fit(
        self,
        X: Any,
        y: Any,
        *,
        validation: tuple[Any, Any] | None = None,
        callback: Callback | None = None,
    ) -> LabClassifier:
        """Train on ``X`` (n_samples, n_features) and labels ``y``; returns ``self``.

        ``validation=(X_val, y_val)`` is scored after every epoch (and drives Keras early stopping);
        ``callback`` gets each epoch's ``EpochLog`` and may return True to stop. Raises ``ConfigError`` for a
        parameter out of its range, fewer than two classes, or validation labels not seen in ``y``.
        """
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32])
        check_classification_targets(y)
        classes, encoded = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ConfigError(
                f"{type(self).__name__} needs at least two classes in y; got one class: {classes.tolist()[0]!r}. "
                "Pass rows of every class you want it to tell apart."
            )
        config = self.to_config()
        if validation is None and getattr(self, "early_stopping_patience", 0):
            warnings.warn(
                f"early_stopping_patience={self.early_stopping_patience} has no effect without validation data; "
                "pass fit(X, y, validation=(X_val, y_val)) to stop early.",
                UserWarning,
                stacklevel=2,
            )
        model = build_model(
            config, n_features=X.shape[1], n_classes=len(classes), image_shape=self._image_shape(X.shape[1])
        )
        encoded_validation = None if validation is None else self._encode_validation(validation, classes)
        model.fit(X, encoded.astype(np.int64), n_classes=len(classes), validation=encoded_validation, callback=callback)
        self.classes_ = classes
        self.model_ = model
        self.history_ = list(model.history_)
        inner_iters = getattr(getattr(model, "estimator_", None), "n_iter_", None)
        if inner_iters is not None:  # logistic regression, gradient boosting: the solver's iterations
            self.n_iter_ = int(np.max(inner_iters))
        elif self.kind.is_network:
            self.n_iter_ = model.epochs_run_
        return self

    def _encode_validation(self, validation: tuple[Any, Any], classes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        X_val, y_val = validation
        X_val = validate_data(self, X_val, dtype=[np.float64, np.float32], reset=False)
        y_val = np.asarray(y_val)
        unseen = np.setdiff1d(y_val, classes)
        if len(unseen):
            raise ConfigError(
                f"validation has labels that y does not: {', '.join(map(repr, unseen[:5].tolist()))}. "
                "Give validation rows only of classes present in the training labels."
            )
        return X_val, np.searchsorted(classes, y_val).astype(np.int64)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), columns in the order of ``classes_``."""
        self._check_fitted()
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return np.asarray(self.model_.predict_proba(X), dtype=np.float64)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable label of each row, from ``classes_``."""
        proba = self.predict_proba(X)  # first: it says "not fitted" before classes_ is looked up
        return self.classes_[np.argmax(proba, axis=1)]

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise NotFittedError(f"This {type(self).__name__} is not fitted yet. Call fit(X, y) first.")


def _make_init(params: dict[str, Any]):
    """An ``__init__`` taking exactly ``params`` (keyword-only, with defaults) and storing them unchanged."""
    signature = inspect.Signature(
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        + [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=value) for name, value in params.items()]
    )

    def __init__(self, **kwargs: Any) -> None:
        bound = signature.bind(self, **kwargs)  # TypeError naming an unknown parameter, as Python would
        bound.apply_defaults()
        for name, value in list(bound.arguments.items())[1:]:
            setattr(self, name, value)

    __init__.__signature__ = signature  # type: ignore[attr-defined]  # what get_params and help() read
    return __init__


def _plain(value: Any) -> Any:
    """Enum members as their written value, so parameters print and compare as plain strings."""
    return getattr(value, "value", value)


def _python(value: Any) -> Any:
    """numpy scalars (from ``np.arange`` grids) as Python numbers, which the config's checks expect."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple, np.ndarray)):
        return tuple(_python(v) for v in value)
    return value


class LabNumpyMLP(LabClassifier):
    """The lab's from-scratch NumPy network (``numpy_mlp``): dense layers, hand-written backpropagation."""

    kind = ModelKind.NUMPY_MLP


class LabKerasMLP(LabClassifier):
    """A Keras MLP (``keras_mlp``): dropout, L1/L2, early stopping, mixed precision. Imports TensorFlow."""

    kind = ModelKind.KERAS_MLP


class LabKerasCNN(LabClassifier):
    """A small Keras CNN (``keras_cnn``) over rows that are flattened images. Imports TensorFlow.

    ``image_shape`` is (height, width) with height × width = n_features; one side may be -1 (inferred), so
    ``(1, -1)`` reads each row as a one-pixel-high image. None means square images (64 features → 8 × 8).
    """

    kind = ModelKind.KERAS_CNN
    _extra_params = {"image_shape": None}

    def _image_shape(self, n_features: int) -> tuple[int, int]:
        shape = self.image_shape
        if shape is None:
            side = math.isqrt(n_features)
            if side * side != n_features:
                raise ConfigError(
                    f"LabKerasCNN reads each row as a square image, but X has {n_features} features, not a "
                    "square number. Pass image_shape=(height, width) with height × width = n_features, "
                    "or (1, -1) for one-pixel-high rows."
                )
            return side, side
        sides = list(shape) if isinstance(shape, (tuple, list)) else []
        ok = len(sides) == 2 and all(isinstance(s, (int, np.integer)) and (s >= 1 or s == -1) for s in sides)
        if ok and sides.count(-1) == 1:  # infer the -1 side, as numpy's reshape does
            known = max(sides)
            ok = known >= 1 and n_features % known == 0
            sides = [n_features // known if s == -1 else s for s in sides]
        if not ok or sides[0] * sides[1] != n_features:
            raise ConfigError(
                f"The 'image_shape' parameter of LabKerasCNN must be (height, width) with height × width = "
                f"{n_features} (the number of features), one side may be -1. Got {self.image_shape!r} instead."
            )
        return int(sides[0]), int(sides[1])


class LabLogisticRegression(LabClassifier):
    """scikit-learn's logistic regression as the lab configures it (``logistic_regression``)."""

    kind = ModelKind.LOGISTIC


class LabRandomForest(LabClassifier):
    """scikit-learn's random forest as the lab configures it (``random_forest``)."""

    kind = ModelKind.RANDOM_FOREST


class LabHistGradientBoosting(LabClassifier):
    """scikit-learn's histogram gradient boosting as the lab configures it (``hist_gradient_boosting``)."""

    kind = ModelKind.HIST_GB


class LabKNN(LabClassifier):
    """scikit-learn's k-nearest neighbours as the lab configures it (``knn``)."""

    kind = ModelKind.KNN


CLASSIFIERS: dict[ModelKind, type[LabClassifier]] = {
    cls.kind: cls
    for cls in (
        LabNumpyMLP,
        LabKerasMLP,
        LabKerasCNN,
        LabLogisticRegression,
        LabRandomForest,
        LabHistGradientBoosting,
        LabKNN,
    )
}


def classifier_for(kind: ModelKind | str) -> type[LabClassifier]:
    """The classifier class of a model family, by ``ModelKind`` or its written name (``"numpy_mlp"``)."""
    try:
        return CLASSIFIERS[ModelKind(kind)]
    except ValueError:
        known = ", ".join(k.value for k in ModelKind)
        raise ConfigError(f"Unknown model family {kind!r}. Known: {known}.") from None


__all__ = [
    "CLASSIFIERS",
    "LabClassifier",
    "LabHistGradientBoosting",
    "LabKNN",
    "LabKerasCNN",
    "LabKerasMLP",
    "LabLogisticRegression",
    "LabNumpyMLP",
    "LabRandomForest",
    "NotFittedError",
    "classifier_for",
]
