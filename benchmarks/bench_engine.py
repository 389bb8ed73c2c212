"""Engine benchmark: Keras on JAX vs TensorFlow, the article's 98.5 % found honestly, the NumPy net against the
CPU's fp32 peak, and how training cost grows with rows, width and trial count.

    TRADEOFF_LAB_DATA=/work/shared/data .venv/bin/python benchmarks/bench_engine.py [--quick]
        [--sections peak,numpy,epochs,seed,article,scaling,sweep] [--budget-s 900] [--ray]

Every Keras figure is measured in a worker process of its engine (core.training.worker: one process per engine,
warmed before anything is timed), one run at a time, so both engines are timed the same way in the same run.
Sections (targets in brackets; every target is a ratio measured within this one run):
- peak     fp32 peak = physical cores × clock × SIMD lanes × FMA units × 2, from /proc/cpuinfo, printed.
- numpy    NumPy network steady epoch, MNIST, as GFLOP/s and share of that peak [≥ 50 %].
- epochs   steady epoch of the seed model (784-128-10) at batch 32 and 128, TF ÷ JAX [≥ 3×].
- seed     the whole seed-article preset end to end, TF ÷ JAX [≥ 4×]; same accuracy.
- article  the fastest configuration reaching ≥ 98.5 % test accuracy (worst of 3 seeds), chosen on
           validation only (worst of 3 seeds ≥ 98.6 % val) among CANDIDATES (cheapest first) within --budget-s
           (what the budget did not reach is listed); its fit time ÷ the seed preset's [≤ 0.20]; and the best
           test accuracy within the seed preset's own time [moonshot ≥ 99.2 %].
- scaling  seconds per epoch vs rows (1k → 60k) and vs hidden units (16 → 1,024) per engine; fitted exponent.
- sweep    sweep wall time vs trial count (8 → 64): serial vs a local process pool (and Ray with --ray).
Writes benchmarks/results/engine.json (Home shows the engine comparison from it).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from common import Row, print_table

from core import DataConfig, ModelConfig, train
from core.config import Backend, Scaling
from core.config import replace as replace_plain
from core.data.prepare import prepare
from core.presets import get_preset
from core.training.perf import fp32_peak
from core.training.worker import EnginePools

RESULTS = Path(__file__).resolve().parent / "results" / "engine.json"
MNIST = DataConfig(dataset="mnist", scaling=Scaling.MINMAX, val_fraction=0.1)
SEED = get_preset("seed-article")
VAL_BAR = 0.986  # chosen on validation: worst of 3 seeds ≥ this (6,000 val rows: ±0.15 pt standard error)
TEST_BAR = 0.985  # the article's number, worst of 3 seeds on test, read only for the chosen configuration
SEARCH_SEEDS = (10, 11, 12)  # not the seeds (0-2) of the exploration that drew up the candidates below
# Candidates for the article's number, cheapest first, each on the engine measured faster for its family (CNNs on
# TensorFlow). Drawn up from quick experiments on seeds 0-2 (validation only), 2026-11-28 19:30-20:00 UTC at load
# 5-10 (other engineers' test suites): a cosine decay buys a 2-epoch CNN 0.4-0.5 pt over a constant rate; batch 128
# beats 256 at 2 epochs (worst val 98.68 % against ≈ 98.5 %) at ≈ 15 % more CPU an epoch; a stride-2 first
# convolution (``first_stride``, no pooling after it) costs ≈ 20 % less CPU than conv + pool and lost nothing
# (worst val 98.73 %); batch normalisation (``batch_norm``) doubled the CNN's CPU time an epoch on TensorFlow here
# and read lower at 1-2 epochs (97.4-97.9 % val), so no candidate uses it; XLA (jit_compile) made the fit 4.6×
# slower. One epoch of any of them read ≤ 98.53 % worst val. Fit times below, median of seeds 0-2 at load 7-10,
# noisy (the quiet figures are the benchmark's): stride-2 batch 256 12.2 s, stride-2 batch 128 19.0 s (16-19 s),
# plain batch 128 11.8-19.3 s, plain batch 256 3 epochs 12.7 s quiet (last session's winner).
# This session (2026-11-28 22:25-22:45 UTC, load 4-10, seeds 0-2, validation only): TensorFlow pays a fixed cost per
# training step here (≈ 4-5 ms: some 150 small graph ops, the optimizer's among them; running 32 steps per call with
# ``steps_per_execution`` saved ≤ 10 %), so batch 256 fits an epoch in ≈ 70 % of batch 128's time. What it lost in
# accuracy, a linear warm-up (``warmup``) at a higher rate brings back: batch 256, lr 0.016 and 10 % warm-up read worst
# val 98.72 % (98.57 % without the warm-up, 98.55 % at lr 0.01, 98.63 % at lr 0.02); batch 384 and 512 fell to
# 98.37 % and 98.25 %; one epoch at batch 96-128 with a warm-up to 98.15-98.20 %. The earlier candidates that never
# won (stride-1 convolutions, batch 256 without the warm-up, 3 epochs) are dropped: each spent 3 runs of the budget.
# The first benchmark run with the batch-256 warm-up candidate (23:00 UTC, load 5-10) read it at worst val 98.55 % on
# seeds 10-12, under the bar. Explored after that, seeds 0-2 again: a 256-unit head at batch 256 98.65 % worst (mean
# 98.79 %), batch 192 with a warm-up at lr 0.012 98.68 % (mean 98.74 %), 10/20 filters at batch 256 98.75 % but at
# batch 128's CPU time (not cheaper: not a candidate). Both cheaper ones were added below; the bar stays.
_CNN = dict(kind="keras_cnn", backend="tensorflow", conv_blocks=2, hidden_units=(128,), lr_schedule="cosine")
_STRIDED = dict(**_CNN, filters=8, first_stride=2, epochs=2)
CANDIDATES: list[dict] = [
    dict(**_STRIDED, batch_size=256, learning_rate=1.6e-2, warmup=0.1),
    dict(**{**_STRIDED, "hidden_units": (256,)}, batch_size=256, learning_rate=1.6e-2, warmup=0.1),
    dict(**_STRIDED, batch_size=192, learning_rate=1.2e-2, warmup=0.1),
    dict(**_STRIDED, batch_size=128, learning_rate=8e-3),  # the last winner
]
# the moonshot (≥ 99.2 % within the seed preset's own time), chosen on validation among MOONSHOT (one seed each, the
# first search seed) and every search run that fitted within that time. Last session (seed 0 validation, load 11-13):
# 16/32 filters with 5×5 kernels, a stride-2 first conv, dropout 0.3 on the head, 4 cosine epochs 99.18 % — 99.12 %
# test on seed 10 in 38.8 s, just inside the seed's 40-50 s. This session (seeds 0-1, validation, load 4-12, CPU
# seconds of the whole run as the measure of cost: wall times moved 2× with the load), the random shift
# (``augment_shift``, ±2 px) adds ≈ 0.1 pt for ≈ 5 % more CPU: that CNN with it 99.27 % (60 CPU s); at 3 epochs
# 99.23 % / 99.27 % (46-50 CPU s); 12/24 filters at batch 256 with a 10 % warm-up, 5 epochs 99.30 % (54 CPU s; 4
# epochs 99.08 %); 3×3 kernels read lower (16/32, batch 256: 99.20 % / 99.08 % at 5 epochs, 99.22 % at 6). Batch
# normalisation: too slow here (see above). Cheapest first; one that fits slower than the seed preset in the
# benchmark's run does not count.
_SHIFTED = dict(**_CNN, first_stride=2, kernel_size=5, dropout=0.3, augment_shift=2)
MOONSHOT: list[dict] = [
    dict(**_SHIFTED, filters=16, batch_size=128, epochs=3, learning_rate=4e-3),
    dict(**_SHIFTED, filters=12, batch_size=256, epochs=5, learning_rate=8e-3, warmup=0.1),
    dict(**_SHIFTED, filters=16, batch_size=128, epochs=4, learning_rate=4e-3),
]


# --- NumPy against the peak and against BLAS ------------------------------------------------------------------
# the seed model's shape, and a compute-bound one (Adam's 12 in-place passes over 1.9 M parameters per step are
# single-threaded: a larger batch spreads them over more GEMM work)
NUMPY_SHAPES = [((128,), 128), ((1024, 1024), 512), ((1024, 1024), 2048)]


def mlp_flops_per_row(n_in: int, hidden: tuple[int, ...], n_out: int) -> int:
    """Forward 2·MACs, backward 4·MACs (weight and input gradients), less the input gradient of layer 1."""
    sizes = [n_in, *hidden, n_out]
    macs = sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
    return 6 * macs - 2 * n_in * sizes[1]


def blas_roofline(n_in: int, hidden: tuple[int, ...], n_out: int, batch: int, steps: int = 20) -> float:
    """GFLOP/s of a plain float32 ``np.matmul`` (``out=``) doing exactly one training step's GEMMs, ``steps``
    times: forward X·W, backward Aᵀ·Δ and Δ·Wᵀ (none for the input). What BLAS itself reaches on these shapes."""
    rng = np.random.default_rng(0)
    sizes = [n_in, *hidden, n_out]
    f32 = np.float32
    acts = [rng.random((batch, s), dtype=f32) for s in sizes]
    weights = [rng.random((a, b), dtype=f32) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    grads = [np.empty_like(w) for w in weights]
    backs = [np.empty((batch, s), dtype=f32) for s in sizes]

    def step() -> None:
        for i, w in enumerate(weights):
            np.matmul(acts[i], w, out=acts[i + 1])
        for i in range(len(weights) - 1, -1, -1):
            np.matmul(acts[i].T, acts[i + 1], out=grads[i])
            if i > 0:
                np.matmul(acts[i + 1], weights[i].T, out=backs[i])

    step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    seconds = time.perf_counter() - t0
    return mlp_flops_per_row(n_in, hidden, n_out) * batch * steps / seconds / 1e9


def numpy_share(rows: list[Row], out: dict, quick: bool) -> None:
    data = prepare(MNIST)
    peak = fp32_peak()
    rows.append(Row("fp32 peak", peak.derivation))
    out["peak_gflops"], out["peak_derivation"] = peak.gflops, peak.derivation
    for hidden, batch in NUMPY_SHAPES:
        cfg = ModelConfig(kind="numpy_mlp", hidden_units=hidden, batch_size=batch, epochs=2 if quick else 3)
        blas_before = blas_roofline(data.n_features, hidden, 10, batch)
        result = train(MNIST, cfg, prepared=data)
        blas = statistics.mean([blas_before, blas_roofline(data.n_features, hidden, 10, batch)])
        epoch_s = result.cost.epoch_s_median
        gflops = mlp_flops_per_row(data.n_features, hidden, 10) * len(data.y_train) / epoch_s / 1e9
        compute_bound = len(hidden) > 1
        rows.append(
            Row(
                f"numpy_mlp {'-'.join(map(str, (784, *hidden, 10)))}, batch {batch}, Adam: steady epoch "
                "(beside it: plain np.matmul on the same step's GEMMs, measured just before and after)",
                f"{epoch_s:.2f} s = {gflops:.1f} GFLOP/s = {gflops / peak.gflops:.1%} of peak; "
                f"BLAS alone {blas:.1f} GFLOP/s = {blas / peak.gflops:.1%} of peak (network = {gflops / blas:.0%} "
                "of BLAS)",
                "≥ 50 % of peak" if compute_bound else "",
                gflops / peak.gflops >= 0.5 if compute_bound else None,
            )
        )
        out.setdefault("numpy", []).append(
            {"hidden": hidden, "batch": batch, "epoch_s": epoch_s, "gflops": gflops, "blas_gflops": blas}
        )


# --- engines -------------------------------------------------------------------------------------------------
def run(pools: EnginePools, cfg: ModelConfig, data: DataConfig = MNIST):
    """Train in the worker of ``cfg``'s engine; returns the RunResult and the wall seconds of the request."""
    pool = pools.pool_for(cfg)
    while not pool.ready:  # the engine's import and warm-up are never inside a timed run
        time.sleep(0.1)
    t0 = time.perf_counter()
    result = pool.run(data, cfg)
    return result, time.perf_counter() - t0


