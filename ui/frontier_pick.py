"""What one accuracy-vs-time frontier may compare: a dataset picker and an "include other timings" toggle. Streamlit
widgets only (no pandas or Altair), so History's first view can draw them without loading either."""

from __future__ import annotations

import streamlit as st


def frontier_filter_ui(datasets: list[str], *, key: str, default: str | None) -> tuple[str, bool]:
    """A dataset picker and an "include other timings" toggle: what one frontier may compare."""
    ordered = list(dict.fromkeys(datasets))
    row = st.container(horizontal=True, wrap=True, vertical_alignment="bottom")  # wraps at 800 px, never cuts
    dataset = row.selectbox(
        "Frontier for dataset",
        ordered,
        index=ordered.index(default) if default in ordered else 0,
        key=f"{key}_dataset",
        help="A frontier compares runs on one dataset only.",
        width=260,
    )
    include = row.toggle(
        "Include runs not timed alone",
        value=False,
        key=f"{key}_all_timing",
        help="Include runs timed alongside other work. Off: only runs timed alone (timing “serial”). "
        "Parallel sweep trials, Ray trials and runs timed "
        "while TensorFlow was loading have inflated or incomparable times.",
    )
    return dataset, include
