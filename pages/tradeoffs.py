"""Trade-offs: sweep one or two knobs (or search with Optuna) from the Train configuration and watch the
accuracy-vs-time frontier fill in, with noise bands from repeats and budget what-ifs."""

import threading

import pandas as pd
import streamlit as st

from core import CoreError, charts
from core.config import DataConfig, ModelConfig
from core.knobs import sweep_knobs, sweep_values
from core.plan import plan_exploration
from core.report import runs_report
from core.sweeps import (
    best_within_budget,
    display_value,
    fastest_reaching,
    marginal_costs,
    params_label,
    pooled_runner,
    summarise,
    summary_rows,
    trial_rows,
    within_noise,
)
from ui import cached, live
from ui.jobs import REGISTRY, SweepJob
from ui.shell import ensure_app
from ui.state import get_state
from ui.text import plain

ensure_app()

POLL_S = 0.25
METRICS = ("accuracy", "balanced_accuracy", "f1", "roc_auc")
WHAT_IF_MARKS = {"best within budget": charts.VALIDATION_COLOR, "fastest to target": charts.BASELINE_COLOR}

state = get_state()
kept = state.tradeoffs_controls  # widget values survive a visit to another page (Streamlit drops them)


def remembered(key: str, default, options=None):
    """The value this control had when the page was last left, else ``default``."""
    value = kept.get(key, default)
    if options is not None and isinstance(value, list):
        value = [v for v in value if v in options]
    elif options is not None and value not in options:
        value = default
    return value


st.title("Trade-offs")
st.caption("How much accuracy for how much time? Sweep knobs from your Train configuration and read the frontier.")
base_data, base_model = state.data_cfg, state.model_cfg
st.markdown(f"Starting from **{base_model.kind.value}** on **{base_data.dataset}** (change them on Train or Data).")

