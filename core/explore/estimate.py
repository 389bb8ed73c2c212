"""Training-time estimates before a run: per-family cost models, calibrated on this machine, corrected by
what past runs measured.

What is estimated is ``cost.train_time_s``: fitting only (see core.training.trainer). The cost models:

- networks: ``first-epoch extra + epochs × (steps × per-step overhead + rows × work per row ÷ throughput)``;
  work per row is the multiply-adds of a forward pass (dense weights, plus each convolution's MACs over
  its pixels), three times that with the backward pass. Early stopping fits on 90 % of the rows and may end
  sooner, so its estimate is a ceiling (``Estimate.ceiling``).
- scikit-learn: random forest ``trees × (per-tree overhead + n log n × √features)``, gradient boosting
  ``iterations × (per-iteration overhead + rows × features × trees per iteration)``, logistic regression
  ``iterations × (overhead + rows × features × classes)`` with the iterations L-BFGS typically needs here,
  k-NN stores the rows.

Their constants come from :func:`calibrate`, a probe of this machine (well under a second, cached per
process): it times NumPy network steps at two batch sizes (per-step overhead and throughput) and tiny
scikit-learn fits. Keras is never imported here, and gradient boosting is not probed (its OpenMP threads
spin against a busy CPU): their speeds are reference speeds measured once on the project's 2-core machine,
scaled by how this machine's NumPy probe compares. Keras's are per engine (:data:`KERAS_COSTS`): the engine a
config trains on (``keras_import.wanted_backend``, as the app's worker pools choose it) has its own per-step
and per-epoch overhead, first-epoch extra and throughput. After a run of the same family on the same engine,
its measured time rescales the model again.
"""

from __future__ import annotations

import functools
import math
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np

from core.config import Backend, ModelConfig, ModelKind
from core.records.result import RunResult


@dataclass(frozen=True)
class KerasCosts:
    """One Keras engine's costs, relative to the NumPy probe, at the reference machine's speed (its probe's
    per-step overhead ``REFERENCE_STEP_OVERHEAD_S``). A steady epoch costs ``epoch_s + steps × (step_s +
    conv blocks × conv_block_step_s) + rows shifted × shift_row_s + dense MACs ÷ (probe MACs/s × dense_ratio) +
    convolution MACs ÷ (probe MACs/s × conv_ratio)``; the first epoch ``first_epoch_s`` more."""

    step_s: float  # per mini-batch step: dispatch, callbacks (the app's worker polls for a stop every batch)
    epoch_s: float  # per epoch: iterator set-up, epoch-end callbacks
    first_epoch_s: float  # the first epoch beyond a steady one, its programs compiled before (see KERAS_COSTS)
    dense_ratio: float  # dense multiply-adds per second ÷ the NumPy probe's
    conv_block_step_s: float  # per convolution block and step: a fixed cost that dominates on small images
    conv_ratio: float  # convolution multiply-adds per second ÷ the NumPy probe's
    shift_row_s: float  # per training row and epoch of a CNN with ``augment_shift``: its random translation


