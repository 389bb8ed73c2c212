"""Process-wide caches shared by every session: prepared data, finished runs, and the TensorFlow warm-up.

``st.cache_resource`` (not ``cache_data``) so large arrays and results are shared, never copied per rerun;
the frozen configs are the keys. Callers treat what they get as read-only.
"""

from __future__ import annotations

import threading

import streamlit as st

from core import DataConfig, ModelConfig, RunResult
from core.data import PreparedData, prepare
from core.datasets import RawData, load

MAX_CACHED_RUNS = 256


@st.cache_resource(max_entries=8, show_spinner="Preparing data…")
def prepared_data(data_cfg: DataConfig) -> PreparedData:
    return prepare(data_cfg)


@st.cache_resource(max_entries=4, show_spinner="Loading dataset…")
def raw_data(data_cfg: DataConfig) -> RawData:
    return load(data_cfg)


@st.cache_resource
def _run_cache() -> dict[tuple[DataConfig, ModelConfig], RunResult]:
    return {}


def cached_run(data_cfg: DataConfig, model_cfg: ModelConfig) -> RunResult | None:
    return _run_cache().get((data_cfg, model_cfg))


def remember_run(result: RunResult) -> None:
    cache = _run_cache()
    if len(cache) >= MAX_CACHED_RUNS:
        cache.pop(next(iter(cache)))
    cache[(result.data_config, result.model_config)] = result


@st.cache_resource
def _warm_up_thread() -> threading.Thread:
    from core.keras_import import import_keras

    thread = threading.Thread(target=import_keras, name="tensorflow-warm-up", daemon=True)
    thread.start()
    return thread


def warm_up_tensorflow() -> None:
    """Import TensorFlow in the background, once per server, so the first Keras run does not pay ~5 s."""
    _warm_up_thread()


def tensorflow_ready() -> bool:
    return not _warm_up_thread().is_alive()
