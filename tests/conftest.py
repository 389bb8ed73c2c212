"""Shared fixtures: small data, fixed seeds, and no network (tests never download)."""

from __future__ import annotations

import os
import tempfile

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["TRADEOFF_LAB_TF_WARMUP"] = "0"  # the Keras worker starts only when a test trains Keras
os.environ["TRADEOFF_LAB_OFFLINE"] = "1"
if os.environ.get("PYTEST_XDIST_WORKER"):
    # two workers on two cores (make test): OpenMP threads that spin while they wait (scikit-learn's boosting)
    # take the other worker's core. Two HistGradientBoosting fits side by side: 277 s spinning, 24 s passive.
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
# Keras runs whose config names no engine run on TensorFlow in tests, whatever the family default: a pytest
# process can hold one engine only, and in-process Keras tests would otherwise depend on which ran first.
# JAX is tested explicitly (backend="jax"), in worker processes and subprocesses (test_engine.py).
os.environ["KERAS_BACKEND"] = "tensorflow"
# runs saved by the app or the CLI during tests go to a throw-away database, never ~/.tradeoff_lab
_DB_DIR = tempfile.mkdtemp(prefix="tradeoff-lab-tests-")
os.environ["TRADEOFF_LAB_DB"] = os.path.join(
    _DB_DIR, "runs.sqlite"
)  # tests never download: MNIST comes from the tiny npz fixture
os.environ["TRADEOFF_LAB_JAX_CACHE"] = os.path.join(_DB_DIR, "jax_cache")  # JAX's compiled programs, likewise


@pytest.fixture
def tiny_mnist_dir(tmp_path, monkeypatch):
    """A folder with small mnist.npz and fashion_mnist.npz in Keras's key layout; TRADEOFF_LAB_DATA points at it."""
    rng = np.random.default_rng(0)
    for name in ("mnist", "fashion_mnist"):

        def images(n):
            y = np.arange(n) % 10
            x = rng.integers(0, 40, size=(n, 28, 28), dtype=np.uint8)
            x[np.arange(n), y * 2, :] = 255  # a bright row whose position encodes the class: learnable
            return x, y.astype(np.uint8)

        x_train, y_train = images(300)
        x_test, y_test = images(100)
        np.savez(tmp_path / f"{name}.npz", x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    monkeypatch.setenv("TRADEOFF_LAB_DATA", str(tmp_path))
    return tmp_path


@pytest.fixture(scope="module")
def jax_worker():
    """A Keras-on-JAX training worker, started once per test module that asks for it."""
    from core.training.worker import TrainingWorker

    w = TrainingWorker(tensorflow=True, backend="jax").start()
    yield w
    w.close()


@pytest.fixture(scope="module")
def tiny_result():
    """One digits run trained in about a second (1 epoch, 8 units): a result to save, keep in a file or export."""
    from core import DataConfig, ModelConfig, train

    return train(DataConfig(), ModelConfig(epochs=1, hidden_units=(8,)))


@pytest.fixture
def private_home(tmp_path, monkeypatch):
    """A private $HOME, so recovery files land in tmp_path/home/.tradeoff_lab/unsaved; a locked store is given up
    after 1 s instead of the app's wait."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TRADEOFF_LAB_DB_LOCK_S", "1")
    return tmp_path / "home"
