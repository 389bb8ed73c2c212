"""Train: pick a model and its knobs, watch it train live, and see every number against the last run and a
pinned baseline, with a session board of everything tried."""

from dataclasses import replace

import streamlit as st

from core import CoreError, charts, links, report
from core.datasets import DATASETS
from core.estimate import estimate_seconds
from core.keras_import import check_engine
from core.pareto import timing_note
from ui import cached, results, widgets
from ui.jobs import REGISTRY, TrainingJob
from ui.shell import ensure_app
from ui.state import get_state
from ui.text import plain

ensure_app()

AUTO_TRAIN_MAX_S = 2.0  # auto-train on change only for runs estimated this short
POLL_S = 0.1  # progress refresh; also how soon Streamlit delivers a Stop click to a new script run
CHART_EVERY_S = 1.0
LIVE_CHART_AFTER_S = 0.7  # runs shorter than this finish before a growing chart would be worth drawing
JOB_PARAM = "job"  # ?job=<id>: the running job a reload reattaches to


def stop_job(session) -> None:
    """The Stop button's callback: it runs before the rerun's script, so the stop is not delayed by it."""
    if session.job is not None and session.job.running:
        session.job.request_stop()  # honoured within a batch (networks); a scikit-learn fit ends its worker


state = get_state()
st.title("Train")
st.caption(
    "Move a slider; accuracy and training time follow. Tiles compare with the previous run (arrow) and "
    "with the pinned baseline (caption)."
)

link = None
if not state.link_applied:  # a shared link opens this setup once; after that the widgets lead
    state.link_applied = True
    link_params = {k: v for k, v in st.query_params.to_dict().items() if k != JOB_PARAM}
    if link_params:
        link = links.read_link(link_params)
        state.data_cfg, state.model_cfg = link.data, link.model
        st.session_state["train_link_warnings"] = list(link.warnings)
        if link.csv_name:  # a link names its CSV; the person picks or uploads it (links never read server files)
            st.session_state[widgets.LINK_CSV_KEY] = link.csv_name
            st.session_state["train_link_warnings"].append(
                f"This link was made with the CSV file “{link.csv_name}”. A link carries no files: "
                "upload it (or give its path) on the Data page."
            )
link_box = st.container()  # filled below, once the controls have shown what they could take from the link
job_in_url = REGISTRY.get(st.query_params.get(JOB_PARAM)) if state.job is None else None
if isinstance(job_in_url, TrainingJob):  # a reload (a new session): reattach to the server's job
    state.job = job_in_url
    state.data_cfg, state.model_cfg = job_in_url.data_cfg, job_in_url.model_cfg

with st.sidebar:
    st.header("Data")
    data_cfg = widgets.data_config_ui("train", state.data_cfg, full=False)
    st.header("Model")
    model_cfg = widgets.model_config_ui("train", state.model_cfg, image_data=DATASETS[data_cfg.dataset].is_image)
    save_runs = st.toggle(
        "Save runs to history", value=True, key="train_save", help="Off: runs stay in this session only."
    )

if link is not None:  # a value the controls cannot show exactly (off their grid) is said, not changed silently
    asked, shown = links.to_query(link.data, link.model), links.to_query(data_cfg, model_cfg)
    for key in sorted(k for k in asked if shown.get(k) != asked[k]):
        st.session_state["train_link_warnings"].append(
            f"Link setting {key}={asked[key]} is not one the controls offer: using "
            f"{links.link_value(data_cfg, model_cfg, key)}."
        )
if st.session_state.get("train_link_warnings"):  # plain text: a crafted link cannot show links or images
    with link_box:
        for message in st.session_state["train_link_warnings"]:
            st.warning(plain(message))
        if st.button("Dismiss", key="train_link_dismiss"):
            st.session_state["train_link_warnings"] = []
            st.rerun()

try:
    model_cfg.validate()
    check_engine(model_cfg)  # a Keras engine that is not installed: its pip command, before anything starts
    data = cached.prepared_data(data_cfg.validate())
except CoreError as err:
    st.error(plain(str(err)))
    st.stop()
state.data_cfg, state.model_cfg = data_cfg, model_cfg
query = links.to_query(data_cfg, model_cfg)  # the address bar holds a link to this setup (set below)

