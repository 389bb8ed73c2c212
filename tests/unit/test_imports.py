"""The package split: no module of core imports Streamlit, and none imports TensorFlow until a Keras model is
asked for.

Every module is found by ``pkgutil.walk_packages``, so a new or moved module is checked without editing this
file, and each is imported alone in a fresh process: what one module pulls in cannot hide behind another,
and a circular import that only shows when a module is imported first fails here. The fresh processes are forks
of one interpreter that has loaded the third-party libraries core uses (and no core module, and none of HEAVY):
an interpreter per module spent ~1 s each on importing NumPy, scikit-learn and pandas again.
"""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import core

HEAVY = ("streamlit", "tensorflow", "keras")
# Modules that import TensorFlow as they load, on purpose: the Keras networks subclass Keras classes at
# module level. Only build_model imports it, and only for a keras_* kind (checked below).
IMPORTS_TENSORFLOW = {"core.models.keras_models"}

_REPORT = "import json, sys; print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))"


def _core_modules() -> list[str]:
    # __main__ is a script (it runs the CLI when imported); core.cli, which it calls, is checked
    return sorted(m.name for m in pkgutil.walk_packages(core.__path__, "core.") if not m.name.endswith("__main__"))


def _heavy_after(code: str) -> list[str]:
    """Which of HEAVY a fresh interpreter has loaded after running ``code``; fails with its stderr."""
    out = subprocess.run(
        [sys.executable, "-c", code + "\n" + _REPORT.format(heavy=HEAVY)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if out.returncode != 0:
        return [f"error: {out.stderr.strip().splitlines()[-1] if out.stderr.strip() else out.returncode}"]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_walk_finds_every_python_file_in_core():
    root = Path(core.__file__).parent
    on_disk = set()
    for path in root.rglob("*.py"):
        parts = ["core", *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        on_disk.add(".".join(parts))
    # a folder without __init__.py would be skipped by the walk and so never checked
    assert on_disk - {"core", "core.__main__"} == set(_core_modules())
    assert IMPORTS_TENSORFLOW <= on_disk, "a module listed in IMPORTS_TENSORFLOW no longer exists: update the list"


# One interpreter, forked once per module. A first child imports every module and reports which third-party
# modules that loaded; the parent loads those (never a core module: checked), then forks a child per module
# to import it alone and report which of HEAVY it finds loaded, or the import's error.
_FORKED_IMPORTS = """
import importlib, json, os, sys
HEAVY, MODULES = json.loads(sys.argv[1]), json.loads(sys.argv[2])


def in_child(work):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            answer = work()
        except BaseException as err:  # the import's own error is the finding
            answer = ["error: " + type(err).__name__ + ": " + str(err)]
        os.write(w, json.dumps(answer).encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        data = f.read()
    os.waitpid(pid, 0)
    return json.loads(data) if data else ["error: the child died"]


def import_all():
    for name in MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # reported by its own child below
            pass
    skip = {"core", "__main__", "__mp_main__", *HEAVY}
    return sorted(m for m in sys.modules if m.split(".")[0] not in skip)


def ours(name):
    return name == "core" or name.startswith("core.")


def alone(name):
    def work():
        importlib.import_module(name)
        return sorted(h for h in HEAVY if h in sys.modules)

    return work


def each_alone():
    return {name: in_child(alone(name)) for name in MODULES}


def preloaded_then_each_alone():
    for name in in_child(import_all):
        if name.startswith("error: ") or name in sys.modules:
            continue
        try:
            importlib.import_module(name)
        except Exception:  # a private module that only imports as part of its package: its package loads it
            pass
    if [m for m in sys.modules if ours(m)] or [h for h in HEAVY if h in sys.modules]:
        return None  # something core uses pulls in HEAVY: no head start, each child finds out for itself
    return each_alone()


found = in_child(preloaded_then_each_alone)
print(json.dumps(found if isinstance(found, dict) else each_alone()))
"""


def test_no_core_module_imports_streamlit_or_tensorflow_when_imported_alone():
    modules = [name for name in _core_modules() if name not in IMPORTS_TENSORFLOW]
    out = subprocess.run(
        [sys.executable, "-c", _FORKED_IMPORTS, json.dumps(HEAVY), json.dumps(modules)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
    )
    assert out.returncode == 0, out.stderr[-3000:]
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert sorted(loaded) == modules
    offenders = {name: heavy for name, heavy in loaded.items() if heavy}
    assert not offenders, (
        f"Importing these core modules alone loads Streamlit or TensorFlow/Keras (or fails): {offenders}. "
        "core must never import Streamlit, and must import TensorFlow/Keras only inside the function that "
        "needs it (see core/keras_import.py)."
    )


def test_import_core_pulls_in_neither_tensorflow_nor_streamlit():
    assert (
        _heavy_after("import core, core.cli, core.training.trainer, core.evaluation.metrics, core.data.prepare") == []
    )


def test_a_numpy_run_leaves_tensorflow_unloaded():
    code = "from core import train, DataConfig, ModelConfig\ntrain(DataConfig(), ModelConfig(epochs=1))"
    assert _heavy_after(code + "\nimport sys\nassert 'sklearn' in sys.modules") == []


@pytest.mark.slow
def test_tensorflow_loads_when_a_keras_model_is_asked_for_and_not_before():
    code = (
        "import sys\n"
        "from core.config import ModelConfig\n"
        "from core.models.estimators import LabKerasMLP\n"
        "from core.models import build_model\n"
        "LabKerasMLP(hidden_units=(4,)).get_params()\n"
        "build_model(ModelConfig(kind='random_forest'), n_features=4, n_classes=2, image_shape=None)\n"
        "assert 'tensorflow' not in sys.modules, 'TensorFlow loaded before a Keras model was asked for'\n"
        "build_model(ModelConfig(kind='keras_mlp'), n_features=4, n_classes=2, image_shape=None)\n"
    )
    assert _heavy_after(code) == ["keras", "tensorflow"]
    for name in sorted(IMPORTS_TENSORFLOW):  # the list above stays true: these do load it, and only it
        assert _heavy_after(f"import {name}") == ["keras", "tensorflow"], name


def test_core_loads_numpy_and_the_trainer_only_when_one_of_them_is_asked_for():
    """``core``'s results and trainer load on first use, so light users (Home: presets, the machine stamp) pay no
    NumPy; ``from core import RunResult, train`` still works, and a misspelt name is still an AttributeError."""
    watched = ("numpy", "core.training.trainer")
    report = f"import json, sys; print(json.dumps(sorted(m for m in {watched!r} if m in sys.modules)))"

    def loaded_after(code: str) -> list[str]:
        out = subprocess.run([sys.executable, "-c", f"{code}\n{report}"], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr[-2000:]
        return json.loads(out.stdout.strip().splitlines()[-1])

    assert loaded_after("import core, core.presets, core.machine; from core import DataConfig, CoreError") == []
    assert loaded_after("from core import RunResult, train, EpochLog") == ["core.training.trainer", "numpy"]
    with pytest.raises(AttributeError, match="no attribute 'trian'"):
        core.trian  # noqa: B018


def test_the_machine_stamp_counts_blas_threads_even_before_numpy_is_loaded():
    """core.machine imports no NumPy, but the stamp's BLAS threads are NumPy's: a light caller (Home, a benchmark's
    table) must not read None."""
    code = "import json, core.machine; print(json.dumps(core.machine.environment_stamp()['threads']))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    threads = json.loads(out.stdout.strip().splitlines()[-1])
    assert isinstance(threads, int) and threads >= 1
