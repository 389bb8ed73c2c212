"""Altair charts of a compression report (plain functions of its JSON dict; no Streamlit, no TensorFlow):
validation accuracy against size and against batch-1 latency, the frontier joined; each method
named by colour in a legend (no point labels, which overprint), the runtime by shape.
"""

from __future__ import annotations

import math
from typing import Any

import altair as alt
import pandas as pd

from core.charts import TIME_COLOR
from core.explore.pareto import pareto_mask

RUNTIME_SHAPES = {"keras": "diamond", "litert": "circle"}


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


def _size(n_bytes: float) -> str:
    return f"{n_bytes / 1024:,.1f} KiB" if n_bytes < 1024**2 else f"{n_bytes / 1024**2:,.2f} MiB"


def _sig3(x: float) -> str:
    """Three significant digits without an exponent: 0.00123, 1.39, 13.9, 139, 1,386."""
    if x == 0 or abs(x) >= 100:
        return f"{x:,.0f}"
    digits = max(0, 2 - math.floor(math.log10(abs(x))))
    return f"{x:.{digits}f}"


def _band(band: Any) -> str:
    """A paired-bootstrap band [low, high] in pp as "-4.27 to +3.33"; empty where there is none (the original)."""
    if not isinstance(band, list | tuple) or len(band) != 2:
        return ""
    return f"{band[0]:+.2f} to {band[1]:+.2f}"


def report_table(report: dict[str, Any]) -> pd.DataFrame:
    """report_rows rounded to what each number means, for reading: accuracy in %, changes in pp with 2 decimals,
    sizes in KiB/MiB, latency in ms to 3 significant digits. Strings, so a table never shows a raw float."""
    df = report_rows(report)
    pp = lambda x: "" if x is None or pd.isna(x) else f"{x:+.2f} pp"  # noqa: E731
    return pd.DataFrame(
        {
            "method": df["method"],
            "runtime": df["runtime"],
            "accuracy": [f"{x:.2%}" for x in df["accuracy"]],
            "F1": [f"{x:.3f}" for x in df["f1"]],
            "Δ accuracy": [pp(x) for x in df["delta_pp"]],
            "Δ band (pp)": [_band(x) for x in df["noise_band_pp"]],
            "size": [_size(x) for x in df["size_bytes"]],
            "gzipped": [_size(x) for x in df["gzip_bytes"]],
            "latency p50": [f"{_sig3(x)} ms" for x in df["latency_ms_p50"]],
            "latency p95": [f"{_sig3(x)} ms" for x in df["latency_ms_p95"]],
            "rows/s": [f"{x:,.0f}" for x in df["rows_per_s"]],
            "parameters": [f"{int(x):,}" for x in df["n_params"]],
            "peak memory": [f"{_sig3(x)} MB" for x in df["peak_memory_mb"]],
            "build time": [f"{_sig3(x)} s" for x in df["build_time_s"]],
        }
    )


def _panel(df: pd.DataFrame, x: str, title: str, x_title: str) -> alt.LayerChart:
    df = df.assign(on_frontier=pareto_mask(list(df["accuracy"]), list(df[x])), original=df["method"] == "original")
    front = df[df["on_frontier"]].sort_values(x)
    base = alt.Chart(df).encode(
        x=alt.X(f"{x}:Q", scale=alt.Scale(type="log"), title=x_title),
        y=alt.Y("accuracy:Q", scale=alt.Scale(zero=False), title="validation accuracy", axis=alt.Axis(format=".1%")),
    )
    # no text beside the points: close variants (float16, int8, a distilled student) would overprint each other;
    # the colour legend names each method, the shape its runtime, the tooltip the exact numbers
    points = base.mark_point(filled=True, size=110, opacity=0.85).encode(
        color=alt.Color("method:N", title="method", scale=alt.Scale(scheme="tableau10")),
        shape=alt.Shape(
            "runtime:N",
            title="runtime",
            scale=alt.Scale(domain=list(RUNTIME_SHAPES), range=list(RUNTIME_SHAPES.values())),
        ),
        tooltip=["method", "runtime", alt.Tooltip("accuracy:Q", format=".2%"), alt.Tooltip(f"{x}:Q", format=",.3s")],
    )
    line = alt.Chart(front).mark_line(color=TIME_COLOR, strokeDash=[4, 3]).encode(x=f"{x}:Q", y="accuracy:Q")
    return (line + points).properties(title=title, height=300)


def accuracy_panels(report: dict[str, Any]) -> tuple[alt.LayerChart, alt.LayerChart]:
    """Accuracy vs size and vs batch-1 latency as two charts, for a page to place side by side or stacked."""
    df = report_rows(report)
    return (
        _panel(df, "size_bytes", "Accuracy vs size", "size (bytes, log)"),
        _panel(df, "latency_ms_p50", "Accuracy vs batch-1 latency", "latency p50 (ms, log)"),
    )


def accuracy_size_latency_chart(report: dict[str, Any]) -> alt.HConcatChart:
    """Accuracy vs size (left) and vs batch-1 latency (right); the dashed line joins the frontier."""
    return alt.hconcat(*accuracy_panels(report))
