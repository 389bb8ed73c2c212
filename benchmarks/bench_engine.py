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
           validation only (worst of 3 seeds ≥ 98.6 % val) among CANDIDATES within --budget-s; its time ÷ the
           seed preset's [≤ 0.20]; and the best test accuracy within the seed preset's own time [moonshot ≥ 99.2 %].
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
from core.training.worker import EnginePools

RESULTS = Path(__file__).resolve().parent / "results" / "engine.json"
MNIST = DataConfig(dataset="mnist", scaling=Scaling.MINMAX, val_fraction=0.1)
SEED = get_preset("seed-article")
VAL_BAR = 0.986  # chosen on validation: worst of 3 seeds ≥ this (6,000 val rows: ±0.15 pt standard error)
TEST_BAR = 0.985  # the article's number, worst of 3 seeds on test, read only for the chosen configuration
# Candidates for the article's number, cheapest first (Keras MLPs on JAX, the engine measured faster for MLPs;
# a TensorFlow CNN for the moonshot). Stated here so the search space is part of the result.
CANDIDATES: list[dict] = [
    dict(kind="keras_mlp", backend="jax", hidden_units=(256,), batch_size=128, epochs=8, learning_rate=2e-3),
    dict(kind="keras_mlp", backend="jax", hidden_units=(512,), batch_size=128, epochs=10, learning_rate=1e-3),
    dict(
        kind="keras_mlp", backend="jax", hidden_units=(512,), batch_size=256, epochs=15, dropout=0.2, learning_rate=2e-3
    ),
    dict(kind="keras_mlp", backend="jax", hidden_units=(1024,), batch_size=256, epochs=15, dropout=0.3),
    dict(kind="keras_mlp", backend="jax", hidden_units=(512, 512), batch_size=256, epochs=15, dropout=0.2),
]
MOONSHOT_CNN = dict(
    kind="keras_cnn", backend="tensorflow", conv_blocks=2, filters=32, hidden_units=(128,), batch_size=128, epochs=6
)


# --- peak ----------------------------------------------------------------------------------------------------
def fp32_peak() -> tuple[float, str, float]:
    """(GFLOP/s, derivation, the same for a CPU that runs 512-bit FMAs as two 256-bit halves)."""
    flags, mhz, pairs = "", 0.0, set()
    phys = core = None
    with open("/proc/cpuinfo", encoding="utf-8") as fh:
        for line in fh:
            key, _, value = (part.strip() for part in line.partition(":"))
            if key == "flags" and not flags:
                flags = value
            elif key == "cpu MHz" and not mhz:
                mhz = float(value)
            elif key == "physical id":
                phys = value
            elif key == "core id":
                core = value
                pairs.add((phys, core))
    cores = len(pairs) or os.cpu_count() or 1  # physical cores: distinct (socket, core) pairs
    flag_set = set(flags.split())
    lanes, simd = (16, "avx512f") if "avx512f" in flag_set else (8, "avx2") if "avx2" in flag_set else (4, "sse")
    fma_units = 2 if "fma" in flag_set or lanes == 16 else 1
    peak = cores * mhz / 1000 * lanes * fma_units * 2
    how = (
        f"{cores} physical cores × {mhz / 1000:.2f} GHz × {lanes} fp32 lanes ({simd}) × {fma_units} FMA units × "
        f"2 FLOP/FMA = {peak:.0f} GFLOP/s"
    )
    return peak, how, peak / 2


# --- NumPy ---------------------------------------------------------------------------------------------------
NUMPY_SHAPES = [((128,), 128), ((1024, 1024), 512)]  # the seed model's shape, and a compute-bound one


def mlp_flops_per_row(n_in: int, hidden: tuple[int, ...], n_out: int) -> int:
    """Forward 2·MACs, backward 4·MACs (weight and input gradients), less the input gradient of layer 1."""
    sizes = [n_in, *hidden, n_out]
    macs = sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
    return 6 * macs - 2 * n_in * sizes[1]


