"""Import Keras (and so TensorFlow, ≈5 s) on demand, without TensorFlow's start-up chatter.

TensorFlow's C++ start-up lines ("oneDNN custom operations are on", CPU feature notes) are written to
file descriptor 2 before its logging honours TF_CPP_MIN_LOG_LEVEL, so the import runs with that
descriptor pointed at /dev/null. Python exceptions are unaffected: they propagate as usual.
"""

from __future__ import annotations

import os
import sys
import threading
from types import ModuleType

_lock = threading.Lock()


def import_keras() -> ModuleType:
    if "keras" in sys.modules and "tensorflow" in sys.modules:
        return sys.modules["keras"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with _lock:
        sys.stderr.flush()
        saved = os.dup(2)
        try:
            with open(os.devnull, "w") as devnull:
                os.dup2(devnull.fileno(), 2)
                import keras
                import tensorflow  # noqa: F401  (keras imports it lazily; load it here, quietly)
        finally:
            os.dup2(saved, 2)
            os.close(saved)
    return keras
