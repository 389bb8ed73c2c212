"""Trade-off charts that read: heatmap cells as wide as their labels, legends never cut, rounded ticks,
Optuna's importances and parallel coordinates, and offering Ray only where it can run."""

import pandas as pd
import pytest

from core import charts
from core.config import DataConfig, ModelConfig
from core.explore import ray_connect
from core.explore.analysis import summarise, summary_rows
from core.explore.search import FloatRange, IntRange
from core.explore.search_charts import importance_chart, parallel_coordinates, parallel_rows
from core.explore.sweeps import SweepSpec, Trial
from core.status import Status


def _summary(xs, ys):
    rows = []
    for i, x in enumerate(xs):
        for j, y in enumerate(ys):
            rows.append(
                {"hidden_units": x, "batch_size": y, "order_x": i, "order": i, "order_y": j}
                | {"metric_mean": 0.9 + 0.001 * i, "metric_std": 0.0, "time_mean": 12.3456 * (j + 1), "time_std": 0}
            )
    return pd.DataFrame(rows)


def _layers(spec):
    return [layer for part in spec["vconcat"] for layer in part["layer"]], spec["vconcat"]


@pytest.mark.parametrize("xs", [["8", "16"], ["128-128-128", "256-256-256", "512-512-512", "1024-1024-1024"]])
def test_heatmap_cells_are_at_least_as_wide_as_their_labels(xs):
    summary = _summary(xs, ["32", "256"])
    size = charts.heatmap_layout(summary, "hidden_units", "batch_size")
    assert size["label_width"] == max(charts.text_width_px(x) for x in xs)
    assert size["cell_width"] >= size["label_width"]
    assert size["cell_width"] >= charts.text_width_px("12.3", size["font_size"])  # the number fits its cell
    spec = charts.heatmap_pair(summary, "hidden_units", "batch_size", "accuracy").to_dict()
    layers, parts = _layers(spec)
    assert all(p["width"] == {"step": size["cell_width"]} for p in parts)
    texts = [layer for layer in layers if layer["mark"]["type"] == "text"]
    assert {t["mark"]["fontSize"] for t in texts} == {size["font_size"]}
    assert all(layer["encoding"]["x"]["axis"]["labelLimit"] == 0 for layer in layers)


def test_many_heatmap_values_shrink_the_numbers_not_below_nine_px():
    few = charts.heatmap_layout(_summary(["8", "16"], ["32"]), "hidden_units", "batch_size")
    many = charts.heatmap_layout(_summary([str(2**i) for i in range(14)], ["32"]), "hidden_units", "batch_size")
    assert many["font_size"] < few["font_size"] and many["font_size"] >= 9


def test_time_to_accuracy_legend_sits_below_and_is_never_cut():
    label = "learning_rate=0.0069, batch_size=128, hidden_units=256-256"
    curves = pd.DataFrame(
        {"trial": [0, 0], "label": [label] * 2, "elapsed_s": [0.5, 109.579218], "val_accuracy": [0.9, 0.95]}
    )
    enc = charts.time_to_accuracy_chart(curves).to_dict()["encoding"]
    assert enc["color"]["legend"]["orient"] == "bottom" and enc["color"]["legend"]["labelLimit"] == 0
    assert enc["x"]["axis"]["format"] == charts.TIME_FORMAT  # ticks like 110, not 109.579218
    many = pd.concat([curves.assign(label=f"{label} #{i}", trial=i) for i in range(12)])
    spec = charts.time_to_accuracy_chart(many).to_dict()
    assert spec["autosize"]["type"] == "fit-x" and spec["height"] == 300  # the legend adds to the plot's height


def test_time_to_accuracy_legend_follows_the_sweep_and_twelve_lines_get_twelve_colours():
    labels = [f"hidden_units={u}, batch_size={b}" for u in (8, 64, 128, 512) for b in (8, 64, 512)]
    curves = pd.DataFrame(
        {"trial": range(12), "label": labels, "elapsed_s": [1.0] * 12, "val_accuracy": [0.9] * 12}
    ).iloc[::-1]  # rows in any order: the legend follows the trials
    color = charts.time_to_accuracy_chart(curves).to_dict()["encoding"]["color"]
    assert color["sort"] == labels  # 8 before 64 before 512, not the text's 128, 512, 64, 8
    assert color["scale"]["scheme"] == "category20"  # tableau10 gave two of twelve lines the same blue


