"""Training-time estimates before a run: a cost model of an epoch, corrected by what past runs measured.

An epoch costs ``steps × per-step overhead + rows × parameters ÷ throughput`` (the overhead dominates small
data in Keras, the arithmetic dominates MNIST). The defaults below were measured on a 2-core laptop-class
CPU; after a run of the same family, its measured steady epoch rescales the model to this machine and load.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from core.config import ModelConfig, ModelKind
from core.result import RunResult


@dataclass(frozen=True)
class _EpochModel:
    step_overhead_s: float  # fixed cost of one mini-batch step (Python, framework dispatch)
    units_per_s: float  # rows × parameters processed per second
    first_epoch_extra_s: float  # set-up and graph tracing paid once


_DEFAULTS = {
    ModelKind.NUMPY_MLP: _EpochModel(5e-5, 5e9, 0.0),
    ModelKind.KERAS_MLP: _EpochModel(2.5e-3, 4e9, 1.0),
    ModelKind.KERAS_CNN: _EpochModel(4e-3, 1.5e10, 1.5),
}
_BASELINE_GUESS_S = 1.0


@dataclass(frozen=True)
class Estimate:
    seconds: float
    epochs: int  # possibly cut to fit a time cap
    capped: bool
    basis: str  # where the speed came from


def approx_params(cfg: ModelConfig, n_features: int, n_classes: int) -> int:
    sizes = [n_features, *cfg.hidden_units, n_classes]
    dense = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
    if cfg.kind == ModelKind.KERAS_CNN:
        dense *= 1 + cfg.filters * cfg.kernel_size**2 / 8  # convolutions reuse weights over every pixel
    return int(dense)


def epoch_seconds(cfg: ModelConfig, n_train: int, n_features: int, n_classes: int) -> float:
    """The uncorrected cost model of one steady epoch."""
    model = _DEFAULTS[cfg.kind]
    steps = math.ceil(n_train / cfg.batch_size)
    return steps * model.step_overhead_s + n_train * approx_params(cfg, n_features, n_classes) / model.units_per_s


def estimate_seconds(
    cfg: ModelConfig,
    *,
    n_train: int,
    n_features: int,
    n_classes: int,
    history: Sequence[RunResult] = (),
    cap_s: float | None = None,
) -> Estimate:
    """Estimated training seconds; with ``cap_s``, epochs are cut (to 1 at least) so the estimate fits."""
    if not cfg.kind.is_network:
        past = [r.cost.train_time_s for r in history if r.model_config.kind == cfg.kind]
        guess = past[-1] if past else _BASELINE_GUESS_S
        return Estimate(guess, 1, False, "last run of this model" if past else "default guess")
    scale, basis = 1.0, "default speed"
    for run in reversed(history):
        measured = run.cost.epoch_s_median
        if run.model_config.kind == cfg.kind and measured:
            d = run.dataset
            predicted = epoch_seconds(run.model_config, d["n_train"], d["n_features"], d["n_classes"])
            scale, basis = measured / predicted, "speed of your last run"
            break
    per_epoch = scale * epoch_seconds(cfg, n_train, n_features, n_classes)
    startup = _DEFAULTS[cfg.kind].first_epoch_extra_s
    epochs = cfg.epochs
    if cap_s is not None and startup + per_epoch * epochs > cap_s:
        epochs = max(1, int((cap_s - startup) / per_epoch))
    return Estimate(startup + per_epoch * epochs, epochs, epochs < cfg.epochs, basis)
