"""Explain: why a run's model decides what it does, what a simpler explainable model would cost, and whether
it treats groups alike — on any run of this session or of the run history (the model is refitted from the
run's configs, with its seeds, and kept per run)."""

import time

import streamlit as st

from core import CoreError, DataConfig, ModelConfig, RunResult
from core.config import Backend
from core.data.datasets import DATASETS
from core.evaluation.tiles import run_title
from core.explain import Fitted, refit
from core.models.keras_import import resolve_backend
from ui import cached
from ui.explain_views import VIEWS, Subject
from ui.state import get_state
from ui.text import plain


@st.cache_resource(max_entries=4, show_spinner="Refitting the run's model…")
def fitted(data_cfg: DataConfig, model_cfg: ModelConfig) -> tuple[Fitted, float]:
    started = time.perf_counter()
    return refit(data_cfg, model_cfg, prepared=cached.prepared_data(data_cfg)), time.perf_counter() - started


state = get_state()
st.title("Explain")
st.caption("Why did it say that? Is it fair to this group? What would an explainable model cost?")
source = st.radio("Runs from", ["This session", "Run history"], horizontal=True, key="explain_source")
runs: list[tuple[str, RunResult]] = []
if source == "This session":
    runs = [(f"Run {i + 1}: {run_title(r)}", r) for i, r in enumerate(state.runs)]
else:
    store, _ = cached.run_store()
    try:
        stored = [s for s in store.list() if s.result is not None and not s.result.stopped]
    except CoreError as err:
        st.error(plain(str(err)))
        st.stop()
    runs = [(f"#{s.id}: {run_title(s.result)} ({s.created_at})", s.result) for s in stored[:200]]
if not runs:
    st.info("Train a model on the **Train** page first (or pick the run history); its model is explained here.")
    st.stop()
if source == "This session":  # the run on show in Train; the history lists the newest first
    default = state.current if state.current is not None else len(runs) - 1
else:
    default = 0
pick = st.selectbox("Run", range(len(runs)), index=default, format_func=lambda i: runs[i][0], key="explain_run")
run = runs[pick][1]
if run.model_config.kind.uses_keras:
    engine = resolve_backend(run.model_config)
    load_s = "about 6 s" if engine == Backend.TENSORFLOW else "about 3 s"
    st.caption(f"A Keras run is refitted in this process, so Keras on {engine.value} loads here ({load_s}, once).")
try:
    fit, refit_s = fitted(run.data_config, run.model_config)
except CoreError as err:
    st.error(plain(str(err)))
    st.stop()
model, data = fit.model, fit.data
kind = DATASETS[run.data_config.dataset].kind if run.data_config.dataset in DATASETS else "tabular"
stored_pred = run.predictions.get("validation")  # runs imported without predictions have none
agreement = ""
if stored_pred is not None and len(stored_pred.y_true) == len(data.y_val):
    agree = float((model.predict(data.X_val) == stored_pred.proba.argmax(axis=1)).mean())
    agreement = f"; it agrees with the stored run on {agree:.1%} of validation rows"
st.caption(f"Refitted in {refit_s:.2f} s{agreement}. {data.n_features} features, {len(data.y_val)} validation rows.")

view = st.radio("Show", list(VIEWS), horizontal=True, key="explain_view", label_visibility="collapsed")
VIEWS[view](Subject(run, fit, kind, pick, tuple(state.runs)))  # one view at a time: only it computes
