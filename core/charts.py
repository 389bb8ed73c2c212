"""Altair chart builders for the pages (plain functions of core data; no Streamlit here).

Colours are fixed across every chart (core/chart_colors.py): accuracy-like quantities in ACCURACY_COLOR, time in
TIME_COLOR.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd

from core.chart_colors import (  # noqa: F401  (re-exported: the pages and reports read the colours from here)
    ACCURACY_COLOR,
    BASELINE_COLOR,
    OTHER_COLOR,
    TIME_COLOR,
    VALIDATION_COLOR,
)
from core.evaluation.metrics import Evaluation
from core.explore.pareto import pareto_mask
from core.training.progress import EpochLog

# the two what-ifs marked on a sweep's frontier (Trade-offs page and sweep report)
WHAT_IF_MARKS = {"best within budget": VALIDATION_COLOR, "fastest to target": BASELINE_COLOR}


EPOCH_AXIS = alt.Axis(tickMinStep=1, format="d")  # epochs are whole: never a tick at 1.5


def inside_legend(corner: str) -> alt.Legend:
    """A legend inside the plot's empty ``corner`` ("bottom-right"...): it takes no width, so a narrow chart
    keeps its plot, and its labels are never clipped ("validatio"). A legend below the plot is not used: in
    a chart that fills its column it leaves a tall gap and squeezes the plot."""
    return alt.Legend(orient=corner, title=None, labelLimit=0, fillColor="#ffffffcc", padding=4, cornerRadius=3)


LEGEND_RIGHT = alt.Legend(labelLimit=0, titleLimit=0)  # beside the plot, labels never clipped
# one line above the plot, under its title: for curves that can end in any corner (learning curves crossed an
# inside legend at 800 px), it costs ~20 px of height and no width
LEGEND_ABOVE = alt.Legend(orient="top", direction="horizontal", title=None, labelLimit=0, offset=4, padding=0)


def history_panels(history: Sequence[EpochLog], planned_epochs: int | None = None) -> tuple[alt.Chart, alt.Chart]:
    """Accuracy and loss per epoch (train and validation) as two charts, each able to fill its own column."""
    acc, loss = _curves(history, planned_epochs)
    # fit-x: the plot keeps its 240 px and the legend sits above it (Streamlit's "fit" squeezed both into 240 px)
    fit = alt.AutoSizeParams(type="fit-x", contains="padding")
    return acc.properties(autosize=fit), loss.properties(autosize=fit)


def _curves(history: Sequence[EpochLog], planned_epochs: int | None) -> tuple[alt.Chart, alt.Chart]:
    rows = []
    for log in history:
        rows.append({"epoch": log.epoch, "split": "train", "accuracy": log.accuracy, "loss": log.loss})
        if log.val_accuracy is not None:
            rows.append({"epoch": log.epoch, "split": "validation", "accuracy": log.val_accuracy, "loss": log.val_loss})
    df = pd.DataFrame(rows, columns=["epoch", "split", "accuracy", "loss"])
    domain = [1, max(planned_epochs or 1, len(history), 2)]
    scale = alt.Scale(domain=["train", "validation"], range=[ACCURACY_COLOR, VALIDATION_COLOR])
    x = alt.X("epoch:Q", scale=alt.Scale(domain=domain), title="epoch", axis=EPOCH_AXIS)
    base = alt.Chart(df).encode(x=x)
    acc = base.mark_line(point=True).encode(
        color=alt.Color("split:N", scale=scale, legend=LEGEND_ABOVE),
        y=alt.Y("accuracy:Q", scale=alt.Scale(zero=False), title="accuracy", axis=alt.Axis(format=".0%")),
        tooltip=["epoch:Q", "split:N", alt.Tooltip("accuracy:Q", format=".2%")],
    )
    loss = base.mark_line(point=True).encode(
        color=alt.Color("split:N", scale=scale, legend=LEGEND_ABOVE),
        y=alt.Y("loss:Q", scale=alt.Scale(zero=False), title="loss", axis=alt.Axis(format=".2~f")),
        tooltip=["epoch:Q", "split:N", alt.Tooltip("loss:Q", format=".4f")],
    )
    return acc.properties(title="Accuracy per epoch", height=240), loss.properties(title="Loss per epoch", height=240)


def history_chart(history: Sequence[EpochLog], planned_epochs: int | None = None) -> alt.HConcatChart:
    """Train and validation accuracy (left) and loss (right) per epoch; grows by one point per epoch. Each
    panel is 280 px wide so the pair fits an 800 px screen (pages that can, draw ``history_panels``)."""
    acc, loss = _curves(history, planned_epochs)
    return alt.hconcat(acc.properties(width=280), loss.properties(width=280))


def confusion_chart(evaluation: Evaluation, class_names: Sequence[str], *, normalize: bool = False) -> alt.LayerChart:
    """Counts per (true, predicted); ``normalize`` shows each true class's row as shares. Sized to its
    classes: cells grow with the class count, labels stay horizontal, numbers shrink to fit ten classes."""
    matrix = [list(row) for row in evaluation.confusion_matrix]
    if normalize:
        matrix = [[v / (sum(row) or 1) for v in row] for row in matrix]
    rows = [
        {"true": class_names[i], "predicted": class_names[j], "count": v}
        for i, row in enumerate(matrix)
        for j, v in enumerate(row)
    ]
    df = pd.DataFrame(rows)
    order = list(class_names)
    k = max(len(order), 1)
    longest = max((len(str(n)) for n in order), default=1)
    label_axis = alt.Axis(labelAngle=0 if longest * k <= 60 else -45, labelLimit=120, labelOverlap=False)
    base = alt.Chart(df).encode(
        x=alt.X("predicted:N", sort=order, axis=label_axis),
        y=alt.Y("true:N", sort=order, axis=alt.Axis(labelLimit=120, labelOverlap=False)),
    )
    heat = base.mark_rect().encode(
        color=alt.Color("count:Q", scale=alt.Scale(scheme="blues"), legend=None),
        tooltip=["true", "predicted", alt.Tooltip("count:Q", format=".2f" if normalize else "d")],
    )
    text = base.mark_text(fontSize=12 if k <= 5 else 10 if k <= 10 else 8).encode(
        text=alt.Text("count:Q", format=".2f" if normalize else "d"),
        color=alt.condition(alt.datum.count > df["count"].max() / 2, alt.value("white"), alt.value("black")),
    )
    return (heat + text).properties(title="Confusion matrix", height=max(200, min(32 * k, 420)))


def default_curve_classes(evaluation: Evaluation) -> list[str]:
    """The classes whose ROC / PR lines are drawn at first: the positive class (binary), every class up to
    three, else the three with the lowest recall (where a model struggles)."""
    labels = [c.label for c in evaluation.roc_curves]
    if evaluation.positive_class is not None and evaluation.positive_class in labels:
        return [evaluation.positive_class]
    if len(labels) <= 3:
        return labels
    recall = {row["class"]: row["recall"] for row in evaluation.per_class}
    return sorted(labels, key=lambda label: (recall.get(label, 1.0), labels.index(label)))[:3]


def curve_chart(evaluation: Evaluation, which: str, classes: Sequence[str] | None = None) -> alt.Chart:
    """ROC (``which="roc"``) or precision-recall (``"pr"``) curves, one line per class for multi-class;
    ``classes`` keeps only those lines (None: ``default_curve_classes``)."""
    curves = evaluation.roc_curves if which == "roc" else evaluation.pr_curves
    chosen = set(default_curve_classes(evaluation) if classes is None else classes)
    rows = [
        {"label": c.label, "x": x, "y": y} for c in curves if c.label in chosen for x, y in zip(c.x, c.y, strict=True)
    ]
    df = pd.DataFrame(rows, columns=["label", "x", "y"])
    x_title, y_title = ("false-positive rate", "true-positive rate") if which == "roc" else ("recall", "precision")
    title = (
        f"ROC (AUC {evaluation.roc_auc:.3f})"
        if which == "roc" and evaluation.roc_auc is not None
        else ("ROC" if which == "roc" else "Precision–recall")
    )
    unit = alt.Axis(format=".1f")
    return (
        alt.Chart(df)
        .mark_line()
        .encode(
            x=alt.X("x:Q", title=x_title, scale=alt.Scale(domain=[0, 1]), axis=unit),
            y=alt.Y("y:Q", title=y_title, scale=alt.Scale(domain=[0, 1]), axis=unit),
            color=alt.Color("label:N", legend=inside_legend("bottom-right" if which == "roc" else "bottom-left")),
            tooltip=["label", alt.Tooltip("x:Q", format=".3f"), alt.Tooltip("y:Q", format=".3f")],
        )
        .properties(title=title, height=280)
    )


STAGES = ("before resampling", "after resampling")  # left to right; before in grey, what trains in colour


def class_balance_chart(class_names: Sequence[str], before: Sequence[int], after: Sequence[int]) -> alt.Chart:
    rows = [{"class": n, "stage": "before resampling", "rows": b} for n, b in zip(class_names, before, strict=True)]
    rows += [{"class": n, "stage": "after resampling", "rows": a} for n, a in zip(class_names, after, strict=True)]
    return (
        alt.Chart(pd.DataFrame(rows))
        .mark_bar()
        .encode(
            x=alt.X("class:N", sort=list(class_names)),
            xOffset=alt.XOffset("stage:N", sort=list(STAGES)),
            y="rows:Q",
            color=alt.Color(
                "stage:N",
                sort=list(STAGES),
                scale=alt.Scale(domain=list(STAGES), range=[OTHER_COLOR, ACCURACY_COLOR]),
                legend=alt.Legend(orient="top", title=None),  # beside the bars it left a half column ~60 px of plot
            ),
            tooltip=["class", "stage", "rows"],
        )
        .properties(title="Training rows per class", height=320)  # title, key and labels take ~150 px of it
    )


CLASS_SCHEME = "tableau10"  # a categorical scheme: classes in contrasting hues, never two shades of one


def scatter_2d(X, y, class_names: Sequence[str]) -> alt.Chart:
    """The 2-D toys' points, one contrasting colour per class."""
    df = pd.DataFrame({"x1": X[:, 0], "x2": X[:, 1], "class": [class_names[i] for i in y]})
    return (
        alt.Chart(df)
        .mark_circle(size=25, opacity=0.7)
        .encode(
            x="x1:Q",
            y="x2:Q",
            color=alt.Color("class:N", scale=alt.Scale(scheme=CLASS_SCHEME, domain=list(class_names))),
            tooltip=["class", alt.Tooltip("x1:Q", format=".2f"), alt.Tooltip("x2:Q", format=".2f")],
        )
        .properties(height=320)
    )