# --- estimate, cap and controls ---------------------------------------------------------------------------
c_auto, c_cap, c_train, c_stop = st.columns([2, 2, 1, 1])
auto = c_auto.toggle(
    "Auto-train on change",
    value=True,
    key="train_auto",
    help=f"Retrain whenever a setting changes, for runs estimated under {AUTO_TRAIN_MAX_S:.0f} s.",
)
cap_s = c_cap.select_slider(
    "Demo time cap",
    [5, 10, 30, 60, 120, 300, 600],
    60,
    key="train_cap",
    format_func=lambda s: f"{s} s",
    help="Epochs are cut when the estimate exceeds this.",
)
estimate = estimate_seconds(
    model_cfg,
    n_train=len(data.y_train),
    n_features=data.n_features,
    n_classes=data.n_classes,
    history=state.runs,
    cap_s=cap_s,
)
if estimate.capped:
    beyond = f" Even one epoch is estimated at {estimate.seconds:.0f} s." if estimate.seconds > cap_s else ""
    st.warning(
        f"Estimated beyond the {cap_s} s demo cap: epochs cut from {model_cfg.epochs} to {estimate.epochs}." + beyond
    )
    model_cfg = replace(model_cfg, epochs=estimate.epochs)
train_clicked = c_train.button("Train", type="primary", key="train_go", width="stretch")
c_stop.button("Stop", key="train_stop", width="stretch", on_click=stop_job, args=(state,))  # stops before the rerun
st.caption(
    f"Estimate: ≈ {estimate.seconds:.1f} s ({estimate.basis}). "
    + ("" if estimate.seconds <= AUTO_TRAIN_MAX_S or not auto else "Too long to auto-train: press Train.")
)

# --- start, stop or reuse --------------------------------------------------------------------------------
job = state.job
if job is not None and job.running and job.auto and auto and not job.matches(data_cfg, model_cfg):
    job.request_stop()  # auto-train follows the widgets: a run for a superseded setting is cancelled
known = state.find_run(data_cfg, model_cfg)
if known is None and (hit := cached.cached_run(data_cfg, model_cfg)) is not None:
    known = state.add_run(hit)
if known is not None:
    state.current = known  # this exact configuration was measured: show it at once
else:
    same_job = job is not None and job.matches(data_cfg, model_cfg)
    auto_ok = auto and estimate.seconds <= AUTO_TRAIN_MAX_S and not same_job
    if (train_clicked and not (same_job and job.running)) or auto_ok:
        store, _ = cached.run_store()
        job = TrainingJob(
            data_cfg,
            model_cfg,
            pool=cached.pool_for(model_cfg),
            context=cached.timing_context(model_cfg),
            store=store if save_runs else None,  # the job saves itself: "running" now, its outcome at the end
            auto=not train_clicked,
        )
        state.job = REGISTRY.start(job, owner=state.owner)  # the session's previous run is stopped, not awaited

if job is not None and job.matches(data_cfg, model_cfg):
    query[JOB_PARAM] = job.job_id  # a reload reattaches to this run
if st.query_params.to_dict() != query:  # the address bar always holds a link to this setup
    st.query_params.from_dict(query)

# --- live progress ---------------------------------------------------------------------------------------
if job is not None and (job.running or job.job_id not in state.recorded_jobs):
    progress = st.progress(0.0)
    chart_slot = st.empty()
    shown, drawn_at = -1, 0.0
    while True:
        job.touch()  # a page is showing it: the registry keeps it alive
        finished = not job.running
        logs = list(job.logs)
        if job.halted_at is not None:
            done = f" in epoch {len(logs)}" if logs else ""
            asked = job.stop_asked_at
            lag = f" {job.halted_at - asked:.2f} s after the request" if asked and job.halted_at >= asked else ""
            progress.progress(
                min(1.0, len(logs) / job.model_cfg.epochs),
                text=f"Training stopped{done}{lag} · scoring the partial model… {job.elapsed_s:.1f} s",
            )
        elif logs:
            last = logs[-1]
            eta = last.elapsed_s / len(logs) * (last.epochs - len(logs))
            text = f"Epoch {len(logs)}/{last.epochs} · {job.elapsed_s:.1f} s elapsed · ETA {eta:.1f} s"
            progress.progress(min(1.0, len(logs) / last.epochs), text=text)
        else:  # an update each poll also lets Streamlit deliver a Stop click or a slider change promptly
            progress.progress(0.0, text=f"First epoch (set-up and graph tracing)… {job.elapsed_s:.1f} s")
        # redraw the growing chart at most every CHART_EVERY_S: drawing competes with training for the CPU
        if len(logs) != shown and job.elapsed_s > LIVE_CHART_AFTER_S and job.elapsed_s - drawn_at >= CHART_EVERY_S:
            chart_slot.altair_chart(charts.history_chart(logs, job.model_cfg.epochs), width="stretch")
            shown, drawn_at = len(logs), job.elapsed_s
        if finished:
            break
        job.wait_change(POLL_S)  # returns as soon as there is an epoch, a halt or the end to show
    progress.empty()
    chart_slot.empty()  # the finished run's curves are in its tab below
    if job.job_id not in state.recorded_jobs:
        state.recorded_jobs.add(job.job_id)
        if job.result is not None:
            index = state.add_run(job.result)
            if job.store_id is not None:
                state.stored[index] = job.store_id
            if not job.result.stopped:
                cached.remember_run(job.result)
