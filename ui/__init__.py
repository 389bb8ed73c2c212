"""Streamlit helpers shared by the pages: session state, widget groups, the training job, result views."""
