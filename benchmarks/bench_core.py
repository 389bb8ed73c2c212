"""Core benchmark: the article's MNIST model, a faster model that beats it, core's overhead, throughput, and how
close the pre-training estimate comes.

    TRADEOFF_LAB_DATA=../shared/data .venv/bin/python benchmarks/bench_core.py [--quick] [--only estimate]

Prints a markdown table (pasted into the README) and exits non-zero when a target is missed:
1. seed-article preset (the article claims 98.5 %) vs the fastest configuration reaching ≥ 98.0 %. The
   candidates below are trained once (seed 0) and the fastest whose **validation** accuracy is ≥ 98.0 % is
   chosen; the test set is not looked at to choose. The chosen one then runs with three other seeds (model
   and data split), and the worst and median **test** accuracy are reported; target: worst ≥ 98.0 % and a
   median training time ≤ 1/5 of the preset's, measured in the same run.
2. core.train vs a plain Keras script of the same configuration, interleaved, median of 5 paired ratios; target ≤ 1.03
   on training time (both fitting only: the script fits without validation data, as core's training time
   leaves its per-epoch validation out). The end-to-end ratio (core also scores validation each epoch,
   measures latency, size, metrics) is reported too.
3. Steady-epoch throughput of numpy_mlp and keras_mlp, 784-128-10 at batch 128, in GFLOP/s
   (6 × parameters × samples ÷ seconds) and as a share of this CPU's fp32 peak.
4. The training-time estimate (what the Train page shows before a run, from the calibration probe alone)
   against the measured training time, over 16 configurations of every family (Keras on both engines) on
   digits and breast_cancer, each trained as the app trains it, in a warm worker process of its engine
   (< 3 min; ``--only estimate`` runs just this, no MNIST needed); target: within 1.5× for ≥ 80 % of them.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from common import Row, median, print_table

from core import DataConfig, ModelConfig, train
from core.config import ModelKind, Scaling, replace_plain
from core.data.prepare import prepare
from core.presets import get_preset
from core.training.perf import fp32_peak

# Candidates for "fastest ≥ 98 %", cheapest first; chosen on validation accuracy only (see the docstring).
FAST_CANDIDATES = (
    dict(kind="keras_cnn", conv_blocks=1, filters=8, hidden_units=(64,), batch_size=256, epochs=2, learning_rate=4e-3),
    dict(kind="keras_cnn", conv_blocks=2, filters=8, hidden_units=(128,), batch_size=256, epochs=2, learning_rate=4e-3),
    dict(
        kind="keras_cnn", conv_blocks=2, filters=16, hidden_units=(128,), batch_size=128, epochs=3, learning_rate=2e-3
    ),
)
FAST_SEEDS = (1, 2, 3)  # the chosen configuration's confirmation runs: other seeds than the one it was chosen on
OVERHEAD_MODEL = dict(kind="keras_mlp", hidden_units=(128,), batch_size=128, epochs=5)
THROUGHPUT_MODEL = dict(hidden_units=(128,), batch_size=128, epochs=4)
TARGET = 0.98


def article_vs_fast(rows: list[Row], quick: bool) -> None:
    preset = get_preset("seed-article")
    model = replace_plain(preset.model, epochs=2) if quick else preset.model
    data = prepare(preset.data)
    article = train(preset.data, model, prepared=data)
    a = article.cost.train_time_s
    tried = []
    for spec in FAST_CANDIDATES[:1] if quick else FAST_CANDIDATES:  # choose on validation, seed 0
        result = train(preset.data, replace_plain(preset.model, **spec), prepared=data)
        tried.append((result.cost.train_time_s, result.validation.accuracy, spec, result.model_repr))
    passing = sorted((t for t in tried if quick or t[1] >= TARGET), key=lambda t: t[0])
    rows.append(
        Row(
            f"seed-article ({article.model_repr}, {model.epochs} epochs, batch 32): test accuracy",
            f"{article.test.accuracy:.2%} (article claims 98.5 %)",
        )
    )
    rows.append(
        Row(
            "seed-article: training time (fitting only)",
            f"{a:.1f} s (first epoch {article.cost.first_epoch_s:.1f} s, steady {article.cost.epoch_s_median:.1f} s)",
        )
    )
    rows.append(
        Row(
            "fastest ≥ 98 %: candidates (training time, validation accuracy; seed 0)",
            "; ".join(
                f"{name} b{spec['batch_size']} e{spec['epochs']}: {t:.1f} s, {acc:.2%}" for t, acc, spec, name in tried
            ),
        )
    )
    if not passing:
        rows.append(Row("fastest ≥ 98 %: a candidate reaching 98 % on validation", "none", "one", False))
        return
    _, _, spec, name = passing[0]
    runs = []
    for seed in FAST_SEEDS[:1] if quick else FAST_SEEDS:
        data_cfg = replace_plain(preset.data, seed=seed)
        runs.append(train(data_cfg, replace_plain(preset.model, **spec, seed=seed)))
    f = median([r.cost.train_time_s for r in runs])
    tests = sorted(r.test.accuracy for r in runs)
    rows.append(
        Row(
            f"fastest ≥ 98 % on validation: {name}, batch {spec['batch_size']}, {spec['epochs']} epochs, "
            f"lr {spec['learning_rate']}: test accuracy over seeds {', '.join(map(str, FAST_SEEDS[: len(runs)]))}, "
            "worst (median)",
            f"{tests[0]:.2%} ({median(tests):.2%})",
            "≥ 98.0 %",
            tests[0] >= TARGET,
        )
    )
    rows.append(
        Row(
            f"fastest ≥ 98 %: median training time of {len(runs)} ÷ seed-article's",
            f"{f:.1f} s ÷ {a:.1f} s = {f / a:.3f}",
            "≤ 0.200",
            f / a <= 0.2,
        )
    )


def plain_keras_script(data, cfg: ModelConfig) -> tuple[float, float]:
    """The article's script, by hand: build, compile, fit, evaluate. Returns (fit seconds, total seconds)."""
    import keras

    started = time.perf_counter()
    keras.utils.set_random_seed(cfg.seed)
    model = keras.Sequential(
        [
            keras.Input((data.n_features,)),
            keras.layers.Dense(cfg.hidden_units[0], "relu"),
            keras.layers.Dense(data.n_classes, "softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(cfg.learning_rate), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    t0 = time.perf_counter()
    model.fit(
        data.X_train,
        data.y_train,
        batch_size=cfg.batch_size,
        epochs=cfg.epochs,
        verbose=0,  # no validation_data: core's training time is fitting only, its validation timed apart
    )
    fit_s = time.perf_counter() - t0
    model.evaluate(data.X_test, data.y_test, verbose=0)
    return fit_s, time.perf_counter() - started


def overhead(rows: list[Row], repeats: int) -> None:
    data_cfg = DataConfig(dataset="mnist", scaling=Scaling.MINMAX, val_fraction=0.1)
    cfg = replace_plain(ModelConfig(), **OVERHEAD_MODEL)
    data = prepare(data_cfg)
    train(data_cfg, replace_plain(cfg, epochs=1), prepared=data)  # warm-up: import, first tracing
    plain_keras_script(data, replace_plain(cfg, epochs=1))
    core_fit, core_total, plain_fit, plain_total = [], [], [], []

    def run_core() -> None:
        t0 = time.perf_counter()
        result = train(data_cfg, cfg, prepared=data)
        core_total.append(time.perf_counter() - t0)
        core_fit.append(result.cost.train_time_s)

    def run_plain() -> None:
        fit_s, total_s = plain_keras_script(data, cfg)
        plain_fit.append(fit_s)
        plain_total.append(total_s)

    for i in range(repeats):  # interleaved, alternating who goes first, so drift and order hit both alike
        for step in (run_core, run_plain) if i % 2 == 0 else (run_plain, run_core):
            step()
    ratio = median([c / p for c, p in zip(core_fit, plain_fit, strict=True)])
    rows.append(
        Row(
            f"core.train ÷ plain Keras, training time (MNIST {OVERHEAD_MODEL['hidden_units'][0]} units, "
            f"batch {cfg.batch_size}, {cfg.epochs} epochs, median of {repeats})",
            f"median {median(core_fit):.2f} s vs {median(plain_fit):.2f} s; median of paired ratios {ratio:.3f}",
            "≤ 1.03",
            ratio <= 1.03,
        )
    )
    rows.append(
        Row(
            "core.train ÷ plain Keras, end to end (core also scores validation each epoch, times latency, size "
            "and all metrics)",
            f"{median(core_total):.2f} s ÷ {median(plain_total):.2f} s = "
            f"{median(core_total) / median(plain_total):.3f}",
        )
    )


def throughput(rows: list[Row]) -> None:
    data_cfg = DataConfig(dataset="mnist", scaling=Scaling.MINMAX, val_fraction=0.1)
    data = prepare(data_cfg)
    peak_info = fp32_peak()
    peak, how = peak_info.gflops, peak_info.derivation
    print(f"fp32 peak: {how}")
    for kind in (ModelKind.NUMPY_MLP, ModelKind.KERAS_MLP):
        result = train(data_cfg, replace_plain(ModelConfig(), kind=kind, **THROUGHPUT_MODEL), prepared=data)
        epoch_s = result.cost.epoch_s_median
        gflops = 6 * result.cost.n_params * len(data.y_train) / epoch_s / 1e9
        rows.append(
            Row(
                f"{kind.value} 784-128-10, batch 128: steady epoch ({len(data.y_train):,} rows)",
                f"{epoch_s:.2f} s = {gflops:.1f} GFLOP/s = {gflops / peak:.1%} of peak",
            )
        )
    rows.append(Row("fp32 peak of this CPU", how))


ESTIMATE_CASES = (
    ("digits", dict(kind="numpy_mlp")),
    ("digits", dict(kind="numpy_mlp", hidden_units=(256, 256), batch_size=32, epochs=5)),
    ("digits", dict(kind="numpy_mlp", hidden_units=(16,), batch_size=8, epochs=5)),
    ("breast_cancer", dict(kind="numpy_mlp", hidden_units=(64,), epochs=30)),
    ("digits", dict(kind="keras_mlp")),
    ("digits", dict(kind="keras_mlp", hidden_units=(256,), batch_size=32, epochs=5, early_stopping_patience=2)),
    ("digits", dict(kind="keras_mlp", backend="tensorflow")),
    ("digits", dict(kind="keras_cnn", epochs=3)),
    ("digits", dict(kind="keras_cnn", epochs=3, backend="jax")),
    ("digits", dict(kind="logistic_regression")),
    ("breast_cancer", dict(kind="logistic_regression")),
    ("digits", dict(kind="random_forest")),
    ("breast_cancer", dict(kind="random_forest", n_trees=200)),
    ("breast_cancer", dict(kind="hist_gradient_boosting")),
    ("digits", dict(kind="hist_gradient_boosting", max_iter=20)),
    ("digits", dict(kind="knn")),
)
ESTIMATE_FLOOR_S = 0.05  # both times count as at least this: below it a person cannot tell, and VM jitter is this size
ESTIMATE_TARGET_RATIO = 1.5
ESTIMATE_REPEATS = 3  # measured: the median of 3 runs, so one pre-empted run does not decide
ESTIMATE_TARGET_SHARE = 0.8


def _within(ratio: float) -> bool:
    return max(ratio, 1 / ratio) <= ESTIMATE_TARGET_RATIO


def _engine_pools():
    """The app's worker pools (core.training.worker.EnginePools), every one started and warm before anything
    is timed, so no engine loads beside a measured run. JAX's compile cache is a fresh folder: each JAX
    configuration's first run compiles its programs (the worker's warm-up compiles the Train page's default
    one), its later runs load them, as in the app from the second run of a shape on."""
    import tempfile

    from core.config import Backend
    from core.models.keras_import import COMPILE_CACHE_ENV, backend_installed
    from core.training.worker import EnginePools

    cache = tempfile.TemporaryDirectory(prefix="bench-jax-cache-")
    os.environ[COMPILE_CACHE_ENV] = cache.name  # the workers inherit it
    pools = EnginePools(keras_max_size=1, light_max_size=1)
    started = [pools.pool(None), *(pools.pool(b) for b in Backend if backend_installed(b))]
    while not all(p.ready for p in started):
        time.sleep(0.2)
    return pools, cache


def estimate_error(rows: list[Row]) -> None:
    """The Train page's estimate against the measured training time, each configuration trained as the app
    trains it: in a warm worker process of its engine (light: NumPy and scikit-learn; Keras on TensorFlow;
    Keras on JAX). The estimate before any run (the probe alone, the target) and, reported beside it, after a
    run of the same family and engine (rescaled by it, as the page does)."""
    from core.explore.estimate import calibrate, describe, estimate_seconds
    from core.models.keras_import import COMPILE_CACHE_ENV

    saved_cache = os.environ.get(COMPILE_CACHE_ENV)
    pools, cache = _engine_pools()
    t0 = time.perf_counter()
    cal = calibrate()
    probe_wall = time.perf_counter() - t0
    ratios, later_ratios, first_ratios, history = [], [], [], []
    try:
        for dataset, spec in ESTIMATE_CASES:
            data_cfg = DataConfig(dataset=dataset)
            model_cfg = replace_plain(ModelConfig(), **spec)
            data = prepare(data_cfg)
            shape = {
                "n_train": len(data.y_train),
                "n_features": data.n_features,
                "n_classes": data.n_classes,
                "image_shape": data.image_shape,
                "cal": cal,
            }
            est = estimate_seconds(model_cfg, **shape)
            later = estimate_seconds(model_cfg, **shape, history=history)  # = est for a family's first case
            pool = pools.pool_for(model_cfg)
            results = [pool.run(data_cfg, model_cfg) for _ in range(ESTIMATE_REPEATS)]
            history.append(results[-1])
            times = [r.cost.train_time_s for r in results]
            measured = median(times)
            ratio, later_ratio, first_ratio = (
                max(e, ESTIMATE_FLOOR_S) / max(m, ESTIMATE_FLOOR_S)
                for e, m in ((est.seconds, measured), (later.seconds, measured), (est.seconds, times[0]))
            )
            ratios.append(ratio)
            later_ratios.append(later_ratio)
            first_ratios.append(first_ratio)
            engine = results[0].environment.get("backend")
            rows.append(
                Row(
                    f"estimate: {' '.join(results[0].model_repr.split())}{f' on {engine}' if engine else ''}, "
                    f"{dataset}, {results[0].cost.epochs_run} epoch(s)",
                    f"{describe(est)} vs {measured:.3f} s measured (median of {ESTIMATE_REPEATS}; runs "
                    f"{', '.join(f'{t:.3f}' for t in times)} s): ×{ratio:.2f}"
                    + ("" if _within(ratio) else " (outside 1.5×)")
                    + (f"; after a run of the family ×{later_ratio:.2f}" if later.basis != est.basis else ""),
                )
            )
    finally:
        pools.close()
        cache.cleanup()
        if saved_cache is None:
            os.environ.pop(COMPILE_CACHE_ENV, None)
        else:
            os.environ[COMPILE_CACHE_ENV] = saved_cache
    share = sum(map(_within, ratios)) / len(ratios)
    rows.append(
        Row(
            f"estimate within {ESTIMATE_TARGET_RATIO}× of the measured training time, before any run "
            f"({len(ratios)} configurations, each in a worker of its engine, times floored at "
            f"{ESTIMATE_FLOOR_S * 1000:.0f} ms; probe {cal.probe_s:.2f} s, {probe_wall:.2f} s wall)",
            f"{share:.0%}",
            f"≥ {ESTIMATE_TARGET_SHARE:.0%}",
            share >= ESTIMATE_TARGET_SHARE,
        )
    )
    rows.append(
        Row(
            "the same, once a run of the family (and engine) has rescaled the model (the page's estimate from the "
            "2nd run on)",
            f"{sum(map(_within, later_ratios)) / len(later_ratios):.0%}",
        )
    )
    rows.append(
        Row(
            "the same against each configuration's first run alone (a JAX shape new to the compile cache compiles "
            "then; the estimate assumes its programs are cached)",
            f"{sum(map(_within, first_ratios)) / len(first_ratios):.0%}",
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 article epochs, 1 overhead repeat (smoke test)")
    parser.add_argument("--only", choices=["estimate"], help="run one section (estimate: digits only, < 3 min)")
    args = parser.parse_args()
    rows: list[Row] = []
    if args.only == "estimate":
        estimate_error(rows)
        return print_table("Training-time estimate (digits, breast_cancer)", rows)
    if not os.environ.get("TRADEOFF_LAB_DATA"):
        print("Set TRADEOFF_LAB_DATA to the folder holding mnist.npz (here: ../shared/data).")
        return 2
    article_vs_fast(rows, args.quick)
    overhead(rows, 1 if args.quick else 5)
    throughput(rows)
    estimate_error(rows)
    return print_table("Core benchmark (MNIST)", rows)


if __name__ == "__main__":
    raise SystemExit(main())
