"""Demo: saved scenarios as slides for people who don't run code — plain words (precise terms as captions), a
one-sentence story each, the article's claim against this machine once its preset has run, and a last slide
with every scenario on one scale. Presenter mode (the toggle, or ``?present=1``) hides every editing control;
the arrow keys move between slides. Names and stories are shown as plain text (escaped Markdown)."""

import streamlit as st

from core import CoreError
from core.presenting import default_story
from core.records.store_scenarios import article_hint, article_scenario
from ui import cached, demo_slides
from ui.text import plain

if "demo_present" not in st.session_state:  # a link with ?present=1 opens straight into presenter mode
    st.session_state["demo_present"] = st.query_params.get("present") == "1"
present = st.session_state["demo_present"]
if present:
    st.set_page_config(layout="wide", initial_sidebar_state="collapsed")  # the slides get the whole screen
    st.query_params["present"] = "1"
else:
    st.query_params.pop("present", None)

store, _ = cached.run_store()
try:
    scenarios = store.scenarios()
    article = article_scenario(store)
except CoreError as err:
    st.warning(plain(str(err)))
    scenarios, article = [], None
if article is not None:
    scenarios.append(article)


def _run(scenario):
    try:
        return store.get(scenario.run_id).result
    except CoreError:
        return None


runs = [_run(s) for s in scenarios]
readable = [(s, r) for s, r in zip(scenarios, runs, strict=True) if r is not None]
n_slides = len(scenarios) + (1 if len(readable) > 1 else 0)  # the comparison slide comes last

top = st.columns([3, 2], vertical_alignment="center")
top[1].toggle("Presenter mode", key="demo_present", help="Hides every editing control; ← → move between slides.")
if not scenarios:
    top[0].title("Demo")
    st.info("No scenarios yet: on **Train**, open “Save as a Demo scenario” under a run.")
    st.info(article_hint())
    st.stop()

step = demo_slides.navigation(n_slides)
if step == len(scenarios):
    demo_slides.comparison_slide([r for _, r in readable], [s.name for s, _ in readable])
    st.stop()

scenario, run = scenarios[step], runs[step]
if run is None:
    st.title(plain(scenario.name))
    st.warning("The run behind this scenario was deleted or cannot be read.")
else:
    previous = next((r for r in reversed(runs[:step]) if r is not None), None)
    suggested = default_story(
        run.data_config, run.model_config, None if previous is None else (previous.data_config, previous.model_config)
    )
    demo_slides.scenario_slide(scenario, run, scenario.narrative or suggested, present=present)
    if scenario.builtin:
        st.caption("Built in: the newest stored run of the article's preset, `seed-article` (test accuracy).")
if not present and not scenario.builtin:
    saved = [s for s in scenarios if not s.builtin]
    at = saved.index(scenario)
    neighbours = (saved[at - 1] if at > 0 else None, saved[at + 1] if at + 1 < len(saved) else None)
    demo_slides.edit_controls(scenario, suggested if run is not None else "", neighbours)
if not present and article is None:
    st.caption(article_hint())