BOARD_MARKS = {"current": TIME_COLOR, "baseline": BASELINE_COLOR}
# no precision: Vega gives each tick the digits its step needs (0.05, 1.2, 110; 0.9662, 0.9664), never "109.579218";
# a fixed ".3" printed close values alike ("0.967, 0.967, 0.967" for runs 0.05 pp apart)
TIME_FORMAT = "~g"  # axis ticks in seconds
METRIC_FORMAT = "~f"  # accuracy-like ticks


def frontier_chart(
    board: pd.DataFrame,
    *,
    metric: str = "accuracy",
    cost: str = "train_time_s",
    marks: dict[str, str] | None = None,
    title: str = "What was tried",  # the axes say what against what: a longer title was cut at 800 px
) -> alt.LayerChart:
    """Points (metric vs cost), the Pareto frontier as a step line, and marked points ringed.

    ``board`` needs columns ``run``, ``label``, the metric and cost columns, and ``role`` (a key of
    ``marks``, e.g. "current"/"baseline", or "" for none).
    """
    marks = marks or BOARD_MARKS
    df = board.copy()
    df["pareto"] = pareto_mask(df[metric].tolist(), df[cost].tolist()) if len(df) else []
    front = df[df["pareto"]].sort_values(cost)
    tooltip = ["run", "label", alt.Tooltip(f"{metric}:Q", format=".4f"), alt.Tooltip(f"{cost}:Q", format=".3f")]
    x = alt.X(f"{cost}:Q", title="training time (s)", scale=alt.Scale(zero=False), axis=alt.Axis(format=TIME_FORMAT))
    y = alt.Y(
        f"{metric}:Q", title=metric.replace("_", " "), scale=alt.Scale(zero=False), axis=alt.Axis(format=METRIC_FORMAT)
    )
    points = (
        alt.Chart(df)
        .mark_circle(size=90, opacity=0.8)
        .encode(
            x=x,
            y=y,
            tooltip=tooltip,
            color=alt.Color(
                "pareto:N",
                title="on frontier",
                scale=alt.Scale(domain=[True, False], range=[ACCURACY_COLOR, OTHER_COLOR]),
            ),
        )
    )
    line = alt.Chart(front).mark_line(interpolate="step-after", color=ACCURACY_COLOR).encode(x=x, y=y)
    marked = df[df["role"] != ""]
    rings = (
        alt.Chart(marked)
        .mark_point(size=260, filled=False, strokeWidth=2)
        .encode(
            x=x,
            y=y,
            shape=alt.Shape("role:N", title="marked", legend=alt.Legend() if len(marked) else None),  # no empty key
            color=alt.Color(
                "role:N",
                scale=alt.Scale(domain=list(marks), range=list(marks.values())),
                legend=None,
            ),
        )
    )
    return (line + points + rings).properties(title=title, height=320)


