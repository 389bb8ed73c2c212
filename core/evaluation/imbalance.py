"""The imbalance lab: the accuracy paradox against the always-majority line, per resampling choice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from core.config import DataConfig, Imbalance, ModelConfig


@dataclass(frozen=True)
class ImbalanceRow:
    method: Imbalance
    accuracy: float
    balanced_accuracy: float
    minority_recall: float
    pr_auc: float | None
    mcc: float
    train_time_s: float
    train_rows: int


def imbalance_lab(
    minority_fraction: float,
    model_cfg: ModelConfig,
    *,
    n_samples: int = 3000,
    seed: int = 0,
    methods: Sequence[Imbalance] = tuple(Imbalance),
) -> tuple[float, list[ImbalanceRow]]:
    """Train ``model_cfg`` on synthetic binary data with each resampling method.

    Returns the "always predict the majority" accuracy on the validation split (the accuracy paradox's
    reference line) and one row per method.
    """
    from core.training.trainer import train

    data = DataConfig(
        dataset="synthetic",
        n_samples=n_samples,
        n_classes=2,
        minority_fraction=minority_fraction,
        label_noise=0.0,
        class_sep=0.8,
        seed=seed,
    )
    rows, majority = [], 0.0
    for method in methods:
        result = train(replace(data, imbalance=method), model_cfg)
        ev = result.validation
        counts = result.dataset["train_counts_before"]
        minority = int(np.argmin(counts))
        majority = max(result.dataset["n_val"] - ev.per_class[minority]["support"], 0) / result.dataset["n_val"]
        rows.append(
            ImbalanceRow(
                method,
                ev.accuracy,
                ev.balanced_accuracy,
                ev.per_class[minority]["recall"],
                ev.average_precision,
                ev.mcc,
                result.cost.train_time_s,
                sum(result.dataset["train_counts"]),
            )
        )
    return majority, rows
