"""The Keras engine knob: which engine a config runs on, a clear message when one is missing, and Keras on JAX
training, stopping within a batch, reporting its costs and reproducing with a seed (in its own worker)."""

import json
import time

import pytest

import core.models.keras_import as keras_import
from core import ConfigError, DataConfig, ModelConfig
from core.config import Backend
from core.machine import environment_stamp, gpu_devices
from core.presets import get_preset
from core.training.worker import EnginePools, TrainingWorker
from tests.helpers import run_cli


@pytest.fixture
def no_env_backend(monkeypatch):
    monkeypatch.delenv("KERAS_BACKEND", raising=False)


def test_each_family_defaults_to_its_faster_engine_and_an_explicit_choice_wins(no_env_backend):
    assert keras_import.wanted_backend(ModelConfig(kind="keras_mlp")) == Backend.JAX
    assert keras_import.wanted_backend(ModelConfig(kind="keras_cnn")) == Backend.TENSORFLOW
    assert keras_import.wanted_backend(ModelConfig(kind="keras_mlp", backend="tensorflow")) == Backend.TENSORFLOW
    assert keras_import.wanted_backend(ModelConfig(kind="keras_cnn", backend="jax")) == Backend.JAX
    assert keras_import.wanted_backend(ModelConfig(kind="numpy_mlp")) is None


