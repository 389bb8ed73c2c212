"""The engine knob on Train: a Keras MLP trains on JAX when chosen, and a missing engine is a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import core.models.keras_import as keras_import
from core.config import Backend, Device

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 180  # a worker loads Keras on its engine (JAX ≈2.4 s, TensorFlow ≈5 s) before the first run


def _train_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page("app_pages/train.py").run()
    assert not at.exception, at.exception
    at.selectbox(key="train_kind").set_value("keras_mlp").run()
    return at


@pytest.mark.slow
def test_train_runs_the_keras_mlp_on_jax_when_the_engine_knob_says_so():
    at = _train_page()
    at.radio(key="train_keras_mlp_backend").set_value(Backend.JAX).run()
    at.slider(key="train_keras_mlp_epochs").set_value(2).run()
    at.button(key="train_go").click().run()
    assert not at.exception, at.exception
    assert any("Keras on jax (CPU)" in c.value for c in at.caption), [c.value for c in at.caption]
    assert at.query_params.get("m.backend") == "jax"  # the link reproduces the engine


def test_an_engine_that_is_not_installed_is_a_message_not_a_traceback(monkeypatch):
    monkeypatch.setattr(keras_import, "backend_installed", lambda b: b != Backend.JAX)
    at = _train_page()
    at.radio(key="train_keras_mlp_backend").set_value(Backend.JAX).run()
    assert not at.exception, at.exception
    assert any("pip install jax==0.10.2" in e.value for e in at.error), [e.value for e in at.error]


def test_home_shows_the_same_model_on_both_engines_from_the_benchmarks_figures(tmp_path, monkeypatch):
    import json

    import core.machine

    def engine(train_s, acc):
        return {"wall_s": train_s + 2, "train_time_s": train_s, "epoch_s_median": train_s / 10, "test_accuracy": acc}

    figures = {"seed": {"tensorflow": engine(80.0, 0.976), "jax": engine(16.0, 0.977)}, "measured_at": "today"}
    (tmp_path / "engine.json").write_text(json.dumps(figures))
    monkeypatch.setattr(core.machine, "ENGINE_RESULTS", str(tmp_path / "engine.json"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["TensorFlow"] == "80.0 s" and shown["JAX"] == "16.0 s" and shown["JAX is faster by"] == "5.0×"
    assert "Worst test accuracy of 3 seeds" not in shown  # no article search measured: no claim about it

    article = {"worst_test": 0.9886, "train_time_s": 20.4, "seed_train_time_s": 80.0, "ratio": 0.255}
    (tmp_path / "engine.json").write_text(json.dumps({**figures, "article": article, "load_average": 0.4}))
    at.run()
    assert not at.exception, at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["Worst test accuracy of 3 seeds"] == "98.86%" and shown["Training time"] == "20.4 s"
    assert any("0.26 of the article model's 80 s" in str(m.proto.delta) for m in at.metric)


def test_home_without_measured_figures_shows_no_comparison(tmp_path, monkeypatch):
    import core.machine

    monkeypatch.setattr(core.machine, "ENGINE_RESULTS", str(tmp_path / "missing.json"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    assert "JAX is faster by" not in {m.label for m in at.metric}


def test_the_device_choice_appears_only_where_a_gpu_is_present_and_a_missing_gpu_is_a_message(monkeypatch):
    import ui.widgets

    at = _train_page()
    assert not [r for r in at.radio if r.key == "train_keras_mlp_device"]  # no GPU on this machine: no choice
    monkeypatch.setattr(ui.widgets, "gpu_present", lambda: True)
    at.run()
    device = at.radio(key="train_keras_mlp_device")
    assert device.value is None and list(device.options) == ["Engine's choice", "CPU", "GPU"]
    if keras_import.gpu_present():
        return  # a real GPU: the run would use it
    device.set_value(Device.GPU).run()
    at.slider(key="train_keras_mlp_epochs").set_value(1).run()
    at.button(key="train_go").click().run()
    assert not at.exception, at.exception
    assert any("device='gpu' was asked for" in e.value for e in at.error), [e.value for e in at.error]
    assert at.query_params.get("m.device") == "gpu"
