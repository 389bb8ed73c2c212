"""Tradeoff Lab — entry point: page config and navigation only. Start with `make run`."""

import streamlit as st

from ui.cached import warm_up_tensorflow

st.set_page_config(page_title="Tradeoff Lab", page_icon="⚖️", layout="wide")

page = st.navigation(
    [
        st.Page("pages/home.py", title="Home", icon="🏠", default=True),
        st.Page("pages/data.py", title="Data", icon="🗂️"),
        st.Page("pages/train.py", title="Train", icon="🏋️"),
        st.Page("pages/tradeoffs.py", title="Trade-offs", icon="⚖️"),
    ]
)
page.run()
warm_up_tensorflow()  # a worker process loads TensorFlow meanwhile, so the first Keras run starts at once
