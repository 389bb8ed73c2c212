"""Altair charts of a compression report (plain functions of its JSON dict; no Streamlit, no TensorFlow):
validation accuracy against size and against batch-1 latency, the frontier joined, the original marked,
in the house colours of core/charts.py.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from core.charts import ACCURACY_COLOR, BASELINE_COLOR, TIME_COLOR
from core.explore.pareto import pareto_mask

RUNTIME_COLORS = {"keras": BASELINE_COLOR, "litert": ACCURACY_COLOR}


def report_rows(report: dict[str, Any]) -> pd.DataFrame:
    """One row per measured model (the original first), with the numbers the table and charts show."""
    rows = []
    for v in [{"method": "original", "status": "complete", **report["original"]}, *report["variants"]]:
        if v.get("status") != "complete":
            continue
        val, c = v["metrics"]["validation"], v["cost"]
        rows.append(
            {
                "method": v["method"],
                "runtime": v["runtime"],
                "accuracy": val["accuracy"],
                "f1": val["f1"],
                "delta_pp": v.get("delta_accuracy_pp"),
                "noise_band_pp": v.get("noise_band_pp"),
                "size_bytes": c["size_bytes"],
                "gzip_bytes": c["gzip_bytes"],
                "latency_ms_p50": c["latency_ms_p50"],
                "latency_ms_p95": c["latency_ms_p95"],
                "rows_per_s": c["rows_per_s"],
                "n_params": c["n_params"],
                "peak_memory_mb": c["peak_memory_mb"],
                "build_time_s": c["build_time_s"],
            }
        )
    return pd.DataFrame(rows)


def _panel(df: pd.DataFrame, x: str, title: str, x_title: str) -> alt.LayerChart:
    df = df.assign(on_frontier=pareto_mask(list(df["accuracy"]), list(df[x])), original=df["method"] == "original")
    front = df[df["on_frontier"]].sort_values(x)
    base = alt.Chart(df).encode(
        x=alt.X(f"{x}:Q", scale=alt.Scale(type="log"), title=x_title),
        y=alt.Y("accuracy:Q", scale=alt.Scale(zero=False), title="validation accuracy"),
    )
    points = base.mark_point(filled=True, size=90).encode(
        color=alt.Color("runtime:N", scale=alt.Scale(domain=list(RUNTIME_COLORS), range=list(RUNTIME_COLORS.values()))),
        shape=alt.Shape("original:N", scale=alt.Scale(domain=[True, False], range=["diamond", "circle"]), legend=None),
        tooltip=["method", "runtime", alt.Tooltip("accuracy:Q", format=".4f"), alt.Tooltip(f"{x}:Q", format=",.4g")],
    )
    labels = base.mark_text(align="left", dx=7, dy=-6, fontSize=11).encode(text="method:N")
    line = alt.Chart(front).mark_line(color=TIME_COLOR, strokeDash=[4, 3]).encode(x=f"{x}:Q", y="accuracy:Q")
    return (line + points + labels).properties(title=title, height=300)


def accuracy_size_latency_chart(report: dict[str, Any]) -> alt.HConcatChart:
    """Accuracy vs size (left) and vs batch-1 latency (right); the dashed line joins the frontier."""
    df = report_rows(report)
    return alt.hconcat(
        _panel(df, "size_bytes", "Accuracy vs size (the original: diamond)", "size (bytes, log)"),
        _panel(df, "latency_ms_p50", "Accuracy vs batch-1 latency", "latency p50 (ms, log)"),
    )
