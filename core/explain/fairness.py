"""Fairness by group: per-group accuracy, recall, precision, selection rate and counts (fairlearn's
``MetricFrame``), demographic-parity and equalized-odds differences, and a per-group threshold what-if.

    groups, note = sensitive_groups(data_cfg, "sex")            # one label per validation row
    report = group_metrics(y_true, y_pred, groups)              # GroupReport
    report = group_metrics(y_true, apply_thresholds(p, groups, {"F": 0.4, "M": 0.5}), groups)

A sensitive column is an original CSV column: a text column (one-hot encoded by the loader) gives its
categories; a numeric one is cut into quantile bins, labelled in the column's own units. The note says
plainly whether the model saw that column as a feature.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from core.config import DataConfig, Scaling
from core.errors import ConfigError


@dataclass(frozen=True)
class GroupRow:
    group: str
    count: int
    positives: int  # rows whose true class is the positive one
    accuracy: float
    recall: float
    precision: float
    selection_rate: float


@dataclass(frozen=True)
class GroupReport:
    rows: tuple[GroupRow, ...]
    demographic_parity_difference: float  # largest gap in selection rate between groups
    equalized_odds_difference: float  # largest gap in true- or false-positive rate between groups
    overall: GroupRow

    @property
    def one_sided_groups(self) -> list[str]:
        """Groups with no positive or no negative rows: their true- or false-positive rate is undefined, and
        fairlearn counts it as 0, which can inflate the equalized-odds difference."""
        return [r.group for r in self.rows if r.positives in (0, r.count)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "groups": [r.__dict__ for r in self.rows],
            "overall": self.overall.__dict__,
            "demographic_parity_difference": self.demographic_parity_difference,
            "equalized_odds_difference": self.equalized_odds_difference,
        }


def group_metrics(y_true: np.ndarray, y_pred: np.ndarray, groups: np.ndarray, *, positive: int = 1) -> GroupReport:
    """Metrics per group for a binary task (``positive`` is the class a 'selection' means)."""
    from fairlearn.metrics import (
        MetricFrame,
        count,
        demographic_parity_difference,
        equalized_odds_difference,
        selection_rate,
    )
    from sklearn.metrics import accuracy_score, precision_score, recall_score

    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    groups = np.asarray(groups).astype(str)
    if not (len(y_true) == len(y_pred) == len(groups)):
        raise ConfigError(
            f"y_true, y_pred and groups must have one entry per row: got {len(y_true)}, {len(y_pred)}, {len(groups)}."
        )
    yt = (y_true == positive).astype(int)
    yp = (y_pred == positive).astype(int)
    frame = MetricFrame(
        metrics={
            "count": count,
            "positives": lambda a, b: int(np.sum(a)),
            "accuracy": accuracy_score,
            "recall": lambda a, b: recall_score(a, b, zero_division=0.0),
            "precision": lambda a, b: precision_score(a, b, zero_division=0.0),
            "selection_rate": selection_rate,
        },
        y_true=yt,
        y_pred=yp,
        sensitive_features=groups,
    )

    def row(name: str, values) -> GroupRow:
        return GroupRow(
            name,
            int(values["count"]),
            int(values["positives"]),
            float(values["accuracy"]),
            float(values["recall"]),
            float(values["precision"]),
            float(values["selection_rate"]),
        )

    rows = tuple(row(str(g), frame.by_group.loc[g]) for g in frame.by_group.index)
    return GroupReport(
        rows,
        float(demographic_parity_difference(yt, yp, sensitive_features=groups)),
        float(equalized_odds_difference(yt, yp, sensitive_features=groups)),
        row("all", frame.overall),
    )


def apply_thresholds(p_positive: np.ndarray, groups: np.ndarray, thresholds: dict[str, float], *, default: float = 0.5):
    """1 where the positive probability reaches its group's threshold (groups not named use ``default``)."""
    groups = np.asarray(groups).astype(str)
    cut = np.array([thresholds.get(g, default) for g in groups], dtype=np.float64)
    return (np.asarray(p_positive) >= cut).astype(int)


def sensitive_columns(feature_names: tuple[str, ...] | list[str]) -> list[str]:
    """Original columns behind the features: ``col=value`` one-hot groups collapse to ``col``."""
    seen: dict[str, None] = {}
    for name in feature_names:
        seen[name.split("=", 1)[0] if "=" in name else name] = None
    return list(seen)


def groups_from_features(
    X_raw: np.ndarray, feature_names: tuple[str, ...] | list[str], column: str, *, bins: int = 4
) -> tuple[np.ndarray, str]:
    """Group labels for the rows of unscaled features ``X_raw``, and how they were made."""
    names = list(feature_names)
    one_hot = [i for i, n in enumerate(names) if n.startswith(column + "=")]
    if one_hot:
        labels = np.array([names[i].split("=", 1)[1] for i in one_hot])
        return labels[X_raw[:, one_hot].argmax(axis=1)], f"'{column}': {len(one_hot)} categories"
    if column not in names:
        raise ConfigError(
            f"No column {column!r} among the features. Columns: {', '.join(sensitive_columns(names)[:30])}."
        )
    values = X_raw[:, names.index(column)].astype(np.float64)
    if len(np.unique(values)) <= bins:
        return np.array([f"{v:g}" for v in values]), f"'{column}': {len(np.unique(values))} values"
    if not 2 <= bins <= 20:
        raise ConfigError(f"The 'bins' parameter must be an integer in [2, 20]. Got {bins!r} instead.")
    edges = np.unique(np.quantile(values, np.linspace(0, 1, bins + 1)))
    which = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(edges) - 2)
    labels = np.array(  # numbered, so groups sort in value order
        [f"{i + 1}: [{edges[i]:.3g}, {edges[i + 1]:.3g}{']' if i == len(edges) - 2 else ')'}" for i in which]
    )
    return labels, f"'{column}' cut into {len(edges) - 1} quantile bins"


def sensitive_groups(data_cfg: DataConfig, column: str, *, bins: int = 4) -> tuple[np.ndarray, str]:
    """One group label per validation row of ``data_cfg``, in the order ``prepare`` gives them, and a note.

    The split does not depend on scaling, so preparing without scaling yields the same rows unscaled.
    """
    from core.data.prepare import prepare

    unscaled = prepare(replace(data_cfg, scaling=Scaling.NONE))
    groups, how = groups_from_features(unscaled.X_val, unscaled.feature_names, column, bins=bins)
    note = (
        f"The sensitive column {how} was a feature: the model saw it. Removing it does not by itself remove "
        "its influence (other columns can stand in for it)."
    )
    return groups, note


__all__ = [
    "GroupReport",
    "GroupRow",
    "apply_thresholds",
    "group_metrics",
    "groups_from_features",
    "sensitive_columns",
    "sensitive_groups",
]
