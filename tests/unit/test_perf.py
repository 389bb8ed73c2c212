"""core/perf.py against oracles: a fake model whose latency is known."""

import time

import numpy as np
import pytest

from core.training import perf


def test_latency_of_a_2_ms_predict_reads_2_ms_from_at_least_200_calls_or_1_s():
    def sleepy(row):
        time.sleep(0.002)

    latency = perf.measure_latency(sleepy, np.zeros((1, 4), dtype=np.float32))
    # sleep overshoots by scheduler granularity (tens of µs on Linux); a busy CPU adds a little more
    assert latency.latency_ms_p50 == pytest.approx(2.0, abs=0.6)
    assert latency.latency_ms_p95 >= latency.latency_ms_p50
    assert latency.n_calls >= perf.LATENCY_CALLS or latency.n_calls * latency.latency_ms_p50 >= 900


def test_slow_model_latency_stops_after_about_a_second():
    latency = perf.measure_latency(lambda row: time.sleep(0.05), np.zeros((1, 2)))
    assert 15 <= latency.n_calls < perf.LATENCY_CALLS  # ≥ 1 s of calls, not 200 × 50 ms


def test_throughput_is_the_median_of_three_timed_batches():
    durations = iter([0.0, 0.01, 0.04, 0.02])  # warm-up, then three timed batches

    def predict(batch):
        time.sleep(next(durations))

    rows_per_s = perf.measure_throughput(predict, np.zeros((10, 3)))
    assert rows_per_s == pytest.approx(perf.THROUGHPUT_BATCH / 0.02, rel=0.25)  # median 0.02, not best 0.01
