from dataclasses import replace

import pytest

from core.config import DataConfig, ModelConfig, ModelKind
from core.evaluation.tiles import TILES, config_differences, config_label, delta, format_value, is_improvement, is_nil
from core.explore.estimate import REFERENCE, _network_probe, calibrate, describe, estimate_seconds, model_seconds
from core.training.trainer import train


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
    d = b.dataset
    shape = {"n_train": d["n_train"], "n_features": d["n_features"], "n_classes": d["n_classes"]}
    est6 = estimate_seconds(b.model_config, **shape, history=[a, b])
    est12 = estimate_seconds(replace(b.model_config, epochs=12), **shape, history=[a, b])
    assert est6.basis == "speed of your last run" and not est6.ceiling
    modelled = model_seconds(b.model_config, **shape)
    # the last run's steady epochs, measured ÷ modelled, rescale the model (within 0.2-5×)
    steady = b.cost.train_time_s - b.cost.first_epoch_s
    modelled_steady = modelled - model_seconds(b.model_config, **shape, epochs=1)
    scale = min(max(steady / modelled_steady, 0.2), 5)
    assert est6.seconds == pytest.approx(scale * modelled, rel=0.01)
    assert est12.seconds == pytest.approx(2 * est6.seconds, rel=0.01)  # NumPy has no first-epoch extra


def test_before_any_run_the_estimate_is_the_calibrated_cost_model(two_runs):
    _, b = two_runs
    d = b.dataset
    est = estimate_seconds(b.model_config, n_train=d["n_train"], n_features=d["n_features"], n_classes=d["n_classes"])
    assert est.basis == "calibrated on this machine"
    # before any run, the probe's speeds alone (how close they come is bench_core's estimate section)
    assert est.seconds == pytest.approx(model_seconds(b.model_config, **_shape(b), cal=calibrate(baselines=False)))


def _shape(run):
    return {k: run.dataset[k] for k in ("n_train", "n_features", "n_classes")}


def test_calibration_is_probed_once_per_process():
    first = calibrate(baselines=False)
    assert calibrate(baselines=False) == first
    assert _network_probe.cache_info().misses == 1
    assert first.step_overhead_s > 0 and first.macs_per_s > 0


def test_keras_estimate_knows_the_first_epoch_and_early_stopping_is_a_ceiling():
    cfg = ModelConfig(kind=ModelKind.KERAS_MLP, epochs=10)
    shape = {"n_train": 1257, "n_features": 64, "n_classes": 10}
    one, two = (model_seconds(cfg, **shape, epochs=e) for e in (1, 2))
    assert one > two - one > 0  # the first epoch costs more than a steady one (tracing)
    stopping = estimate_seconds(replace(cfg, early_stopping_patience=3), **shape)
    plain = estimate_seconds(cfg, **shape)
    assert stopping.ceiling and not plain.ceiling and describe(stopping).startswith("≤")
    assert stopping.seconds < plain.seconds  # early stopping fits on 90 % of the rows, at most as many epochs


def test_every_family_has_a_positive_estimate():
    for kind in ModelKind:
        est = estimate_seconds(ModelConfig(kind=kind), n_train=1257, n_features=64, n_classes=10, image_shape=(8, 8))
        assert est.seconds > 0 and est.epochs >= 1


def test_estimate_cap_cuts_epochs():
    fixed = {"cal": REFERENCE}  # a fixed machine, so the test does not depend on this one's load
    cfg = ModelConfig(kind=ModelKind.KERAS_MLP, epochs=100, hidden_units=(512,))
    est = estimate_seconds(cfg, n_train=60_000, n_features=784, n_classes=10, cap_s=60, **fixed)
    assert est.capped and 1 <= est.epochs < 100 and est.seconds <= 60
    huge = estimate_seconds(
        replace(cfg, hidden_units=(4096, 4096)), n_train=60_000, n_features=784, n_classes=10, cap_s=5, **fixed
    )
    assert huge.capped and huge.epochs == 1 and huge.seconds > 5  # never below one epoch; the page says so
    small = estimate_seconds(ModelConfig(), n_train=1257, n_features=64, n_classes=10, cap_s=10, **fixed)
    assert not small.capped and small.epochs == ModelConfig().epochs and small.seconds < 2
    # the first epoch's extra cost counts against the cap: it is paid even by a one-epoch run
    one = estimate_seconds(replace(cfg, epochs=1), n_train=60_000, n_features=784, n_classes=10, **fixed)
    per_epoch = (est.seconds - one.seconds) / (est.epochs - 1) if est.epochs > 1 else one.seconds
    assert one.seconds > per_epoch


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


def test_a_latency_delta_is_in_the_unit_its_values_are_shown_in(two_runs):
    a, _ = two_runs
    latency = next(t for t in TILES if t.key == "latency_ms_p50")

    def at(ms: float):
        return replace(a, cost=replace(a.cost, latency_ms_p50=ms))

    assert (format_value(latency, 0.064), delta(latency, at(0.064), at(0.024))) == ("64 µs", "+40 µs")
    assert is_nil(delta(latency, at(0.0241), at(0.024)))  # +0 µs: nothing to colour
    assert delta(latency, at(1.5), at(0.5)) == "+1.000 ms"  # one of them shown in ms: the delta in ms
