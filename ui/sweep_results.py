"""The Trade-offs page's results: what-ifs (best within a budget, fastest to a target), the frontier, the
metric against the knobs, time-to-accuracy curves, the trials table and "Open in Train"."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from core import charts
from core.config import DataConfig, ModelConfig
from core.explore.analysis import (
    best_within_budget,
    display_value,
    fastest_reaching,
    marginal_costs,
    params_label,
    summarise,
    summary_rows,
    trial_rows,
    within_noise,
)
from core.records.report import sweep_report
from core.status import Status
from ui.text import plain

WHAT_IF_MARKS = {"best within budget": charts.VALIDATION_COLOR, "fastest to target": charts.BASELINE_COLOR}


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
        st.caption("⚠️ Run in parallel: each time was measured while other trials competed for the cores.")
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
    w1, w2 = st.columns(2)
    max_t = float(ok.train_time_s.max())
    budget = w1.slider("Time budget (s)", 0.0, round(max_t * 1.05, 3) or 0.001, round(max_t / 2, 3), key="trade_budget")
    lo, hi = float(ok[metric].min()), float(ok[metric].max())
    target = w2.slider(
        f"{metric} target", round(lo, 4), max(round(hi, 4), round(lo, 4) + 1e-4), round(hi, 4), key="trade_target"
    )
    best = best_within_budget(summaries, budget)
    fastest = fastest_reaching(summaries, target)

    def describe(summary) -> str:
        knobs_text = params_label(summary.params)
        spread = f" ± {summary.metric_std:.4f}" if summary.n > 1 else ""
        return f"**{knobs_text}**: {metric} {summary.metric_mean:.4f}{spread} in {summary.time_mean:.3f} s"

    w1.markdown("Best within budget: " + (describe(best) if best else "nothing trains that fast."))
    w2.markdown("Fastest to target: " + (describe(fastest) if fastest else "nothing reaches it."))
    if best is not None:
        rivals = [s for s in summaries if s is not best and s.time_mean <= budget and within_noise(s, best)]
        if rivals and best.n > 1:
            w1.caption(f"Within noise of {len(rivals)} other configuration(s) in budget: their repeat bands overlap.")

    def role(row) -> str:
        def same(summary) -> bool:
            return summary is not None and all(display_value(v) == row[k] for k, v in summary.params.items())

        return "best within budget" if same(best) else ("fastest to target" if same(fastest) else "")

    ok["role"] = ok.apply(role, axis=1)
    st.altair_chart(
        charts.frontier_chart(
            ok, metric=metric, marks=WHAT_IF_MARKS, title=f"{metric} vs training time, frontier as a line"
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
                        "from": params_label(a.params),
                        "to": params_label(b.params),
                        f"+1 pp {metric} costs (s)": cost,
                        "within noise": within_noise(a, b) if a.n > 1 else None,
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
    if len(chosen) == 1 and grid:
        if chosen[0] == "fraction":
            st.caption("Learning curve: metric and training time against the share of training data.")
        st.altair_chart(charts.knob_chart(summary, chosen[0], metric), width="stretch")
    elif len(chosen) == 2 and grid:
        st.altair_chart(charts.heatmap_pair(summary, chosen[0], chosen[1], metric), width="stretch")
    curves = pd.DataFrame(
        [
            {"trial": t.index, "label": label, "elapsed_s": e, "val_accuracy": a}
            for t, label in zip(trials, rows.label, strict=True)
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
            lambda: sweep_report(trials, spec, metric=metric, budget_s=budget, target=target, grid=grid),
            file_name="tradeoff-lab-sweep.html",
            mime="text/html",
            key="trade_report",
        )
    st.dataframe(rows.drop(columns=["error"]), hide_index=True, width="stretch")
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
