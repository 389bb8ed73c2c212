"""The Trade-offs page's results: what-ifs (best within a budget, fastest to a target), the frontier, the
metric against the knobs, time-to-accuracy curves, the trials table and "Open in Train"."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from core import charts
from core.config import DataConfig, ModelConfig
from core.explore.analysis import (
    display_value,
    marginal_costs,
    noise_verdict,
    params_label,
    summarise,
    summary_rows,
    trial_rows,
)
from core.explore.search import search
from core.records.report import sweep_report
from core.status import Status
from ui.text import plain
from ui.tradeoff_search import search_views, what_ifs


def is_search(job: Any) -> bool:
    """True for an Optuna search's job (its run is core.explore.search.search, arguments bound)."""
    return getattr(job.run, "func", None) is search


def frontier_so_far(job: Any, metric: str):
    """The live chart while a sweep runs: the trials finished so far (None before the first)."""
    if not job.trials:
        return None
    df = pd.DataFrame(trial_rows(job.trials, metric)).query("status != 'failed'").assign(role="")
    return charts.frontier_chart(df, metric=metric, title="The frontier so far") if len(df) else None


def show(job: Any, state: Any, *, metric: str, grid: bool) -> None:
    """Everything below the progress bar once a sweep (``grid``) or a search has trials."""
    trials = sorted(job.trials, key=lambda t: t.index)  # a pool finishes them out of order
    rows = pd.DataFrame(trial_rows(trials, metric))
    if trials[0].executor != "serial":
        st.caption(
            ":material/warning: Run in parallel: each time was measured while other trials competed for the cores."
        )
    ok = rows[rows.status != Status.FAILED.value].copy()
    failed = rows[rows.status == Status.FAILED.value]
    if len(failed):
        st.warning(
            f"{len(failed)} trial(s) failed and are left out of the charts: "
            + plain("; ".join(f"#{r.run}: {r.error}" for r in failed.itertuples())[:600])
        )
    if ok.empty:
        return
    summaries = summarise(trials, metric=metric)

    st.subheader("What-ifs")
    best, fastest = what_ifs(ok, summaries, metric)

    def role(row) -> str:
        def same(summary) -> bool:
            return summary is not None and all(display_value(v) == row[k] for k, v in summary.params.items())

        return "best within budget" if same(best) else ("fastest to target" if same(fastest) else "")

    ok["role"] = ok.apply(role, axis=1)
    st.altair_chart(
        charts.frontier_chart(
            ok, metric=metric, marks=charts.WHAT_IF_MARKS, title=f"{metric} vs training time, frontier as a line"
        ),
        width="stretch",
    )

    margins = marginal_costs(summaries)
    if margins:
        st.markdown("**Along the frontier** (configurations averaged over repeats)")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        f"+1 pp {metric} costs (s)": cost,  # first: in view at 800 px, the labels scroll
                        "from": params_label(a.params),
                        "to": params_label(b.params),
                        "within noise": noise_verdict(a, b),
                    }
                    for a, b, cost in margins
                ]
            ),
            hide_index=True,
            width="stretch",
        )

    spec = state.sweep_spec
    summary = pd.DataFrame(summary_rows(summaries, spec))
    chosen = list(spec.params)
    st.subheader("Against the knobs")
    if not grid:
        search_views(trials, spec, metric)
    elif len(chosen) == 1:
        if chosen[0] == "fraction":
            st.caption("Learning curve: metric and training time against the share of training data.")
        st.altair_chart(charts.knob_chart(summary, chosen[0], metric), width="stretch")
    elif len(chosen) == 2:
        # the cells keep the width of their labels (charts.heatmap_layout): not stretched to the page
        st.altair_chart(charts.heatmap_pair(summary, chosen[0], chosen[1], metric), width="content")
    curves = pd.DataFrame(
        [
            {"trial": t.index, "label": params_label(t.params), "elapsed_s": e, "val_accuracy": a}
            for t in trials
            for e, a in t.curve
        ]
    )
    if len(curves):
        st.altair_chart(charts.time_to_accuracy_chart(curves), width="stretch")

    st.subheader("Trials")
    finished = [t for t in sorted(job.trials, key=lambda t: t.index) if t.result is not None]
    if finished:
        st.download_button(
            "Download the sweep's report (HTML)",
            lambda: sweep_report(
                trials,
                spec,
                metric=metric,
                budget_s=st.session_state.get("trade_budget"),  # the what-ifs' sliders, as the page shows them
                target=st.session_state.get("trade_target"),
                grid=grid,
            ),
            file_name="tradeoff-lab-sweep.html",
            mime="text/html",
            key="trade_report",
        )
    first = ["run", metric, "train_time_s", "label"]  # in view at 800 px; the knobs, latency, frontier flag scroll
    st.dataframe(
        rows.drop(columns=["error"]),
        hide_index=True,
        width="stretch",
        column_order=first + [c for c in rows.columns if c not in first and c != "error"],
        column_config={
            "run": st.column_config.NumberColumn(pinned=True),
            metric: st.column_config.NumberColumn(format="%.4f"),
            "train_time_s": st.column_config.NumberColumn("time (s)", format="%.3f", help="training time"),
        },
    )
    complete = {t.index: t for t in trials if t.status != Status.FAILED}
    labels = dict(zip(rows.run, rows.label, strict=True))
    picked = st.selectbox(
        "Open a trial in Train", list(complete), key="trade_pick", format_func=lambda i: f"#{i} {labels[i]}"
    )
    if st.button("Open in Train", key="trade_open"):
        pick = complete[picked]
        state.data_cfg = DataConfig.from_dict(pick.data_config)
        state.model_cfg = ModelConfig.from_dict(pick.model_config)
        for key in [k for k in st.session_state if str(k).startswith("train_")]:
            del st.session_state[key]
        st.switch_page("app_pages/train.py")
