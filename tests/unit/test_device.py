"""The Device knob: where Keras computes, chosen per run, stamped on the result, refused clearly without a GPU."""

from __future__ import annotations

import json

import pytest

from core import machine
from core.config import Device, ModelConfig
from core.errors import ConfigError
from core.knobs import KNOBS
from core.models.keras_import import gpu_present
from tests.helpers import run_cli


def test_device_is_a_keras_knob_with_cpu_and_gpu_and_unset_by_default():
    assert ModelConfig(kind="keras_mlp").device is None
    assert KNOBS["device"].parse("gpu") == Device.GPU and KNOBS["device"].parse("none") is None
    assert ModelConfig(kind="keras_cnn", device="cpu").validate().device == Device.CPU
    with pytest.raises(ConfigError, match="'device' parameter applies to keras_mlp and keras_cnn only"):
        ModelConfig(kind="random_forest", device="gpu").validate()


def test_the_stamp_names_the_gpu_used_or_says_a_visible_one_stayed_idle(monkeypatch):
    monkeypatch.setattr(machine, "gpu_devices", lambda backend=None: ["NVIDIA H200"])
    assert machine._device("jax") == "GPU: NVIDIA H200"
    assert machine._device("jax", Device.GPU) == "GPU: NVIDIA H200"
    assert machine._device("jax", Device.CPU) == "CPU (GPU visible, not used: NVIDIA H200)"
    monkeypatch.setattr(machine, "gpu_devices", lambda backend=None: [])
    assert machine._device("tensorflow", Device.CPU) == "CPU" and machine._device("tensorflow") == "CPU"


@pytest.mark.slow
@pytest.mark.skipif(gpu_present(), reason="checks the message of a machine without a GPU")
def test_cli_device_cpu_trains_and_device_gpu_without_one_is_a_clear_message():
    done = run_cli(
        "train", "--model", "keras_mlp", "--backend", "jax", "--device", "cpu", "--epochs", "1", "--json", "--no-save"
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["model_config"]["device"] == "cpu" and result["environment"]["device"] == "CPU"
    done = run_cli("train", "--model", "keras_mlp", "--backend", "jax", "--device", "gpu", "--epochs", "1", "--no-save")
    assert done.returncode == 2, done.stderr
    assert "device='gpu' was asked for, but Keras on jax sees no GPU here" in done.stderr
    assert "Traceback" not in done.stderr
