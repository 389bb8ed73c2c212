"""History's frontier chart, an SVG drawn in Python (ui/history_chart.py) from the store's frontier view
(core/records/store_frontier.py): every drawn run a dot with its hover text, the frontier's coloured and joined by a
step line in time order, round axis ticks spanning the data, user-visible names escaped."""

import math
import re
import xml.etree.ElementTree as ET

import pytest

from core.records.store_frontier import frontier_view
from ui.history_chart import ACCURACY_COLOR, OTHER_COLOR, frontier_svg, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"
POINTS = [  # id, model, dataset, model_repr, val accuracy, train s, timing
    (1, "knn", "digits", "", 0.90, 1.0, "serial"),
    (2, "numpy_mlp", "digits", "", 0.95, 2.0, "serial"),
    (3, "knn", "digits", "", 0.92, 3.0, "serial"),
    (4, "<b>odd & name</b>", "digits", "", 0.97, 4.0, "serial"),
    (5, "knn", "iris", "", 0.99, 0.5, "serial"),  # another dataset: not on this frontier
    (6, "knn", "digits", "", 0.99, 0.1, "parallel:2"),  # timed beside other work: left out unless asked
]


def _chart(points=POINTS) -> ET.Element:
    block = ET.fromstring(frontier_svg(frontier_view(points, "digits", include_all_timing=False), title="T <&>"))
    assert block.tag == "div"  # the wrapper that makes Markdown take the SVG as one raw HTML block
    (svg,) = block
    return svg


def test_each_drawn_run_is_a_dot_with_its_run_accuracy_and_time_as_hover_text():
    root = _chart()
    dots = [c for c in root.iter(f"{SVG}circle") if c.find(f"{SVG}title") is not None]
    hovers = sorted(c.find(f"{SVG}title").text for c in dots)
    assert hovers == [
        "#1 knn on digits\naccuracy 90.00%\ntraining time 1.000 s",
        "#2 numpy_mlp on digits\naccuracy 95.00%\ntraining time 2.000 s",
        "#3 knn on digits\naccuracy 92.00%\ntraining time 3.000 s",
        "#4 <b>odd & name</b> on digits\naccuracy 97.00%\ntraining time 4.000 s",  # text, never markup
    ]
    colours = {c.find(f"{SVG}title").text[:2]: c.get("fill") for c in dots}
    assert colours == {"#1": ACCURACY_COLOR, "#2": ACCURACY_COLOR, "#3": OTHER_COLOR, "#4": ACCURACY_COLOR}
    assert root.find(f"{SVG}text").text == "T <&>"  # the title, escaped in the SVG text


def test_the_step_line_joins_the_frontier_in_time_order_and_the_axes_span_the_data():
    root = _chart()
    at = {c.find(f"{SVG}title").text[:2]: (float(c.get("cx")), float(c.get("cy"))) for c in root.iter(f"{SVG}circle")
          if c.find(f"{SVG}title") is not None}  # fmt: skip
    (path,) = root.iter(f"{SVG}path")
    numbers = [float(v) for v in re.findall(r"-?[\d.]+", path.get("d"))]
    start, steps = tuple(numbers[:2]), list(zip(numbers[2::2], numbers[3::2], strict=True))
    assert start == at["#1"] and steps == [at["#2"], at["#4"]]  # each step: across to its time, then up
    assert at["#1"][0] < at["#2"][0] < at["#4"][0] and at["#4"][1] < at["#2"][1] < at["#1"][1]  # up is better
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "middle" and t.text[0].isdigit()]
    assert ticks == ["1", "2", "3", "4"]
    levels = [t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert levels == ["90 %", "92 %", "94 %", "96 %", "98 %"]  # accuracy in %, as on Train: 0.9–0.97 in 2 pp steps


def test_close_runs_get_distinct_tick_labels():
    close = [(i, "knn", "digits", "", 0.9662 + 0.0003 * i, 1.2341 + 0.0013 * i, "serial") for i in range(3)]
    root = _chart(close)
    for anchor in ("middle", "end"):  # time ticks under the plot, accuracy ticks left of it
        ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == anchor and t.text[0].isdigit()]
        assert len(ticks) >= 3 and len(set(ticks)) == len(ticks), ticks


def test_an_empty_or_single_run_chart_still_draws():
    assert _chart([]).tag == f"{SVG}svg"
    (dot,) = [c for c in _chart(POINTS[:1]).iter(f"{SVG}circle") if c.find(f"{SVG}title") is not None]
    assert dot.get("fill") == ACCURACY_COLOR and all(math.isfinite(float(dot.get(k))) for k in ("cx", "cy"))


@pytest.mark.parametrize(("low", "high"), [(0.9, 0.97), (0.012, 113.4), (1, 4), (5, 5), (-2.5, 0.1), (0.0, 1e-4)])
def test_nice_ticks_are_round_steps_that_span_the_values(low, high):
    ticks = nice_ticks(low, high)
    assert ticks[0] <= low and ticks[-1] >= high and 3 <= len(ticks) <= 11
    steps = {round(b - a, 12) for a, b in zip(ticks, ticks[1:])}
    assert len(steps) == 1
    step = steps.pop()
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 9) in (1, 2, 5)


def test_the_svg_is_one_line_so_markdown_shows_it_whole():
    text = frontier_svg(frontier_view(POINTS, "digits", include_all_timing=False), title="T")
    assert "\n" not in text and text.startswith("<div") and text.endswith("</svg></div>")


def test_markdown_passes_the_svg_through_raw_so_names_are_not_formatted():
    markdown_it = pytest.importorskip("markdown_it")  # CommonMark, as Streamlit's Markdown renderer follows
    points = [
        (1, "*mlp*", "_data_", "", 0.9, 1.0, "serial"),
        (2, "[x](javascript:alert(1))", "_data_", "", 0.8, 2.0, "serial"),
    ]
    text = frontier_svg(frontier_view(points, "_data_", include_all_timing=True), title="**T**")
    html = markdown_it.MarkdownIt("commonmark").render(text)
    assert html.strip() == text  # one HTML block, byte for byte: no <p>, <em>, <strong> or <a> added
