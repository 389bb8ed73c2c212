"""Charts of an Optuna search (plain Altair, no Streamlit): which knobs mattered (parameter importances as
bars) and every configuration tried as one line across the knobs (parallel coordinates), coloured by the
metric.

    importance_chart({"learning_rate": 0.8, "batch_size": 0.2}, {"batch_size": 0.7, "learning_rate": 0.3})
    parallel_coordinates(trials, ranges, metric="accuracy")
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd

from core.charts import ACCURACY_COLOR, TIME_COLOR
from core.explore.analysis import display_value, summarise
from core.explore.search import Choice, FloatRange, IntRange, Range, UnitsRange
from core.explore.sweeps import Trial

AXIS_GAP_PX = 170  # room between two axes of the parallel coordinates for the end labels


def importance_rows(metric_importance: dict[str, float], time_importance: dict[str, float]) -> list[dict[str, Any]]:
    """Long rows (knob, what, importance) for the bar chart; knob names in words."""
    rows = []
    for what, found in (("accuracy-like metric", metric_importance), ("training time", time_importance)):
        rows += [{"knob": k.replace("_", " "), "what": what, "importance": float(v)} for k, v in found.items()]
    return rows


def importance_chart(
    metric_importance: dict[str, float], time_importance: dict[str, float], *, metric: str = "accuracy"
) -> alt.Chart:
    """Horizontal bars: each knob's share of what explains the metric, and of what explains training time."""
    rows = importance_rows(metric_importance, time_importance)
    for row in rows:
        if row["what"] == "accuracy-like metric":
            row["what"] = metric.replace("_", " ")
    order = list(dict.fromkeys(k.replace("_", " ") for k in metric_importance))
    whats = [metric.replace("_", " "), "training time"]
    return (
        alt.Chart(pd.DataFrame(rows, columns=["knob", "what", "importance"]))
        .mark_bar()
        .encode(
            y=alt.Y("knob:N", sort=order, title=None, axis=alt.Axis(labelLimit=0)),
            yOffset=alt.YOffset("what:N", sort=whats),
            x=alt.X("importance:Q", title="share of the variation explained", axis=alt.Axis(format=".0%")),
            color=alt.Color(
                "what:N",
                title="explains",
                scale=alt.Scale(domain=whats, range=[ACCURACY_COLOR, TIME_COLOR]),
                legend=alt.Legend(orient="bottom", labelLimit=0),
            ),
            tooltip=["knob:N", "what:N", alt.Tooltip("importance:Q", format=".0%")],
        )
        .properties(title="Which knobs mattered (Optuna parameter importances)")
    )


def _position(values: Sequence[Any], rng: Range | None) -> tuple[list[float], list[str]]:
    """Each value's place on its axis in [0, 1] (log scale for log knobs, categories evenly spaced), and the
    labels of the axis ends."""
    if isinstance(rng, UnitsRange) or (rng is None and values and isinstance(values[0], (tuple, list))):
        numbers = [float(v[0]) if v else 0.0 for v in values]
        log = getattr(rng, "log", True)
    elif isinstance(rng, (IntRange, FloatRange)):
        numbers, log = [float(v) for v in values], rng.log
    else:
        options = list(rng.options) if isinstance(rng, Choice) else sorted({display_value(v) for v in values})
        names = [display_value(o) for o in options]
        places = {n: i / max(1, len(names) - 1) for i, n in enumerate(names)}
        return [places.get(display_value(v), 0.0) for v in values], [names[0], names[-1]]
    if isinstance(rng, (IntRange, FloatRange, UnitsRange)):
        lo, hi = float(rng.low), float(rng.high)
    else:
        lo, hi = min(numbers), max(numbers)
    scale = (lambda v: math.log(v)) if log and lo > 0 else (lambda v: v)
    span = scale(hi) - scale(lo)
    places = [(scale(v) - scale(lo)) / span if span else 0.5 for v in numbers]
    int_like = isinstance(rng, (IntRange, UnitsRange))
    ends = [display_value(int(lo) if int_like else lo), display_value(int(hi) if int_like else hi)]
    return places, ends