def engine_epochs(pools: EnginePools, rows: list[Row], out: dict, quick: bool) -> None:
    for batch in (32, 128):
        epoch_s = {}
        for backend in Backend:
            cfg = replace_plain(SEED.model, backend=backend, batch_size=batch, epochs=2 if quick else 3)
            result, _ = run(pools, cfg)
            epoch_s[backend] = result.cost.epoch_s_median
        ratio = epoch_s[Backend.TENSORFLOW] / epoch_s[Backend.JAX]
        rows.append(
            Row(
                f"seed model steady epoch, batch {batch}: TensorFlow ÷ JAX",
                f"{epoch_s[Backend.TENSORFLOW]:.2f} s ÷ {epoch_s[Backend.JAX]:.2f} s = {ratio:.1f}×",
                "≥ 3×",
                ratio >= 3,
            )
        )
        out.setdefault("epochs", {})[str(batch)] = {b.value: s for b, s in epoch_s.items()}


def seed_end_to_end(pools: EnginePools, rows: list[Row], out: dict) -> float:
    """The seed preset as the article ran it (TensorFlow) and on JAX; returns the TensorFlow training time.

    Each engine's worker has MNIST prepared beforehand (a 1-epoch, 4-unit run on the same split), so the wall
    time is the run itself on both: build, fit, score, latency, throughput, size, the result sent back."""
    for backend in Backend:
        run(pools, replace_plain(SEED.model, backend=backend, hidden_units=(4,), epochs=1, batch_size=4096))
    results = {}
    for backend in Backend:
        result, wall = run(pools, replace_plain(SEED.model, backend=backend))
        results[backend] = (result, wall)
    tf, jx = results[Backend.TENSORFLOW][0], results[Backend.JAX][0]
    ratio = results[Backend.TENSORFLOW][1] / results[Backend.JAX][1]
    rows.append(
        Row(
            "seed-article preset end to end (train, score, measure): TensorFlow ÷ JAX",
            f"{results[Backend.TENSORFLOW][1]:.1f} s ÷ {results[Backend.JAX][1]:.1f} s = {ratio:.1f}× "
            f"(test {tf.test.accuracy:.2%} vs {jx.test.accuracy:.2%}; fit {tf.cost.train_time_s:.1f} s vs "
            f"{jx.cost.train_time_s:.1f} s = {tf.cost.train_time_s / jx.cost.train_time_s:.1f}×, first epoch "
            f"{tf.cost.first_epoch_s:.1f} s vs {jx.cost.first_epoch_s:.1f} s; validation and scoring "
            f"{tf.cost.eval_time_s:.1f} s vs {jx.cost.eval_time_s:.1f} s; latency calls {tf.cost.latency_calls} vs "
            f"{jx.cost.latency_calls})",
            "≥ 4×",
            ratio >= 4,
        )
    )
    out["seed"] = {
        b.value: {
            "wall_s": w,
            "train_time_s": r.cost.train_time_s,
            "first_epoch_s": r.cost.first_epoch_s,
            "eval_time_s": r.cost.eval_time_s,
            "total_time_s": r.cost.total_time_s,
            "latency_ms_p50": r.cost.latency_ms_p50,
            "epoch_s_median": r.cost.epoch_s_median,
            "test_accuracy": r.test.accuracy,
            "val_accuracy": r.validation.accuracy,
        }
        for b, (r, w) in results.items()
    }
    return tf.cost.train_time_s


