"""Tradeoff Lab's engine: data, models, training with progress, metrics and honest costs.

Plain Python: it never imports Streamlit, and imports TensorFlow only when a Keras model is trained.
``RunResult``, ``EpochLog`` and ``train`` load on first use (PEP 562): importing ``core.config`` or
``core.presets`` (Home) then costs no NumPy and no training code.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from core.config import DataConfig, ModelConfig, ModelKind
from core.errors import ConfigError, CoreError, DataError, NotFittedError

if TYPE_CHECKING:
    from core.records.result import RunResult
    from core.training.progress import EpochLog
    from core.training.trainer import train

_LAZY = {"RunResult": "core.records.result", "EpochLog": "core.training.progress", "train": "core.training.trainer"}

__all__ = [
    "ConfigError",
    "CoreError",
    "DataConfig",
    "DataError",
    "EpochLog",
    "ModelConfig",
    "ModelKind",
    "NotFittedError",
    "RunResult",
    "train",
]


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'core' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once loaded, a plain attribute
    return value
