"""Process-wide resources shared by every session: prepared data, finished runs, the training workers.

``st.cache_resource`` (not ``cache_data``) so large arrays and results are shared, never copied per rerun;
the frozen configs are the keys. Callers treat what they get as read-only.
"""

from __future__ import annotations

import importlib
import os
import threading
import time
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


_POOLS = EnginePools(keras_max_size=2, light_max_size=3)  # process-wide, like cache_resource


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


warm_up_tensorflow = warm_up_workers  # the shell's older name

PAGE_LIBRARIES = ("pyarrow", "pandas", "altair")  # what pages with a table or a chart import (≈ 1 s here), Home not;
# pyarrow first: History needs only it (its tables and chart data go to Streamlit as Arrow, without pandas)
WARMUP_IDLE_S = 2.0  # the imports wait until no page has started or ended for this long (the browser is still drawing
# for a second or so after a page's script ends): they do not race a page being drawn
_libraries_warming = threading.Lock()
_last_page_activity = [time.monotonic()]


def note_page_activity() -> None:
    """Called as every page run starts and ends (the shell): the import warm-up waits for a pause in them."""
    _last_page_activity[0] = time.monotonic()


def warm_up_page_libraries() -> None:
    """Import pandas and Altair in a background thread of the server once the first page has drawn and the app
    has been idle for ``WARMUP_IDLE_S``: Home imports neither (it opens faster), so without this the first visit to
    a page with tables or charts paid ≈ 1 s of imports in its own script. Not at once: History needs neither, and
    importing them while it drew cost its first view ≈ 0.5 s on 2 cores (bench_store). Only third-party packages,
    none of the lab's modules: a page importing one of them meanwhile just waits for it.
    ``TRADEOFF_LAB_IMPORT_WARMUP=0`` leaves them to the first page that needs them."""
    if os.environ.get("TRADEOFF_LAB_IMPORT_WARMUP", "1") == "0" or not _libraries_warming.acquire(blocking=False):
        return  # off, or already started by an earlier rerun (the lock is never released)
    threading.Thread(target=_import_page_libraries, name="tradeoff-lab-import-warmup", daemon=True).start()


def _import_page_libraries() -> None:
    for name in PAGE_LIBRARIES:
        while (wait := _last_page_activity[0] + WARMUP_IDLE_S - time.monotonic()) > 0:  # a page ran lately
            time.sleep(wait)
        try:
            importlib.import_module(name)
        except ImportError:  # the page that needs it says so in its own script
            return


def _keras_pools() -> list[WorkerPool]:
    return [pool for key, pool in _POOLS.existing().items() if key is not None]


def tensorflow_ready() -> bool:
    """False while a worker is still loading a Keras engine (a run timed meanwhile competes with it for the CPU)."""
    return all(pool.ready for pool in _keras_pools())


def timing_context(model_cfg: ModelConfig) -> str:
    """ "tensorflow-loading" while a Keras worker loads its engine beside this (non-Keras) run, else "serial";
    the worker turns it into "parallel:<n>" when other runs train at the same time."""
    loading = any(w.alive and not w.ready for pool in _keras_pools() for w in pool.workers)
    return "tensorflow-loading" if loading and not model_cfg.kind.uses_keras else "serial"


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