def image_grid(X, y, image_shape: tuple[int, int], n_classes: int, per_class: int = 8):
    """A (n_classes·h) × (per_class·w) array in [0, 1]: the first ``per_class`` images of each class, one row each."""
    import numpy as np

    h, w = image_shape
    grid = np.ones((n_classes * (h + 1), per_class * (w + 1)), dtype=np.float32)
    for c in range(n_classes):
        rows = np.flatnonzero(y == c)[:per_class]
        for j, i in enumerate(rows):
            img = X[i].reshape(h, w).astype(np.float32)
            span = img.max() - img.min()
            grid[c * (h + 1) : c * (h + 1) + h, j * (w + 1) : j * (w + 1) + w] = (img - img.min()) / (span or 1)
    return grid


def image_rows(X, y, image_shape: tuple[int, int], n_classes: int, per_class: int = 8, row_px: int = 40) -> list[Any]:
    """``image_grid``'s rows, one uint8 strip per class (its first ``per_class`` images side by side), for
    ``st.image`` to caption each strip with its class. Small images (8×8 digits) are enlarged pixel by pixel to
    about ``row_px`` tall, never blurred."""
    import numpy as np

    h, _ = image_shape
    grid = image_grid(X, y, image_shape, n_classes, per_class)
    scale = max(1, round(row_px / h))
    pixels = (np.kron(grid, np.ones((scale, scale))) * 255).round().astype(np.uint8)
    width = (grid.shape[1] - 1) * scale  # without the separator after the last image
    return [pixels[c * (h + 1) * scale : (c * (h + 1) + h) * scale, :width] for c in range(n_classes)]


