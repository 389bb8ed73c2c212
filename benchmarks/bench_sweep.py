"""Sweep benchmark: 8 numpy_mlp configurations on digits — local process pool vs serial, and Ray vs the pool.

    .venv/bin/python benchmarks/bench_sweep.py

Prints a markdown table and exits non-zero when a target is missed: the pool must be ≥ 1.6× faster than
serial on 2 cores, for a sweep on the pool's kept workers (the first sweep, which starts them, is shown too).
Ray's overhead over the pool is reported with its cluster start-up apart.
"""

from __future__ import annotations

import time

from common import Row, print_table

from core.config import DataConfig, ModelConfig
from core.explore.executors import run_sweep
from core.explore.sweeps import SweepSpec

SPEC = SweepSpec(
    DataConfig(),
    ModelConfig(),
    # small networks, many steps: one trial cannot use both cores (a 512-unit net's matrices already run on
    # two BLAS threads in serial, so a pool gains less there)
    {"hidden_units": [(32,), (64,)], "batch_size": [8, 16], "epochs": [30, 60]},
)


def timed(executor: str) -> tuple[float, list]:
    t0 = time.perf_counter()
    trials = run_sweep(SPEC, executor=executor)
    return time.perf_counter() - t0, trials


def main() -> int:
    rows: list[Row] = []
    run_sweep(SweepSpec(DataConfig(), ModelConfig(epochs=1), {"hidden_units": [(8,)]}))  # warm imports
    serial_s, serial = timed("serial")
    first_s, _ = timed("local")
    second_s, local = timed("local")
    speedup = serial_s / second_s
    assert all(t.status == "complete" for t in serial + local)
    same = all(abs(a.metrics["accuracy"] - b.metrics["accuracy"]) < 1e-9 for a, b in zip(serial, local, strict=True))
    rows.append(Row("8 configurations, serial (2 BLAS threads)", f"{serial_s:.2f} s"))
    rows.append(Row("8 configurations, local pool, first sweep (2 workers × 1 thread starting)", f"{first_s:.2f} s"))
    rows.append(Row("8 configurations, local pool, next sweep (workers kept)", f"{second_s:.2f} s"))
    rows.append(Row("pool speed-up over serial", f"{speedup:.2f}×", "≥ 1.6×", speedup >= 1.6))
    rows.append(Row("pool trials equal serial ones (seeded)", str(same), "True", same))
    try:
        import ray
    except ImportError:
        rows.append(Row("Ray", "not installed"))
    else:
        t0 = time.perf_counter()
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        init_s = time.perf_counter() - t0
        ray_s, _ = timed("ray")
        ray.shutdown()
        rows.append(Row("Ray local cluster start (once per session)", f"{init_s:.2f} s"))
        rows.append(
            Row(
                "8 configurations on Ray (2 CPUs) ÷ local pool",
                f"{ray_s:.2f} s ÷ {second_s:.2f} s = {ray_s / second_s:.2f}",
            )
        )
    return print_table("Sweep benchmark (digits, numpy_mlp)", rows)


if __name__ == "__main__":
    raise SystemExit(main())