# --- the article's number ------------------------------------------------------------------------------------
def article(pools: EnginePools, rows: list[Row], out: dict, seed_time_s: float, budget_s: float) -> None:
    """Every candidate × 3 seeds, cheapest first, until ``budget_s`` is spent (a candidate is not started once it
    is, nor a candidate's next seed); the fastest whose worst validation accuracy clears VAL_BAR is chosen, and
    only then is its test accuracy read."""
    started = time.perf_counter()
    tried, unreached = [], []
    for spec in CANDIDATES:
        runs = []
        for seed in SEARCH_SEEDS:
            if time.perf_counter() - started > budget_s:
                break
            runs.append(run(pools, ModelConfig(**spec, seed=seed))[0])
        if len(runs) == len(SEARCH_SEEDS):
            tried.append((spec, runs))
        else:
            unreached.append(f"{_describe(spec)} ({len(runs)} of {len(SEARCH_SEEDS)} seeds run)")
    spent = time.perf_counter() - started
    passing = [(s, r) for s, r in tried if min(x.validation.accuracy for x in r) >= VAL_BAR]
    median_time = {id(r): statistics.median(x.cost.train_time_s for x in r) for _, r in tried}
    listing = "; ".join(
        f"{_describe(s)}: val worst {min(x.validation.accuracy for x in r):.2%}, fit {median_time[id(r)]:.1f} s"
        for s, r in tried
    )
    rows.append(
        Row(
            "search (cheapest first, seeds 10-12, chosen on validation: worst of 3 ≥ "
            f"{VAL_BAR:.1%}; budget {budget_s:.0f} s)",
            f"{len(tried)} of {len(CANDIDATES)} candidates in {spent:.0f} s — {listing}"
            + (f"; NOT REACHED within the budget: {'; '.join(unreached)}" if unreached else ""),
        )
    )
    out["article_search"] = {
        "budget_s": budget_s,
        "spent_s": spent,
        "tried": [
            {"config": s, "val_worst": min(x.validation.accuracy for x in r), "train_time_s_median": median_time[id(r)]}
            for s, r in tried
        ],
        "not_reached": unreached,
    }
    if passing:
        spec, runs = min(passing, key=lambda p: median_time[id(p[1])])
        tests = [x.test.accuracy for x in runs]  # read only now, for the one chosen configuration
        ratio = median_time[id(runs)] / seed_time_s
        rows.append(
            Row(
                f"fastest ≥ 98.5 %: {_describe(spec)}",
                f"test worst of 3 {min(tests):.2%} (median {statistics.median(tests):.2%}); fit median "
                f"{median_time[id(runs)]:.1f} s ÷ seed preset's {seed_time_s:.1f} s = {ratio:.3f}",
                "≥ 98.5 % and ≤ 0.20",
                min(tests) >= TEST_BAR and ratio <= 0.20,
            )
        )
        out["article"] = {
            "config": spec,
            "seeds": list(SEARCH_SEEDS),
            "worst_test": min(tests),
            "median_test": statistics.median(tests),
            "worst_val": min(x.validation.accuracy for x in runs),
            "train_time_s": median_time[id(runs)],
            "seed_train_time_s": seed_time_s,
            "ratio": ratio,
        }
    else:
        rows.append(Row("fastest ≥ 98.5 %", "no candidate reached the validation bar", "≥ 98.5 %", False))
    # moonshot: the best validation accuracy within the seed preset's own time (every run above, and each MOONSHOT
    # candidate on one seed, while 1.5× the budget lasts); its test accuracy reported
    within = [r for _, rs in tried for r in rs if r.cost.train_time_s <= seed_time_s]
    moon_runs, moon_skipped = [], []
    for spec in MOONSHOT:
        if time.perf_counter() - started > budget_s * 1.5:
            moon_skipped.append(_describe(spec))
            continue
        moon, _ = run(pools, ModelConfig(**spec, seed=SEARCH_SEEDS[0]))
        moon_runs.append((spec, moon))
        if moon.cost.train_time_s <= seed_time_s:
            within.append(moon)
    rows.append(
        Row(
            f"moonshot candidates (seed {SEARCH_SEEDS[0]}; within the seed preset's {seed_time_s:.0f} s to count)",
            "; ".join(
                f"{_describe(s)}: val {r.validation.accuracy:.2%}, fit {r.cost.train_time_s:.1f} s"
                for s, r in moon_runs
            )
            + (f"; NOT RUN (the search spent 1.5× its budget): {'; '.join(moon_skipped)}" if moon_skipped else ""),
        )
    )
    if within:
        best = max(within, key=lambda r: r.validation.accuracy)
        rows.append(
            Row(
                f"best within the seed preset's time ({seed_time_s:.0f} s), chosen on validation: {best.model_repr}",
                f"test {best.test.accuracy:.2%} (val {best.validation.accuracy:.2%}) in {best.cost.train_time_s:.1f} s",
                "moonshot ≥ 99.2 %",
                best.test.accuracy >= 0.992,
            )
        )
        out["moonshot"] = {
            "model": best.model_repr,
            "config": best.model_config.to_dict(),
            "test": best.test.accuracy,
            "val": best.validation.accuracy,
            "train_time_s": best.cost.train_time_s,
        }
    else:
        rows.append(Row("best within the seed preset's time", "no run fitted within it", "moonshot ≥ 99.2 %", False))


