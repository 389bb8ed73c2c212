"""Trade-offs: sweep one or two knobs (or search with Optuna) from the Train configuration and watch the
accuracy-vs-time frontier fill in, with noise bands from repeats and budget what-ifs."""

import threading

import streamlit as st

from core import CoreError
from core.explore.executors import pooled_runner
from core.explore.plan import plan_exploration
from core.knobs import sweep_knobs
from ui import cached, live, sweep_results, tradeoff_controls
from ui.jobs import REGISTRY, SweepJob, kept_sentence
from ui.state import get_state
from ui.text import plain

POLL_S = 0.25
METRICS = ("accuracy", "balanced_accuracy", "f1", "roc_auc")

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
search = mode != "Grid sweep"
values = tradeoff_controls.value_pickers(
    knobs,
    lambda knob: getattr(base_data if knob == "fraction" else base_model, knob),
    remembered,
    search=search,
)
c1, c2, c3 = st.columns(3)  # three short controls a row; "Run on" below, whole width (at 800 px four were cut)
metric = c1.selectbox(
    "Metric", METRICS, index=METRICS.index(remembered("trade_metric", METRICS[0], METRICS)), key="trade_metric"
)
repeats = c2.slider(
    "Repeats (seeds)", 1, 5, remembered("trade_repeats", 2), key="trade_repeats", help="Noise bands need at least 2."
)
n_trials = c3.slider(
    "Search trials", 4, 60, remembered("trade_trials", 12), key="trade_trials", disabled=not search,
    help="Configurations Optuna tries; each runs once per repeat.",
)  # fmt: skip
EXECUTORS = tradeoff_controls.executors_offered()
executor = st.radio(
    "Run on",
    EXECUTORS,
    index=EXECUTORS.index(remembered("trade_executor", EXECUTORS[0], EXECUTORS)),
    key="trade_executor",
    format_func=tradeoff_controls.executor_label,
    horizontal=True,
    help="One at a time: honest times. A pool or Ray runs trials side by side: faster, but each time is "
    "measured while others compete for the cores.",
)
if search:
    st.caption(f"Optuna tries {n_trials} configurations inside the ranges picked, each run {repeats} time(s): "
               f"{n_trials * repeats} runs.")  # fmt: skip
state.tradeoffs_controls = {k: v for k, v in st.session_state.items() if str(k).startswith("trade_")}


def build_job() -> tuple[SweepJob, object]:
    """The sweep or search as a job: each trial timed in a worker and saved to the run store as it ends."""
    plan = plan_exploration(
        base_data,
        base_model,
        {k: values[k] for k in knobs},
        search=search,
        repeats=repeats,
        executor=executor,
        n_trials=n_trials,
        metric=metric,
    )
    stop = threading.Event()
    store, _ = cached.run_store()
    serial = pooled_runner(cached.pool_for, should_stop=stop.is_set)  # one at a time, each in a warm worker
    run = plan.bind(serial if executor == "serial" else None)
    return SweepJob(run, total=plan.total, store=store, stop_event=stop), plan.spec


run_col, stop_col, _ = st.columns([1, 1, 4])
if run_col.button("Run", type="primary", key="trade_run", width="stretch"):
    try:  # the registry stops this session's previous sweep, without waiting for it
        new_job, spec = build_job()  # the picks are checked before Ray starts
        if executor == "ray":
            tradeoff_controls.connect_ray()
        state.sweep, state.sweep_spec = REGISTRY.start(new_job, owner=state.owner), spec
    except CoreError as err:
        st.error(plain(str(err)))
stop_col.button(  # in the callback, before the rerun's script: the trial in hand ends within a batch
    "Stop", key="trade_stop", width="stretch", on_click=lambda: state.sweep and state.sweep.request_stop()
)

job = state.sweep
if job is None:
    st.info("Pick knobs and values, then press **Run**.")
    st.stop()
if sweep_results.is_search(job) != search:  # the mode was switched under a job of the other kind: name it
    shown, picked = ("Optuna search", "grid sweep") if sweep_results.is_search(job) else ("grid sweep", "search")
    if job.running:
        st.warning(f"A {shown} is running: stop it or wait. The progress below is that {shown}'s, not a {picked}'s.")
    else:
        st.info(f"The results below are the last {shown}'s: press **Run** to start a {picked}.")

# --- live progress, then results ------------------------------------------------------------------------
live.follow(
    job,
    progress_of=live.sweep_progress,
    chart_of=lambda j: sweep_results.frontier_so_far(j, metric),
    version_of=lambda j: len(j.trials),
    poll_s=POLL_S,
    keep_progress=True,
)
if job.error:
    st.error(plain(job.error))
if job.stop_event.is_set():
    st.warning(f"Stopped after {len(job.trials)} of {job.total} trials.")
if job.store_error:  # the refused trials are written to one file when the sweep ends
    kept = (
        " They are kept in a file when the sweep ends."
        if job.running
        else kept_sentence(job.recovery_path, f"The {len(job.refused)} trial(s) not saved are")
    )
    st.warning(plain(f"Could not save every trial in the run history: {job.store_error}{kept}"))
if not job.trials:
    st.stop()
sweep_results.show(job, state, metric=metric, grid=not sweep_results.is_search(job))