def knob_chart(summary: pd.DataFrame, knob: str, metric: str) -> alt.HConcatChart:
    """Metric and training time against a swept knob, mean line with a band of ± one std over repeats.

    ``summary`` has one row per configuration: ``knob`` (display value), ``order``, ``metric_mean``,
    ``metric_std``, ``time_mean``, ``time_std``. The knob's values are categories in their sweep order, so an
    integer knob never gets a tick at 1.5.
    """
    df = summary.assign(
        m_lo=summary.metric_mean - summary.metric_std,
        m_hi=summary.metric_mean + summary.metric_std,
        t_lo=summary.time_mean - summary.time_std,
        t_hi=summary.time_mean + summary.time_std,
    )
    x = alt.X(f"{knob}:N", sort=alt.SortField("order"), title=knob.replace("_", " "), axis=alt.Axis(labelAngle=0))
    left = (
        alt.Chart(df)
        .mark_area(opacity=0.25, color=ACCURACY_COLOR)
        .encode(
            x=x,
            y=alt.Y("m_lo:Q", title=metric, scale=alt.Scale(zero=False), axis=alt.Axis(format=METRIC_FORMAT)),
            y2="m_hi:Q",
        )
    )
    left += (
        alt.Chart(df)
        .mark_line(point=True, color=ACCURACY_COLOR)
        .encode(
            x=x,
            y="metric_mean:Q",
            tooltip=[
                f"{knob}:N",
                alt.Tooltip("metric_mean:Q", format=".4f"),
                alt.Tooltip("metric_std:Q", format=".4f"),
            ],
        )
    )
    right = (
        alt.Chart(df)
        .mark_area(opacity=0.25, color=TIME_COLOR)
        .encode(x=x, y=alt.Y("t_lo:Q", title="training time (s)", axis=alt.Axis(format=TIME_FORMAT)), y2="t_hi:Q")
    )
    right += (
        alt.Chart(df)
        .mark_line(point=True, color=TIME_COLOR)
        .encode(x=x, y="time_mean:Q", tooltip=[f"{knob}:N", alt.Tooltip("time_mean:Q", format=".3f")])
    )
    return alt.hconcat(
        left.properties(title=f"{metric} (mean ± std)", height=240),
        right.properties(title="training time (mean ± std)", height=240),
    )


