"""What this machine is: the environment stamp every result carries, the GPUs an engine sees, and the engine
comparison ``benchmarks/bench_engine.py`` measured here (Home shows it).

Imports neither NumPy nor an engine, so Home can show all of it without loading either.
"""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.config import ModelConfig


def environment_stamp(model_cfg: ModelConfig | None = None) -> dict[str, object]:
    """CPU, cores, threads, device, Keras engine and library versions; never imports TensorFlow or JAX to find them.

    A Keras run (``model_cfg``) is stamped with the engine it trained on (``backend``) and the device that
    engine computed on; other runs with ``backend: None``.
    """
    versions = {}
    for dist in ("numpy", "scikit-learn", "tensorflow", "tensorflow-cpu", "keras", "jax", "jaxlib", "streamlit"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    backend = None
    if model_cfg is not None and model_cfg.kind.uses_keras:
        keras = sys.modules.get("keras")
        backend = keras.backend.backend() if keras is not None else None
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "threads": _thread_count(),
        "machine": platform.machine(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "versions": versions,
        "backend": backend,
        "device": _device(backend, getattr(model_cfg, "device", None)),
    }


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _thread_count() -> int | None:
    """Threads of the BLAS NumPy computes with. threadpoolctl sees only loaded libraries, so NumPy is loaded here
    (this module does not import it at the top: Home shows the engine figures without it)."""
    try:
        import numpy  # noqa: F401
        from threadpoolctl import threadpool_info

        counts = [p.get("num_threads") for p in threadpool_info() if p.get("num_threads")]
        return max(counts) if counts else None
    except Exception:  # threadpoolctl is best effort; a stamp must never fail a run
        return None


def gpu_devices(backend: str | None = None) -> list[str]:
    """GPUs visible to an engine already loaded here (TensorFlow, JAX); [] on a CPU-only machine.

    Imports nothing: an engine not yet loaded sees nothing. ``backend`` limits the question to one engine.
    """
    names: list[str] = []
    tf = sys.modules.get("tensorflow")
    if tf is not None and backend in (None, "tensorflow"):
        try:
            for gpu in tf.config.list_physical_devices("GPU"):
                details = tf.config.experimental.get_device_details(gpu)
                names.append(details.get("device_name") or gpu.name)
        except Exception:  # a stamp must never fail a run
            pass
    jax = sys.modules.get("jax")
    if jax is not None and backend in (None, "jax"):
        try:
            names += [getattr(d, "device_kind", str(d)) for d in jax.devices() if d.platform == "gpu"]
        except Exception:  # jax.devices() raises when no backend initialises; CPU then
            pass
    return names


def _device(backend: str | None = None, chosen: object = None) -> str:
    """Where the run computed: the GPU's name when the engine (already loaded) used one, else CPU.

    ``chosen`` is the run's ``device`` knob: ``cpu`` keeps a visible GPU idle (said so), unset lets the engine
    pick its GPU when it sees one."""
    gpus = gpu_devices(backend)
    chosen = getattr(chosen, "value", chosen)
    if chosen == "cpu":
        return "CPU (GPU visible, not used: " + ", ".join(gpus) + ")" if gpus else "CPU"
    return "GPU: " + ", ".join(gpus) if gpus else "CPU"


_REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # core/machine.py → repo
ENGINE_RESULTS = os.path.join(_REPO, "benchmarks", "results", "engine.json")


def engine_comparison(path: str | None = None) -> dict[str, object] | None:
    """The seed model on both Keras engines, as benchmarks/bench_engine.py last measured it; None if never run.

    ``{"tensorflow": {...}, "jax": {...}, "measured_at": ..., "load_average": ...}`` where each engine has
    ``wall_s``, ``train_time_s``, ``epoch_s_median`` and ``test_accuracy``; ``article`` (the fastest configuration
    found reaching the article's 98.5 %: ``config``, ``worst_test``, ``train_time_s``, ``ratio`` to the seed preset's
    training time) and ``moonshot`` when measured, else None. Reads a file: no engine is loaded.
    """
    import json

    try:
        with open(path or ENGINE_RESULTS, encoding="utf-8") as fh:
            stored = json.load(fh)
        seed = stored["seed"]
        return {
            "tensorflow": seed["tensorflow"],
            "jax": seed["jax"],
            **{k: stored.get(k) for k in ("measured_at", "load_average", "article", "moonshot")},
        }
    except (OSError, ValueError, KeyError, TypeError):
        return None
