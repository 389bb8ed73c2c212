"""Process-wide resources shared by every session: prepared data, finished runs, the Keras worker.

``st.cache_resource`` (not ``cache_data``) so large arrays and results are shared, never copied per rerun;
the frozen configs are the keys. Callers treat what they get as read-only.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from core import CoreError, DataConfig, ModelConfig, RunResult
from core.data import PreparedData, prepare
from core.datasets import RawData, load
from core.store import RunStore, open_store
from core.worker import TrainingWorker

MAX_CACHED_RUNS = 256
T = TypeVar("T")


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
def _worker() -> TrainingWorker:
    return TrainingWorker().start()


def training_worker() -> TrainingWorker:
    """The server's Keras worker process (TensorFlow loads there, never in the page process)."""
    worker = _worker()
    if not worker.alive:  # it died (out of memory, killed): start a new one
        _worker.clear()
        worker = _worker()
    return worker


def warm_up_tensorflow() -> None:
    """Start the Keras worker now so TensorFlow is loaded before the first Keras run (~5 s, in the child).

    ``TRADEOFF_LAB_TF_WARMUP=0`` defers it to the first Keras run (the tests set it)."""
    if os.environ.get("TRADEOFF_LAB_TF_WARMUP", "1") != "0":
        training_worker()


def tensorflow_ready() -> bool:
    """False while a worker is still loading TensorFlow (a run timed meanwhile competes with it for the CPU)."""
    worker = _worker() if os.environ.get("TRADEOFF_LAB_TF_WARMUP", "1") != "0" else None
    return worker is None or worker.ready


@st.cache_resource
def run_store() -> tuple[RunStore, str | None]:
    """The run store, or an in-memory one and the one-line warning to show when it cannot be used.

    Runs once per server process: rows a previous server left "running" become "interrupted" here."""
    store, warning = open_store()
    if warning is None:
        try:
            store.mark_interrupted()
        except CoreError as err:
            warning = str(err)
    return store, warning


def store_safely(action: str, write: Callable[[RunStore], T]) -> T | None:
    """Run a store write; a locked or broken database becomes a one-line warning, and the app goes on."""
    from ui.text import plain

    store, _ = run_store()
    try:
        return write(store)
    except CoreError as err:
        st.warning(plain(f"Could not {action} in the run history: {err} This session's results are still shown."))
    except SQLAlchemyError as err:  # the store turns its errors into StoreError; this is a last resort
        st.warning(plain(f"Could not {action} in the run history ({type(err).__name__}). Results are still shown."))
    return None
