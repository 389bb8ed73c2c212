"""scikit-learn baselines: logistic regression, random forest, histogram gradient boosting, k-NN.

They have no epochs; each reports one ``EpochLog`` when ``fit`` finishes, so the same progress code works.
"""

from __future__ import annotations

import pickle
import time

import numpy as np

from core.config import ModelKind, Penalty
from core.models.base import Model
from core.training.progress import Callback, EpochLog, notify


class SklearnModel(Model):
    def __repr__(self) -> str:
        return f"Sklearn({self._make()!r})"

    def _make(self):
        c = self.config
        if c.kind == ModelKind.LOGISTIC:
            from sklearn.linear_model import LogisticRegression

            if c.penalty == Penalty.NONE:
                return LogisticRegression(C=np.inf, max_iter=c.max_iter, random_state=c.seed)
            l1_ratio = 1.0 if c.penalty == Penalty.L1 else 0.0
            solver = "saga" if c.penalty == Penalty.L1 else "lbfgs"
            return LogisticRegression(C=c.C, l1_ratio=l1_ratio, solver=solver, max_iter=c.max_iter, random_state=c.seed)
        if c.kind == ModelKind.RANDOM_FOREST:
            from sklearn.ensemble import RandomForestClassifier

            return RandomForestClassifier(n_estimators=c.n_trees, max_depth=c.max_depth, random_state=c.seed, n_jobs=1)
        if c.kind == ModelKind.HIST_GB:
            from sklearn.ensemble import HistGradientBoostingClassifier

            return HistGradientBoostingClassifier(
                max_iter=c.max_iter,
                learning_rate=c.gb_learning_rate,
                max_depth=c.max_depth,
                random_state=c.seed,
                early_stopping=False,
            )
        from sklearn.neighbors import KNeighborsClassifier

        return KNeighborsClassifier(n_neighbors=c.k_neighbors)

    def fit(self, X, y, *, n_classes, validation=None, class_weights=None, callback: Callback | None = None):
        import warnings

        from sklearn.exceptions import ConvergenceWarning

        self.n_classes_ = n_classes
        estimator = self._make()
        started = time.perf_counter()
        kwargs = {}
        if class_weights and self.config.kind != ModelKind.KNN:
            kwargs["sample_weight"] = np.array([class_weights.get(int(c), 1.0) for c in y])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            estimator.fit(X, y, **kwargs)
        self.warnings_ = tuple(
            str(w.message).split("\n")[0] for w in caught if issubclass(w.category, ConvergenceWarning)
        )
        self.estimator_ = estimator
        elapsed = time.perf_counter() - started  # fitting only: the scoring below is timed apart
        train_loss, train_acc = self._score(X, y)
        val_loss = val_acc = None
        if validation is not None:
            val_loss, val_acc = self._score(*validation)
        scored = time.perf_counter() - started
        log = EpochLog(1, 1, train_loss, train_acc, val_loss, val_acc, scored, elapsed, scored - elapsed)
        self.history_ = [log]
        self.epochs_run_ = 1
        notify(callback, log)
        return self

    def _score(self, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        proba = self.predict_proba(X)
        p_true = np.clip(proba[np.arange(len(y)), y], 1e-7, 1)
        return float(-np.log(p_true).mean()), float((proba.argmax(axis=1) == y).mean())

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        self._check_fitted("estimator_")
        raw = self.estimator_.predict_proba(X)
        if raw.shape[1] == self.n_classes_:
            return raw
        full = np.zeros((len(X), self.n_classes_))  # classes absent from training get probability 0
        full[:, self.estimator_.classes_] = raw
        return full

    @property
    def n_params(self) -> int:
        """Learned values: coefficients, tree nodes (×3: feature, threshold, value) or kept training rows."""
        self._check_fitted("estimator_")
        est = self.estimator_
        kind = self.config.kind
        if kind == ModelKind.LOGISTIC:
            return int(est.coef_.size + est.intercept_.size)
        if kind == ModelKind.RANDOM_FOREST:
            return int(sum(t.tree_.node_count for t in est.estimators_) * 3)
        if kind == ModelKind.HIST_GB:
            return int(sum(len(p.nodes) for row in est._predictors for p in row) * 3)
        return int(est._fit_X.size)

    def size_bytes(self) -> int:
        self._check_fitted("estimator_")
        return len(pickle.dumps(self.estimator_, protocol=pickle.HIGHEST_PROTOCOL))
