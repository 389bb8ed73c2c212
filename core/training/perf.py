"""Honest cost measurement, in one place: latency, throughput, peak memory and the CPU's fp32 peak.

What the machine is (the environment stamp every result carries, its GPUs) lives in ``core.machine``.

Every timing uses ``time.perf_counter`` after a warm-up; latencies are reported as p50/p95 of repeated
direct calls at batch 1 (Keras ``predict`` costs ~50 ms a call and would lie about a model's speed).
Units are in the names: ``_s``, ``_ms``, ``_mb``, ``_bytes``.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

LATENCY_WARMUP_CALLS = 5
LATENCY_CALLS = 200  # timed batch-1 calls after warm-up...
LATENCY_BUDGET_S = 1.0  # ...or fewer when they take longer than this: slow models stop after ≥ 1 s of calls
THROUGHPUT_BATCH = 1024
THROUGHPUT_REPEATS = 3  # timed batches; the median is reported


@dataclass(frozen=True)
class Latency:
    latency_ms_p50: float
    latency_ms_p95: float
    n_calls: int


def measure_latency(predict_one: Callable[[np.ndarray], object], row: np.ndarray) -> Latency:
    """Time ``predict_one`` on a single row (shape (1, n_features)) after a warm-up.

    Calls are timed until ``LATENCY_CALLS`` are in or ``LATENCY_BUDGET_S`` has passed, whichever comes
    first: p50/p95 rest on 200 calls, or on at least one second of calls for a slow model.
    """
    for _ in range(LATENCY_WARMUP_CALLS):
        predict_one(row)
    times = []
    started = time.perf_counter()
    while len(times) < LATENCY_CALLS:
        t0 = time.perf_counter()
        predict_one(row)
        t1 = time.perf_counter()
        times.append(t1 - t0)
        if t1 - started >= LATENCY_BUDGET_S:
            break
    ms = np.array(times) * 1000
    return Latency(float(np.percentile(ms, 50)), float(np.percentile(ms, 95)), len(times))


def measure_throughput(predict_batch: Callable[[np.ndarray], object], X: np.ndarray) -> float:
    """Rows per second predicting one batch of ``THROUGHPUT_BATCH`` rows (tiled from X), after a warm-up;
    the median of ``THROUGHPUT_REPEATS`` timed batches."""
    reps = int(np.ceil(THROUGHPUT_BATCH / len(X)))
    batch = np.ascontiguousarray(np.tile(X, (reps, 1))[:THROUGHPUT_BATCH])
    predict_batch(batch)
    times = []
    for _ in range(THROUGHPUT_REPEATS):
        t0 = time.perf_counter()
        predict_batch(batch)
        times.append(time.perf_counter() - t0)
    return THROUGHPUT_BATCH / float(np.median(times))


class PeakMemory:
    """The block's own resident-memory increase, in MB (10**6 bytes), measured in the process that runs it.

    ``peak_delta_mb`` = highest RSS while the block ran minus RSS at its start. On entry, garbage is collected
    and freed heap memory handed back to the OS (glibc ``malloc_trim``), so memory an earlier run freed
    cannot hide this run's allocations and the same configuration reads the same twice. The peak is the
    higher of the kernel's own high-water mark (Linux ``VmHWM``, reset through ``/proc/self/clear_refs``,
    which misses no spike) and RSS sampled every ``interval_s`` (which corrects the kernel counter's lag of a
    few hundred kB; the only source elsewhere). The process should do nothing else meanwhile (a worker).
    """

    def __init__(self, interval_s: float = 0.02):
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._start_rss = 0
        self._peak_rss = 0
        self._kernel_peak = False
        self._thread: threading.Thread | None = None

    def __enter__(self) -> PeakMemory:
        gc.collect()
        _trim_heap()
        self._kernel_peak = _reset_kernel_peak()
        self._start_rss = self._peak_rss = _rss_bytes()
        self._thread = threading.Thread(target=self._run, name="tradeoff-peak-memory", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        peak = _kernel_peak_bytes() if self._kernel_peak else None
        self._peak_rss = max(self._peak_rss, _rss_bytes(), peak or 0)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._peak_rss = max(self._peak_rss, _rss_bytes())

    @property
    def method(self) -> str:
        sampled = f"RSS sampled every {self.interval_s * 1000:g} ms"
        return f"kernel high-water mark (VmHWM) and {sampled}" if self._kernel_peak else sampled

    @property
    def peak_delta_bytes(self) -> int:
        return max(0, self._peak_rss - self._start_rss)

    @property
    def peak_delta_mb(self) -> float:
        return self.peak_delta_bytes / 1e6


def _rss_bytes() -> int:
    import psutil

    return psutil.Process().memory_info().rss


def _trim_heap() -> None:
    """Return freed heap pages to the OS (glibc only; a no-op elsewhere)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _reset_kernel_peak() -> bool:
    """Reset this process's VmHWM to its current RSS (Linux ≥ 4.0); False where that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        return _kernel_peak_bytes() is not None
    except OSError:
        return False


def _kernel_peak_bytes() -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024  # reported in kB
    except (OSError, ValueError, IndexError):
        return None
    return None


@dataclass(frozen=True)
class Fp32Peak:
    """The CPU's fp32 peak: physical cores × clock × FLOP per cycle per core, and how that was derived."""

    gflops: float
    cores: int
    ghz: float
    flop_per_cycle: int  # per core: SIMD lanes × FMA pipes × 2 FLOP per FMA
    derivation: str