# Measured on the project's 2-core machine (2026-11-28 22:21-22:28 UTC, load average 4-7, the NumPy probe
# reading 0.8-1.7× its reference) in the app's way: one worker process per engine (core.training.worker),
# runs of each configuration in a row on digits (batch 8, 64 and 256; 128 and 256 units; a 1-block CNN) and on
# MNIST subsets (2,550-5,100 rows: the 128-unit MLP at batch 128, CNNs of 1×8 and 2×16 filters), each engine
# with an empty JAX compile cache at the start; fitted to the steady epochs' medians.
# JAX's first_epoch_s is for a model whose programs are in JAX's persistent compile cache (keras_import: kept
# across processes and app restarts; the JAX worker's warm-up fills it for the Train page's default shape):
# 0.08-0.3 s of tracing and loading. A shape never compiled on this machine pays 1-5 s more once (its first run
# here: 0.9 s for the MNIST MLP, 2.5-4.8 s on digits), which this estimate leaves out: it is a one-off, and
# counting it would price every later run of the shape 5-20× too high. TensorFlow keeps no compiled programs
# across models: every run traces its graph in its first epoch (0.45-0.75 s here).
# JAX's compiled step is ≈ 6× lighter than TensorFlow's and its dense arithmetic ≈ 2.5× faster than the probe,
# while its convolutions run ≈ 5× slower than TensorFlow's oneDNN kernels (MNIST 2×16 filters: 2.4-3.0 s an
# epoch of 2,550 rows against 0.56-0.97 s): hence JAX for MLPs, TensorFlow for CNNs (config.DEFAULT_BACKEND).
# TensorFlow's step and epoch overheads are last session's quiet-machine values (they match the faster half of
# these runs: digits at batch 64, 62-66 ms an epoch). The convolution ratios are set against full MNIST as well:
# bench_core's CNN candidates on TensorFlow (21:39 UTC, load 1.6-2.9: 2×8 filters, 2 epochs 9.6 s; 2×16, 3
# epochs 31.1 s) and issue 12's 2×16 CNN on JAX (81.1 s); the CNN estimate lands within 1.0-1.5× of each.
# The random shift (``augment_shift``, 2026-11-29 01:36 UTC, load 1.8-2.9): article-98.5 on 13,500 MNIST rows, 3
# epochs, twice each with and without a ±2 px shift. TensorFlow's steady epochs did not move beyond the noise
# (0.72-1.22 s without, 0.78-0.97 s with); JAX's went from 0.8-1.3 s to 5.9-6.9 s, ≈ 0.39 ms a row: its
# translation (a gather per image) is ≈ 6× the rest of the epoch on this CPU.
KERAS_COSTS: dict[Backend, KerasCosts] = {
    Backend.TENSORFLOW: KerasCosts(
        step_s=1.9e-3,
        epoch_s=0.025,
        first_epoch_s=0.65,
        dense_ratio=1.0,
        conv_block_step_s=2.5e-3,
        conv_ratio=1.5,
        shift_row_s=0.0,
    ),
    Backend.JAX: KerasCosts(
        step_s=3.0e-4,
        epoch_s=2e-3,
        first_epoch_s=0.15,
        dense_ratio=2.5,
        conv_block_step_s=5e-4,
        conv_ratio=0.3,
        shift_row_s=3.9e-4,
    ),
}
REFERENCE_STEP_OVERHEAD_S = 1.0e-4  # the NumPy probe's per-step overhead on the reference machine
LOGISTIC_EXPECTED_ITERS = 30  # L-BFGS iterations assumed (capped by max_iter): digits takes 28, breast_cancer 17
EARLY_STOPPING_FIT_SHARE = 0.9  # early stopping keeps 10 % of the training rows aside
_HISTORY_SCALE_BOUNDS = (0.2, 5.0)  # a last run rescales the model at most this much


@dataclass(frozen=True)
class Calibration:
    """Speeds of this machine, from :func:`calibrate`."""

    step_overhead_s: float  # NumPy network: fixed cost of one mini-batch step
    macs_per_s: float  # NumPy network: forward multiply-adds per second, backward and update included (÷ 3)
    forest_tree_s: float  # random forest: fixed cost per tree
    forest_s_per_unit: float  # random forest: seconds per tree × n log2 n × √features
    boosting_iter_s: float  # gradient boosting: fixed cost per iteration
    boosting_s_per_unit: float  # gradient boosting: seconds per iteration × rows × features × trees per iteration
    logistic_iter_s: float  # logistic regression: fixed cost per L-BFGS iteration
    logistic_s_per_unit: float  # logistic regression: seconds per iteration × rows × features × classes
    knn_s_per_unit: float  # k-NN fit: seconds per stored value
    probe_s: float  # how long the probe took


@dataclass(frozen=True)
class Estimate:
    seconds: float
    epochs: int  # possibly cut to fit a time cap
    capped: bool
    basis: str  # where the speed came from
    ceiling: bool = False  # early stopping / iterative solvers may finish sooner


def _best_time(fn, repeats: int) -> float:
    """Fastest of ``repeats`` timed calls after one warm-up: the machine's speed, not its current load
    (the last run's measured time brings the load in)."""
    fn()
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


@functools.lru_cache(maxsize=1)
def _network_probe() -> tuple[float, float, float]:
    """(per-step overhead s, MACs/s, probe seconds): NumPy network steps at batch 8 and 1,024 (~50 ms)."""
    from core.models.numpy_mlp import NumpyMLP, _Adam

    started = time.perf_counter()
    rng = np.random.default_rng(0)
    n_features, hidden, n_classes = 64, 128, 10
    X = rng.standard_normal((1024, n_features)).astype(np.float32)
    y = rng.integers(0, n_classes, 1024)
    net = NumpyMLP(ModelConfig(hidden_units=(hidden,)))
    net.init_params(n_features, n_classes)
    adam = _Adam(net.params(), 1e-3)

    order = rng.permutation(len(y))

    def step(batch: int):
        idx = order[:batch]

        def run() -> None:  # one step as NumpyMLP.fit takes it: gather the batch, step, count hits
            _, grads, out = net._loss_grads_output(X[idx], y[idx], None)
            adam.apply(net.params(), grads)
            int((out.argmax(axis=1) == y[idx]).sum())

        return run

    small, big = 8, 1024
    warm_until = time.perf_counter() + 0.02  # a cold CPU (clock, caches) reads as a slower machine
    while time.perf_counter() < warm_until:
        step(big)()
    t_small = _best_time(step(small), 40)
    t_big = _best_time(step(big), 12)
    macs = n_features * hidden + hidden * n_classes
    per_row = t_big / big  # at batch 1,024 the step's fixed cost is a rounding error
    overhead = max(t_small - small * per_row, 0.5 * t_small)  # at batch 8 the fixed cost is most of a step
    return overhead, macs / per_row, time.perf_counter() - started


