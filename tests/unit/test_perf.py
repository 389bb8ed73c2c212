"""core/perf.py against oracles: a fake model whose latency is known."""

from types import SimpleNamespace

import numpy as np
import pytest

from core import machine
from core.training import perf


class _FakeClock:
    """A perf_counter that moves only when the fake model says it worked: timings exact on any machine load."""

    def __init__(self) -> None:
        self.now = 0.0

    def perf_counter(self) -> float:
        return self.now

    def work(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> _FakeClock:
    fake = _FakeClock()
    monkeypatch.setattr(perf, "time", SimpleNamespace(perf_counter=fake.perf_counter))
    return fake


def test_latency_of_a_2_ms_predict_reads_2_ms_from_200_calls_after_the_warm_up(clock):
    durations = iter([1.0] * perf.LATENCY_WARMUP_CALLS + [0.002] * 199 + [0.010])  # slow warm-up, one slow call

    def predict(row):
        clock.work(next(durations))

    latency = perf.measure_latency(predict, np.zeros((1, 4), dtype=np.float32))
    assert latency.n_calls == perf.LATENCY_CALLS
    assert latency.latency_ms_p50 == pytest.approx(2.0)  # the warm-up's 1 s calls are not timed
    assert latency.latency_ms_p95 == pytest.approx(2.0)  # one slow call in 200 is past the 95th percentile
    assert next(durations, None) is None  # every call was made: 5 warm-up + 200 timed


def test_slow_model_latency_stops_after_about_a_second(clock):
    latency = perf.measure_latency(lambda row: clock.work(0.05), np.zeros((1, 2)))
    assert latency.n_calls == 20  # 1 s of 50 ms calls, not 200 × 50 ms
    assert latency.latency_ms_p50 == pytest.approx(50.0)


def test_throughput_is_the_median_of_three_timed_batches(clock):
    durations = iter([5.0, 0.01, 0.04, 0.02])  # warm-up, then three timed batches
    batch_rows = []

    def predict(batch):
        batch_rows.append(len(batch))
        clock.work(next(durations))

    rows_per_s = perf.measure_throughput(predict, np.zeros((10, 3)))
    assert rows_per_s == pytest.approx(perf.THROUGHPUT_BATCH / 0.02)  # median 0.02, not best 0.01 nor the warm-up
    assert batch_rows == [perf.THROUGHPUT_BATCH] * 4  # 10 rows tiled up to one full batch


def _cpuinfo(vendor: str, family: int, model: int, mhz: float, flags: str, cores: list[tuple[int, int]]) -> str:
    """A /proc/cpuinfo text with one block per logical processor at (physical id, core id)."""
    return "\n\n".join(
        f"processor\t: {i}\nvendor_id\t: {vendor}\ncpu family\t: {family}\nmodel\t\t: {model}\n"
        f"cpu MHz\t\t: {mhz}\nphysical id\t: {phys}\ncore id\t\t: {core}\nflags\t\t: {flags}"
        for i, (phys, core) in enumerate(cores)
    )


def test_zen4_peak_is_32_flop_per_cycle_per_physical_core():
    text = _cpuinfo("AuthenticAMD", 25, 17, 2596.138, "fpu sse2 avx avx2 fma avx512f avx512_bf16 ht", [(0, 0), (0, 1)])
    peak = perf.fp32_peak(text)
    assert (peak.cores, peak.flop_per_cycle) == (2, 32)
    assert peak.gflops == pytest.approx(2 * 2.596138 * 32)
    assert "Zen 4" in peak.derivation and "166 GFLOP/s" in peak.derivation


def test_intel_avx512_peak_is_64_flop_per_cycle_and_hyperthreads_are_not_cores():
    flags = "fpu sse2 avx avx2 fma avx512f ht"
    # two physical cores, each seen twice (hyper-threading): four logical processors
    text = _cpuinfo("GenuineIntel", 6, 106, 2500.0, flags, [(0, 0), (0, 1), (0, 0), (0, 1)])
    peak = perf.fp32_peak(text)
    assert (peak.cores, peak.flop_per_cycle) == (2, 64)
    assert peak.gflops == pytest.approx(320.0)
    avx2_only = perf.fp32_peak(_cpuinfo("GenuineIntel", 6, 85, 3000.0, "avx avx2 fma", [(0, 0), (1, 0)]))
    assert (avx2_only.cores, avx2_only.flop_per_cycle, round(avx2_only.gflops)) == (2, 32, 192)


def test_engine_comparison_reads_the_benchmarks_committed_results_and_none_without_a_file(tmp_path):
    assert machine.ENGINE_RESULTS.endswith("/benchmarks/results/engine.json") and "/core/" not in machine.ENGINE_RESULTS
    stored = machine.engine_comparison()
    assert stored is not None and stored["tensorflow"]["wall_s"] > 0 and stored["jax"]["wall_s"] > 0
    assert machine.engine_comparison(str(tmp_path / "missing.json")) is None