if job is not None and job.matches(data_cfg, model_cfg):
    if job.error:
        st.error(plain(job.error))
    if job.stopped_without_model:
        st.info(plain(job.stopped_without_model))
    if job.store_error:
        st.warning(plain(f"Could not save the run in the run history ({job.store_error}). It is still shown here."))

# --- the run on show -------------------------------------------------------------------------------------
run = state.current_run
if run is None:
    st.info("Press **Train** to run this configuration.")
    st.stop()
if (run.data_config, run.model_config) != (data_cfg, model_cfg):
    st.info(f"Showing run {state.current + 1}; the settings have changed since. Press **Train** to measure them.")
if run.stopped:
    st.warning(
        f"Run {state.current + 1} was stopped after {run.cost.epochs_run} of {run.model_config.epochs} "
        "epochs; its numbers are those of the partial model."
    )
if run.cost.timing_context != "serial":
    st.caption(f"⚠️ {timing_note(run.cost.timing_context)}")
for message in run.warnings:
    st.caption(f"⚠️ {plain(message)}")

head, pin, clear = st.columns([4, 1, 1])
head.subheader(plain(f"Run {state.current + 1}: {run.model_repr} on {run.data_config.dataset}"))
matches = (run.data_config, run.model_config) == (data_cfg, model_cfg)
if pin.button("Pin as baseline", key="train_pin", width="stretch", disabled=not matches):  # never a stale run
    state.baseline = state.current
    st.rerun()
if state.baseline is not None and clear.button("Clear baseline", key="train_unpin", width="stretch"):
    state.baseline = None
    st.rerun()
results.tiles(run, state.previous_run, state.baseline_run)
st.caption(
    f"First epoch {run.cost.first_epoch_s:.3f} s (includes set-up and tracing) · steady epochs "
    f"{'n/a' if run.cost.epoch_s_median is None else f'{run.cost.epoch_s_median:.3f} s'} · "
    f"{run.cost.rows_per_s:,.0f} rows/s predicting · measured on {run.environment['cpu']}, "
    f"{run.environment['cores']} cores{widgets.engine_note(run.environment)} · timing: {run.cost.timing_context}",
    help=timing_note(run.cost.timing_context),
)

VIEWS = ("Learning curves", "Evaluation (validation)", "Test set")
view = st.radio("View", VIEWS, horizontal=True, key="train_view", label_visibility="collapsed")
if view == VIEWS[0]:  # one view at a time: every chart drawn costs time on each slider move
    st.altair_chart(charts.history_chart(run.history, run.model_config.epochs), width="stretch")
elif view == VIEWS[1]:
    results.evaluation_views(run)
else:
    results.test_set_section(state, state.current)

with st.expander("Save as a Demo scenario"):
    name = st.text_input("Scenario name", key="train_scenario_name")
    narrative = st.text_input("One line for the audience", key="train_scenario_text")
    if st.button("Save scenario", key="train_scenario_save"):
        if not name.strip():
            st.error("A scenario needs a name.")
        else:
            run_id = state.stored.get(state.current) or cached.store_safely("save the run", lambda s: s.save(run))
            if run_id is not None:
                state.stored[state.current] = run_id
                if cached.store_safely("save the scenario", lambda s: s.save_scenario(name, narrative, run_id)):
                    st.success(f"Saved “{plain(name)}”. Open **Demo** to present it.")
st.download_button(
    "Download this run's report (HTML)",
    report.runs_report([run], title=run.model_repr),
    file_name="tradeoff-lab-run.html",
    mime="text/html",
    key="train_report",
)

st.subheader("Session board")
results.session_board(state)
