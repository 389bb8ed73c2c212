"""Explain's price of interpretability: one label per model title, inside the plot, the legend out of their way."""

from __future__ import annotations

from ui.explain_charts import price_chart, price_points

NET = "Neural network (128 units, Keras)"


def test_each_model_title_is_labelled_once_beside_its_best_run():
    points = price_points(
        [
            {"model": NET, "accuracy": 0.97, "train_time_s": 0.9},
            {"model": NET, "accuracy": 0.98, "train_time_s": 1.1},  # the same title, nearly the same place
            {"model": "Logistic regression", "accuracy": 0.95, "train_time_s": 0.2},
        ],
        [
            {"model": "depth-4 tree", "accuracy": 0.55, "train_time_s": 0.01},
            {"model": "logistic regression", "accuracy": 0.956, "train_time_s": 0.3},
        ],
    )
    assert list(points["label"]) == ["", NET, "Logistic regression", "depth-4 tree", "logistic regression"]
    # labels of the slower half of the log time axis (0.01 s … 1.1 s) go left of their points
    assert list(points["side"]) == ["left", "left", "left", "right", "left"]  # middle: 10^-0.98 ≈ 0.1 s
    assert list(points["kind"]) == ["black box"] * 3 + ["interpretable"] * 2
    assert list(points["accuracy"]) == [0.97, 0.98, 0.95, 0.55, 0.956]  # every run still drawn


def test_the_chart_writes_the_labels_and_puts_the_legend_below():
    spec = price_chart(price_points([{"model": NET, "accuracy": 0.9, "train_time_s": 1.0}], [])).to_dict()
    dots, *labels = spec["layer"]
    marks = [(t["mark"]["align"], t["mark"]["dy"], t["encoding"]["text"]["field"]) for t in labels]
    # right of a point in the faster half, left in the slower; black boxes above, interpretable models below
    assert marks == [("left", -9, "label"), ("left", 10, "label"), ("right", -9, "label"), ("right", 10, "label")]
    assert dots["encoding"]["color"]["legend"]["orient"] == "bottom"
    assert dots["encoding"]["shape"]["legend"]["orient"] == "bottom"
