"""Import Keras (and so TensorFlow, ≈5 s) on demand, with TensorFlow's start-up chatter turned down."""

from __future__ import annotations

import os
from types import ModuleType


def import_keras() -> ModuleType:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    import keras

    return keras