def _describe(spec: dict) -> str:
    """``CNN 2×conv3(8) → 128, batch 256, 2 epochs, lr 0.008 cosine, on tensorflow``."""
    head = "-".join(map(str, spec.get("hidden_units", ())))
    if spec["kind"] == "keras_cnn":
        stride = spec.get("first_stride", 1)
        kernel = f"{spec.get('kernel_size', 3)}" + (f"/{stride}" if stride > 1 else "")
        net = f"CNN {spec.get('conv_blocks', 1)}×conv{kernel}({spec.get('filters', 16)}) → {head}"
    else:
        net = f"MLP {head}"
    extra = f", dropout {spec['dropout']}" if spec.get("dropout") else ""
    extra += f", warm-up {spec['warmup']:.0%}" if spec.get("warmup") else ""
    extra += f", shift ±{spec['augment_shift']} px" if spec.get("augment_shift") else ""
    extra += f", batch norm {spec['batch_norm']}" if spec.get("batch_norm", "off") != "off" else ""
    return (
        f"{net}, batch {spec['batch_size']}, {spec['epochs']} epochs, lr {spec.get('learning_rate', 3e-3):g} "
        f"{spec.get('lr_schedule', 'constant')}{extra}, on {spec.get('backend', 'the default engine')}"
    )


