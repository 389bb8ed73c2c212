"""Data: choose a dataset and its knobs (shared with every page); see its size, balance and samples."""

import pandas as pd
import streamlit as st

from core import CoreError, charts
from core.data.datasets import DATASETS
from ui import cached, widgets
from ui.state import get_state
from ui.text import plain

IMAGES_PER_CLASS = 8
state = get_state()
st.title("Data")
st.caption("What the model will learn from. Settings here carry over to Train.")

with st.sidebar:
    data_cfg = widgets.data_config_ui("data", state.data_cfg, full=True)
try:
    data = cached.prepared_data(data_cfg.validate())
    with st.sidebar:
        chosen = widgets.positive_class_ui("data", data_cfg, data.class_names, data.positive_class)
    if chosen != data_cfg:
        data_cfg, data = chosen, cached.prepared_data(chosen.validate())
except CoreError as err:
    if data_cfg.dataset == "csv" and not data_cfg.csv_path:  # nothing wrong yet: a file is still to come
        st.info("Choose a CSV file in the sidebar (upload one, or type its path on this machine).")
    else:
        st.error(plain(str(err)))
    st.stop()
state.data_cfg = data_cfg
info = DATASETS[data_cfg.dataset]

st.subheader(info.title)
st.write(info.description)
summary = data.summary()
tiles = st.container(horizontal=True, gap="large")  # tiles as wide as their value, wrapping on a narrow screen
for label, value in [
    ("Train rows", summary["n_train"]),
    ("Validation rows", summary["n_val"]),
    ("Test rows", summary["n_test"]),
    ("Features", summary["n_features"]),
    ("Classes", summary["n_classes"]),
    ("Task", summary["task"]),
]:
    tiles.metric(label, f"{value:,}" if isinstance(value, int) else value, width="content")
if data.positive_class is not None:
    st.caption(
        f"Positive class: **{data.positive_class}**. Precision, recall, F1, ROC and PR on every page, in the CLI "
        "and in reports are of this class; change it in the sidebar."
    )
else:
    st.caption(f"{data.n_classes} classes: precision, recall and F1 are macro averages (unweighted mean over classes).")
for warning in data.warnings:
    st.warning(plain(warning))
column_notes = {d.note for d in data.columns}
if data.columns:
    left_out = [
        f"{d.column} ({'dropped by you' if d.by_person else d.kind.value.replace('_', ' ')})"
        for d in data.columns
        if not d.used
    ]
    converted = [d.column for d in data.columns if d.used and d.note and not d.by_person]
    st.caption(
        plain(
            f"Columns left out: {', '.join(left_out) or 'none'}. "
            + (f"Dates converted to numbers: {', '.join(converted)}. " if converted else "")
            + "Keep or drop columns under Columns in the sidebar."
        )
    )
for note in data.notes:
    if note not in column_notes:
        st.info(plain(note))

# side by side only for the 2-D toys' scatter, which scales to any column; the image rows (fixed pixel size)
# and the statistics table get the page's width, so nothing is cut on a laptop screen
left, right = st.columns(2) if info.kind == "toy2d" else (st.container(), st.container())
with left:
    st.altair_chart(
        charts.class_balance_chart(data.class_names, data.train_counts_before, data.class_counts("train")),
        width="stretch",
    )
with right:
    if info.is_image and data.image_shape is not None:
        raw = cached.raw_data(data_cfg)
        st.markdown(f"**First {IMAGES_PER_CLASS} images of each class**")
        strips = charts.image_rows(raw.X, raw.y, data.image_shape, data.n_classes, per_class=IMAGES_PER_CLASS)
        row = st.container(horizontal=True, wrap=True, gap="medium")  # a gap between classes, wrapping at 800 px
        for strip, name in zip(strips, data.class_names, strict=True):
            # each class's strip with its name right under it (a chart's axis put the names far to the left)
            row.image(strip, caption=str(name), output_format="PNG")  # PNG: JPEG would smear the enlarged pixels
    elif info.kind == "toy2d":
        st.altair_chart(charts.scatter_2d(data.X_train, data.y_train, data.class_names), width="stretch")
    else:
        stats = pd.DataFrame(data.X_train, columns=list(data.feature_names)).describe().T
        st.markdown("**Feature statistics (training split, after scaling)**")
        number = st.column_config.NumberColumn(format="%.3f")  # a scaled mean reads 0.000, not 0.00000003
        st.dataframe(
            stats[["mean", "std", "min", "max"]],
            width="stretch",
            column_config={c: number for c in ("mean", "std", "min", "max")},
        )
