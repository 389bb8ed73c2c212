"""The package split: core never imports Streamlit, and imports TensorFlow only for Keras models."""

import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(out.stdout.split())


def test_import_core_pulls_in_neither_tensorflow_nor_streamlit():
    loaded = _modules_after("import core, core.cli, core.training, core.metrics, core.data")
    assert "core.training" in loaded
    assert "tensorflow" not in loaded and "keras" not in loaded and "streamlit" not in loaded


def test_a_numpy_run_leaves_tensorflow_unloaded():
    loaded = _modules_after(
        "from core import train, DataConfig, ModelConfig\ntrain(DataConfig(), ModelConfig(epochs=1))"
    )
    assert "sklearn" in loaded and "tensorflow" not in loaded
