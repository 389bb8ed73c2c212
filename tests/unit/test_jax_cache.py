"""JAX's persistent compilation cache: where it lives, that a JAX process uses it, and that a second process
training the same model loads every program the first one compiled; the JAX worker warms it with the Train
page's default Keras configuration."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.config import Backend, ModelConfig, ModelKind
from core.models.keras_import import COMPILE_CACHE_ENV, compile_cache_dir
from core.training.worker import warm_up_config

ROOT = Path(__file__).resolve().parents[2]

_TRAIN_ON_JAX = """
import json, sys
import jax.monitoring
events = {"requests": 0, "hits": 0}
def count(event, **_):
    if event == "/jax/compilation_cache/compile_requests_use_cache":
        events["requests"] += 1
    elif event == "/jax/compilation_cache/cache_hits":
        events["hits"] += 1
jax.monitoring.register_event_listener(count)
from core import DataConfig, ModelConfig, train
from core.models.keras_import import import_keras
import_keras("jax")
folder = jax.config.jax_compilation_cache_dir
train(DataConfig(n_rows=300), ModelConfig(kind="keras_mlp", backend="jax", hidden_units=(16,), epochs=2))
print(json.dumps({**events, "folder": folder}))
"""


def test_the_cache_lives_beside_the_run_store_unless_moved_or_turned_off(monkeypatch, tmp_path):
    monkeypatch.delenv(COMPILE_CACHE_ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert compile_cache_dir() == tmp_path / ".tradeoff_lab" / "jax_cache"
    monkeypatch.setenv(COMPILE_CACHE_ENV, str(tmp_path / "elsewhere"))
    assert compile_cache_dir() == tmp_path / "elsewhere"
    monkeypatch.setenv(COMPILE_CACHE_ENV, "0")
    assert compile_cache_dir() is None


def test_the_jax_warm_up_is_the_train_pages_default_keras_run_for_one_epoch():
    warm = warm_up_config(Backend.JAX)
    default = ModelConfig(kind=ModelKind.KERAS_MLP)
    assert warm.engine == default.engine == Backend.JAX  # the engine the Train page's default runs on
    # same layers, batch, optimizer: the same compiled programs; only the epoch count (not in any program) differs
    assert dataclasses.replace(warm, epochs=default.epochs, backend=None) == default
    assert warm.epochs == 1
    assert warm_up_config(Backend.TENSORFLOW).engine == Backend.TENSORFLOW


@pytest.mark.slow
def test_a_second_jax_process_loads_the_programs_the_first_compiled(tmp_path):
    folder = tmp_path / "jax_cache"
    env = {**os.environ, COMPILE_CACHE_ENV: str(folder), "KERAS_BACKEND": "jax"}

    def run() -> dict:
        out = subprocess.run(
            [sys.executable, "-c", _TRAIN_ON_JAX], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
        )
        assert out.returncode == 0, out.stderr[-2000:]
        return json.loads(out.stdout.strip().splitlines()[-1])

    first = run()
    assert first["folder"] == str(folder) and first["requests"] > 0
    assert first["hits"] == 0  # an empty cache: everything compiled, and written
    assert any(folder.iterdir())
    second = run()
    assert second["requests"] == first["requests"]
    assert second["hits"] == second["requests"]  # nothing compiled again: the training step included
