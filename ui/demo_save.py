"""“Save as a Demo scenario” under the Train page's run: a form, so typing in a field never reruns the page
(the box used to collapse after each field typed); the story defaults to a sentence made from the run's
configuration and the scenario saved before it (``core.presenting.default_story``). The fields empty on Save,
so the next run's scenario never starts with the last one's name."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core import CoreError
from core.presenting import default_story
from ui import cached
from ui.text import plain


def suggested_story(run: Any) -> str:
    """The default story: this run against the last saved scenario's run (when it can be read)."""
    store, _ = cached.run_store()
    before = None
    try:
        saved = store.scenarios()
        if saved:
            previous = store.get(saved[-1].run_id).result
            before = None if previous is None else (previous.data_config, previous.model_config)
    except CoreError:
        before = None
    return default_story(run.data_config, run.model_config, before)


def save_form(state: Any, run: Any) -> None:
    """The form; on submit the run is stored (once) and the scenario saved with its name and story."""
    with st.expander("Save as a Demo scenario"), st.form("train_scenario_form", border=False, clear_on_submit=True):
        suggestion = suggested_story(run)
        name = st.text_input("Scenario name", key="train_scenario_name")
        story = st.text_input(
            "One sentence for the audience",
            key="train_scenario_text",
            placeholder=suggestion,
            help="Left empty, the suggestion shown greyed out is saved. Edit it later on the Demo page.",
        )
        if not st.form_submit_button("Save scenario", key="train_scenario_save"):
            return
        if not name.strip():
            st.error("A scenario needs a name: type one above and save again.")
            return
        run_id = state.stored.get(state.current) or cached.store_safely("save the run", lambda s: s.save(run))
        if run_id is not None:
            state.stored[state.current] = run_id
            told = story.strip() or suggestion
            if cached.store_safely("save the scenario", lambda s: s.save_scenario(name, told, run_id)):
                st.success(f"Saved “{plain(name)}”. Open **Demo** to present it.")
                # and a toast: the browser closes the expander on the form's rerun, hiding the message inside it
                st.toast(f"Scenario “{plain(name)}” saved: open **Demo** to present it.", icon=":material/slideshow:")