MODES = ["Grid sweep", "Search (Optuna)"]
mode = st.radio(
    "Mode", MODES, index=MODES.index(remembered("trade_mode", MODES[0], MODES)), horizontal=True, key="trade_mode"
)
options = sweep_knobs(base_model.kind)
default = [k for k in ("hidden_units", "batch_size") if k in options][:2] or options[:1]
knobs = st.multiselect(
    "Knobs (1 or 2)",
    options,
    default=remembered("trade_knobs", default, options)[:2],
    max_selections=2,
    key="trade_knobs",
    format_func=lambda k: k.replace("_", " "),
)
values: dict[str, list] = {}
cols = st.columns(max(1, len(knobs)))
for col, knob in zip(cols, knobs, strict=False):
    choices = sweep_values(knob)
    current = getattr(base_data if knob == "fraction" else base_model, knob)
    near = [c for c in choices if c == current] or choices[:1]
    picked_default = sorted(set(choices[:: max(1, len(choices) // 3)]) | set(near), key=choices.index)[:4]
    with col:
        values[knob] = st.multiselect(
            f"{knob.replace('_', ' ')} values",
            choices,
            default=remembered(f"trade_vals_{knob}", picked_default, choices),
            key=f"trade_vals_{knob}",
            format_func=display_value,
        )
c1, c2, c3, c4 = st.columns(4)
metric = c1.selectbox(
    "Metric", METRICS, index=METRICS.index(remembered("trade_metric", METRICS[0], METRICS)), key="trade_metric"
)
repeats = c2.slider(
    "Repeats (seeds)", 1, 5, remembered("trade_repeats", 2), key="trade_repeats", help="Noise bands need at least 2."
)
TIMINGS = ["accurate", "fast"]
timing = c3.radio(
    "Timing",
    TIMINGS,
    index=TIMINGS.index(remembered("trade_timing", TIMINGS[0], TIMINGS)),
    key="trade_timing",
    horizontal=True,
    help="accurate: one configuration at a time, honest times. fast: parallel over the cores; "
    "times are measured under contention.",
)
n_trials = c4.slider(
    "Search trials", 4, 60, remembered("trade_trials", 12), key="trade_trials", disabled=mode == "Grid sweep"
)
state.tradeoffs_controls = {k: v for k, v in st.session_state.items() if str(k).startswith("trade_")}


def build_job() -> SweepJob:
    """The sweep or search as a job: each trial timed in a worker and saved to the run store as it ends."""
    plan = plan_exploration(
        base_data,
        base_model,
        {k: values[k] for k in knobs},
        search=mode != "Grid sweep",
        repeats=repeats,
        parallel=timing == "fast",
        n_trials=n_trials,
        metric=metric,
    )
    state.sweep_spec = plan.spec
    stop = threading.Event()
    store, _ = cached.run_store()
    serial = pooled_runner(cached.pool_for, should_stop=stop.is_set)  # "accurate": one at a time, in a worker
    return SweepJob(plan.bind(serial), total=plan.total, store=store, stop_event=stop)


run_col, stop_col, _ = st.columns([1, 1, 4])
if run_col.button("Run", type="primary", key="trade_run", width="stretch"):
    try:  # the registry stops this session's previous sweep, without waiting for it
        state.sweep = REGISTRY.start(build_job(), owner=state.owner)
    except CoreError as err:
        st.error(plain(str(err)))
stop_col.button(  # in the callback, before the rerun's script: the trial in hand ends within a batch
    "Stop", key="trade_stop", width="stretch", on_click=lambda: state.sweep and state.sweep.request_stop()
)

job = state.sweep
if job is None:
    st.info("Pick knobs and values, then press **Run**.")
    st.stop()


# --- live progress ----------------------------------------------------------------------------------
def frontier_so_far(job: SweepJob):
    if not job.trials:
        return None
    df = pd.DataFrame(trial_rows(job.trials, metric)).query("status != 'failed'").assign(role="")
    return charts.frontier_chart(df, metric=metric, title="The frontier so far") if len(df) else None


live.follow(
    job,
    progress_of=live.sweep_progress,
    chart_of=frontier_so_far,
    version_of=lambda j: len(j.trials),
    poll_s=POLL_S,
    keep_progress=True,
)
if job.error:
    st.error(plain(job.error))
if job.stop_event.is_set():
    st.warning(f"Stopped after {len(job.trials)} of {job.total} trials.")
if job.store_error:
    st.warning(plain(f"Could not save every trial in the run history ({job.store_error}). They are still shown here."))
if not job.trials:
    st.stop()

# --- results ------------------------------------------------------------------------------------------
trials = sorted(job.trials, key=lambda t: t.index)  # a pool finishes them out of order
rows = pd.DataFrame(trial_rows(trials, metric))
labels_by_index = dict(zip(rows.run, rows.label, strict=True))
if trials[0].executor != "serial":
    st.caption("⚠️ Run in parallel: each time was measured while other trials competed for the cores.")
ok = rows[rows.status != "failed"].copy()
failed = rows[rows.status == "failed"]
if len(failed):
    st.warning(
        f"{len(failed)} trial(s) failed and are left out of the charts: "
        + plain("; ".join(f"#{r.run}: {r.error}" for r in failed.itertuples())[:600])
    )
if ok.empty:
    st.stop()
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
if len(chosen) == 1 and mode == "Grid sweep":
    if chosen[0] == "fraction":
        st.caption("Learning curve: metric and training time against the share of training data.")
    st.altair_chart(charts.knob_chart(summary, chosen[0], metric), width="stretch")
elif len(chosen) == 2 and mode == "Grid sweep":
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
        runs_report(
            [t.result for t in finished],
            labels=[f"#{t.index} {labels_by_index[t.index]}" for t in finished],
            title="Tradeoff Lab sweep",
        ),
        file_name="tradeoff-lab-sweep.html",
        mime="text/html",
        key="trade_report",
    )
st.dataframe(rows.drop(columns=["error"]), hide_index=True, width="stretch")
complete = {t.index: t for t in trials if t.status != "failed"}
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
    st.switch_page("pages/train.py")
