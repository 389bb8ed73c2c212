import numpy as np
import pandas as pd

from core import charts
from core.config import DataConfig, ModelConfig
from core.training.trainer import train


def test_charts_build_valid_vega_lite_specs():
    result = train(DataConfig(dataset="breast_cancer"), ModelConfig(epochs=3))
    for chart in (
        charts.history_chart(result.history, 3),
        charts.confusion_chart(result.validation, result.dataset["class_names"]),
        charts.curve_chart(result.validation, "roc"),
        charts.curve_chart(result.validation, "pr"),
        charts.class_balance_chart(("a", "b"), (10, 90), (90, 90)),
    ):
        spec = chart.to_dict()  # altair validates against the Vega-Lite schema here
        assert "$schema" in spec


def test_history_chart_has_one_point_per_epoch_and_split():
    result = train(DataConfig(), ModelConfig(epochs=4))
    spec = charts.history_chart(result.history, 4).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert len(rows) == 8  # 4 epochs × (train, validation)


def test_frontier_chart_marks_pareto_points():
    board = pd.DataFrame(
        {
            "run": [1, 2, 3],
            "label": ["a", "b", "c"],
            "accuracy": [0.9, 0.95, 0.92],
            "train_time_s": [1.0, 2.0, 3.0],
            "role": ["", "baseline", "current"],
        }
    )
    spec = charts.frontier_chart(board).to_dict()
    data = [row for rows in spec["datasets"].values() for row in rows]
    flags = {row["run"]: row["pareto"] for row in data if "pareto" in row}
    assert flags == {1: True, 2: True, 3: False}


def test_image_grid_places_each_class_on_its_row():
    X = np.zeros((20, 4), dtype=np.float32)
    y = np.repeat(np.arange(2), 10)
    X[y == 1] = 5.0
    X[y == 1, 0] = 0.0  # a non-constant image so it normalises to 0..1
    grid = charts.image_grid(X, y, (2, 2), n_classes=2, per_class=3)
    assert grid.shape == (6, 9)
    assert grid[:2, :2].max() == 0.0 and grid[3:5, :2].max() == 1.0


def _specs(chart) -> list[dict]:
    """Every single view of a chart's spec (layers and concatenations flattened)."""
    spec = chart.to_dict()
    out, todo = [], [spec]
    while todo:
        node = todo.pop()
        for key in ("layer", "hconcat", "vconcat", "concat"):
            todo.extend(node.get(key, []))
        if "encoding" in node:
            out.append(node)
    return out


def test_epoch_axes_are_whole_numbers_and_legends_are_never_clipped():
    result = train(DataConfig(), ModelConfig(epochs=3))
    for chart in (charts.history_chart(result.history, 3), *charts.history_panels(result.history, 3)):
        for view in _specs(chart):
            axis = view["encoding"]["x"]["axis"]
            assert axis["tickMinStep"] == 1 and axis["format"] == "d"
            legend = view["encoding"]["color"]["legend"]
            assert legend["labelLimit"] == 0
            assert legend["orient"] == "top"  # above the plot: no corner is safe from a learning curve


def test_roc_lines_follow_the_chosen_classes():
    result = train(DataConfig(), ModelConfig(epochs=2))  # digits: ten classes
    evaluation = result.validation
    chosen = ["3", "8"]

    def labels(chart) -> set[str]:
        rows = [row for rows in chart.to_dict()["datasets"].values() for row in rows]
        return {row["label"] for row in rows}

    assert labels(charts.curve_chart(evaluation, "roc", chosen)) == set(chosen)
    assert labels(charts.curve_chart(evaluation, "pr", chosen)) == set(chosen)
    default = charts.default_curve_classes(evaluation)
    assert len(default) == 3 and labels(charts.curve_chart(evaluation, "roc")) == set(default)
    recall = {row["class"]: row["recall"] for row in evaluation.per_class}
    assert max(recall[c] for c in default) <= min(recall[c] for c in recall if c not in default)  # the hardest
    binary = train(DataConfig(dataset="breast_cancer"), ModelConfig(epochs=2)).validation
    assert charts.default_curve_classes(binary) == [binary.positive_class]


def test_confusion_matrix_grows_with_its_classes():
    ten = train(DataConfig(), ModelConfig(epochs=1))
    two = train(DataConfig(dataset="breast_cancer"), ModelConfig(epochs=1))
    tall = charts.confusion_chart(ten.validation, ten.dataset["class_names"]).to_dict()["height"]
    short = charts.confusion_chart(two.validation, two.dataset["class_names"]).to_dict()["height"]
    assert tall > short


def test_class_balance_legend_sits_above_the_bars():
    spec = charts.class_balance_chart(("a", "b"), (10, 90), (90, 90)).to_dict()
    assert spec["encoding"]["color"]["legend"]["orient"] == "top"  # the bars keep a narrow column's width


def test_frontier_chart_shows_the_marked_key_only_when_a_point_is_marked():
    board = pd.DataFrame(
        {"run": [1, 2], "label": ["a", "b"], "accuracy": [0.9, 0.95], "train_time_s": [1.0, 2.0], "role": ["", ""]}
    )

    def shape_legends(spec: dict) -> list:
        return [layer["encoding"]["shape"].get("legend", {}) for layer in spec["layer"] if "shape" in layer["encoding"]]

    assert shape_legends(charts.frontier_chart(board).to_dict()) == [None]  # a sweep marks nothing: no empty key
    marked = charts.frontier_chart(board.assign(role=["", "current"])).to_dict()
    assert shape_legends(marked) != [None]


def test_close_runs_get_distinct_axis_labels_on_the_frontier():
    import re

    import vl_convert

    board = pd.DataFrame(
        {
            "run": [1, 2, 3],
            "label": ["a", "b", "c"],
            "accuracy": [0.9662, 0.9668, 0.9671],  # 0.05 pp apart, as repeats of one configuration are
            "train_time_s": [1.2341, 1.2352, 1.2367],
            "role": ["", "", ""],
        }
    )
    svg = vl_convert.vegalite_to_svg(charts.frontier_chart(board).to_dict())
    labels = re.findall(r"<text[^>]*>([0-9.]+)</text>", svg)
    assert len(labels) >= 6 and len(set(labels)) == len(labels), labels  # no tick printed like its neighbour
