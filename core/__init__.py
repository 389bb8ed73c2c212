"""Tradeoff Lab's engine: data, models, training with progress, metrics and honest costs.

Plain Python: it never imports Streamlit, and imports TensorFlow only when a Keras model is trained.
"""

from core.config import DataConfig, ModelConfig, ModelKind
from core.errors import ConfigError, CoreError, DataError, NotFittedError
from core.records.result import RunResult
from core.training.progress import EpochLog
from core.training.trainer import train

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