CHAR_PX = 7.0  # width of one character at Vega's 11 px label font, a safe over-estimate
HEATMAP_MAX_WIDTH_PX = 700  # one heatmap fits beside the sidebar at 1440 px and alone at 800 px
METRIC_CELL_FORMAT, TIME_CELL_FORMAT = ".3f", ".3~g"


def text_width_px(text: str, font_px: float = 11.0) -> float:
    """An estimate of the width of ``text`` in pixels (``CHAR_PX`` per character at 11 px)."""
    return len(str(text)) * CHAR_PX * font_px / 11.0


def heatmap_layout(summary: pd.DataFrame, x: str, y: str) -> dict[str, float]:
    """Cell size and text size for a two-knob heatmap: each cell at least as wide as its longest x label and
    its number (plus padding); the numbers shrink from 12 px towards 9 px when the cells would not fit
    ``HEATMAP_MAX_WIDTH_PX`` side by side (labels are never cut or overlapped)."""
    labels = [str(v) for v in summary[x]] or [""]
    texts = [f"{v:{METRIC_CELL_FORMAT}}" for v in summary.metric_mean]
    texts += [f"{v:{TIME_CELL_FORMAT.replace('~', '')}}" for v in summary.time_mean]
    longest_text = max((len(t) for t in texts), default=1)
    n_x = max(1, summary[x].nunique())
    label_px = max(text_width_px(t) for t in labels)
    room = HEATMAP_MAX_WIDTH_PX / n_x - 12  # text room per cell if all cells fit the width
    font_px = min(12.0, max(9.0, room / (longest_text * CHAR_PX / 11.0)))
    cell_w = max(40.0, label_px, longest_text * CHAR_PX * font_px / 11.0) + 12
    return {"cell_width": cell_w, "cell_height": max(26.0, font_px + 14), "font_size": font_px, "label_width": label_px}