def numpy_share(rows: list[Row], out: dict, quick: bool) -> None:
    data = prepare(MNIST)
    peak, how, half = fp32_peak()
    for hidden, batch in NUMPY_SHAPES:
        cfg = ModelConfig(kind="numpy_mlp", hidden_units=hidden, batch_size=batch, epochs=2 if quick else 3)
        result = train(MNIST, cfg, prepared=data)
        epoch_s = result.cost.epoch_s_median
        gflops = mlp_flops_per_row(data.n_features, hidden, 10) * len(data.y_train) / epoch_s / 1e9
        compute_bound = hidden == NUMPY_SHAPES[-1][0]
        rows.append(
            Row(
                f"numpy_mlp {'-'.join(map(str, (784, *hidden, 10)))}, batch {batch}: steady epoch",
                f"{epoch_s:.2f} s = {gflops:.1f} GFLOP/s = {gflops / peak:.1%} of peak "
                f"({gflops / half:.1%} if 512-bit FMAs are double-pumped)",
                "≥ 50 % of peak" if compute_bound else "",
                gflops / peak >= 0.5 if compute_bound else None,
            )
        )
        out.setdefault("numpy", []).append({"hidden": hidden, "batch": batch, "epoch_s": epoch_s, "gflops": gflops})
    rows.append(Row("fp32 peak", how))
    out["peak_gflops"] = peak


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
    """The seed preset as the article ran it (TensorFlow) and on JAX; returns the TensorFlow training time."""
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
            f"{jx.cost.train_time_s:.1f} s)",
            "≥ 4×",
            ratio >= 4,
        )
    )
    out["seed"] = {
        b.value: {
            "wall_s": w,
            "train_time_s": r.cost.train_time_s,
            "epoch_s_median": r.cost.epoch_s_median,
            "test_accuracy": r.test.accuracy,
            "val_accuracy": r.validation.accuracy,
        }
        for b, (r, w) in results.items()
    }
    return tf.cost.train_time_s


# --- the article's number ------------------------------------------------------------------------------------
def article(pools: EnginePools, rows: list[Row], out: dict, seed_time_s: float, budget_s: float) -> None:
    started = time.perf_counter()
    tried = []
    for spec in CANDIDATES:
        if time.perf_counter() - started > budget_s:
            break
        runs = [run(pools, ModelConfig(**spec, seed=s))[0] for s in range(3)]
        tried.append((spec, runs))
    passing = [(s, r) for s, r in tried if min(x.validation.accuracy for x in r) >= VAL_BAR]
    median_time = {id(r): statistics.median(x.cost.train_time_s for x in r) for _, r in tried}
    rows.append(
        Row(
            "search budget",
            f"{len(tried)} of {len(CANDIDATES)} candidates × 3 seeds in {time.perf_counter() - started:.0f} s "
            f"(budget {budget_s:.0f} s); chosen on validation: worst of 3 ≥ {VAL_BAR:.1%}",
        )
    )
    if passing:
        spec, runs = min(passing, key=lambda p: median_time[id(p[1])])
        worst_test = min(x.test.accuracy for x in runs)  # read only now, for the one chosen configuration
        ratio = median_time[id(runs)] / seed_time_s
        rows.append(
            Row(
                f"fastest ≥ 98.5 %: {_describe(spec)}",
                f"test worst of 3 {worst_test:.2%}; fit {median_time[id(runs)]:.1f} s ÷ seed preset's "
                f"{seed_time_s:.1f} s = {ratio:.2f}",
                "≥ 98.5 % and ≤ 0.20",
                worst_test >= TEST_BAR and ratio <= 0.20,
            )
        )
        out["article"] = {"config": spec, "worst_test": worst_test, "train_time_s": median_time[id(runs)]}
    else:
        rows.append(Row("fastest ≥ 98.5 %", "no candidate reached the validation bar", "≥ 98.5 %", False))
    # moonshot: best validation within the seed preset's own time (one seed each), its test accuracy reported
    within = [r for _, rs in tried for r in rs if r.cost.train_time_s <= seed_time_s]
    if time.perf_counter() - started <= budget_s * 1.5:
        cnn, _ = run(pools, ModelConfig(**MOONSHOT_CNN))
        if cnn.cost.train_time_s <= seed_time_s:
            within.append(cnn)
    if within:
        best = max(within, key=lambda r: r.validation.accuracy)
        rows.append(
            Row(
                f"best within the seed preset's time ({seed_time_s:.0f} s), chosen on validation: {best.model_repr}",
                f"test {best.test.accuracy:.2%} in {best.cost.train_time_s:.1f} s",
                "moonshot ≥ 99.2 %",
                best.test.accuracy >= 0.992,
            )
        )


def _describe(spec: dict) -> str:
    return ", ".join(f"{k}={'-'.join(map(str, v)) if isinstance(v, tuple) else v}" for k, v in spec.items())


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
            rows.append(Row("fp32 peak", fp32_peak()[1]))
        seed_time_s = None
        if "seed" in sections or "article" in sections:  # the headline figures first
            seed_time_s = seed_end_to_end(pools, rows, out)
            save(out)
        if "epochs" in sections:
            engine_epochs(pools, rows, out, args.quick)
            save(out)
        if "article" in sections:
            article(pools, rows, out, seed_time_s, args.budget_s)
            save(out)
        if "numpy" in sections:
            numpy_share(rows, out, args.quick)
            save(out)
        if "sweep" in sections:
            sweep_scaling(rows, out, args.ray)
            save(out)
        if "scaling" in sections:
            scaling(pools, rows, out, args.quick)
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
