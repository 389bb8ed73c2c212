"""History's frontier chart as a Vega-Lite spec built without Altair (core/records/store_frontier.py): valid, the same
marks and encodings as ``core.charts.frontier_chart`` draws, and its data the view's points."""

import altair as alt
import pandas as pd

from core import charts
from core.records.store_frontier import frontier_spec, frontier_view

POINTS = [  # id, model, dataset, model_repr, val accuracy, train s, timing
    (1, "knn", "digits", "", 0.90, 1.0, "serial"),
    (2, "numpy_mlp", "digits", "", 0.95, 2.0, "serial"),
    (3, "knn", "digits", "", 0.92, 3.0, "serial"),
    (4, "logistic_regression", "digits", "", 0.97, 4.0, "serial"),
    (5, "knn", "iris", "", 0.99, 0.5, "serial"),  # another dataset: not on this frontier
    (6, "knn", "digits", "", 0.99, 0.1, "parallel:2"),  # timed beside other work: left out unless asked
]


def _view():
    return frontier_view(POINTS, "digits", include_all_timing=False)


def test_the_spec_is_valid_vega_lite_with_its_points_as_a_dataset():
    spec, columns = frontier_spec(_view(), title="T")
    rows = [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]
    assert rows == [
        {"run": 1, "label": "#1 knn on digits", "accuracy": 0.90, "train_time_s": 1.0, "pareto": True},
        {"run": 2, "label": "#2 numpy_mlp on digits", "accuracy": 0.95, "train_time_s": 2.0, "pareto": True},
        {"run": 3, "label": "#3 knn on digits", "accuracy": 0.92, "train_time_s": 3.0, "pareto": False},
        {"run": 4, "label": "#4 logistic_regression on digits", "accuracy": 0.97, "train_time_s": 4.0, "pareto": True},
    ]
    alt.LayerChart.from_dict({**spec, "datasets": {"points": rows}}, validate=True)  # raises if not Vega-Lite


def test_the_spec_draws_what_the_altair_frontier_chart_draws():
    spec, columns = frontier_spec(_view(), title="T")
    board = pd.DataFrame({k: v for k, v in columns.items() if k != "pareto"}).assign(role="")
    reference = charts.frontier_chart(board, title="T").to_dict(validate=False)
    line, points, _rings = reference["layer"]  # the rings layer marks a current run: History marks none

    def drawn(layer: dict, shared: dict) -> dict:
        return {"mark": layer["mark"], "encoding": {**shared, **layer.get("encoding", {})}}

    ours = [drawn(layer, spec["encoding"]) for layer in spec["layer"]]
    assert ours == [drawn(line, {}), drawn(points, {})]
    assert spec["layer"][0]["transform"] == [{"filter": "datum.pareto"}]  # the line joins the frontier only
    assert (spec["title"], spec["height"]) == (reference["title"], reference["height"])
    reference_front = [r["run"] for rows in reference["datasets"].values() for r in rows if r.get("pareto")]
    assert sorted(set(reference_front)) == [r for r, p in zip(columns["run"], columns["pareto"], strict=True) if p]
