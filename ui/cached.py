"""Process-wide resources shared by every session: prepared data, finished runs, the training workers.

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
from core.config import Backend
from core.data.datasets import RawData, load
from core.data.prepare import PreparedData, prepare
from core.records.store import RunStore, open_store
from core.training.worker import EnginePools, WorkerPool

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


# a NumPy or scikit-learn run pauses the Keras workers still loading (their import would take one of the two cores),
# at most this long; its run is stamped "tensorflow-loading" only when an engine loaded beside it anyway
LOADER_PAUSE_CAP_S = 20.0
_POOLS = EnginePools(keras_max_size=2, light_max_size=3, pause_loaders_s=LOADER_PAUSE_CAP_S)  # process-wide


def worker_pool(*, tensorflow: bool, backend: str | None = None) -> WorkerPool:
    """The server's warm training workers: Keras runs in a pool per engine (TensorFlow, JAX), NumPy and
    scikit-learn in a light one. Every timed run happens in one of them, never in the process serving pages."""
    return _POOLS.pool((backend or "tensorflow") if tensorflow else None)


def pool_for(model_cfg: ModelConfig) -> WorkerPool:
    return _POOLS.pool_for(model_cfg)


def warm_up_workers() -> None:
    """Start the light worker now, and both Keras engines' workers so each has loaded before its first run
    (TensorFlow ≈5 s, JAX ≈2.4 s, in the children). Both, not JAX lazily: JAX is the Keras MLP's default
    engine and TensorFlow the CNN's and the seed preset's, so either may be the next run; a lazy start would
    put its import inside the first run's wait. ``TRADEOFF_LAB_TF_WARMUP=0`` defers both to their first run."""
    worker_pool(tensorflow=False)
    if os.environ.get("TRADEOFF_LAB_TF_WARMUP", "1") != "0":
        from core.models.keras_import import backend_installed

        for backend in Backend:
            if backend_installed(backend):
                worker_pool(tensorflow=True, backend=backend.value)


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
