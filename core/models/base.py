"""The interface every model family implements, in scikit-learn's shape.

The constructor only stores the config; ``fit`` validates, trains while reporting each epoch to the
callback, and returns ``self``; learned state ends in ``_``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from core.config import ModelConfig
from core.errors import NotFittedError
from core.training.progress import Callback


class Model(ABC):
    def __init__(self, config: ModelConfig):
        self.config = config
        self.stopped_ = False  # set when a callback asked to stop before the planned epochs ran
        self.epochs_run_ = 0

    @abstractmethod
    def fit(
        self,
        X: np.ndarray,
        y: np.ndarray,
        *,
        n_classes: int,
        validation: tuple[np.ndarray, np.ndarray] | None = None,
        class_weights: dict[int, float] | None = None,
        callback: Callback | None = None,
    ) -> Model:
        """Train on X, y (labels 0..n_classes-1), calling ``callback`` once per epoch."""

    @abstractmethod
    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes)."""

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.predict_proba(X).argmax(axis=1)

    def predict_one(self, row: np.ndarray) -> object:
        """The fastest direct call on one row, for latency timing (defaults to predict_proba)."""
        return self.predict_proba(row)

    @property
    @abstractmethod
    def n_params(self) -> int:
        """Learned values stored by the model (weights, tree nodes, kept training rows)."""

    @abstractmethod
    def size_bytes(self) -> int:
        """Bytes of the model serialised in its family's own format."""

    def _check_fitted(self, attribute: str) -> None:
        if not hasattr(self, attribute):
            raise NotFittedError(f"{type(self).__name__} is not fitted yet. Call fit(X, y) first.")


INNER_FRACTION = 0.1  # share of the training rows early stopping keeps aside to watch


def inner_split(
    X: np.ndarray, y: np.ndarray, *, seed: int, fraction: float = INNER_FRACTION
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Carve a stratified ``fraction`` of the training rows for early stopping: (X_fit, y_fit, (X_in, y_in))."""
    from sklearn.model_selection import train_test_split

    n_hold = max(1, int(round(len(y) * fraction)))
    counts = np.bincount(y)
    counts = counts[counts > 0]
    stratify = y if counts.min() >= 2 and n_hold >= len(counts) else None
    X_fit, X_in, y_fit, y_in = train_test_split(X, y, test_size=n_hold, random_state=seed, stratify=stratify)
    return X_fit, y_fit, (X_in, y_in)
