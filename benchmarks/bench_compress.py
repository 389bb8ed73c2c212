"""Compression benchmark on MNIST: the seed-article MLP and a small CNN, each quantized, pruned and distilled.

    TRADEOFF_LAB_DATA=../shared/data .venv/bin/python benchmarks/bench_compress.py [--epochs 3] [--seeds 0,1,2]

Prints a markdown table and exits non-zero when a target is missed (issue 13's targets): int8 variants
≤ 0.30× the float32 LiteRT size with ≤ 0.5 pp validation-accuracy loss; float16 ≤ 0.55× with ≤ 0.1 pp;
80 % magnitude pruning ≤ 0.35× the float32 gzip size with ≤ 0.5 pp after fine-tuning; a distilled student
with ≤ 1/4 of the teacher's parameters beats the same student trained alone. Every latency is reported as
measured, slower ones included. The machine is shared: training is kept short (the MLP gets --epochs, 3 by
default instead of the article's 10; the CNN its 2) and pruning fine-tunes 1 epoch. Accuracy losses are against
the Keras original on the validation split (6,000 rows).

Distillation is judged over --seeds (the whole pipeline again per seed: teacher, students, batch order): both
students train the spec's default epochs (STUDENT_EPOCHS, 15: after 2-3 the distilled student still trails the
one alone) at the teacher's batch size and learning rate, with temperature 2 and alpha 0.5. "Beats" means every
distilled seed beats every seed of the student alone; overlapping ranges are reported as within noise.
Measured (2026-11-28, 3 seeds, validation): CNN teacher 96.44 ± 0.12 % distilled vs 96.07 ± 0.14 % alone (beats);
seed-article MLP teacher 96.31 ± 0.09 % vs 96.18 ± 0.08 % (within noise: that target stays a MISS, honestly).
"""

from __future__ import annotations

import argparse
import os
import statistics
from dataclasses import replace

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from common import Row, print_table

from core.compress import CompressSpec, parse_methods, run_compress
from core.config import replace_plain
from core.presets import get_preset

CNN = dict(
    kind="keras_cnn", conv_blocks=2, filters=8, hidden_units=(128,), batch_size=256, epochs=2, learning_rate=4e-3
)
METHODS = "float16,int8,int8-full,keras-int8,prune:0.8"
TARGETS = {  # method → (max size ratio vs float32 LiteRT, max accuracy loss in pp, which size)
    "float16": (0.55, 0.1, "size_bytes"),
    "int8": (0.30, 0.5, "size_bytes"),
    "int8-full": (0.30, 0.5, "size_bytes"),
    "prune:0.8": (0.35, 0.5, "gzip_bytes"),
}


