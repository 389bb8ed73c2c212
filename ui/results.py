"""Result views: metric tiles with deltas, evaluation charts, the test-set control and the session board."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import pandas as pd
import streamlit as st

from core import charts
from core.evaluation.metrics import Evaluation
from core.evaluation.tiles import (
    TILES,
    config_label,
    delta,
    format_value,
    is_nil,
    majority_text,
    tile_help,
    tile_label,
)
from core.explore.pareto import comparable_mask, pareto_mask
from core.records.result import RunResult
from ui.frontier_pick import frontier_filter_ui
from ui.state import SessionState

TILE_WIDTH_PX = 178  # five fit one row beside the sidebar at 1440 px; the longest value ("1.500 ms") fits one


def tiles(
    result: RunResult,
    previous: RunResult | None,
    baseline: RunResult | None,
    *,
    keys: Sequence[str] | None = None,
) -> None:
    """One tile per headline number (``keys``: these tiles only, in table order): delta arrow against the
    previous run, a caption against the baseline, and beside accuracy what always guessing the majority
    class scores."""
    chosen = [t for t in TILES if keys is None or t.key in keys]
    row = st.container(horizontal=True, wrap=True, gap="small")  # tiles wrap rather than shrink on a narrow screen
    for tile in chosen:
        with row.container(width=TILE_WIDTH_PX):
            change = delta(tile, result, previous)
            st.metric(
                tile_label(tile, result),
                format_value(tile, tile.get(result)),
                delta=change,
                delta_color="off" if is_nil(change) else "normal" if tile.higher_is_better else "inverse",
                delta_arrow="off" if is_nil(change) else "auto",  # "+0.00 pp" would point up
                help=f"{tile_help(tile, result)} Arrow: change against the previous run.",
                border=True,
            )
            notes = []
            if tile.key == "accuracy" and (majority := majority_text(result)) is not None:
                notes.append(majority)
            vs_base = delta(tile, result, baseline) if baseline is not None and baseline is not result else None
            if vs_base is not None:
                notes.append(f"vs baseline: {vs_base}")
            for text in notes:
                st.caption(text)


def history_charts(history: Sequence[Any], planned_epochs: int | None, *, container: Any = None) -> None:
    """Accuracy and loss per epoch side by side, each filling its column (they stack on a narrow screen).

    A finished run's curves never change: their Vega-Lite specs are built once (Altair validates every
    encoding against its schema, ≈ 40 ms of CPU per pair) and sent as they are on later reruns."""
    left, right = (container or st).columns(2)
    for col, spec in zip((left, right), history_specs(tuple(history), planned_epochs), strict=True):
        col.vega_lite_chart(json.loads(spec), width="stretch")  # a fresh dict: Streamlit moves its data out


@lru_cache(maxsize=128)  # a session's runs, and those of other sessions showing the same runs
def history_specs(history: tuple[Any, ...], planned_epochs: int | None) -> tuple[str, ...]:
    """The two learning-curve charts of ``history`` (a tuple of frozen EpochLogs) as Vega-Lite JSON."""
    return tuple(json.dumps(chart.to_dict()) for chart in charts.history_panels(history, planned_epochs))


CHART_WIDTH_PX = 310  # three charts to a row beside the sidebar at 1440 px, one to a row at 800 px


def chart_row(items: Sequence[Any], width_px: int = CHART_WIDTH_PX) -> None:
    """Charts side by side at a readable width each, wrapping onto the next row when the screen is narrow
    (columns would squeeze a 10-class confusion matrix into 150 px at 800 px)."""
    row = st.container(horizontal=True, wrap=True)
    for chart in items:
        row.container(width=width_px).altair_chart(chart, width="stretch")


def curve_classes_ui(
    evaluation: Evaluation, key: str, label: str = "Classes on the ROC and precision–recall charts"
) -> list[str] | None:
    """Which classes' ROC and PR lines to draw: a picker for multi-class (default: the three hardest); None
    (the default) for binary, whose one line is the positive class."""
    labels = [c.label for c in evaluation.roc_curves]
    if len(labels) <= 3:
        return None
    return st.multiselect(
        label,
        labels,
        default=charts.default_curve_classes(evaluation),
        key=key,
        help="Ten overlapping lines read as one: pick the classes to compare. Default: the three with the "
        "lowest recall.",
    )


def evaluation_views(result: RunResult, split: str = "validation") -> None:
    evaluation = result.metrics[split]
    names = result.dataset["class_names"]
    classes = curve_classes_ui(evaluation, key=f"curves_{split}")
    chart_row(
        [
            charts.confusion_chart(evaluation, names),
            charts.curve_chart(evaluation, "roc", classes),
            charts.curve_chart(evaluation, "pr", classes),
        ]
    )
    st.dataframe(
        pd.DataFrame(evaluation.per_class),
        hide_index=True,
        width="stretch",
        column_config={c: st.column_config.NumberColumn(format="%.3f") for c in ("precision", "recall", "f1")},
    )


def test_set_section(state: SessionState, index: int) -> None:
    result = state.runs[index]
    st.caption(
        f"The test set has been looked at {state.test_views} time(s) this session. Each look that steers "
        "a choice makes the test numbers more optimistic; tune on validation."
    )
    if index not in state.revealed_test:
        if st.button("Evaluate on test set", key="train_reveal_test"):
            state.test_views += 1
            state.revealed_test.add(index)
            st.rerun()
        return
    t = result.test
    of = f" ({t.qualifier})" if t.qualifier else ""
    cols = st.columns(5)
    for col, (label, value) in zip(
        cols,
        [
            ("Test accuracy", t.accuracy),
            (f"Test precision{of}", t.precision),
            (f"Test recall{of}", t.recall),
            (f"Test F1{of}", t.f1),
            ("Test ROC AUC", t.roc_auc),
        ],
        strict=True,
    ):
        col.metric(label, "n/a" if value is None else f"{value:.4f}")


def board_frame(state: SessionState) -> pd.DataFrame:
    rows = []
    for i, run in enumerate(state.runs):
        role = "current" if i == state.current else ("baseline" if i == state.baseline else "")
        rows.append(
            {
                "run": i + 1,
                "dataset": run.data_config.dataset,
                "label": config_label(run),
                "accuracy": run.validation.accuracy,
                "f1": run.validation.f1,
                "train_time_s": run.cost.train_time_s,
                "latency_ms_p50": run.cost.latency_ms_p50,
                "n_params": run.cost.n_params,
                "stopped": run.stopped,
                "timing": run.cost.timing_context,
                "role": role,
            }
        )
    return pd.DataFrame(rows)


def session_board(state: SessionState) -> None:
    df = board_frame(state)
    if df.empty:
        st.info("No runs yet: train one and it appears here.")
        return
    current = state.current_run
    default = current.data_config.dataset if current is not None else df.dataset.iloc[-1]
    dataset, include = frontier_filter_ui(df.dataset.tolist()[::-1], key="train_board", default=default)
    df = df[comparable_mask(df.dataset.tolist(), df.timing.tolist(), dataset=dataset, include_all_timing=include)]
    if df.empty:
        st.info("No run on this dataset was timed alone: switch on “Include runs not timed alone”.")
        return
    df = df.assign(pareto=pareto_mask(df["accuracy"].tolist(), df["train_time_s"].tolist()))
    left, right = st.columns([3, 2])
    with left:
        st.altair_chart(charts.frontier_chart(df.drop(columns=["pareto"])), width="stretch")
    with right:
        st.dataframe(
            df[["run", "label", "accuracy", "train_time_s", "timing", "pareto", "role"]],
            hide_index=True,
            width="stretch",
            column_config={
                "accuracy": st.column_config.NumberColumn("val accuracy", format="%.4f"),
                "train_time_s": st.column_config.NumberColumn("training time (s)", format="%.3f"),
                "pareto": st.column_config.CheckboxColumn("frontier"),
            },
        )