def test_knob_and_frontier_charts_have_rounded_ticks_and_category_knob_axes():
    summary = _summary(["1", "2", "5"], ["32"])
    spec = charts.knob_chart(summary, "hidden_units", "accuracy").to_dict()
    first = spec["hconcat"][0]["layer"][0]["encoding"]
    assert first["x"]["type"] == "nominal"  # an integer knob never gets a tick at 1.5
    assert first["y"]["axis"]["format"] == charts.METRIC_FORMAT
    board = pd.DataFrame({"run": [0], "label": ["a"], "accuracy": [0.9], "train_time_s": [1.2345], "role": [""]})
    enc = charts.frontier_chart(board).to_dict()["layer"][1]["encoding"]
    assert enc["x"]["axis"]["format"] == charts.TIME_FORMAT and enc["y"]["axis"]["format"] == charts.METRIC_FORMAT


def _trial(i, lr, batch, acc, seconds):
    return Trial(
        index=i,
        params={"learning_rate": lr, "batch_size": batch},
        repeat=0,
        seed=0,
        status=Status.COMPLETE,
        metrics={"accuracy": acc},
        cost={"train_time_s": seconds},
    )


def test_parallel_coordinates_put_each_configuration_on_its_axes():
    trials = [_trial(0, 0.001, 32, 0.90, 1.0), _trial(1, 0.01, 128, 0.95, 3.0), _trial(2, 0.0001, 64, 0.80, 2.0)]
    ranges = {"learning_rate": FloatRange(0.0001, 0.01, log=True), "batch_size": IntRange(32, 128, log=True)}
    df = parallel_rows(trials, ranges)
    assert len(df) == 3 * 3  # three configurations × (two knobs + training time)
    lr = df[df.axis == "learning rate"].set_index("value")["place"]
    assert lr["0.0001"] == 0.0 and lr["0.01"] == 1.0 and lr["0.001"] == pytest.approx(0.5)  # log scale
    assert set(df[df.axis == "learning rate"]["low"]) == {"0.0001"}
    spec = parallel_coordinates(trials, ranges).to_dict()
    line = spec["layer"][1]
    assert line["encoding"]["color"]["field"] == "accuracy" and line["encoding"]["detail"]["field"] == "config"


def test_importance_chart_has_a_bar_per_knob_and_target():
    spec = importance_chart({"learning_rate": 0.8, "batch_size": 0.2}, {"batch_size": 0.6, "learning_rate": 0.4})
    rows = next(iter(spec.to_dict()["datasets"].values()))
    assert len(rows) == 4 and {r["knob"] for r in rows} == {"learning rate", "batch size"}


def test_summary_rows_of_a_search_show_rounded_values():
    trials = [_trial(0, 0.006902902940976648, 32, 0.9, 1.0)]
    spec = SweepSpec(DataConfig(), ModelConfig(), {"learning_rate": [0.006902902940976648], "batch_size": [32]})
    (row,) = summary_rows(summarise(trials), spec)
    assert row["learning_rate"] == "0.0069"


def test_ray_is_offered_when_an_address_is_set_or_ray_is_installed(monkeypatch):
    monkeypatch.setattr(ray_connect, "_ray_installed", lambda: False)
    assert not ray_connect.ray_offered({})
    assert ray_connect.ray_offered({"RAY_ADDRESS": "10.0.0.5:6379"})
    assert ray_connect.ray_target({"RAY_ADDRESS": "10.0.0.5:6379"}) == "10.0.0.5:6379"
    assert ray_connect.ray_target({"RAY_ADDRESS": "local"}) is None
    monkeypatch.setattr(ray_connect, "_ray_installed", lambda: True)
    assert ray_connect.ray_offered({})


def test_an_unreachable_ray_address_is_a_config_error_not_a_hang(monkeypatch):
    from core.errors import ConfigError

    with pytest.raises(ConfigError, match="HOST:PORT"):
        ray_connect.connect("nonsense", timeout_s=1)
    with pytest.raises(ConfigError, match="Nothing answers"):
        ray_connect.connect("127.0.0.1:9", timeout_s=1)  # the discard port: nothing listens
    monkeypatch.setattr(ray_connect, "_ray_installed", lambda: False)
    with pytest.raises(ConfigError, match="pip install"):
        ray_connect.connect(None)