@functools.lru_cache(maxsize=1)
def _baseline_probe() -> tuple[float, ...]:
    """Small scikit-learn fits (~0.1 s on a quiet machine), probed when a scikit-learn estimate is first asked.

    Each family is fitted as the real runs fit it, at two sizes where a fixed cost per tree or per iteration
    has to be told apart from the cost per row.
    """
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier

    started = time.perf_counter()
    rng = np.random.default_rng(0)
    X = rng.standard_normal((800, 16)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1).astype(int)  # 3 classes, learnable like real data
    X_wide = np.hstack([X, rng.standard_normal((800, 48)).astype(np.float32)])
    n, k, trees, lr_iters = len(y), 3, 12, 20  # 12 trees: a fit's own fixed cost is not charged to each tree
    machine = _network_probe()[0] / REFERENCE_STEP_OVERHEAD_S

    def forest(rows: int):
        return lambda: RandomForestClassifier(trees, n_jobs=1, random_state=0).fit(X[:rows], y[:rows])

    def logistic(data: np.ndarray):
        return lambda: LogisticRegression(max_iter=lr_iters, tol=0).fit(data, y)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_forest_small, t_forest = _best_time(forest(100), 1), _best_time(forest(n), 1)
        t_lr_narrow, t_lr_wide = _best_time(logistic(X), 1), _best_time(logistic(X_wide), 1)
        t_knn = _best_time(lambda: KNeighborsClassifier().fit(X_wide, y), 3)

    def units(rows: int) -> float:
        return rows * math.log2(rows) * math.sqrt(16)

    forest_unit = max((t_forest - t_forest_small) / (trees * (units(n) - units(100))), 0.0)
    forest_tree = max(t_forest_small / trees - forest_unit * units(100), 0.0)
    lr_unit = max((t_lr_wide - t_lr_narrow) / (lr_iters * n * 48 * k), 0.0)
    lr_iter = max(t_lr_narrow / lr_iters - lr_unit * n * 16 * k, 0.0)
    return (
        forest_tree,
        forest_unit,
        # gradient boosting is not probed: its OpenMP threads spin for seconds against a busy CPU, which would
        # make the probe anything but short; its reference speeds scale with the NumPy probe instead
        REFERENCE.boosting_iter_s * machine,
        REFERENCE.boosting_s_per_unit * machine,
        lr_iter,
        lr_unit,
        t_knn / (n * 64),
        time.perf_counter() - started,
    )


# Speeds probed on the project's 2-core machine; a probe outside 1/10-10× of these is taken as disturbed
# (a BLAS thread pre-empted mid-probe reads as a 100× slower machine) and clipped to that range.
REFERENCE = Calibration(
    step_overhead_s=1.0e-4,
    macs_per_s=5e9,
    forest_tree_s=1.5e-3,
    forest_s_per_unit=1e-8,
    boosting_iter_s=1.6e-3,  # per tree grown: digits (20 iterations × 10 trees) 0.41 s, breast_cancer (100 × 1) 0.15 s
    boosting_s_per_unit=1e-9,
    logistic_iter_s=3e-4,
    logistic_s_per_unit=5e-9,
    knn_s_per_unit=1e-8,
    probe_s=0.0,
)


def calibrate(*, baselines: bool = True) -> Calibration:
    """This machine's speeds, probed once per process: NumPy steps (~50 ms), then, when asked, small
    scikit-learn fits (~0.1 s)."""
    overhead, macs_per_s, t_net = _network_probe()
    probed = [overhead, macs_per_s]
    spent = t_net
    if baselines:
        *rest, t_base = _baseline_probe()
        probed += rest
        spent += t_base
    reference = [getattr(REFERENCE, f.name) for f in fields(Calibration)][:-1]
    values = [min(max(v, r / 10), r * 10) for v, r in zip(probed, reference, strict=False)]
    values += reference[len(values) :]
    return Calibration(*values, probe_s=spent)