# --- scaling -------------------------------------------------------------------------------------------------
ROWS = [1_000, 4_000, 15_000, 60_000]
UNITS = [16, 64, 256, 1024]


def _exponent(xs: list[float], ys: list[float]) -> float:
    return float(np.polyfit(np.log(xs), np.log(ys), 1)[0])


def scaling(pools: EnginePools, rows: list[Row], out: dict, quick: bool) -> None:
    engines = [("numpy", dict(kind="numpy_mlp"))] + [(b.value, dict(kind="keras_mlp", backend=b)) for b in Backend]
    base = dict(hidden_units=(128,), batch_size=128, epochs=2 if quick else 3)
    table = out.setdefault("scaling", {})
    for name, family in engines:
        by_rows = []
        for n in ROWS:
            cfg = ModelConfig(**{**base, **family})
            result, _ = run(pools, cfg, replace_plain(MNIST, n_rows=n))
            by_rows.append(result.cost.epoch_s_median)
        by_units = []
        for units in UNITS:
            result, _ = run(pools, ModelConfig(**{**base, **family, "hidden_units": (units,)}))
            by_units.append(result.cost.epoch_s_median)
        table[name] = {"rows": dict(zip(ROWS, by_rows, strict=True)), "units": dict(zip(UNITS, by_units, strict=True))}
        rows.append(
            Row(
                f"{name}: s/epoch vs rows used {' / '.join(f'{n:,}' for n in ROWS)} (batch 128, 128 units)",
                " / ".join(f"{s:.3f}" for s in by_rows) + f"; exponent {_exponent(ROWS, by_rows):.2f}",
            )
        )
        rows.append(
            Row(
                f"{name}: s/epoch vs hidden units {' / '.join(map(str, UNITS))} (60k rows)",
                " / ".join(f"{s:.3f}" for s in by_units) + f"; exponent {_exponent(UNITS, by_units):.2f}",
            )
        )


