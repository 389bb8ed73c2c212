"""Train: pick a model and its knobs, watch it train live, and see every number against the last run and a
pinned baseline, with a session board of everything tried."""

from dataclasses import replace

import streamlit as st

from core import CoreError
from core.data.datasets import DATASETS
from core.explore.estimate import describe, estimate_for_data
from core.models.keras_import import check_engine
from core.presets import PRESETS
from core.records import links
from ui import cached, link_ui, live, run_view, widgets
from ui.claims import claim_text
from ui.jobs import REGISTRY, TrainingJob, kept_sentence
from ui.state import get_state
from ui.text import plain

AUTO_TRAIN_MAX_S = 2.0  # auto-train on change only for runs estimated this short
POLL_S = 0.25  # progress redrawn at most this often (each redraw re-renders the page in the browser); also how
# soon Streamlit delivers a Stop click or a slider change to a new script run (bench_app: 0.1 s cost ~2× the
# browser's work in a one-second run)
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

link = link_ui.open_once(state, {k: v for k, v in st.query_params.to_dict().items() if k != JOB_PARAM})
link_box = st.container()  # filled below, once the controls have shown what they could take from the link
job_in_url = REGISTRY.get(st.query_params.get(JOB_PARAM)) if state.job is None else None
if isinstance(job_in_url, TrainingJob):  # a reload (a new session): reattach to the server's job
    state.job = job_in_url
    state.data_cfg, state.model_cfg = job_in_url.data_cfg, job_in_url.model_cfg

with st.sidebar:  # grouped (data / model / training / advanced) so the knobs fit beside the result
    with st.expander("Data", expanded=True):
        data_cfg = widgets.data_config_ui("train", state.data_cfg, full=False)
    model_cfg = widgets.model_config_ui("train", state.model_cfg, image_data=DATASETS[data_cfg.dataset].is_image)
    save_runs = st.toggle(
        "Save runs to history", value=True, key="train_save", help="Off: runs stay in this session only."
    )

link_ui.warnings(link, data_cfg, model_cfg, link_box)

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
controls = st.container(horizontal=True, wrap=True, vertical_alignment="center")  # wraps on a narrow screen
auto = controls.toggle(
    "Auto-train on change",
    value=True,
    key="train_auto",
    help=f"Retrain whenever a setting changes, for runs estimated under {AUTO_TRAIN_MAX_S:.0f} s.",
)
cap_s = controls.select_slider(
    "Demo time cap",
    [0, 5, 10, 30, 60, 120, 300, 600],
    0,
    key="train_cap",
    format_func=lambda s: "no cap" if not s else f"{s} s",
    help="For demos: when the estimate exceeds the cap, the run trains fewer epochs and says so. The settings, "
    "the slider and the link keep the setup's own epochs. Off by default, so presets run as defined.",
    width=220,
)
estimate = estimate_for_data(model_cfg, data, history=state.runs, cap_s=cap_s or None)
if estimate.capped:  # the run uses fewer epochs; the setup (widgets, link) is left as it is
    beyond = f" Even one epoch is estimated at {estimate.seconds:.0f} s." if estimate.seconds > cap_s else ""
    st.warning(
        f"Capped at {estimate.epochs} epoch{'s' if estimate.epochs > 1 else ''} for the demo (the setup says "
        f"{model_cfg.epochs}): estimated {describe(estimate)} against the {cap_s} s cap.{beyond} Set the cap to "
        "“no cap” to run the setup as it is."
    )
    model_cfg = replace(model_cfg, epochs=estimate.epochs)
for preset in PRESETS.values():  # a setup that reproduces a published claim says how this machine compares
    if preset.claimed_test_accuracy is not None and (preset.data, preset.model) == (data_cfg, model_cfg):
        st.info(claim_text(preset.name))
train_clicked = controls.button("Train", type="primary", key="train_go", width=120)
controls.button("Stop", key="train_stop", width=120, on_click=stop_job, args=(state,))  # stops before the rerun
st.caption(
    f"Estimated training time: {describe(estimate)} ({estimate.basis}; fitting only, as the Training time tile"
    f"{', early stopping can end sooner' if estimate.ceiling else ''}). "
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
            store=store if save_runs else None,  # the job saves itself: "running" now, its outcome at the end
            auto=not train_clicked,
            estimate_s=estimate.seconds,
        )
        state.job = REGISTRY.start(job, owner=state.owner)  # the session's previous run is stopped, not awaited

if job is not None and job.matches(data_cfg, model_cfg):
    query[JOB_PARAM] = job.job_id  # a reload reattaches to this run
if st.query_params.to_dict() != query:  # the address bar always holds a link to this setup
    st.query_params.from_dict(query)


# --- live progress ---------------------------------------------------------------------------------------
if job is not None and (job.running or job.job_id not in state.recorded_jobs):
    live.follow(  # the finished run's curves are in its tab below
        job,
        progress_of=live.training_progress,
        chart_of=run_view.live_curves,  # while epochs arrive; the finished run's curves come with its result
        version_of=lambda j: len(j.logs),
        poll_s=POLL_S,
        redraw_every_s=POLL_S,  # not once per epoch: twenty quick epochs were twenty redraws in a second
        chart_every_s=CHART_EVERY_S,
        chart_after_s=LIVE_CHART_AFTER_S,
        picture_of=lambda j: run_view.live_boundary(j, data),  # 2-D data: the boundary as the network learns
    )
    if job.job_id not in state.recorded_jobs:
        state.recorded_jobs.add(job.job_id)
        if job.result is not None:
            index = state.add_run(job.result)
            if job.boundary is not None:
                state.boundaries[index] = job.boundary
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
        kept = kept_sentence(job.recovery_path)
        st.warning(plain(f"Could not save the run in the run history: {job.store_error}{kept}"))

# --- the run on show -------------------------------------------------------------------------------------
run_view.show(state, data_cfg, model_cfg)
