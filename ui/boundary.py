"""The decision boundary as a chart, drawn once or live while a network trains (Playground-style).

    from core.explain.boundary import BoundaryRecorder, Grid
    slot = st.empty()
    recorder = BoundaryRecorder(Grid.around(data.X_train), on_snapshot=lambda s: live_boundary(slot, s, data))
    # the trainer calls recorder.attach(model) before fit and recorder(log) after each epoch

On the Train page, where a background thread trains and the script polls: ``recorder_for(data, inner=job_callback)``
gives the callback to train with, and each poll calls ``draw_latest(slot, recorder, data)``.

The background is the model's probability of the second class (binary) or its predicted class shaded by
confidence (more classes); the validation points sit on top in two contrasting colours with a white edge.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from core.data.prepare import PreparedData
from core.explain.boundary import BoundaryRecorder, BoundarySnapshot, Grid
from core.training.progress import Callback

POINT_COLORS = ["#f28e2b", "#1f5fa8", "#59a14f", "#b07aa1", "#e15759", "#76b7b2", "#edc948", "#9c755f"]


def boundary_chart(
    snapshot: BoundarySnapshot,
    X: np.ndarray,
    y: np.ndarray,
    class_names: Sequence[str],
    *,
    title: str | None = None,
    height: int = 340,
    max_points: int = 600,
) -> alt.LayerChart:
    """Probability background on the snapshot's grid with the points of (X, y) on top."""
    cols = snapshot.long_form()
    xs, ys = snapshot.grid.xs, snapshot.grid.ys
    dx, dy = (xs[1] - xs[0]) / 2, (ys[1] - ys[0]) / 2
    names = list(class_names)
    grid = pd.DataFrame(
        {
            "x": cols["x"] - dx,
            "x2": cols["x"] + dx,
            "y": cols["y"] - dy,
            "y2": cols["y"] + dy,
            "p": cols["p_class1"],
            "confidence": cols["confidence"],
            "predicted": [names[int(i)] for i in cols["predicted"]],
        }
    )
    x_scale = alt.Scale(domain=[float(xs[0] - dx), float(xs[-1] + dx)], nice=False, zero=False)
    y_scale = alt.Scale(domain=[float(ys[0] - dy), float(ys[-1] + dy)], nice=False, zero=False)
    colors = alt.Scale(domain=names, range=POINT_COLORS[: len(names)])
    rect = alt.Chart(grid).mark_rect(opacity=0.55)
    if len(names) == 2:
        background = rect.encode(
            color=alt.Color(
                "p:Q",
                scale=alt.Scale(domain=[0, 1], range=[POINT_COLORS[0], "#ffffff", POINT_COLORS[1]]),
                title=f"P({names[1]})",
            )
        )
    else:
        background = rect.encode(
            color=alt.Color("predicted:N", scale=colors, legend=None), opacity=alt.Opacity("confidence:Q", legend=None)
        )
    background = background.encode(
        x=alt.X("x:Q", scale=x_scale, title="x1"), x2="x2:Q", y=alt.Y("y:Q", scale=y_scale, title="x2"), y2="y2:Q"
    )
    keep = np.random.default_rng(0).permutation(len(X))[:max_points]
    points = pd.DataFrame({"x": X[keep, 0], "y": X[keep, 1], "class": [names[int(i)] for i in y[keep]]})
    dots = (
        alt.Chart(points)
        .mark_circle(size=28, opacity=0.95, stroke="white", strokeWidth=0.8)
        .encode(
            x=alt.X("x:Q", scale=x_scale),
            y=alt.Y("y:Q", scale=y_scale),
            color=alt.Color("class:N", scale=colors, legend=alt.Legend(orient="bottom", title=None)),
        )
    )
    if title is None:
        acc = "" if snapshot.val_accuracy is None else f", validation accuracy {snapshot.val_accuracy:.3f}"
        title = f"Decision boundary, epoch {snapshot.epoch}{acc}" if snapshot.epoch else "Decision boundary"
    return alt.layer(background, dots).resolve_scale(color="independent").properties(title=title, height=height)


def live_boundary(slot, snapshot: BoundarySnapshot, X: np.ndarray, y: np.ndarray, class_names: Sequence[str]) -> None:
    """Redraw ``slot`` (an ``st.empty()``) with this snapshot: call it from a BoundaryRecorder's on_snapshot."""
    chart = boundary_chart(snapshot, X, y, class_names)
    slot.altair_chart(chart, width="stretch", height=chart.height + 90)  # title and axes come on top


def recorder_for(
    data: PreparedData, inner: Callback | None = None, *, every: int = 1, min_interval_s: float = 0.25
) -> BoundaryRecorder | None:
    """A recorder to train with on 2-D data (None for other data): it passes each epoch on to ``inner``
    and keeps the latest boundary, at most one per ``min_interval_s``, for the page to draw."""
    if data.n_features != 2:
        return None
    grid = Grid.around(np.vstack([data.X_train, data.X_val]), resolution=50)
    return BoundaryRecorder(grid, inner=inner, every=every, min_interval_s=min_interval_s, keep_last=1)


def draw_latest(slot, recorder: BoundaryRecorder | None, data: PreparedData) -> None:
    """Draw the recorder's latest boundary into ``slot`` (nothing before the first epoch, or for other data)."""
    if recorder is not None and recorder.snapshots:
        live_boundary(slot, recorder.snapshots[-1], data.X_val, data.y_val, data.class_names)