def heatmap_pair(summary: pd.DataFrame, x: str, y: str, metric: str) -> alt.VConcatChart:
    """For two knobs: a heatmap of the metric above one of training time, cells sized to their labels
    (:func:`heatmap_layout`)."""
    size = heatmap_layout(summary, x, y)

    def one(value: str, title: str, scheme: str, fmt: str) -> alt.LayerChart:
        base = alt.Chart(summary).encode(
            x=alt.X(
                f"{x}:N",
                sort=alt.SortField("order_x"),
                title=x.replace("_", " "),
                axis=alt.Axis(labelAngle=0, labelLimit=0),
            ),
            y=alt.Y(f"{y}:N", sort=alt.SortField("order_y"), title=y.replace("_", " "), axis=alt.Axis(labelLimit=0)),
        )
        dark = f"datum.{value} > {float(summary[value].min() + summary[value].max()) / 2}"
        return (
            base.mark_rect().encode(
                color=alt.Color(f"{value}:Q", scale=alt.Scale(scheme=scheme), title=title, legend=None),
                tooltip=[f"{x}:N", f"{y}:N", alt.Tooltip(f"{value}:Q", format=fmt)],
            )
            + base.mark_text(fontSize=size["font_size"]).encode(
                text=alt.Text(f"{value}:Q", format=fmt),
                color=alt.condition(dark, alt.value("white"), alt.value("black")),
            )
        ).properties(title=title, width=alt.Step(size["cell_width"]), height=alt.Step(size["cell_height"]))

    return alt.vconcat(
        one("metric_mean", f"{metric} (mean over repeats)", "blues", METRIC_CELL_FORMAT),
        one("time_mean", "training time, s (mean over repeats)", "oranges", TIME_CELL_FORMAT),
    ).resolve_scale(color="independent")


CURVE_SCHEME = "category20"  # 20 distinct colours: a 4 × 3 grid's 12 lines never share one (tableau10 repeats)


