"""The app's shell, run by app.py on every rerun: page config, navigation, the store banner and the worker
warm-up. Pages live in ``app_pages/`` (not Streamlit's legacy ``pages/`` folder), so Streamlit always runs
this entry script first, deep links included, and no page needs a first line of its own.
"""

from __future__ import annotations

import streamlit as st

from ui.prefetch import chunk_files, prefetch_script
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
    # An emoji, drawn by the browser as an inline SVG: a ":material/…:" page icon is fetched from fonts.gstatic.com
    # (a request to Google on every page load, refused offline), and an image file would load Pillow for Home
    st.set_page_config(page_title="Tradeoff Lab", page_icon="⚖️", layout="wide")
    page = st.navigation(
        [st.Page(path, title=title, icon=icon, default=i == 0) for i, (path, title, icon) in enumerate(PAGES)]
    )
    note_page_activity()
    banner = st.container()  # the store's warning, if any, above the page
    # Home (the default page) reads the store last and never stops, so there the store opens after the page: it
    # loads SQLAlchemy (≈ 0.2 s on a fresh server) while the browser draws Home. Any other page may end in
    # st.stop(), after which nothing more is drawn: its banner is written first, as the store is opened.
    store_after_page = page.url_path == ""
    if not store_after_page:
        _store_banner(banner)
    page.run()
    if store_after_page:
        _store_banner(banner)

    from ui.cached import warm_up_workers

    warm_up_workers()  # worker processes load TensorFlow and JAX meanwhile, so the first Keras run starts at once
    note_page_activity()
    warm_up_page_libraries()  # and this process pandas and Altair, for the next page's tables and charts (when idle)
    # and the browser the next pages' element code, when it is idle (ui.prefetch): nothing is drawn
    st.html(prefetch_script(chunk_files()), unsafe_allow_javascript=True)


def _store_banner(banner) -> None:
    """One warning, plain text, when the run store cannot be used: the store's one-line message, never SQL or a
    traceback (the runs are then kept in memory)."""
    from ui.cached import run_store

    _, store_warning = run_store()
    if store_warning:
        banner.warning(plain(store_warning), icon=":material/warning:")