def parallel_rows(trials: Sequence[Trial], ranges: dict[str, Range], metric: str = "accuracy") -> pd.DataFrame:
    """One row per (configuration, axis): the knobs in order, then training time; repeats averaged.

    Columns: ``config`` (a number), ``axis``, ``place`` (0..1 on that axis), ``value`` (as people read it),
    ``label`` (the configuration), the metric's mean, ``train_time_s``, and ``low``/``high`` (the values at
    the axis's bottom and top: the searched range, or the times seen)."""
    summaries = summarise(trials, metric=metric)
    if not summaries:
        return pd.DataFrame(
            columns=["config", "axis", "place", "value", "label", metric, "train_time_s", "low", "high"]
        )
    knobs = [k for k in ranges if all(k in s.params for s in summaries)]
    columns: dict[str, tuple[list[float], list[str]]] = {
        k: _position([s.params[k] for s in summaries], ranges.get(k)) for k in knobs
    }
    times = [s.time_mean for s in summaries]
    lo, hi = min(times), max(times)
    columns["training time (s)"] = (
        [(t - lo) / (hi - lo) if hi > lo else 0.5 for t in times],
        [f"{lo:.3g}", f"{hi:.3g}"],
    )
    rows = []
    for i, s in enumerate(summaries):
        label = ", ".join(f"{k}={display_value(s.params[k])}" for k in knobs)
        for axis, (places, (low, high)) in columns.items():
            value = f"{s.time_mean:.3g}" if axis == "training time (s)" else display_value(s.params[axis])
            rows.append(
                {
                    "config": i,
                    "axis": axis.replace("_", " "),
                    "place": places[i],
                    "value": value,
                    "label": label,
                    metric: s.metric_mean,
                    "train_time_s": s.time_mean,
                    "low": low,  # what the axis's bottom and top stand for
                    "high": high,
                }
            )
    return pd.DataFrame(rows)


def parallel_coordinates(trials: Sequence[Trial], ranges: dict[str, Range], *, metric: str = "accuracy") -> alt.Chart:
    """Every configuration as one line across the knobs' axes (low at the bottom, high at the top; log knobs
    on a log scale) and training time, coloured by its mean metric: where the good lines cross each axis is
    where the good values lie."""
    df = parallel_rows(trials, ranges, metric)
    axes = list(dict.fromkeys(df["axis"])) if len(df) else []
    x = alt.X(
        "axis:N",
        sort=axes,
        title=None,
        scale=alt.Scale(paddingOuter=0.1),
        axis=alt.Axis(labelAngle=0, labelLimit=0, orient="top", labelFontSize=12, labelFontWeight="bold"),
    )
    lines = (
        alt.Chart(df)
        .mark_line(point=True, opacity=0.75, strokeWidth=2)
        .encode(
            x=x,
            y=alt.Y("place:Q", axis=None, scale=alt.Scale(domain=[0, 1])),
            color=alt.Color(
                f"{metric}:Q",
                title=metric.replace("_", " "),
                scale=alt.Scale(scheme="viridis"),
                legend=alt.Legend(format=".3f", type="gradient"),
            ),
            detail="config:N",
            tooltip=["label:N", "axis:N", "value:N", alt.Tooltip(f"{metric}:Q", format=".4f")],
        )
    )
    rules = alt.Chart(pd.DataFrame({"axis": axes})).mark_rule(color="#999999").encode(x=alt.X("axis:N", sort=axes))
    ends = []
    for axis in axes:
        first = df[df["axis"] == axis].iloc[0]
        ends += [{"axis": axis, "place": p, "text": first[end]} for p, end in ((0.0, "low"), (1.0, "high"))]
    marks = (
        alt.Chart(pd.DataFrame(ends, columns=["axis", "place", "text"]))
        .mark_text(dx=6, align="left", fontSize=11, color="#444444")
        .encode(x=alt.X("axis:N", sort=axes), y=alt.Y("place:Q", scale=alt.Scale(domain=[0, 1])), text="text:N")
    )
    return (rules + lines + marks).properties(
        title="Every configuration tried, one line each (colour: mean " + metric.replace("_", " ") + ")",
        width=AXIS_GAP_PX * max(1, len(axes)),  # the page stretches it; a report or export keeps this
        height=300,
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),  # 300 px of plot, axis labels above
    )
