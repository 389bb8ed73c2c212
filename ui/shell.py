"""The app's shell: page config, navigation and the TensorFlow warm-up — run by app.py, and by a page
that Streamlit runs on its own.

Until the entry script first runs in a server process, Streamlit treats a ``pages/`` folder the old way:
opening a deep link such as /train on a fresh server runs ``pages/train.py`` alone, with the raw file list
as navigation and no page config. Every page therefore starts with ``ensure_app()``, which in that case
runs the shell (whose ``st.navigation`` resolves the same URL to the same page) and stops.
"""

from __future__ import annotations

import streamlit as st

from ui.text import plain

_started = False  # set once the shell has run in this process; from then on Streamlit uses st.navigation


def run_app() -> None:
    global _started
    _started = True
    st.set_page_config(page_title="Tradeoff Lab", page_icon="⚖️", layout="wide")
    page = st.navigation(
        [
            st.Page("pages/home.py", title="Home", icon="🏠", default=True),
            st.Page("pages/data.py", title="Data", icon="🗂️"),
            st.Page("pages/train.py", title="Train", icon="🏋️"),
            st.Page("pages/tradeoffs.py", title="Trade-offs", icon="⚖️"),
            st.Page("pages/compress.py", title="Compress", icon="🗜️"),
            st.Page("pages/metrics.py", title="Metrics", icon="🎯"),
            st.Page("pages/explain.py", title="Explain", icon="🔍"),
            st.Page("pages/history.py", title="History", icon="🗄️"),
            st.Page("pages/demo.py", title="Demo", icon="🎬"),
        ]
    )
    from ui.cached import run_store, warm_up_tensorflow

    _, store_warning = run_store()
    if store_warning:  # one banner, plain text: the store's one-line message, never SQL or a traceback
        st.warning(plain(store_warning), icon="⚠️")
    page.run()

    warm_up_tensorflow()  # a worker process loads TensorFlow meanwhile, so the first Keras run starts at once


def ensure_app() -> None:
    """Call first in every page: when Streamlit ran the page without the shell, run the shell instead."""
    if not _started:
        run_app()
        st.stop()