def sweep_scaling(rows: list[Row], out: dict, with_ray: bool) -> None:
    from core.explore.executors import run_sweep
    from core.explore.sweeps import SweepSpec

    counts = [8, 16, 32, 64]
    executors = ["serial", "local"] + (["ray"] if with_ray else [])
    walls: dict[str, list[float]] = {e: [] for e in executors}
    base = ModelConfig(hidden_units=(32,), epochs=3)
    for executor in executors:
        run_sweep(SweepSpec(DataConfig(), base, {"batch_size": [32, 33]}), executor=executor)  # workers start
        for n in counts:
            spec = SweepSpec(DataConfig(), base, {"batch_size": list(range(32, 32 + n))})  # n distinct trials
            t0 = time.perf_counter()
            trials = run_sweep(spec, executor=executor)
            walls[executor].append(time.perf_counter() - t0)
            assert len(trials) == n
        rows.append(
            Row(
                f"sweep wall time, {executor}: {' / '.join(map(str, counts))} trials (digits, numpy_mlp)",
                " / ".join(f"{w:.1f} s" for w in walls[executor])
                + f"; exponent {_exponent(counts, walls[executor]):.2f}",
            )
        )
    out["sweep"] = {"counts": counts, **walls}


class LiveRows(list):
    """Rows printed as soon as each is measured (a long run on a busy machine still leaves its figures)."""

    def append(self, row: Row) -> None:
        super().append(row)
        print(f"| {row.what} | {row.measured} | {row.target} | {row.verdict} |", flush=True)


