"""Tradeoff Lab — entry point: page config and navigation only. Start with `make run`.

Page files end in ``_page`` while their URLs do not: Streamlit's older pages-folder mode, active until the
first run of this script, then finds no file for a URL such as /train and runs this script, whose
navigation resolves it. (With matching names, opening /train on a fresh server ran the page alone.)
"""

import streamlit as st

from ui.cached import warm_up_tensorflow

st.set_page_config(page_title="Tradeoff Lab", page_icon="⚖️", layout="wide")

page = st.navigation(
    [
        st.Page("pages/home_page.py", title="Home", icon="🏠", url_path="home", default=True),
        st.Page("pages/data_page.py", title="Data", icon="🗂️", url_path="data"),
        st.Page("pages/train_page.py", title="Train", icon="🏋️", url_path="train"),
        st.Page("pages/tradeoffs_page.py", title="Trade-offs", icon="⚖️", url_path="tradeoffs"),
        st.Page("pages/metrics_page.py", title="Metrics", icon="🎯", url_path="metrics"),
    ]
)
page.run()
warm_up_tensorflow()  # a worker process loads TensorFlow meanwhile, so the first Keras run starts at once
