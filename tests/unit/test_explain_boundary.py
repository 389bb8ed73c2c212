"""Decision boundaries: a grid around 2-D data, every family's probabilities on it, and snapshots taken
while a network trains — the boundary changes from epoch to epoch and the last one is the final model's."""

from __future__ import annotations

import numpy as np
import pytest

from core.config import DataConfig, ModelConfig, ModelKind
from core.errors import ConfigError
from core.explain import refit
from core.explain.boundary import BoundaryRecorder, Grid, boundary, train_with_boundary
from core.presets import get_preset

MOONS = DataConfig(dataset="moons", n_samples=400)


def test_grid_covers_the_data_and_refuses_other_shapes():
    X = np.array([[0.0, -1.0], [2.0, 3.0]])
    grid = Grid.around(X, resolution=11)
    assert grid.points.shape == (121, 2)
    assert grid.xs[0] < 0 < 2 < grid.xs[-1] and grid.ys[0] < -1 and grid.ys[-1] > 3
    with pytest.raises(ConfigError, match="2-D data"):
        Grid.around(np.zeros((5, 3)))


@pytest.mark.parametrize("kind", [k for k in ModelKind if not k.uses_keras])
def test_every_family_draws_a_boundary_that_separates_moons(kind):
    fit = refit(MOONS, ModelConfig(kind=kind, epochs=30, n_trees=30, max_iter=30))
    snap = boundary(fit.model, Grid.around(fit.data.X_train, resolution=30))
    assert snap.proba.shape == (30, 30, 2)
    assert set(np.unique(snap.predicted)) == {0, 1}
    # the grid's prediction nearest each validation point agrees with the model on that point
    data = fit.data
    ix = np.abs(snap.grid.xs[None, :] - data.X_val[:, :1]).argmin(axis=1)
    iy = np.abs(snap.grid.ys[None, :] - data.X_val[:, 1:]).argmin(axis=1)
    agree = (snap.predicted[iy, ix] == fit.model.predict(data.X_val)).mean()
    assert agree > 0.8
    assert set(snap.long_form()) == {"x", "y", "predicted", "p_class1", "confidence"}


def test_the_boundary_updates_during_training():
    drawn = []
    cfg = ModelConfig(
        kind="numpy_mlp", hidden_units=(8,), activation="tanh", optimizer="sgd", learning_rate=0.5, epochs=12
    )
    fit, snaps = train_with_boundary(MOONS, cfg, on_snapshot=drawn.append, resolution=20, every=3)
    assert [s.epoch for s in snaps] == [3, 6, 9, 12] and drawn == snaps
    assert not np.allclose(snaps[0].proba, snaps[-1].proba, atol=1e-3)  # it moved while training
    final = boundary(fit.model, snaps[-1].grid)
    np.testing.assert_allclose(snaps[-1].proba, final.proba, atol=1e-6)
    assert all(s.val_accuracy is not None for s in snaps)


def test_the_recorder_passes_stop_requests_on():
    stops_after_two = BoundaryRecorder(Grid.around(np.random.default_rng(0).standard_normal((20, 2))), every=1)
    stops_after_two.inner = lambda log: log.epoch >= 2
    cfg = ModelConfig(kind="numpy_mlp", hidden_units=(4,), epochs=10)
    from core.data.prepare import prepare
    from core.models import build_model

    data = prepare(MOONS)
    model = build_model(cfg, n_features=2, n_classes=2, image_shape=None)
    model.fit(data.X_train, data.y_train, n_classes=2, callback=stops_after_two.attach(model))
    assert model.stopped_ and model.epochs_run_ == 2 and len(stops_after_two.snapshots) == 2


def test_the_seed_case_preset_is_the_articles_network():
    preset = get_preset("seed-case")
    m = preset.model
    assert (m.kind, m.hidden_units, m.activation.value, m.optimizer.value) == (
        ModelKind.NUMPY_MLP,
        (3,),
        "sigmoid",
        "sgd",
    )
    data_rows = preset.data.n_samples * (1 - preset.data.val_fraction - preset.data.test_fraction)
    assert m.batch_size >= data_rows  # one step per epoch over every training row: plain gradient descent
    fit, snaps = train_with_boundary(preset.data, m, resolution=15, every=100)
    assert fit.model.history_[-1].val_accuracy > 0.8 and len(snaps) == m.epochs // 100


def test_the_train_page_helpers_keep_the_latest_boundary_and_draw_it():
    from core.data.prepare import prepare
    from core.models import build_model
    from ui.boundary import draw_latest, recorder_for

    class Slot:
        def __init__(self):
            self.drawn = []

        def altair_chart(self, chart, **kwargs):
            self.drawn.append(chart.to_dict()["title"])

    assert recorder_for(prepare(DataConfig(dataset="digits", fraction=0.2))) is None
    data = prepare(MOONS)
    epochs_seen = []
    recorder = recorder_for(data, inner=lambda log: epochs_seen.append(log.epoch), min_interval_s=0.0)
    slot = Slot()
    draw_latest(slot, recorder, data)  # nothing trained yet: nothing drawn
    model = build_model(
        ModelConfig(kind="numpy_mlp", hidden_units=(4,), epochs=5), n_features=2, n_classes=2, image_shape=None
    )
    model.fit(
        data.X_train, data.y_train, n_classes=2, validation=(data.X_val, data.y_val), callback=recorder.attach(model)
    )
    assert epochs_seen == [1, 2, 3, 4, 5] and [s.epoch for s in recorder.snapshots] == [5]
    draw_latest(slot, recorder, data)
    assert len(slot.drawn) == 1 and slot.drawn[0].startswith("Decision boundary, epoch 5")