def fp32_peak(cpuinfo: str | None = None) -> Fp32Peak:
    """The fp32 peak derived from ``/proc/cpuinfo`` (or its text): vendor, family, flags, physical cores, clock.

    FLOP per cycle per core = fp32 lanes per FMA pipe × FMA pipes × 2. AMD Zen 4 (family 25 with avx512f) runs
    AVX-512 on two 256-bit pipes: 8 × 2 × 2 = 32; Zen 5 (family 26) has 512-bit pipes: 64. Intel with avx512f
    has two 512-bit FMA units on server parts: 16 × 2 × 2 = 64; AVX2 with FMA: 32. Physical cores are the
    distinct (physical id, core id) pairs (SMT siblings share their core's pipes). The clock is "cpu MHz" as
    the kernel reports it (a VM reports the nominal clock; a boosting core can run above it, and BLAS then
    reads above this peak).
    """
    if cpuinfo is None:
        try:
            with open("/proc/cpuinfo", encoding="utf-8") as fh:
                cpuinfo = fh.read()
        except OSError:
            cpuinfo = ""
    fields: dict[str, str] = {}
    pairs: set[tuple[str, str]] = set()
    processors, mhz, phys = 0, 0.0, "0"
    for line in cpuinfo.splitlines():
        key, _, value = (part.strip() for part in line.partition(":"))
        if key == "processor":
            processors += 1
        elif key == "physical id":
            phys = value
        elif key == "core id":
            pairs.add((phys, value))
        elif key == "cpu MHz":
            mhz = max(mhz, float(value or 0))
        fields.setdefault(key, value)
    cores = len(pairs) or processors or os.cpu_count() or 1
    flags = set(fields.get("flags", "").split())
    vendor, family = fields.get("vendor_id", ""), int(fields.get("cpu family", "0") or 0)
    model = int(fields.get("model", "0") or 0)
    fma = "fma" in flags
    if vendor == "AuthenticAMD":
        if family >= 26 and "avx512f" in flags:
            lanes, pipes, why = 16, 2, f"AMD family {family} (Zen 5): two 512-bit FMA pipes"
        elif family == 25 and "avx512f" in flags:
            lanes, pipes, why = 8, 2, "AMD family 25 with avx512f (Zen 4): AVX-512 on two 256-bit FMA pipes"
        elif family == 23 and model < 0x30:
            lanes, pipes, why = 4, 2, "AMD family 23 (Zen 1): two 128-bit FMA pipes"
        elif fma:
            lanes, pipes, why = 8, 2, f"AMD family {family}: two 256-bit FMA pipes"
        else:
            lanes, pipes, why = 4, 2, f"AMD family {family} without FMA: 128-bit add + multiply"
    elif "avx512f" in flags:
        lanes, pipes, why = 16, 2, f"{vendor or 'CPU'} with avx512f: two 512-bit FMA units"
    elif "avx2" in flags and fma:
        lanes, pipes, why = 8, 2, f"{vendor or 'CPU'} with avx2 and fma: two 256-bit FMA units"
    elif "avx" in flags:
        lanes, pipes, why = 8, 1, f"{vendor or 'CPU'} with avx, no fma: 256-bit add + multiply"
    else:
        lanes, pipes, why = 4, 1, f"{vendor or 'CPU'} with SSE: 128-bit add + multiply"
    per_cycle = lanes * pipes * 2
    ghz = mhz / 1000
    gflops = cores * ghz * per_cycle
    derivation = (
        f"{cores} physical cores × {ghz:.2f} GHz × {per_cycle} FLOP/cycle ({lanes} fp32 lanes × {pipes} pipes × "
        f"2 FLOP per FMA; {why}) = {gflops:.0f} GFLOP/s"
    )
    return Fp32Peak(gflops, cores, ghz, per_cycle, derivation)