def macs_per_row(cfg: ModelConfig, n_features: int, n_classes: int, image_shape: tuple[int, int] | None = None) -> int:
    """Multiply-adds of one forward pass: dense layers, plus each convolution over its output pixels."""
    return sum(_conv_and_dense_macs(cfg, n_features, n_classes, image_shape))


def _conv_and_dense_macs(
    cfg: ModelConfig, n_features: int, n_classes: int, image_shape: tuple[int, int] | None
) -> tuple[int, int]:
    """(convolution, dense) multiply-adds of one forward pass of one row."""
    outputs = 1 if (n_classes == 2 and cfg.kind == ModelKind.NUMPY_MLP) else n_classes
    conv = 0
    width = n_features
    if cfg.kind == ModelKind.KERAS_CNN:
        side_h, side_w = image_shape or (int(math.isqrt(n_features)),) * 2
        channels = 1
        for block in range(cfg.conv_blocks):
            filters = cfg.filters * 2**block
            stride = cfg.first_stride if block == 0 else 1  # a strided first conv replaces its block's pooling
            side_h, side_w = math.ceil(side_h / stride), math.ceil(side_w / stride)
            conv += side_h * side_w * filters * channels * cfg.kernel_size**2
            shrink = 1 if stride > 1 else 2
            side_h, side_w, channels = math.ceil(side_h / shrink), math.ceil(side_w / shrink), filters
        width = side_h * side_w * channels
    sizes = [width, *cfg.hidden_units, outputs]
    return conv, sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))


def keras_engine(cfg: ModelConfig) -> Backend | None:
    """The engine a Keras config trains on, as the app's worker pools and the CLI choose it (its own
    ``backend``, else ``KERAS_BACKEND``, else the family default); None for other models."""
    if not cfg.kind.uses_keras:
        return None
    from core.models.keras_import import wanted_backend  # imports no engine

    return wanted_backend(cfg)


def _network_epoch_and_start(
    cfg: ModelConfig, n_train: int, n_features: int, n_classes: int, image_shape, cal: Calibration
) -> tuple[float, float]:
    """(seconds per epoch, first-epoch extra seconds) of a network, from the calibration."""
    rows = n_train * (EARLY_STOPPING_FIT_SHARE if cfg.early_stopping_patience and cfg.kind.uses_keras else 1.0)
    steps = math.ceil(rows / cfg.batch_size)
    conv, dense = (rows * m for m in _conv_and_dense_macs(cfg, n_features, n_classes, image_shape))
    if cfg.kind == ModelKind.NUMPY_MLP:
        return steps * cal.step_overhead_s + (conv + dense) / cal.macs_per_s, 0.0
    costs = KERAS_COSTS[keras_engine(cfg) or Backend.TENSORFLOW]
    machine = cal.step_overhead_s / REFERENCE_STEP_OVERHEAD_S  # > 1: a slower machine than the reference
    blocks = cfg.conv_blocks if cfg.kind == ModelKind.KERAS_CNN else 0
    shifted = rows if cfg.kind == ModelKind.KERAS_CNN and cfg.augment_shift else 0
    overhead = costs.epoch_s + steps * (costs.step_s + blocks * costs.conv_block_step_s) + shifted * costs.shift_row_s
    arithmetic = dense / (cal.macs_per_s * costs.dense_ratio) + conv / (cal.macs_per_s * costs.conv_ratio)
    return overhead * machine + arithmetic, costs.first_epoch_s * machine


def _baseline_seconds(cfg: ModelConfig, n_train: int, n_features: int, n_classes: int, cal: Calibration) -> float:
    n, d = max(n_train, 2), n_features
    if cfg.kind == ModelKind.RANDOM_FOREST:
        depth = 1.0 if cfg.max_depth is None else min(1.0, cfg.max_depth / math.log2(n))
        return cfg.n_trees * (cal.forest_tree_s + cal.forest_s_per_unit * n * math.log2(n) * math.sqrt(d) * depth)
    if cfg.kind == ModelKind.HIST_GB:
        per_iteration = 1 if n_classes == 2 else n_classes  # trees grown per iteration
        return cfg.max_iter * per_iteration * (cal.boosting_iter_s + cal.boosting_s_per_unit * n * d)
    if cfg.kind == ModelKind.LOGISTIC:
        iters = min(cfg.max_iter, LOGISTIC_EXPECTED_ITERS)
        return iters * (cal.logistic_iter_s + cal.logistic_s_per_unit * n * d * max(n_classes, 2))
    return cal.knn_s_per_unit * n * d


