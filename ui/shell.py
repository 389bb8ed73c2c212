"""The app's shell, run by app.py on every rerun: page config, navigation, the store banner and the worker
warm-up. Pages live in ``app_pages/`` (not Streamlit's legacy ``pages/`` folder), so Streamlit always runs
this entry script first, deep links included, and no page needs a first line of its own.
"""

from __future__ import annotations

import streamlit as st

from ui.text import plain
from ui.warmup import note_page_activity, warm_up_page_libraries

PAGES = (  # (file, title, icon): Material icons render without an emoji font
    ("app_pages/home.py", "Home", ":material/home:"),
    ("app_pages/data.py", "Data", ":material/dataset:"),
    ("app_pages/train.py", "Train", ":material/model_training:"),
    ("app_pages/tradeoffs.py", "Trade-offs", ":material/balance:"),
    ("app_pages/compress.py", "Compress", ":material/compress:"),
    ("app_pages/metrics.py", "Metrics", ":material/target:"),
    ("app_pages/explain.py", "Explain", ":material/psychology:"),
    ("app_pages/history.py", "History", ":material/history:"),
    ("app_pages/demo.py", "Demo", ":material/slideshow:"),
)


def run_app() -> None:
    st.set_page_config(page_title="Tradeoff Lab", page_icon=":material/balance:", layout="wide")
    page = st.navigation(
        [st.Page(path, title=title, icon=icon, default=i == 0) for i, (path, title, icon) in enumerate(PAGES)]
    )
    note_page_activity()
    banner = st.container()  # the store's warning, above the page but written after it (below)
    try:
        page.run()
    finally:  # also after a page's st.stop(): the warning must show wherever the store is unusable
        # Opening the store loads SQLAlchemy (≈ 0.2 s on a fresh server): after the page, so the browser draws
        # Home (which reads the store last) meanwhile. Pages that use the store have opened it by now (cached).
        from ui.cached import run_store

        _, store_warning = run_store()
        if store_warning:  # one banner, plain text: the store's one-line message, never SQL or a traceback
            banner.warning(plain(store_warning), icon=":material/warning:")

    from ui.cached import warm_up_workers

    warm_up_workers()  # worker processes load TensorFlow and JAX meanwhile, so the first Keras run starts at once
    note_page_activity()
    warm_up_page_libraries()  # and this process pandas and Altair, for the next page's tables and charts (when idle)
