"""Import Keras on demand, on the engine a run asks for (TensorFlow ≈5 s, JAX ≈2.4 s), without start-up chatter.

Keras 3 fixes its engine when it is first imported (``KERAS_BACKEND``), so one process runs one engine:
the app keeps a worker process per engine (core.training.worker). :func:`resolve_backend` says which engine a
config runs on here; :func:`import_keras` loads it, or says clearly why it cannot (not installed, or this
process already runs the other one).

On JAX, compiled programs are kept on disk across processes (:func:`use_compile_cache`, JAX's persistent
compilation cache in ``~/.tradeoff_lab/jax_cache``): a model of a shape compiled once — by the app's warm-up
or by any earlier run — loads its training step and forward passes instead of compiling them again.

TensorFlow's C++ start-up lines ("oneDNN custom operations are on", CPU feature notes) are written to
file descriptor 2 before its logging honours TF_CPP_MIN_LOG_LEVEL, so the import runs with that
descriptor pointed at /dev/null. Python exceptions are unaffected: they propagate as usual.
"""

from __future__ import annotations

import contextlib
import glob
import importlib.util
import os
import shutil
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from core.config import Backend, Device, ModelConfig, lab_home
from core.errors import ConfigError

_lock = threading.Lock()
PIP = {Backend.TENSORFLOW: "pip install tensorflow-cpu==2.21.0", Backend.JAX: "pip install jax==0.10.2 jaxlib==0.10.2"}
_MODULE = {Backend.TENSORFLOW: "tensorflow", Backend.JAX: "jax"}
COMPILE_CACHE_ENV = "TRADEOFF_LAB_JAX_CACHE"  # a folder, or "0" for no cache
_COMPILE_CACHE_MAX_BYTES = 512 * 2**20  # least recently used programs are deleted past this


def compile_cache_dir() -> Path | None:
    """Where JAX keeps compiled programs: ``$TRADEOFF_LAB_JAX_CACHE``, else ``~/.tradeoff_lab/jax_cache`` beside
    the run store; None when that variable is "0" (no cache)."""
    value = os.environ.get(COMPILE_CACHE_ENV, "")
    if value == "0":
        return None
    return Path(value).expanduser() if value else lab_home() / "jax_cache"


def use_compile_cache() -> Path | None:
    """Point JAX's persistent compilation cache at :func:`compile_cache_dir` (created if missing) and keep every
    program, however quick to compile (JAX's default keeps only those over 1 s: a small MLP's training step
    compiles in less, dozens of times per run). Returns the folder, or None when off or not writable (JAX then
    compiles as usual). Call after importing JAX, before the first compile."""
    folder = compile_cache_dir()
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    import jax

    jax.config.update("jax_compilation_cache_dir", str(folder))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)
    jax.config.update("jax_compilation_cache_max_size", _COMPILE_CACHE_MAX_BYTES)
    return folder


def backend_installed(backend: Backend) -> bool:
    """True when the engine's package can be imported here (checked without importing it)."""
    return importlib.util.find_spec(_MODULE[backend]) is not None


def require_installed(backend: Backend) -> None:
    """Raise ConfigError naming the pip command when ``backend`` is not installed here."""
    if not backend_installed(backend):
        raise ConfigError(
            f"The Keras engine backend={backend.value!r} is not installed here. Install it with "
            f"`{PIP[backend]}`, or pick the other engine (backend=tensorflow or jax)."
        )


def check_engine(cfg: ModelConfig) -> None:
    """Raise ConfigError (with the pip command) when ``cfg`` is a Keras model whose engine is not installed."""
    wanted = wanted_backend(cfg)
    if wanted is not None:
        require_installed(wanted)


def loaded_backend() -> Backend | None:
    """The engine Keras runs on in this process, once Keras is imported; None before."""
    keras = sys.modules.get("keras")
    if keras is None:
        return None
    try:
        return Backend(keras.backend.backend())
    except (AttributeError, ValueError):
        return None


def wanted_backend(cfg: ModelConfig) -> Backend | None:
    """The engine a run of ``cfg`` should load: its own ``backend``; else ``KERAS_BACKEND`` when the user set
    it to tensorflow or jax (Keras's own switch); else the family default (DEFAULT_BACKEND), or TensorFlow
    when that is not installed. None for non-Keras models. The run's environment stamp records the engine."""
    wanted = cfg.engine
    if wanted is None or cfg.backend is not None:
        return wanted
    env = os.environ.get("KERAS_BACKEND", "")
    if env in {b.value for b in Backend}:
        return Backend(env)
    return wanted if backend_installed(wanted) else Backend.TENSORFLOW


