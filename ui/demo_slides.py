"""The Demo page's slides: one scenario in plain words (precise terms as captions), the comparison slide,
the slide navigation (buttons and the Left/Right arrow keys), and the edit-mode controls presenter mode hides.
Names and stories are user text, shown escaped (``ui.text.plain``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from core.evaluation.tiles import format_value, majority_baseline, tile_help
from core.presenting import DEMO_METRICS, PLAIN, comparison_panels, precise_title, run_title
from core.records.store_scenarios import Scenario
from ui import cached
from ui.text import plain


def navigation(n_slides: int, *, key: str = "demo") -> int:
    """Previous / Next (also the Left / Right arrow keys); returns the slide on show, 0-based."""
    step = st.session_state.setdefault(f"{key}_step", 0) % n_slides
    prev_col, pos_col, next_col = st.columns(3, vertical_alignment="center")  # [2, 5, 2] cut "Pr…" at 800 px
    # no icon: Streamlit shows the shortcut beside the label already ("Previous ←"; with an icon, "← Previous ←")
    if prev_col.button("Previous", key=f"{key}_prev", shortcut="Left", width="stretch"):
        st.session_state[f"{key}_step"] = (step - 1) % n_slides
        st.rerun()
    if next_col.button("Next", key=f"{key}_next", shortcut="Right", width="stretch"):
        st.session_state[f"{key}_step"] = (step + 1) % n_slides
        st.rerun()
    pos_col.caption(f"Slide {step + 1} of {n_slides} · the arrow keys ← → move too")
    return step


def scenario_slide(scenario: Scenario, run: Any, story: str, *, present: bool = False) -> None:
    """A scenario for the audience: its name, its one-sentence story, what ran, and four numbers in plain words.
    The engineer's title (``Sklearn(HistGradientBoostingClassifier(…))``) is for the presenter only: presenter
    mode says just where it was measured."""
    st.title(plain(scenario.name), anchor=False)
    st.markdown(f"### {plain(story)}")
    st.subheader(run_title(run))
    cpu = run.environment.get("cpu") or "this machine"
    st.caption(plain(f"Measured on {cpu}" if present else f"{precise_title(run)} · measured on {cpu}"))
    row = st.container(horizontal=True, gap="large")  # tiles as wide as their values, wrapping on a laptop
    for key in DEMO_METRICS:
        words = PLAIN[key]
        tile = row.container(width="content")
        tile.metric(words.words, format_value(words.tile, words.tile.get(run)), help=tile_help(words.tile, run))
        tile.caption(words.precise)
        if key == "accuracy" and (share := majority_baseline(run)) is not None:  # the number to beat
            tile.caption(f"guessing the commonest class: {share * 100:.0f} %")


LABEL_ROOM_PX = 72  # "157.8 s" / "97.7 %" at the slide's 15 px label size, past the longest bar


def comparison_slide(runs: Sequence[Any], names: Sequence[str]) -> None:
    """The last slide: every scenario on one scale, accuracy beside training time."""
    st.title("Side by side", anchor=False)
    st.markdown("### Every scenario on the same scale: how often it is right, and how long it takes to learn.")
    accuracy, timing = comparison_panels(runs, list(names))  # chart text is not Markdown: names as typed
    left, right = st.columns(2)  # side by side on a wide screen, one above the other on a narrow one
    room = {"left": 5, "top": 5, "bottom": 5, "right": LABEL_ROOM_PX}  # the bar labels never cut at a column's edge
    left.altair_chart(accuracy.properties(padding=room), width="stretch")
    right.altair_chart(timing.properties(padding=room), width="stretch")
    st.caption(f"{PLAIN['accuracy'].words}: {PLAIN['accuracy'].precise}; {PLAIN['train_time_s'].words}: "
               f"{PLAIN['train_time_s'].precise}.")  # fmt: skip


def edit_controls(scenario: Scenario, suggested: str, neighbours: tuple[Scenario | None, Scenario | None]) -> None:
    """Edit mode only: change the name or the story (a form: nothing reruns while typing), move it earlier or
    later among the saved scenarios (``neighbours``: the saved ones before and after it), or remove it."""
    with st.form(f"demo_edit_{scenario.id}", border=True):
        st.markdown("**Edit this scenario**")
        name = st.text_input("Name", value=scenario.name, key=f"demo_name_{scenario.id}")
        story = st.text_input(
            "One sentence for the audience",
            value=scenario.narrative,
            placeholder=suggested,
            key=f"demo_story_{scenario.id}",
            help="Left empty, the suggestion shown greyed out is told.",
        )
        if st.form_submit_button("Save changes", key=f"demo_save_{scenario.id}"):
            done = cached.store_safely(
                "change the scenario",
                lambda s: s.update_scenario(scenario.id, name=name, narrative=story) or 1,
            )
            if done:
                st.rerun()
    earlier, later, remove = st.columns(3)
    for col, other, label, move in (
        (earlier, neighbours[0], "Move earlier", -1),
        (later, neighbours[1], "Move later", 1),
    ):
        icon = ":material/arrow_upward:" if move < 0 else ":material/arrow_downward:"
        if col.button(label, key=f"demo_move_{move}", icon=icon, disabled=other is None, width="stretch"):
            if cached.store_safely(
                "reorder the scenarios", lambda s, o=other: s.swap_scenarios(scenario.id, o.id) or 1
            ):
                st.session_state["demo_step"] += move  # the slide follows the scenario
                st.rerun()
    if remove.button("Remove this scenario", key="demo_remove", icon=":material/delete:", width="stretch"):
        if cached.store_safely("remove the scenario", lambda s: s.delete_scenario(scenario.id) or 1):
            st.session_state["demo_step"] = 0
            st.rerun()