def test_keras_backend_in_the_environment_is_the_default_for_configs_that_name_none(monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    assert keras_import.wanted_backend(ModelConfig(kind="keras_cnn")) == Backend.JAX
    assert keras_import.wanted_backend(ModelConfig(kind="keras_cnn", backend="tensorflow")) == Backend.TENSORFLOW


def test_the_default_falls_back_to_tensorflow_when_jax_is_not_installed(no_env_backend, monkeypatch):
    monkeypatch.setattr(keras_import, "backend_installed", lambda b: b != Backend.JAX)
    assert keras_import.wanted_backend(ModelConfig(kind="keras_mlp")) == Backend.TENSORFLOW


def test_backend_is_a_keras_knob_only_and_unknown_engines_are_named():
    with pytest.raises(ConfigError, match="backend.*keras_mlp and keras_cnn only"):
        ModelConfig(kind="numpy_mlp", backend="jax").validate()
    with pytest.raises(ConfigError, match="'backend' parameter must be one of tensorflow, jax. Got 'torch'"):
        ModelConfig(kind="keras_mlp", backend="torch")
    cfg = ModelConfig(kind="keras_mlp", backend="jax")
    assert ModelConfig.from_dict(cfg.to_dict()) == cfg and cfg.to_dict()["backend"] == "jax"


def test_an_engine_that_is_not_installed_is_a_config_error_with_the_pip_command(monkeypatch):
    monkeypatch.setattr(keras_import, "backend_installed", lambda b: b != Backend.JAX)
    with pytest.raises(ConfigError, match=r"backend='jax' is not installed.*pip install jax==0\.10\.2"):
        EnginePools().pool_for(ModelConfig(kind="keras_mlp", backend="jax"))  # before any process starts
    worker = TrainingWorker(tensorflow=False)  # never started: the check comes first
    with pytest.raises(ConfigError, match="pip install jax"):
        worker.run(DataConfig(), ModelConfig(kind="keras_mlp", backend="jax"))


def test_the_stamp_names_no_engine_for_other_models_and_cpu_without_a_gpu():
    stamp = environment_stamp(ModelConfig(kind="numpy_mlp"))
    assert stamp["backend"] is None and stamp["device"] == "CPU"
    assert gpu_devices() == []  # no GPU on the machines tests run on: the "no GPU" path


@pytest.mark.slow
def test_keras_on_jax_trains_reports_costs_and_reproduces_with_a_seed(jax_worker):
    cfg = ModelConfig(kind="keras_mlp", backend="jax", hidden_units=(32,), epochs=3, seed=3)
    logs = []
    first = jax_worker.run(DataConfig(), cfg, callback=logs.append)
    assert [log.epoch for log in logs] == [1, 2, 3]
    assert first.environment["backend"] == "jax" and first.environment["device"] == "CPU"
    assert "jax" in first.environment["versions"]
    assert first.validation.accuracy > 0.85
    cost = first.cost
    assert cost.train_time_s > 0 and cost.epoch_s_median > 0 and cost.latency_ms_p50 > 0 and cost.size_bytes > 0
    assert cost.n_params == 64 * 32 + 32 + 32 * 10 + 10
    again = jax_worker.run(DataConfig(), cfg)
    assert [log.loss for log in again.history] == [log.loss for log in first.history]
    assert again.test.accuracy == first.test.accuracy
    other_seed = jax_worker.run(DataConfig(), ModelConfig(**{**cfg.to_dict(), "seed": 4, "hidden_units": (32,)}))
    assert [log.loss for log in other_seed.history] != [log.loss for log in first.history]


@pytest.mark.slow
def test_keras_on_jax_stops_within_a_batch(jax_worker):
    cfg = ModelConfig(kind="keras_mlp", backend="jax", epochs=200, batch_size=8, hidden_units=(256, 256))
    asked, halted = [], []

    def on_epoch(log):
        if not asked:
            asked.append(time.perf_counter())
            jax_worker.request_stop()

    result = jax_worker.run(DataConfig(), cfg, callback=on_epoch, on_halted=lambda: halted.append(time.perf_counter()))
    assert result.stopped and result.cost.epochs_run < 200
    assert halted[0] - asked[0] < 1.0


@pytest.mark.slow
def test_cli_backend_jax_trains_on_jax_and_the_article_preset_keeps_tensorflow():
    done = run_cli("train", "--model", "keras_mlp", "--backend", "jax", "--epochs", "2", "--json", "--no-save")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["model_config"]["backend"] == "jax" and result["environment"]["backend"] == "jax"
    assert get_preset("seed-article").model.backend == Backend.TENSORFLOW


def test_cli_backend_rejects_an_engine_it_does_not_know_and_a_model_without_one():
    done = run_cli("train", "--model", "keras_mlp", "--backend", "torch")
    assert done.returncode == 2 and "'backend' parameter must be one of tensorflow, jax. Got 'torch'" in done.stderr
    done = run_cli("train", "--model", "numpy_mlp", "--backend", "jax")
    assert done.returncode == 2 and "backend" in done.stderr and "keras_mlp and keras_cnn only" in done.stderr


@pytest.mark.slow
def test_a_serial_cli_sweep_over_backend_runs_each_engine_in_its_own_process():
    done = run_cli(
        "sweep", "--model", "keras_mlp", "--param", "backend=tensorflow,jax", "--epochs", "1", "--json", timeout=300
    )
    assert done.returncode == 0, done.stderr
    trials = json.loads(done.stdout)["trials"]
    assert [t["status"] for t in trials] == ["complete", "complete"], [t["error"] for t in trials]
    assert [t["params"]["backend"] for t in trials] == ["tensorflow", "jax"]


def test_lr_schedule_is_checked_and_an_unknown_one_is_named_in_the_cli():
    from core.config import LrSchedule

    assert ModelConfig(kind="keras_cnn", lr_schedule="cosine").validate().lr_schedule == LrSchedule.COSINE
    with pytest.raises(ConfigError, match="'lr_schedule' parameter must be one of constant, cosine. Got 'linear'"):
        ModelConfig(kind="keras_mlp", lr_schedule="linear").validate()
    done = run_cli("train", "--model", "keras_mlp", "--lr-schedule", "linear")
    assert done.returncode == 2 and "'lr_schedule' parameter must be one of constant, cosine" in done.stderr


def test_the_article_preset_is_a_valid_cosine_cnn_on_tensorflow_at_a_fraction_of_the_seed_presets_work():
    from core.config import LrSchedule, ModelKind

    preset, seed = get_preset("article-98.5"), get_preset("seed-article")
    model = preset.model.validate()
    assert preset.data == seed.data.validate()  # the same MNIST split as the preset it is compared with
    assert (model.kind, model.engine, model.lr_schedule) == (ModelKind.KERAS_CNN, Backend.TENSORFLOW, LrSchedule.COSINE)
    assert preset.claimed_test_accuracy == 0.985
    steps = model.epochs * -(-54_000 // model.batch_size)
    assert steps * 5 < seed.model.epochs * -(-54_000 // seed.model.batch_size)  # a fifth of the seed's steps


def test_the_article_preset_is_the_configuration_the_committed_benchmark_picked():
    """Home shows benchmarks/results/engine.json's figures under the preset's name: they must describe one model."""
    import json
    from pathlib import Path

    picked = json.loads((Path(__file__).parents[2] / "benchmarks/results/engine.json").read_text())["article"]
    preset = get_preset("article-98.5").model.validate().to_dict()
    differing = {k: (preset.get(k), v) for k, v in picked["config"].items() if k != "seed" and preset.get(k) != v}
    assert not differing, f"article-98.5 differs from the benchmark's pick: {differing}"