def time_to_accuracy_chart(curves: pd.DataFrame) -> alt.Chart:
    """Validation accuracy against wall-clock seconds, one line per trial (columns trial, label, elapsed_s,
    val_accuracy); repeats of a configuration share its colour and legend entry. The legend sits below the
    chart with labels never cut (``labelLimit=0``)."""
    n_labels = curves["label"].nunique() if len(curves) else 0
    columns = 1 if n_labels > 6 else 2
    order = list(dict.fromkeys(curves.sort_values("trial", kind="stable")["label"])) if len(curves) else []
    legend = alt.Legend(orient="bottom", direction="vertical", columns=columns, labelLimit=0)
    return (
        alt.Chart(curves)
        .mark_line(point=True, opacity=0.8)
        .encode(
            x=alt.X("elapsed_s:Q", title="seconds since training started", axis=alt.Axis(format=TIME_FORMAT)),
            y=alt.Y(
                "val_accuracy:Q",
                title="validation accuracy",
                scale=alt.Scale(zero=False),
                axis=alt.Axis(format=METRIC_FORMAT),
            ),
            color=alt.Color(
                "label:N",
                title="configuration",
                legend=legend,
                sort=order,  # the sweep's order (8, 64, 512), not the text's (128, 512, 64, 8)
                scale=alt.Scale(scheme=CURVE_SCHEME),
            ),
            detail="trial:N",
            tooltip=["label:N", alt.Tooltip("elapsed_s:Q", format=".2f"), alt.Tooltip("val_accuracy:Q", format=".4f")],
        )
        # fit-x: a stretched chart fits the page's width and keeps its plot 300 px high, the legend below it
        # (Streamlit's default "fit" squeezes plot and legend into 300 px: a flat line and a cut legend)
        .properties(title="Time to accuracy", height=300, autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
    )


def operating_point_chart(
    x, y, point: tuple[float, float], *, x_title: str, y_title: str, title: str
) -> alt.LayerChart:
    """A curve (ROC or PR) with the current threshold's operating point marked."""
    curve = pd.DataFrame({"x": x, "y": y})
    dot = pd.DataFrame({"x": [point[0]], "y": [point[1]]})
    scale = alt.Scale(domain=[0, 1])
    line = (
        alt.Chart(curve)
        .mark_line(color=ACCURACY_COLOR)
        .encode(
            x=alt.X("x:Q", title=x_title, scale=scale, axis=alt.Axis(format=".1f")),
            y=alt.Y("y:Q", title=y_title, scale=scale, axis=alt.Axis(format=".1f")),
        )
    )
    marker = (
        alt.Chart(dot)
        .mark_point(size=200, filled=True, color=BASELINE_COLOR)
        .encode(x="x:Q", y="y:Q", tooltip=[alt.Tooltip("x:Q", format=".3f"), alt.Tooltip("y:Q", format=".3f")])
    )
    return (line + marker).properties(title=title, height=280)


def cost_curve_chart(thresholds, cost, best: float) -> alt.LayerChart:
    df = pd.DataFrame({"threshold": thresholds, "cost": cost})
    line = (
        alt.Chart(df)
        .mark_line(color=TIME_COLOR)
        .encode(
            x=alt.X("threshold:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format=".1f")),
            y=alt.Y("cost:Q", title="expected cost per 1,000", axis=alt.Axis(format="~s")),
            tooltip=[alt.Tooltip("threshold:Q", format=".3f"), alt.Tooltip("cost:Q", format=".1f")],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"threshold": [best]}))
        .mark_rule(color=BASELINE_COLOR, strokeDash=[4, 3])
        .encode(x="threshold:Q")
    )
    return (line + rule).properties(title="Expected cost against the threshold (dashed: minimum)", height=260)


def reliability_chart(predicted, observed, brier: float) -> alt.LayerChart:
    df = pd.DataFrame({"predicted": predicted, "observed": observed})
    diagonal = (
        alt.Chart(pd.DataFrame({"predicted": [0, 1], "observed": [0, 1]}))
        .mark_line(color="#999999", strokeDash=[4, 3])
        .encode(x="predicted:Q", y="observed:Q")
    )
    points = (
        alt.Chart(df)
        .mark_line(point=True, color=ACCURACY_COLOR)
        .encode(
            x=alt.X("predicted:Q", title="mean predicted probability", scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("observed:Q", title="observed frequency", scale=alt.Scale(domain=[0, 1])),
            tooltip=[alt.Tooltip("predicted:Q", format=".3f"), alt.Tooltip("observed:Q", format=".3f")],
        )
    )
    return (diagonal + points).properties(title=f"Reliability (Brier score {brier:.4f}; dashed: perfect)", height=280)


def imbalance_chart(rows: pd.DataFrame, majority_accuracy: float) -> alt.LayerChart:
    """Grouped bars of each metric per resampling method, with the always-majority accuracy as a line."""
    long = rows.melt(
        id_vars=["method"],
        value_vars=["accuracy", "balanced_accuracy", "minority_recall", "pr_auc", "mcc"],
        var_name="metric",
        value_name="value",
    )
    bars = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("metric:N", title=None),
            xOffset="method:N",
            y=alt.Y("value:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format=".1f")),
            color=alt.Color("method:N", legend=LEGEND_RIGHT),
            tooltip=["method:N", "metric:N", alt.Tooltip("value:Q", format=".3f")],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"value": [majority_accuracy]}))
        .mark_rule(color=BASELINE_COLOR, strokeDash=[5, 3], size=2)
        .encode(y="value:Q")
    )
    return (bars + rule).properties(
        title=f"Dashed: accuracy of always predicting the majority ({majority_accuracy:.1%})", height=300
    )
