"""Demo: step through saved scenarios one at a time, large, for a stakeholder audience. Names and
narratives are shown as plain text (escaped Markdown): a crafted one cannot show a link or fetch an image."""

import streamlit as st

from core import CoreError, charts
from core.evaluation.tiles import TILES, format_value, tile_label
from ui import cached
from ui.text import plain

store, _ = cached.run_store()
try:
    scenarios = store.scenarios()
except CoreError as err:
    st.warning(plain(str(err)))
    scenarios = []
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

st.title(plain(scenario.name))
if scenario.narrative:
    st.markdown(f"### {plain(scenario.narrative)}")
try:
    run = store.get(scenario.run_id).result
except CoreError:
    run = None
if run is None:
    st.warning("The run behind this scenario was deleted or cannot be read.")
    st.stop()
cols = st.columns(4)
for col, key in zip(cols, ("accuracy", "f1", "train_time_s", "latency_ms_p50"), strict=True):
    tile = next(t for t in TILES if t.key == key)
    col.metric(tile_label(tile, run), format_value(tile, tile.get(run)))
st.caption(plain(f"{run.model_repr} on {run.data_config.dataset} · measured on {run.environment.get('cpu')}"))
st.altair_chart(charts.history_chart(run.history, run.model_config.epochs), width="stretch")
if st.button("Remove this scenario", key="demo_remove"):
    if cached.store_safely("remove the scenario", lambda s: s.delete_scenario(scenario.id) or 1):
        st.session_state["demo_step"] = 0
        st.rerun()
