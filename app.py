"""Tradeoff Lab — entry point: page config and navigation only. Start with `make run`."""

import streamlit as st

st.set_page_config(page_title="Tradeoff Lab", page_icon="⚖️", layout="wide")

st.title("Tradeoff Lab")
st.caption("How much accuracy does a model give up for speed? Move a slider and measure it.")
st.write("The engine lives in `core/` and is usable from the command line: `python -m core train --help`.")
