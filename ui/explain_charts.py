"""Altair charts for the Explain page: importance bars with ± bands, a SHAP strip (beeswarm-style),
contributions of one prediction, heat maps over images, activation histograms, and the price chart."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from core.charts import EPOCH_AXIS
from core.explain.importance import GlobalImportance
from core.explain.local import RowExplanation

POSITIVE, NEGATIVE = "#1f5fa8", "#f28e2b"
KINDS = ["black box", "interpretable"]


def show(slot, chart) -> None:
    """``slot.altair_chart`` at the chart's own height: Streamlit 1.67 otherwise squeezes charts with a
    nominal axis to a strip. The height given to Streamlit includes the title and axes (~90 px)."""
    height = getattr(chart, "height", None)
    extra = {"height": height + 90} if isinstance(height, int) else {}
    slot.altair_chart(chart, width="stretch", **extra)


def importance_bars(imp: GlobalImportance, top: int = 15) -> alt.LayerChart:
    rows = [{"feature": f.feature, "importance": f.importance, "std": f.std} for f in imp.features[:top]]
    df = pd.DataFrame(rows)
    df["low"], df["high"] = df["importance"] - df["std"], df["importance"] + df["std"]
    order = list(df["feature"])
    label = "accuracy lost when shuffled" if imp.method == "permutation" else "mean |SHAP value|"
    base = alt.Chart(df).encode(y=alt.Y("feature:N", sort=order, title=None, axis=alt.Axis(labelOverlap=False)))
    bars = base.mark_bar(color=POSITIVE).encode(
        x=alt.X("importance:Q", title=label), tooltip=["feature", alt.Tooltip("importance:Q", format=".4f"), "std"]
    )
    band = base.mark_errorbar(color="black").encode(x=alt.X("low:Q", title=label), x2="high:Q")
    return alt.layer(bars, band).properties(title=f"{imp.method} importance (± 1 std)", height=max(160, 22 * len(df)))


def shap_strip(imp: GlobalImportance, top: int = 12) -> alt.Chart:
    """One dot per (row, feature): SHAP value across, the feature's value as colour (a beeswarm without swarm)."""
    features = [f.feature for f in imp.features[:top]]
    rows = []
    for name in features:
        j = imp.feature_order.index(name)
        col = imp.X[:, j]
        span = (col.max() - col.min()) or 1.0
        for value, x in zip(imp.values[:, j], col, strict=True):
            rows.append({"feature": name, "shap": float(value), "value": float((x - col.min()) / span)})
    df = pd.DataFrame(rows)
    df["jitter"] = np.random.default_rng(0).uniform(-0.3, 0.3, len(df))
    return (
        alt.Chart(df)
        .mark_circle(size=18, opacity=0.8)
        .encode(
            x=alt.X("shap:Q", title="SHAP value (last class)"),
            y=alt.Y("feature:N", sort=features, title=None, axis=alt.Axis(labelOverlap=False)),
            yOffset=alt.YOffset("jitter:Q"),
            color=alt.Color("value:Q", scale=alt.Scale(range=[NEGATIVE, POSITIVE]), title="feature value (low→high)"),
        )
        .properties(title="SHAP values per row", height=max(160, 26 * len(features)))
    )


def contribution_bars(row: RowExplanation, class_name: str, top: int = 10) -> alt.Chart:
    df = pd.DataFrame([c.__dict__ for c in row.contributions[:top]])
    df["sign"] = np.where(df["contribution"] >= 0, "for", "against")
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X("contribution:Q", title=f"P({class_name}) lost when set to the mean"),
            y=alt.Y("feature:N", sort=list(df["feature"]), title=None, axis=alt.Axis(labelOverlap=False)),
            color=alt.Color("sign:N", scale=alt.Scale(domain=["for", "against"], range=[POSITIVE, NEGATIVE])),
            tooltip=["feature", alt.Tooltip("value:Q", format=".3f"), alt.Tooltip("contribution:Q", format=".4f")],
        )
        .properties(title="Top contributions", height=max(140, 22 * len(df)))
    )