def student_units(teacher_params: int, n_features: int = 784, n_classes: int = 10) -> int:
    """The widest one-layer student with at most a quarter of the teacher's parameters."""
    return (teacher_params // 4 - n_classes) // (n_features + 1 + n_classes)


def bench(rows: list[Row], name: str, model, data, seeds: list[int]) -> None:
    from core.data.prepare import prepare

    prepared = prepare(data)
    n_params = _teacher_params(model, data)
    units = student_units(n_params)
    spec = CompressSpec(data, model, parse_methods(f"{METHODS},distill:{units}"), fine_tune_epochs=1)
    report = run_compress(spec, prepared=prepared, on_step=lambda text: print(f"  {name}: {text}", flush=True))
    o = report.original
    by = {v.method: v for v in report.variants}
    base = by["float32"]
    rows.append(
        Row(
            f"{name}: {report.model_repr}, original (Keras)",
            f"{o.validation.accuracy:.2%} val, {o.cost['size_bytes']:,} B weights file, "
            f"p50 {o.cost['latency_ms_p50']:.3f} ms / p95 {o.cost['latency_ms_p95']:.3f} ms, "
            f"{o.cost['rows_per_s']:,.0f} rows/s, trained in {o.cost['build_time_s']:.1f} s",
        )
    )
    for v in report.variants:
        if v.status != "complete":
            rows.append(Row(f"{name}: {v.method}", f"{v.status}: {v.error}", ok=False))
            continue
        c = v.cost
        measured = (
            f"{v.validation.accuracy:.2%} ({v.delta_pp:+.2f} pp{', within noise' if v.within_noise else ''}), "
            f"{c['size_bytes']:,} B (gzip {c['gzip_bytes']:,}), p50 {c['latency_ms_p50'] * 1000:.1f} µs / p95 "
            f"{c['latency_ms_p95'] * 1000:.1f} µs ({v.runtime}), {c['rows_per_s']:,.0f} rows/s, built in "
            f"{c['build_time_s']:.1f} s"
        )
        target, ok = "", None
        if v.method in TARGETS:
            max_ratio, max_loss, size = TARGETS[v.method]
            ratio = c[size] / base.cost[size]
            measured += f"; {size.split('_')[0]} ratio {ratio:.3f}"
            target = f"≤ {max_ratio:.2f}× {'gzip ' if size == 'gzip_bytes' else ''}size, ≤ {max_loss} pp loss"
            ok = ratio <= max_ratio and -v.delta_pp <= max_loss
        elif v.method.startswith("distill"):
            share = c["n_params"] / o.cost["n_params"]
            measured += f"; {share:.3f} of the teacher's params, {v.params['epochs']} epochs"
        rows.append(Row(f"{name}: {v.method}", measured, target, ok))
    rows.append(distill_row(name, spec, report, units, seeds, prepared))
    if "float32" in by:
        speed = o.cost["latency_ms_p50"] / base.cost["latency_ms_p50"]
        rows.append(Row(f"{name}: runtime alone (Keras call ÷ float32 LiteRT, batch-1 p50)", f"{speed:,.0f}×"))


def distill_row(name: str, spec: CompressSpec, report, units: int, seeds: list[int], prepared) -> Row:
    """Distilled student against the student alone over ``seeds``: mean ± half-range, and whether they overlap."""
    accuracy: dict[str, list[float]] = {"distill": [], "alone": []}
    test: dict[str, list[float]] = {"distill": [], "alone": []}
    share = None
    for seed in seeds:
        if seed == spec.model.seed:
            again = report
        else:
            print(f"  {name}: distill:{units} and alone:{units}, seed {seed}", flush=True)
            again = run_compress(
                replace(spec, model=replace_plain(spec.model, seed=seed), methods=parse_methods(f"distill:{units}")),
                prepared=prepared,
            )
        by = {v.method: v for v in again.variants}
        for kind in accuracy:
            v = by[f"{kind}:{units}"]
            if v.status != "complete":
                return Row(f"{name}: distill:{units} vs alone:{units}", f"seed {seed}: {v.status}: {v.error}", ok=False)
            accuracy[kind].append(v.validation.accuracy * 100)
            test[kind].append(v.test.accuracy * 100)
        share = by[f"distill:{units}"].cost["n_params"] / again.original.cost["n_params"]
    d, a = accuracy["distill"], accuracy["alone"]
    gaps = ", ".join(f"{x - y:+.2f}" for x, y in zip(d, a, strict=True))
    if min(d) > max(a):
        finding = "beats the student alone"
    elif max(d) < min(a):
        finding = "loses to the student alone"
    else:
        finding = "within noise (the seed ranges overlap)"
    measured = (
        f"val: distilled {_spread(d)} vs alone {_spread(a)} (Δ {statistics.mean(d) - statistics.mean(a):+.2f} pp; "
        f"per seed {gaps}) → {finding}; test (not used to choose): {_spread(test['distill'])} vs "
        f"{_spread(test['alone'])}; {share:.3f} of the teacher's params; seeds {', '.join(map(str, seeds))}; "
        f"{spec.student_epochs} epochs each, T {spec.temperature:g}, alpha {spec.alpha:g}"
    )
    ok = share <= 0.25 and min(d) > max(a)
    target = "≤ 0.25 of params, every distilled seed beats every seed alone"
    return Row(f"{name}: distill:{units} vs alone:{units} over {len(seeds)} seeds", measured, target, ok)


def _spread(values: list[float]) -> str:
    return f"{statistics.mean(values):.2f} ± {(max(values) - min(values)) / 2:.2f} %"


def _teacher_params(model, data) -> int:
    """Parameters of the model as built (no training): Dense/Conv shapes from the config."""
    from core.data.prepare import prepare
    from core.models import build_model

    prepared = prepare(data)
    net = build_model(model, n_features=prepared.n_features, n_classes=prepared.n_classes,
                      image_shape=prepared.image_shape).build(prepared.n_features, prepared.n_classes)  # fmt: skip
    return int(net.count_params())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3, help="epochs of the seed-article MLP (the article uses 10)")
    parser.add_argument("--seeds", default="0,1,2", help="seeds for the distillation comparison (first: the main run)")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    if not os.environ.get("TRADEOFF_LAB_DATA"):
        print("Set TRADEOFF_LAB_DATA to the folder holding mnist.npz (here: ../shared/data).")
        return 2
    preset = get_preset("seed-article")
    rows: list[Row] = []
    bench(rows, "MLP", replace_plain(preset.model, epochs=args.epochs, seed=seeds[0]), preset.data, seeds)
    bench(rows, "CNN", replace_plain(preset.model, **CNN, seed=seeds[0]), preset.data, seeds)
    return print_table("Compression benchmark (MNIST)", rows)


if __name__ == "__main__":
    raise SystemExit(main())
