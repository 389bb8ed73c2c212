"""A shared link on the Train page: read once per session into the session's configs, and every value that
could not be used said as a warning (plain text: a crafted link cannot show links or images)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.config import DataConfig, ModelConfig
from core.records import links
from ui.text import plain
from ui.widgets import LINK_CSV_KEY

WARNINGS_KEY = "train_link_warnings"


def open_once(state: Any, params: dict[str, Any]) -> links.Link | None:
    """The link in ``params``, applied to ``state`` at the session's first Train visit; later the widgets lead."""
    if state.link_applied:
        return None
    state.link_applied = True
    if not params:
        return None
    link = links.read_link(params)
    state.data_cfg, state.model_cfg = link.data, link.model
    st.session_state[WARNINGS_KEY] = list(link.warnings)
    if link.csv_name:  # a link names its CSV; the person picks or uploads it (links never read server files)
        st.session_state[LINK_CSV_KEY] = link.csv_name
        st.session_state[WARNINGS_KEY].append(
            f"This link was made with the CSV file “{link.csv_name}”. A link carries no files: "
            "upload it (or give its path) on the Data page."
        )
    return link


def warnings(link: links.Link | None, data_cfg: DataConfig, model_cfg: ModelConfig, box: Any) -> None:
    """Say (in ``box``) each link value the controls did not take, and the link's own warnings, until dismissed."""
    if link is not None:  # controls never snap, so this is rare (a CNN on tabular data); never silent
        asked, shown = links.to_query(link.data, link.model), links.to_query(data_cfg, model_cfg)
        for key in sorted(k for k in asked if shown.get(k) != asked[k]):
            st.session_state[WARNINGS_KEY].append(
                f"Link setting {key}={asked[key]} is not one the controls offer: using "
                f"{links.link_value(data_cfg, model_cfg, key)}."
            )
    if st.session_state.get(WARNINGS_KEY):
        with box:
            for message in st.session_state[WARNINGS_KEY]:
                st.warning(plain(message))
            if st.button("Dismiss", key="train_link_dismiss"):
                st.session_state[WARNINGS_KEY] = []
                st.rerun()
