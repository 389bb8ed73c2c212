"""A preset's published claim against what this machine measured, from the run store (Home and Train).

Kept apart from ``ui.results`` so Home, which draws no chart, does not import pandas and Altair for it.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from core.errors import CoreError


def claim_text(preset_name: str) -> str:
    """What this machine measured against a preset's published claim, from the run store."""
    from ui.cached import run_store

    store, _ = run_store()
    try:
        n_runs = store.count()  # a new run changes the answer; otherwise the cached one stands
    except (SQLAlchemyError, CoreError):
        n_runs = -1
    return _claim_text(preset_name, n_runs, id(store))


@st.cache_data(show_spinner=False, max_entries=16)
def _claim_text(preset_name: str, n_runs: int, store_id: int) -> str:
    """Cached: reading stored MNIST results parses megabytes of JSON."""
    from core.presets import claim_check, get_preset, latest_measurement
    from ui.cached import run_store

    preset = get_preset(preset_name)
    store, _ = run_store()
    try:
        measured = latest_measurement(preset, store, limit=5)
    except (SQLAlchemyError, CoreError):  # an unreadable history: nothing measured, never a failure
        measured = None
    return claim_check(preset, measured)
