"""Keras families. Each test imports TensorFlow (≈5 s once per session); kept few and small."""

import json

import numpy as np
import pytest

from core.config import DataConfig, ModelConfig, ModelKind, Precision
from core.data.prepare import prepare
from core.errors import ConfigError
from core.models import build_model
from core.training.trainer import train

pytestmark = pytest.mark.slow


def test_keras_mlp_defaults_reach_95_percent_on_digits():
    result = train(DataConfig(), ModelConfig(kind=ModelKind.KERAS_MLP))
    assert result.test.accuracy >= 0.95
    assert len(result.history) == ModelConfig().epochs
    assert result.cost.latency_ms_p50 < 50  # a direct call, not predict() (~50 ms)


def test_article_model_has_101770_parameters():
    model = build_model(
        ModelConfig(kind=ModelKind.KERAS_MLP, hidden_units=(128,)), n_features=784, n_classes=10, image_shape=(28, 28)
    )
    assert model.build(784, 10).count_params() == 101_770


def test_keras_cnn_trains_on_images_and_refuses_tabular_data():
    data = prepare(DataConfig(n_rows=600))
    cfg = ModelConfig(kind=ModelKind.KERAS_CNN, epochs=3, filters=8, hidden_units=(32,))
    model = build_model(cfg, n_features=64, n_classes=10, image_shape=(8, 8))
    model.fit(data.X_train, data.y_train, n_classes=10, validation=(data.X_val, data.y_val))
    assert (model.predict(data.X_val) == data.y_val).mean() > 0.5
    assert "conv" in repr(model).lower()
    with pytest.raises(ConfigError, match="image data"):
        train(DataConfig(dataset="breast_cancer"), cfg)


def test_same_seed_same_metrics_and_stop_request_keeps_partial_model():
    cfg = ModelConfig(kind=ModelKind.KERAS_MLP, hidden_units=(32,), epochs=4, dropout=0.1, l2=1e-4)
    a, b = train(DataConfig(), cfg), train(DataConfig(), cfg)
    assert a.validation.accuracy == b.validation.accuracy
    np.testing.assert_allclose([h.loss for h in a.history], [h.loss for h in b.history], rtol=1e-5)
    stopped = train(DataConfig(), ModelConfig(kind=ModelKind.KERAS_MLP, epochs=10), callback=lambda log: log.epoch >= 2)
    assert stopped.stopped and len(stopped.history) == 2 and stopped.validation.accuracy > 0.5


def test_mixed_bfloat16_and_early_stopping_run():
    cfg = ModelConfig(
        kind=ModelKind.KERAS_MLP,
        precision=Precision.MIXED_BFLOAT16,
        epochs=30,
        early_stopping_patience=1,
        learning_rate=0.05,
    )
    result = train(DataConfig(), cfg)
    assert result.validation.accuracy > 0.8
    assert len(result.history) < 30  # a large learning rate overfits early; patience 1 cuts it short


def test_early_stopping_watches_an_inner_split_never_the_reported_validation():
    data = prepare(DataConfig(n_rows=600))
    cfg = ModelConfig(kind=ModelKind.KERAS_MLP, hidden_units=(16,), epochs=6, early_stopping_patience=1)
    garbled = np.random.default_rng(1).permutation(data.y_val)  # same rows, labels shuffled
    runs = []
    for y_val in (data.y_val, garbled):
        model = build_model(cfg, n_features=data.n_features, n_classes=10, image_shape=None)
        model.fit(data.X_train, data.y_train, n_classes=10, validation=(data.X_val, y_val))
        runs.append(model)
    a, b = runs
    # what the reported split holds cannot change when training stops or what it learns
    assert a.epochs_run_ == b.epochs_run_
    assert [h.loss for h in a.history_] == pytest.approx([h.loss for h in b.history_], rel=1e-4)
    assert [h.val_accuracy for h in a.history_] != [h.val_accuracy for h in b.history_]  # but it is reported
    assert a.n_fit_rows_ == len(data.y_train) - round(0.1 * len(data.y_train))
    assert "Early stopping held out" in a.notes_[0]
    assert all(h.eval_s > 0 and h.epoch_s > 0 for h in a.history_)  # validation timed apart from fitting


def test_cosine_schedule_decays_the_rate_to_zero_by_the_last_step_and_reproduces_with_a_seed():
    from core.config import LrSchedule

    data = prepare(DataConfig(n_rows=600))
    fitted = {}
    for schedule in (LrSchedule.COSINE, LrSchedule.COSINE, LrSchedule.CONSTANT):  # the same seed each time
        cfg = ModelConfig(kind=ModelKind.KERAS_MLP, hidden_units=(32,), epochs=3, batch_size=32, lr_schedule=schedule)
        model = build_model(cfg, n_features=64, n_classes=10, image_shape=(8, 8))
        model.fit(data.X_train, data.y_train, n_classes=10)
        fitted.setdefault(schedule, []).append(model)
    cosine, again = fitted[LrSchedule.COSINE]
    steps = 3 * -(-len(data.y_train) // 32)
    assert int(cosine.model_.optimizer.iterations) == steps
    assert float(cosine.model_.optimizer.learning_rate) == pytest.approx(0.0, abs=1e-9)  # decayed all the way
    assert float(fitted[LrSchedule.CONSTANT][0].model_.optimizer.learning_rate) == pytest.approx(3e-3)
    np.testing.assert_array_equal(cosine.predict_proba(data.X_val), again.predict_proba(data.X_val))
    assert not np.allclose(cosine.predict_proba(data.X_val), fitted[LrSchedule.CONSTANT][0].predict_proba(data.X_val))


def test_cli_lr_schedule_flag_reaches_the_model_config():
    from tests.helpers import run_cli

    done = run_cli("train", "--model", "keras_mlp", "--lr-schedule", "cosine", "--epochs", "2", "--json", "--no-save")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["model_config"]["lr_schedule"] == "cosine"


def test_full_batches_pad_the_last_batch_without_changing_its_loss_and_cover_every_row_once_an_epoch():
    import keras

    from core.models.keras_models import _FullBatches

    rng = np.random.default_rng(0)
    X, y = rng.random((50, 8), dtype=np.float32), rng.integers(0, 3, 50)
    batches = _FullBatches(X, y, 32, seed=0, class_weights={2: 3.0})
    assert len(batches) == 2
    seen = np.concatenate([batches.order[:32], batches.order[32:]])
    assert sorted(seen) == list(range(50))
    xb, yb, wb = batches[1]  # 18 real rows padded to 32
    assert xb.shape == (32, 8) and (wb[18:] == 0).all()
    real = batches.order[32:]
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(3, activation="softmax")])
    loss = keras.losses.SparseCategoricalCrossentropy()
    padded = float(loss(yb, model(xb), sample_weight=wb))
    plain = float(loss(y[real], model(X[real]), sample_weight=np.where(y[real] == 2, 3.0, 1.0)))
    assert padded == pytest.approx(plain, rel=1e-5)
    first = batches.order.copy()
    batches.on_epoch_end()
    assert not np.array_equal(first, batches.order)
