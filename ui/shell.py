"""The app's shell, run by app.py on every rerun: page config, navigation, the store banner and the worker
warm-up. Pages live in ``app_pages/`` (not Streamlit's legacy ``pages/`` folder), so Streamlit always runs
this entry script first, deep links included, and no page needs a first line of its own.
"""

from __future__ import annotations

import streamlit as st

from ui.text import plain

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
    from ui.cached import note_page_activity, run_store, warm_up_page_libraries, warm_up_tensorflow

    note_page_activity()
    _, store_warning = run_store()
    if store_warning:  # one banner, plain text: the store's one-line message, never SQL or a traceback
        st.warning(plain(store_warning), icon=":material/warning:")
    page.run()

    warm_up_tensorflow()  # a worker process loads TensorFlow meanwhile, so the first Keras run starts at once
    note_page_activity()
    warm_up_page_libraries()  # and this process pandas and Altair, for the next page's tables and charts (when idle)
