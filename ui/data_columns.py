"""The CSV column picker on Data: the detection's notes, a "keep it" box for each column it left out or
converted, and a multiselect of feature columns to drop. Returns the config with ``keep_columns`` and
``drop_columns`` as the person set them; ``guessed_target`` is the target picker's default."""

from __future__ import annotations

import hashlib
import os
from dataclasses import replace

import streamlit as st

from core.config import DataConfig
from core.data.csv_columns import ColumnDecision, ColumnLook, decide_columns
from core.errors import CoreError
from ui.text import plain


def _stamp(path: str) -> tuple[float, int]:
    """The file's modification time and size: a replaced file is read again."""
    try:
        info = os.stat(path)
    except OSError:
        return 0.0, 0
    return info.st_mtime, info.st_size


@st.cache_data(max_entries=16, show_spinner=False)
def _looks(path: str, stamp: tuple[float, int], target: str | None) -> tuple[ColumnLook, ...]:
    from core.data.csv_table import look_at_csv

    return look_at_csv(path, target)  # reads the whole file: once per file and target


def _decisions(
    path: str, stamp: tuple[float, int], target: str | None, keep: tuple[str, ...], drop: tuple[str, ...]
) -> tuple[ColumnDecision, ...]:
    return decide_columns(_looks(path, stamp, target), target, keep=keep, drop=drop)


@st.cache_data(max_entries=32, show_spinner=False)
def _guess(path: str, stamp: tuple[float, int]) -> str | None:
    from core.data.csv_table import guess_csv_target

    return guess_csv_target(path)


def guessed_target(path: str) -> str | None:
    """The likeliest target column of the CSV at ``path`` (None when it cannot be read)."""
    try:
        return _guess(path, _stamp(path))
    except CoreError:  # the page's own preparation reports the error
        return None


def columns_ui(prefix: str, cfg: DataConfig) -> DataConfig:
    """Keep boxes under each detection note, then the columns to drop; the config they make."""
    if not cfg.csv_path or not cfg.target:
        return cfg
    try:
        decisions = _decisions(cfg.csv_path, _stamp(cfg.csv_path), cfg.target, cfg.keep_columns, cfg.drop_columns)
    except CoreError:  # an unknown kept/dropped column (a link made for another file): start afresh
        try:
            decisions = _decisions(cfg.csv_path, _stamp(cfg.csv_path), cfg.target, (), ())
        except CoreError:
            return cfg  # the page's own preparation reports the error
        cfg = replace(cfg, keep_columns=(), drop_columns=())
    # keys carry the file and target: another file's columns never inherit these boxes
    tag = hashlib.sha1(f"{cfg.csv_path}\0{cfg.target}".encode()).hexdigest()[:8]
    keep_key, drop_key = f"{prefix}_keep_{tag}_", f"{prefix}_drop_{tag}"
    # the boxes' values as just changed, so the notes below them already say what they do
    keep_now = tuple(
        d.column
        for d in decisions
        if d.kind.detected and st.session_state.get(keep_key + d.column, d.column in cfg.keep_columns)
    )
    drop_now = tuple(st.session_state.get(drop_key, cfg.drop_columns))
    keep_now = tuple(c for c in keep_now if c not in drop_now)
    if (keep_now, drop_now) != (cfg.keep_columns, cfg.drop_columns):
        try:
            decisions = _decisions(cfg.csv_path, _stamp(cfg.csv_path), cfg.target, keep_now, drop_now)
        except CoreError:
            pass  # keep the decisions read above
    detected = [d for d in decisions if d.kind.detected]
    st.markdown("**Columns**")
    if detected:
        st.caption("Left out or converted before missing values are handled. Tick a box to use a column as it is.")
    keep = []
    for d in detected:
        if st.checkbox(
            f"Keep {d.column}",
            value=d.column in cfg.keep_columns,
            key=keep_key + d.column,
            help="Use this column as it is (a date as text), overriding the detection.",
        ):
            keep.append(d.column)
        st.caption(plain(d.note))
    options = [d.column for d in decisions if d.by_person or not d.kind.left_out or d.column in keep]
    drop = st.multiselect(
        "Drop columns",
        options,
        default=[c for c in cfg.drop_columns if c in options],
        key=drop_key,
        help="Feature columns the model should not see (an ID the detection missed, a leak of the target).",
    )
    keep = [c for c in keep if c not in drop]
    return replace(cfg, keep_columns=tuple(keep), drop_columns=tuple(drop))