def save(out: dict) -> None:
    """Merge this run's figures into benchmarks/results/engine.json (after every section)."""
    RESULTS.parent.mkdir(exist_ok=True)
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    RESULTS.write_text(json.dumps({**previous, **out, "measured_at": stamp}, indent=1, default=str))


def _load(rows: list[Row], out: dict, section: str) -> None:
    """The load average as a section ends: the machine is shared, so every figure says what it was taken under."""
    load = os.getloadavg()[0]
    rows.append(Row(f"load average (1 min) after {section}", f"{load:.1f} on {os.cpu_count()} CPUs"))
    out.setdefault("load_after", {})[section] = load


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs per measurement")
    parser.add_argument("--sections", default="peak,numpy,epochs,seed,article,scaling,sweep")
    parser.add_argument("--budget-s", type=float, default=900.0, help="wall-clock budget of the article search")
    parser.add_argument("--ray", action="store_true", help="also time sweeps on a local Ray cluster")
    args = parser.parse_args()
    sections = set(args.sections.split(","))
    rows: list[Row] = LiveRows()
    out: dict = {"load_average": os.getloadavg()[0]}
    pools = EnginePools(keras_max_size=1, light_max_size=1)
    try:
        for backend in Backend:  # both engines load now, away from every timed run
            pools.pool(backend)
        if "peak" in sections and "numpy" not in sections:
            rows.append(Row("fp32 peak", fp32_peak().derivation))
        seed_time_s = None
        if "seed" in sections or "article" in sections:  # the headline figures first
            seed_time_s = seed_end_to_end(pools, rows, out)
            _load(rows, out, "seed_end_to_end")
            save(out)
        if "epochs" in sections:
            engine_epochs(pools, rows, out, args.quick)
            _load(rows, out, "engine_epochs")
            save(out)
        if "article" in sections:
            article(pools, rows, out, seed_time_s, args.budget_s)
            _load(rows, out, "article")
            save(out)
        if "numpy" in sections:
            numpy_share(rows, out, args.quick)
            _load(rows, out, "numpy_share")
            save(out)
        if "sweep" in sections:
            sweep_scaling(rows, out, args.ray)
            _load(rows, out, "sweep_scaling")
            save(out)
        if "scaling" in sections:
            scaling(pools, rows, out, args.quick)
            _load(rows, out, "scaling")
            save(out)
    finally:
        pools.close()
    rows.append(Row("load average (1 min) at the start", f"{out['load_average']:.1f} on {os.cpu_count()} CPUs"))
    RESULTS.parent.mkdir(exist_ok=True)
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    RESULTS.write_text(
        json.dumps(
            {**previous, **out, "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())},
            indent=1,
            default=str,
        )
    )
    return print_table("Engine benchmark: JAX vs TensorFlow, the article's number, the machine's peak, scaling", rows)


if __name__ == "__main__":
    raise SystemExit(main())
