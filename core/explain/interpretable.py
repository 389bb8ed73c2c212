"""The price of interpretability: a decision tree (readable rules) and logistic-regression coefficients,
trained on the same split, placed beside the session's best black box.

    tree = fit_tree(data, depth=4)        # InterpretableModel: accuracy, train_time_s, rules (text)
    lr = fit_logistic(data)               # coefficients per feature (per class for multiclass)
    price_sentence(tree, best_accuracy=0.97, best_name="NumpyMLP(...)")
    # "A depth-4 tree is 6.0 pp less accurate than NumpyMLP(...) and explains itself in 15 rules."
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from core.data.prepare import PreparedData
from core.errors import ConfigError


@dataclass(frozen=True, eq=False)
class InterpretableModel:
    name: str  # "depth-4 tree", "logistic regression"
    accuracy: float  # validation
    train_time_s: float
    n_params: int
    rules: str = ""  # the tree as if/else text
    n_rules: int = 0  # leaves of the tree
    coefficients: np.ndarray | None = field(default=None, repr=False)  # (classes or 1, features)
    feature_names: tuple[str, ...] = ()

    def top_coefficients(self, n: int = 10) -> list[tuple[str, float]]:
        """Largest |coefficient| first (the binary task's one row; multiclass: max over classes)."""
        if self.coefficients is None:
            return []
        strength = np.abs(self.coefficients).max(axis=0)
        signed = self.coefficients[np.abs(self.coefficients).argmax(axis=0), np.arange(self.coefficients.shape[1])]
        order = np.argsort(-strength, kind="stable")[:n]
        return [(self.feature_names[i], float(signed[i])) for i in order]


def fit_tree(data: PreparedData, *, depth: int = 4, seed: int = 0) -> InterpretableModel:
    """A decision tree of at most ``depth`` levels, with its rules in plain text."""
    from sklearn.tree import DecisionTreeClassifier, export_text

    if not isinstance(depth, int) or not 1 <= depth <= 20:
        raise ConfigError(f"The 'depth' parameter must be an integer in [1, 20]. Got {depth!r} instead.")
    started = time.perf_counter()
    tree = DecisionTreeClassifier(max_depth=depth, random_state=seed).fit(data.X_train, data.y_train)
    elapsed = time.perf_counter() - started
    names = [str(n) for n in data.feature_names]
    rules = export_text(tree, feature_names=names, class_names=[str(c) for c in data.class_names], decimals=2)
    return InterpretableModel(
        f"depth-{depth} tree",
        float((tree.predict(data.X_val) == data.y_val).mean()),
        elapsed,
        int(tree.tree_.node_count * 3),
        rules,
        int(tree.get_n_leaves()),
        feature_names=tuple(names),
    )


def fit_logistic(data: PreparedData, *, C: float = 1.0, seed: int = 0) -> InterpretableModel:
    """Logistic regression on the same (scaled) features: one weight per feature and class."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = LogisticRegression(C=C, max_iter=500, random_state=seed).fit(data.X_train, data.y_train)
    elapsed = time.perf_counter() - started
    return InterpretableModel(
        "logistic regression",
        float((model.predict(data.X_val) == data.y_val).mean()),
        elapsed,
        int(model.coef_.size + model.intercept_.size),
        coefficients=np.asarray(model.coef_),
        feature_names=tuple(str(n) for n in data.feature_names),
    )


def price_sentence(simple: InterpretableModel, *, best_accuracy: float, best_name: str) -> str:
    """One line: how many percentage points the simple model gives up, and what it gives back."""
    gap = (best_accuracy - simple.accuracy) * 100
    what = f"explains itself in {simple.n_rules} rules" if simple.n_rules else "explains itself by its coefficients"
    if gap > 0.05:
        return f"A {simple.name} is {gap:.1f} pp less accurate than {best_name} and {what}."
    if gap < -0.05:
        return f"A {simple.name} is {-gap:.1f} pp more accurate than {best_name}, and {what}: no price to pay."
    return f"A {simple.name} is as accurate as {best_name} and {what}."


__all__ = ["InterpretableModel", "fit_logistic", "fit_tree", "price_sentence"]
