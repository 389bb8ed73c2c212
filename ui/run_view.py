"""The Train page's run on show: its notes, tiles against the previous run and the baseline, timing
details, the learning-curve / evaluation / test views, Demo scenario and report download, session board."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core import charts
from core.config import DataConfig, ModelConfig
from core.evaluation.tiles import TILES, early_stop_note, run_title
from core.explore.pareto import timing_note
from core.records import report
from ui import cached, demo_save, results, widgets
from ui.boundary import boundary_chart
from ui.text import plain

VIEWS = ("Learning curves", "Evaluation (validation)", "Test set")
HEADLINE = ("accuracy", "f1", "train_time_s", "latency_ms_p50", "size_kb")  # the first row of tiles


def _boundary(snapshot: Any, data: Any, when: str) -> Any:
    return boundary_chart(
        snapshot,
        data.X_val,
        data.y_val,
        data.class_names,
        title=f"Decision boundary {when} {snapshot.epoch} (validation points)",
    )


def live_boundary(job: Any, data: Any) -> tuple[Any, Any] | None:
    """(key, chart) of a running job's latest decision-boundary snapshot (2-D data), for ``live.follow``."""
    snapshot = job.boundary
    return None if snapshot is None else (snapshot, _boundary(snapshot, data, "· epoch"))


def live_curves(job: Any) -> Any:
    """A running job's growing learning curves, for ``live.follow``; None once every planned epoch is in: the
    run is being scored, and its finished curves are drawn with its result (a chart drawn now would be
    replaced a moment later, the browser embedding two charts for nothing)."""
    logs = list(job.logs)
    if logs and len(logs) >= logs[-1].epochs:
        return None
    return charts.history_panels(logs, job.model_cfg.epochs)


def show(state: Any, data_cfg: DataConfig, model_cfg: ModelConfig) -> None:
    """The session's current run, said plainly when the settings have moved on since it ran. Title, the five
    headline tiles and the chart come first (they fit a 1440×900 screen); every other number follows."""
    run = state.current_run
    if run is None:
        st.info("Press **Train** to run this configuration.")
        return
    if (run.data_config, run.model_config) != (data_cfg, model_cfg):
        st.info(f"Showing run {state.current + 1}; the settings have changed since. Press **Train** to measure them.")
    if run.stopped:
        st.warning(
            f"Run {state.current + 1} was stopped after {run.cost.epochs_run} of {run.model_config.epochs} "
            "epochs; its numbers are those of the partial model."
        )

    st.subheader(f"Run {state.current + 1}: {plain(run_title(run))}", help=plain(run.model_repr), anchor=False)
    matches = (run.data_config, run.model_config) == (data_cfg, model_cfg)
    note = early_stop_note(run)
    if note:
        st.caption(f":material/timer_off: {note}")
    results.tiles(run, state.previous_run, state.baseline_run, keys=HEADLINE)

    bar = st.container(horizontal=True, wrap=True, vertical_alignment="center")
    view = bar.radio("View", VIEWS, horizontal=True, key="train_view", label_visibility="collapsed", width="content")
    if bar.button("Pin as baseline", key="train_pin", disabled=not matches):  # never a stale run
        state.baseline = state.current
        st.rerun()
    if state.baseline is not None and bar.button("Clear baseline", key="train_unpin"):
        state.baseline = None
        st.rerun()
    if view == VIEWS[0]:  # one view at a time: every chart drawn costs time on each slider move
        results.history_charts(run.history, run.model_config.epochs)
        snapshot = state.boundaries.get(state.current) if matches else None
        if snapshot is not None:  # 2-D data: where the model draws the line, over the validation points
            data = cached.prepared_data(data_cfg)
            st.altair_chart(_boundary(snapshot, data, "after epoch"), width="stretch")
    elif view == VIEWS[1]:
        results.evaluation_views(run)
    else:
        results.test_set_section(state, state.current)

    with st.expander("All numbers: precision, recall, ROC AUC, steady epoch, parameters, memory, timing details"):
        results.tiles(run, state.previous_run, state.baseline_run, keys=[t.key for t in TILES if t.key not in HEADLINE])
        c = run.cost
        st.caption(
            f"Fitting: first epoch {c.first_epoch_s:.3f} s (includes set-up and tracing) · steady epochs "
            f"{'n/a' if c.epoch_s_median is None else f'{c.epoch_s_median:.3f} s'}"
            + (
                ""
                if c.eval_time_s is None
                else f" · evaluation (per-epoch validation, final scoring) {c.eval_time_s:.3f} s"
            )
            + ("" if c.estimate_s is None else f" · estimated before the run {c.estimate_s:.2f} s")
            + f" · {c.predict_rows_per_s:,.0f} rows/s predicting · measured on {run.environment['cpu']}, "
            f"{run.environment['cores']} cores{widgets.engine_note(run.environment)} · timing: {c.timing_context}",
            help=timing_note(c.timing_context),
        )
        st.caption(f"Model: `{plain(run.model_repr)}`")
    if run.cost.timing_context != "serial":
        st.caption(f":material/warning: {timing_note(run.cost.timing_context)}")
    for message in run.warnings:
        st.caption(f":material/warning: {plain(message)}")

    demo_save.save_form(state, run)  # a form: typing never reruns (or collapses) it
    st.download_button(
        "Download this run's report (HTML)",
        lambda: report.runs_report([run], title="Run report"),  # built when downloaded, not on every rerun
        file_name="tradeoff-lab-run.html",
        mime="text/html",
        key="train_report",
    )

    board = st.expander(
        "Session board: every run of this session, accuracy against training time",  # a fixed label keeps it open
        key="train_board_open",
        on_change="rerun",  # drawn only while open: a closed board costs nothing on a slider move
    )
    if board.open:
        with board:
            results.session_board(state)
