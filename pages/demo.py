"""Demo: step through saved scenarios one at a time, large, for a stakeholder audience."""

import html

import streamlit as st

from core import charts
from core.compare import TILES, format_value, tile_label
from core.store import StoreError
from ui import cached
from ui.shell import ensure_app

ensure_app()

store, _ = cached.run_store()
scenarios = store.scenarios()
if not scenarios:
    st.title("Demo")
    st.info("No scenarios yet: on **Train**, open “Save as a Demo scenario” under a run.")
    st.stop()

step = st.session_state.setdefault("demo_step", 0) % len(scenarios)
scenario = scenarios[step]
prev_col, pos_col, next_col = st.columns([1, 6, 1])
if prev_col.button("◀ Previous", key="demo_prev", width="stretch"):
    st.session_state["demo_step"] = (step - 1) % len(scenarios)
    st.rerun()
if next_col.button("Next ▶", key="demo_next", width="stretch"):
    st.session_state["demo_step"] = (step + 1) % len(scenarios)
    st.rerun()
pos_col.caption(f"Scenario {step + 1} of {len(scenarios)}")

st.title(scenario.name)  # st.title renders text: a name like <script> stays text
if scenario.narrative:
    st.markdown(f"### {html.escape(scenario.narrative)}")
try:
    run = store.get(scenario.run_id).result
except StoreError:
    run = None
if run is None:
    st.warning("The run behind this scenario was deleted.")
    st.stop()
cols = st.columns(4)
for col, key in zip(cols, ("accuracy", "f1", "train_time_s", "latency_ms_p50"), strict=True):
    tile = next(t for t in TILES if t.key == key)
    col.metric(tile_label(tile, run), format_value(tile, tile.get(run)))
st.caption(f"{run.model_repr} on {run.data_config.dataset} · measured on {run.environment.get('cpu')}")
st.altair_chart(charts.history_chart(run.history, run.model_config.epochs), width="stretch")
if st.button("Remove this scenario", key="demo_remove"):
    store.delete_scenario(scenario.id)
    st.session_state["demo_step"] = 0
    st.rerun()
