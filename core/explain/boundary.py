"""Decision boundaries for 2-D data: a probability grid for any fitted model, and live snapshots per epoch.

    grid = Grid.around(data.X_train)                    # 60 × 60 points covering the data, with a margin
    snap = boundary(model, grid)                        # BoundarySnapshot: P(class) on the grid
    recorder = BoundaryRecorder(grid, on_snapshot=draw) # an epoch callback that draws while a network trains
    fitted, snaps = train_with_boundary(data_cfg, model_cfg, on_snapshot=draw)

How a trainer feeds the recorder: an epoch callback only receives an ``EpochLog``, so the recorder is
given the model with ``attach(model)`` after the model is built and before ``fit`` (core.training.trainer's
``train`` would call ``callback.attach(model)`` when the callback has that method; ``train_with_boundary``
does it here). Each snapshot is plain NumPy (picklable), so a worker process can send it to a page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from core.config import DataConfig, ModelConfig
from core.errors import ConfigError
from core.models.base import Model
from core.training.progress import Callback, EpochLog, notify


@dataclass(frozen=True, eq=False)
class Grid:
    xs: np.ndarray  # (resolution,) first feature
    ys: np.ndarray  # (resolution,) second feature

    @classmethod
    def around(cls, X: np.ndarray, *, resolution: int = 60, margin: float = 0.1) -> Grid:
        """A square grid over the bounding box of X's two columns, widened by ``margin`` of each range."""
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != 2:
            raise ConfigError(
                f"A decision boundary needs 2-D data (two features); got {X.shape[-1]} features. "
                "Pick moons, circles, xor, spiral or gaussian."
            )
        if not 5 <= resolution <= 400:
            raise ConfigError(f"The 'resolution' parameter must be an integer in [5, 400]. Got {resolution!r}.")
        lo, hi = X.min(axis=0), X.max(axis=0)
        pad = (hi - lo) * margin + 1e-6
        xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
        return cls(xs, np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution))

    @property
    def points(self) -> np.ndarray:
        """(resolution², 2) float32 points, x varying fastest."""
        xx, yy = np.meshgrid(self.xs, self.ys)
        return np.column_stack([xx.ravel(), yy.ravel()]).astype(np.float32)


@dataclass(frozen=True, eq=False)
class BoundarySnapshot:
    epoch: int
    grid: Grid
    proba: np.ndarray  # (len(ys), len(xs), n_classes)
    val_accuracy: float | None = None
    elapsed_s: float = 0.0

    @property
    def predicted(self) -> np.ndarray:
        return self.proba.argmax(axis=2)

    def long_form(self) -> dict[str, np.ndarray]:
        """Columns for a chart: x, y, the predicted class and its probability (confidence)."""
        xx, yy = np.meshgrid(self.grid.xs, self.grid.ys)
        return {
            "x": xx.ravel(),
            "y": yy.ravel(),
            "predicted": self.predicted.ravel(),
            "p_class1": self.proba[:, :, min(1, self.proba.shape[2] - 1)].ravel(),
            "confidence": self.proba.max(axis=2).ravel(),
        }


def boundary(model: Model, grid: Grid, *, epoch: int = 0, val_accuracy: float | None = None) -> BoundarySnapshot:
    """The model's class probabilities at every grid point."""
    proba = np.asarray(model.predict_proba(grid.points), dtype=np.float64)
    return BoundarySnapshot(epoch, grid, proba.reshape(len(grid.ys), len(grid.xs), -1), val_accuracy)


@dataclass
class BoundaryRecorder:
    """An epoch callback that snapshots the boundary every ``every`` epochs and passes the log on."""

    grid: Grid
    on_snapshot: Callable[[BoundarySnapshot], None] | None = None
    inner: Callback | None = None  # the page's own progress callback, still called (and still able to stop)
    every: int = 1
    min_interval_s: float = 0.0  # skip snapshots closer together than this (keeps fast runs fast)
    keep_last: int | None = None  # keep only this many snapshots (a live view needs 1); None = all
    snapshots: list[BoundarySnapshot] = field(default_factory=list)
    model: Model | None = None
    _last: float = -1e9

    def attach(self, model: Model) -> BoundaryRecorder:
        self.model = model
        return self

    def __call__(self, log: EpochLog) -> bool:
        final = log.epoch == log.epochs
        due = log.epoch % self.every == 0 and time.perf_counter() - self._last >= self.min_interval_s
        if self.model is not None and (due or final):
            snap = boundary(self.model, self.grid, epoch=log.epoch, val_accuracy=log.val_accuracy)
            snap = BoundarySnapshot(snap.epoch, snap.grid, snap.proba, snap.val_accuracy, log.elapsed_s)
            self.snapshots.append(snap)
            if self.keep_last is not None:
                del self.snapshots[: -self.keep_last]
            self._last = time.perf_counter()
            if self.on_snapshot is not None:
                self.on_snapshot(snap)
        return notify(self.inner, log)


def train_with_boundary(
    data_cfg: DataConfig,
    model_cfg: ModelConfig,
    *,
    on_snapshot: Callable[[BoundarySnapshot], None] | None = None,
    inner: Callback | None = None,
    resolution: int = 60,
    every: int = 1,
):
    """Fit ``model_cfg`` on 2-D data, snapshotting its boundary each ``every`` epochs; (Fitted, snapshots)."""
    from core.data.prepare import prepare
    from core.explain import Fitted
    from core.training.trainer import fit_model

    data = prepare(data_cfg)
    grid = Grid.around(np.vstack([data.X_train, data.X_val]), resolution=resolution)
    recorder = BoundaryRecorder(grid, on_snapshot=on_snapshot, inner=inner, every=every)
    model = fit_model(data, model_cfg, callback=recorder)  # attaches the recorder to the model first
    return Fitted(model, data, data_cfg, model_cfg), recorder.snapshots


__all__ = ["BoundaryRecorder", "BoundarySnapshot", "Grid", "boundary", "train_with_boundary"]