def resolve_backend(cfg: ModelConfig) -> Backend | None:
    """The engine ``cfg`` trains on in this process; None for non-Keras models.

    An explicit ``backend`` is kept (import_keras says if it cannot run here); a family default gives way
    to the engine this process already loaded, and to TensorFlow when JAX is not installed.
    """
    if cfg.engine is not None and cfg.backend is None and loaded_backend() is not None:
        return loaded_backend()
    return wanted_backend(cfg)


def import_keras(backend: Backend | str | None = None) -> ModuleType:
    """Keras on ``backend`` (None: whatever is loaded, else ``KERAS_BACKEND``, else TensorFlow).

    Raises ConfigError naming the pip command when the engine is not installed, or when this process
    already runs Keras on another engine.
    """
    backend = Backend(backend) if backend is not None else None
    loaded = loaded_backend()
    if loaded is not None:
        if backend is not None and backend != loaded:
            raise ConfigError(
                f"This process already runs Keras on {loaded.value}; a backend={backend.value!r} run needs its "
                "own process (the app and `python -m core sweep` start one per engine; run `python -m core "
                f"train --backend {backend.value}` on its own)."
            )
        return sys.modules["keras"]
    if backend is None:
        backend = Backend(os.environ.get("KERAS_BACKEND", Backend.TENSORFLOW.value))
    require_installed(backend)
    os.environ["KERAS_BACKEND"] = backend.value
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with _lock:
        sys.stderr.flush()
        saved = os.dup(2)
        try:
            with open(os.devnull, "w") as devnull:
                os.dup2(devnull.fileno(), 2)
                import keras

                if backend == Backend.TENSORFLOW:
                    import tensorflow  # noqa: F401  (keras imports it lazily; load it here, quietly)
                else:
                    import jax  # noqa: F401
                    from keras.src.utils import module_utils

                    # Keras on JAX still imports TensorFlow, where installed, to seed tf.random and to check
                    # for tf.TensorShape when saving: 5 s and ~300 MB this engine never uses. Our runs feed
                    # NumPy arrays (no tf.data), so tell Keras TensorFlow is absent in this process.
                    module_utils.tensorflow._available = False
                    use_compile_cache()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
    return keras


def gpu_present() -> bool:
    """True when this machine has an NVIDIA GPU (its driver's files), checked without importing an engine.

    The app offers the Device choice only then; whether the engine itself sees the GPU is known only once it
    is loaded (:func:`device_scope` says so clearly when it does not)."""
    return bool(glob.glob("/proc/driver/nvidia/gpus/*") or glob.glob("/dev/nvidia[0-9]*") or shutil.which("nvidia-smi"))


@contextlib.contextmanager
def device_scope(cfg: ModelConfig) -> Iterator[None]:
    """Build, fit and score ``cfg``'s Keras model on the device it asks for; nothing for an unset device.

    On JAX, ``jax.default_device``; on TensorFlow, ``tf.device``. Both engines can hold the CPU and a GPU in one
    process, so one worker per engine serves both devices. Raises ConfigError when ``device=gpu`` and the
    engine sees none (no GPU, or a CPU-only build such as tensorflow-cpu).
    """
    if cfg.device is None or not cfg.kind.uses_keras:
        yield
        return
    backend = loaded_backend() or wanted_backend(cfg)
    if backend == Backend.JAX:
        import jax

        try:
            devices = jax.devices("gpu" if cfg.device == Device.GPU else "cpu")
        except RuntimeError:
            devices = []
        if not devices:
            raise ConfigError(_no_gpu(backend))
        with jax.default_device(devices[0]):
            yield
        return
    import_keras(backend)
    import tensorflow as tf

    if cfg.device == Device.GPU and not tf.config.list_physical_devices("GPU"):
        raise ConfigError(_no_gpu(backend))
    with tf.device("/GPU:0" if cfg.device == Device.GPU else "/CPU:0"):
        yield


def _no_gpu(backend: Backend) -> str:
    hint = (
        "the installed tensorflow-cpu has no GPU support (`pip install tensorflow[and-cuda]==2.21.0`)"
        if backend == Backend.TENSORFLOW
        else "JAX's CPU wheels see no GPU (`pip install jax[cuda13]==0.10.2` on a machine with an NVIDIA driver)"
    )
    return (
        f"device='gpu' was asked for, but Keras on {backend.value} sees no GPU here: {hint}. "
        "Pick device=cpu, or leave the device unset to let the engine choose."
    )