def model_seconds(
    cfg: ModelConfig,
    *,
    n_train: int,
    n_features: int,
    n_classes: int,
    image_shape: tuple[int, int] | None = None,
    epochs: int | None = None,
    cal: Calibration | None = None,
) -> float:
    """The calibrated cost model's training seconds, before any correction from past runs."""
    cal = cal or calibrate(baselines=not cfg.kind.is_network)
    if not cfg.kind.is_network:
        return _baseline_seconds(cfg, n_train, n_features, n_classes, cal)
    epoch, start = _network_epoch_and_start(cfg, n_train, n_features, n_classes, image_shape, cal)
    return start + epoch * (cfg.epochs if epochs is None else epochs)


def _measured_and_modelled(
    cfg: ModelConfig, run: RunResult, image_shape: tuple[int, int] | None, cal: Calibration
) -> tuple[float, float]:
    """(measured, modelled) seconds of a past run: its steady epochs for a network of several epochs, else
    the whole fit."""
    d = run.dataset
    shape = {"n_train": d["n_train"], "n_features": d["n_features"], "n_classes": d["n_classes"]}
    epochs = run.cost.epochs_run
    if cfg.kind.is_network and epochs > 1:
        epoch, _ = _network_epoch_and_start(cfg, **shape, image_shape=image_shape, cal=cal)
        return run.cost.train_time_s - run.cost.first_epoch_s, epoch * (epochs - 1)
    modelled = model_seconds(cfg, **shape, image_shape=image_shape, epochs=epochs, cal=cal)
    return run.cost.train_time_s, modelled


def estimate_seconds(
    cfg: ModelConfig,
    *,
    n_train: int,
    n_features: int,
    n_classes: int,
    image_shape: tuple[int, int] | None = None,
    history: Sequence[RunResult] = (),
    cap_s: float | None = None,
    cal: Calibration | None = None,
) -> Estimate:
    """Estimated training (fitting) seconds; with ``cap_s``, epochs are cut (to 1 at least) to fit it.

    The model is calibrated on this machine; the last finished run of the same family (and, for Keras, the
    same engine), if any, rescales it by measured ÷ modelled (within 0.2-5×), which takes in this machine's
    current load. A network run of several epochs is compared on its steady epochs: its first may have paid a
    one-off compile (a JAX shape new to the compile cache) that the next run does not.
    """
    cal = cal or calibrate(baselines=not cfg.kind.is_network)
    scale, basis = 1.0, "calibrated on this machine"
    engine = keras_engine(cfg)
    for run in reversed(history):
        if run.model_config.kind != cfg.kind or run.stopped:
            continue
        if engine is not None and run.environment.get("backend") != engine.value:
            continue  # another engine's speed says nothing about this one's
        measured, modelled = _measured_and_modelled(replace(run.model_config, backend=engine), run, image_shape, cal)
        if modelled > 0 and measured > 0:
            low, high = _HISTORY_SCALE_BOUNDS
            scale, basis = min(high, max(low, measured / modelled)), "speed of your last run"
        break
    ceiling = bool(cfg.early_stopping_patience and cfg.kind.uses_keras)
    if not cfg.kind.is_network:
        seconds = scale * model_seconds(cfg, n_train=n_train, n_features=n_features, n_classes=n_classes, cal=cal)
        return Estimate(seconds, 1, False, basis, ceiling)
    epoch, start = _network_epoch_and_start(cfg, n_train, n_features, n_classes, image_shape, cal)
    epoch, start = epoch * scale, start * scale
    epochs = cfg.epochs
    if cap_s is not None and start + epoch * epochs > cap_s:
        epochs = max(1, int((cap_s - start) / epoch))
    return Estimate(start + epoch * epochs, epochs, epochs < cfg.epochs, basis, ceiling)


def describe(estimate: Estimate) -> str:
    """Caption text: "≈ 3.2 s", or "≤ 3.2 s" for a ceiling (early stopping can end sooner)."""
    value = f"{estimate.seconds:.1f} s" if estimate.seconds >= 0.1 else f"{estimate.seconds * 1000:.0f} ms"
    return f"≤ {value}" if estimate.ceiling else f"≈ {value}"


def estimate_for_data(cfg: ModelConfig, data: Any, **options: Any) -> Estimate:
    """``estimate_seconds`` for prepared data (a ``PreparedData``): its sizes, as the page and the CLI pass them."""
    return estimate_seconds(
        cfg,
        n_train=len(data.y_train),
        n_features=data.n_features,
        n_classes=data.n_classes,
        image_shape=data.image_shape,
        **options,
    )
