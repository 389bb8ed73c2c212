"""A tile whose value did not move shows its "+0.00" grey and without an arrow; one that moved keeps its arrow."""

from __future__ import annotations

import dataclasses

from streamlit.proto.Metric_pb2 import Metric as MetricProto
from streamlit.testing.v1 import AppTest

from core import DataConfig, ModelConfig, train


def _tiles(result, previous):
    from ui.results import tiles

    tiles(result, previous, None)


def test_an_unchanged_tile_has_no_arrow_and_a_changed_one_does():
    result = train(DataConfig(), ModelConfig(epochs=2, hidden_units=(8,)))
    slower = dataclasses.replace(
        result, cost=dataclasses.replace(result.cost, train_time_s=result.cost.train_time_s + 1)
    )
    at = AppTest.from_function(_tiles, args=(slower, result), default_timeout=60).run()
    assert not at.exception, at.exception
    by_label = {m.label: m.proto for m in at.metric}
    assert by_label["Val accuracy"].direction == MetricProto.MetricDirection.NONE  # "+0.00 pp": no arrow
    assert by_label["Training time"].direction == MetricProto.MetricDirection.UP  # +1 s: up, coloured as worse
