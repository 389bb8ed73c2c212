from dataclasses import replace

import pytest

from core.compare import TILES, config_differences, config_label, delta, format_value, is_improvement, is_nil
from core.config import DataConfig, ModelConfig, ModelKind
from core.estimate import estimate_seconds
from core.training import train


@pytest.fixture(scope="module")
def two_runs():
    a = train(DataConfig(), ModelConfig(epochs=3, hidden_units=(16,)))
    b = train(DataConfig(), ModelConfig(epochs=6, hidden_units=(64,)))
    return a, b


def test_every_tile_has_a_value_and_a_delta(two_runs):
    a, b = two_runs
    for tile in TILES:
        assert format_value(tile, tile.get(b)) != "n/a"
        assert delta(tile, b, a) is not None
        assert delta(tile, b, None) is None


def test_deltas_are_signed_differences_in_the_tile_unit(two_runs):
    a, b = two_runs
    acc = next(t for t in TILES if t.key == "accuracy")
    expected = (b.validation.accuracy - a.validation.accuracy) * 100
    assert delta(acc, b, a) == f"{expected:+.2f} pp"
    params = next(t for t in TILES if t.key == "n_params")
    assert delta(params, b, a) == f"{b.cost.n_params - a.cost.n_params:+,}"
    assert is_improvement(params, b, a) is False  # more parameters cost more
    assert "numpy_mlp 64 b64 e6" in config_label(b)


def test_estimate_uses_the_last_run_speed_and_scales_with_epochs(two_runs):
    a, b = two_runs
    cfg = replace(b.model_config, epochs=12)
    d = b.dataset
    est = estimate_seconds(
        cfg, n_train=d["n_train"], n_features=d["n_features"], n_classes=d["n_classes"], history=[a, b]
    )
    assert est.basis == "speed of your last run"
    steady = b.cost.epoch_s_median
    assert est.seconds == pytest.approx(steady * 12, rel=0.01)  # same config, twice the epochs of the run


def test_cost_model_is_close_to_measurements_for_the_digits_default(two_runs):
    _, b = two_runs
    d = b.dataset
    est = estimate_seconds(b.model_config, n_train=d["n_train"], n_features=d["n_features"], n_classes=d["n_classes"])
    assert est.basis == "default speed"
    assert 0.1 < est.seconds / b.cost.train_time_s < 10  # an order of magnitude, before any calibration


def test_estimate_cap_cuts_epochs():
    cfg = ModelConfig(kind=ModelKind.KERAS_MLP, epochs=100, hidden_units=(512,))
    est = estimate_seconds(cfg, n_train=60_000, n_features=784, n_classes=10, cap_s=60)
    assert est.capped and 1 <= est.epochs < 100 and est.seconds <= 60
    huge = estimate_seconds(
        replace(cfg, hidden_units=(4096, 4096)), n_train=60_000, n_features=784, n_classes=10, cap_s=5
    )
    assert huge.capped and huge.epochs == 1 and huge.seconds > 5  # never below one epoch; the page says so
    small = estimate_seconds(ModelConfig(), n_train=1257, n_features=64, n_classes=10, cap_s=10)
    assert not small.capped and small.epochs == ModelConfig().epochs and small.seconds < 2


def test_config_differences_name_only_the_fields_that_differ(two_runs):
    a, b = two_runs
    assert config_differences([a, b]) == ["model.hidden_units", "model.epochs"]
    assert config_differences([a, a]) == []


def test_small_latencies_and_large_sizes_fit_a_tile_and_zero_deltas_are_nil():
    latency = next(t for t in TILES if t.key == "latency_ms_p50")
    size = next(t for t in TILES if t.key == "size_kb")
    assert format_value(latency, 0.0142) == "14 µs" and format_value(latency, 1.5) == "1.500 ms"
    assert format_value(size, 103.52) == "104 KB" and format_value(size, 38.46) == "38.5 KB"
    assert is_nil("+0.000 ms") and is_nil(None) and not is_nil("-0.74 pp")