def proba_bars(proba: np.ndarray, class_names: Sequence[str]) -> alt.Chart:
    df = pd.DataFrame({"class": list(class_names), "probability": proba})
    return (
        alt.Chart(df)
        .mark_bar(color=POSITIVE)
        .encode(
            x=alt.X("probability:Q", scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("class:N", sort=None, axis=alt.Axis(labelOverlap=False)),
            tooltip=["class", alt.Tooltip("probability:Q", format=".4f")],
        )
        .properties(title="Class probabilities", height=max(80, 20 * len(df)))
    )


def to_image(values: np.ndarray, *, symmetric: bool = False) -> np.ndarray:
    """Scale a 2-D array to [0, 1] for st.image (symmetric: 0.5 is zero, for signed weights)."""
    values = np.asarray(values, dtype=np.float64)
    if symmetric:
        m = np.abs(values).max() or 1.0
        return (values / m + 1) / 2
    span = np.ptp(values) or 1.0
    return (values - values.min()) / span


def overlay(image: np.ndarray, heat: np.ndarray) -> np.ndarray:
    """A dimmed grey image with the heat map blended in red (opaque where the heat is largest), RGB in [0, 1]."""
    grey = to_image(image)[..., None] * 0.5 * np.ones(3)
    h = (heat / (heat.max() or 1.0))[..., None]
    return np.clip(grey * (1 - h) + np.array([1.0, 0.1, 0.1]) * h, 0, 1)


def activation_histograms(layers) -> alt.Chart:
    rows = []
    for layer in layers:
        values = layer.values.ravel()
        counts, edges = np.histogram(values, bins=30)
        for c, lo, hi in zip(counts, edges[:-1], edges[1:], strict=True):
            rows.append({"layer": f"{layer.name} ({layer.dead_units} dead)", "low": lo, "high": hi, "count": int(c)})
    df = pd.DataFrame(rows)
    return (
        alt.Chart(df)
        .mark_bar(color=POSITIVE)
        .encode(x=alt.X("low:Q", title="activation"), x2="high:Q", y="count:Q", y2=alt.datum(0))
        .properties(width=220, height=140)
        .facet(facet=alt.Facet("layer:N", title=None), columns=3)
        .resolve_scale(x="independent", y="independent")
    )


def price_points(black_boxes: Sequence[dict], interpretable: Sequence[dict]) -> pd.DataFrame:
    """The price chart's points: each ``{"model", "accuracy", "train_time_s"}``. Each model title is written once,
    beside its most accurate run (several runs of one model, at nearly the same place, printed their labels over
    each other); ``side`` puts a label left of a point in the slower half of the (log) time axis, so the plot's
    right edge does not cut it."""
    best: dict[str, dict] = {}
    for p in black_boxes:
        if p["model"] not in best or p["accuracy"] > best[p["model"]]["accuracy"]:
            best[p["model"]] = p
    rows = [{**p, "kind": "black box", "label": p["model"] if best[p["model"]] is p else ""} for p in black_boxes]
    rows += [{**p, "kind": "interpretable", "label": p["model"]} for p in interpretable]
    times = np.log10([r["train_time_s"] for r in rows]) if rows else np.array([])
    middle = (times.min() + times.max()) / 2 if rows else 0.0
    for row, t in zip(rows, times, strict=True):
        row["side"] = "left" if t > middle else "right"
    return pd.DataFrame(rows, columns=["model", "accuracy", "train_time_s", "kind", "label", "side"])


def price_chart(points: pd.DataFrame) -> alt.LayerChart:
    """Accuracy against training time (log) for the session's runs and the interpretable models (``price_points``);
    the legend below the plot, where the labels do not run into it."""
    base = alt.Chart(points).encode(
        x=alt.X("train_time_s:Q", scale=alt.Scale(type="log"), title="training time (s, log)"),
        y=alt.Y("accuracy:Q", scale=alt.Scale(zero=False), title="validation accuracy"),
    )
    dots = base.mark_point(size=90, filled=True).encode(
        color=alt.Color(
            "kind:N", scale=alt.Scale(domain=KINDS, range=[NEGATIVE, POSITIVE]), legend=alt.Legend(orient="bottom")
        ),
        shape=alt.Shape("kind:N", legend=alt.Legend(orient="bottom")),
        tooltip=["model", alt.Tooltip("accuracy:Q", format=".4f"), alt.Tooltip("train_time_s:Q", format=".3f")],
    )
    labels = [  # black boxes' names above their points, interpretable models' below: a pair in one place stays legible
        base.transform_filter((alt.datum.side == side) & (alt.datum.kind == kind))
        .mark_text(align="left" if side == "right" else "right", dx=6 if side == "right" else -6, dy=dy, fontSize=11)
        .encode(text="label:N")
        for side in ("right", "left")
        for kind, dy in (("black box", -9), ("interpretable", 10))
    ]
    return alt.layer(dots, *labels).properties(title="The price of interpretability", height=300)


def loss_curves(curves: dict[str, Sequence[float]]) -> alt.Chart:
    rows = [{"epoch": i + 1, "rule": rule, "loss": v} for rule, values in curves.items() for i, v in enumerate(values)]
    return (
        alt.Chart(pd.DataFrame(rows))
        .mark_line()
        .encode(
            x=alt.X("epoch:Q", axis=EPOCH_AXIS),
            y=alt.Y("loss:Q", title="cross-entropy (training)", axis=alt.Axis(format=".2~f")),
            color=alt.Color("rule:N", scale=alt.Scale(domain=["article", "correct"], range=[NEGATIVE, POSITIVE])),
        )
        .properties(title="Training with each gradient", height=260)
    )
