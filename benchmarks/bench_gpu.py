"""The device check of issue 12: the seed preset (and a small CNN) on a GPU against the same machine's CPU.

Runs where a GPU is lent (the `device` tool); prints a table and writes ``--out`` JSON. TensorFlow is not on that
machine's image and its wheel is too large to carry, so both devices run Keras on JAX (``--device gpu|cpu``,
placed by ``core.models.keras_import.device_scope``); each row is one ``core.train`` call, the same code the app
runs. Usage::

    KERAS_BACKEND=jax TRADEOFF_LAB_DATA=… python benchmarks/bench_gpu.py --out gpu.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import Row, print_table  # noqa: E402

from core.config import Backend, Device, ModelKind  # noqa: E402
from core.data.prepare import prepare  # noqa: E402
from core.presets import get_preset  # noqa: E402
from core.training.trainer import train  # noqa: E402


def cases():
    seed = get_preset("seed-article")
    mlp = replace(seed.model, backend=Backend.JAX)
    cnn = replace(mlp, kind=ModelKind.KERAS_CNN, conv_blocks=2, filters=16, batch_size=128, epochs=3)
    return seed.data, [
        ("seed MLP (Dense 128, batch 32, 10 epochs)", mlp),
        ("seed MLP at batch 128", replace(mlp, batch_size=128)),
        ("CNN 2 blocks 16/32, batch 128, 3 epochs", cnn),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=None, help="write the measurements as JSON here")
    parser.add_argument("--devices", default="gpu,cpu", help="comma-separated: gpu,cpu (a smoke run here: cpu)")
    parser.add_argument("--quick", action="store_true", help="2,000 rows and 1 epoch: checks the script runs")
    args = parser.parse_args()
    devices = [Device(d) for d in args.devices.split(",")]
    data_cfg, models = cases()
    if args.quick:
        data_cfg = replace(data_cfg, n_rows=2000)
        models = [(name, replace(m, epochs=2)) for name, m in models]
    t0 = time.perf_counter()
    data = prepare(data_cfg)
    print(f"MNIST prepared in {time.perf_counter() - t0:.1f} s", flush=True)
    rows, measured = [], []
    for name, model in models:
        pair = {}
        for device in devices:
            result = train(data_cfg, replace(model, device=device), prepared=data)
            c = result.cost
            pair[device.value] = {
                "train_time_s": c.train_time_s,
                "first_epoch_s": c.first_epoch_s,
                "epoch_s_median": c.epoch_s_median,
                "latency_ms_p50": c.latency_ms_p50,
                "total_time_s": c.total_time_s,
                "test_accuracy": result.test.accuracy,
                "device": result.environment["device"],
            }
            print(name, device.value, json.dumps(pair[device.value]), flush=True)
        g, p = pair.get("gpu", pair[devices[0].value]), pair.get("cpu", pair[devices[-1].value])
        rows.append(
            Row(
                f"{name}: fit time, GPU vs CPU (steady epoch)",
                f"{g['train_time_s']:.1f} s vs {p['train_time_s']:.1f} s = "
                f"{p['train_time_s'] / g['train_time_s']:.1f}× "
                f"({g['epoch_s_median']:.2f} s vs {p['epoch_s_median']:.2f} s a steady epoch)",
            )
        )
        rows.append(
            Row(
                f"{name}: test accuracy, GPU vs CPU; batch-1 latency",
                f"{g['test_accuracy']:.2%} vs {p['test_accuracy']:.2%}; "
                f"{g['latency_ms_p50']:.2f} ms vs {p['latency_ms_p50']:.2f} ms",
            )
        )
        measured.append({"case": name, **pair})
    code = print_table("Seed preset on a GPU vs the same machine's CPU (Keras on JAX)", rows)
    first = measured[0]
    gpu, cpu = first.get("gpu", {}).get("device"), first.get("cpu", {}).get("device")
    print(f"\n_GPU: {gpu}; CPU: {os.cpu_count()} cores ({cpu})._")
    if args.out:
        Path(args.out).write_text(json.dumps({"cases": measured, "cores": os.cpu_count()}, indent=1))
    return code


if __name__ == "__main__":
    raise SystemExit(main())
