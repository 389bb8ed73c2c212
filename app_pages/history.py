"""History: every stored run, a page at a time — filter (in SQL), compare (only what differs), annotate, delete, export
on request, import, and download a self-contained HTML report. A sweep's trials and a cross-validation's folds are
listed as one entry (grouped in SQL), a group's runs picked open below the table. The list, the filter choices and
the frontier come from the store's indexed columns, so a click costs the same at 10 runs or 10,000; a stored result
is parsed only for the runs picked to compare or annotate. User text (notes, tags, warnings) is shown as plain text;
a row that cannot be read is listed as "unreadable run #N" with Delete; a store error is one warning."""

import streamlit as st

import ui.history_ui as history_ui  # its own line: ui.history_ui.unsaved_ui, the runs waiting in unsaved/
from core import CoreError
from core.records.store import RunFilter
from ui import cached
from ui.history_ui import (
    RUN_COLUMNS,
    RUN_ORDER,
    annotate_ui,
    arrow_table,
    compare_ui,
    export_ui,
    filters_ui,
    frontier_ui,
    group_ui,
)
from ui.text import plain

st.title("History")
store, _ = cached.run_store()
where_text = "in memory only" if store.in_memory else store.where
st.caption(plain(f"Every saved run, trial and cross-validation fold ({where_text})."))
history_ui.unsaved_ui(store)  # runs the store refused, waiting in ~/.tradeoff_lab/unsaved/: one button imports them


def _step(delta: int) -> None:
    st.session_state["history_page_no"] = max(1, st.session_state.get("history_page_no", 1) + delta)


@st.fragment
def _runs(where: RunFilter, size: int) -> None:
    """The list a page at a time, compare, notes: paging reruns only this part, not the chart above it."""
    grouped = st.toggle(
        "Group a sweep's trials and a cross-validation's folds",
        value=True,
        key="history_group",
        on_change=lambda: st.session_state.update(history_page_no=1),  # other entries: back to the first page
    )
    read = store.group_page if grouped else store.page
    try:
        page_no = st.session_state.get("history_page_no", 1)
        page = read(where, limit=size, offset=(page_no - 1) * size)
        if page.total and page.first == 0:  # past the end (runs deleted meanwhile): the last page
            page = read(where, limit=size, offset=(page.total - 1) // size * size)
        stored = store.count()
    except CoreError as err:
        st.warning(plain(str(err)))
        return
    n_pages = max(1, -(-page.total // size))
    page_no = page.offset // size + 1
    st.session_state["history_page_no"] = page_no
    runs_total = page.runs_total if grouped else page.total
    matching = "" if runs_total == stored else f", filtered from {stored:,} stored"
    if grouped and page.total != runs_total:  # some entry holds several runs
        shown = f"{page.total:,} entries ({runs_total:,} runs{matching}; trials and folds grouped)"
    else:
        shown = f"{runs_total:,} runs" + (f" ({matching[2:]})" if matching else "")
    st.caption(f"Showing {page.first:,}–{page.last:,} of {shown}, newest first.")
    pager = st.container(horizontal=True, wrap=True, vertical_alignment="bottom")  # columns cut "← Ne…" at 800 px
    pager.button("← Newer", key="history_prev", on_click=_step, args=(-1,), disabled=page_no <= 1)
    pager.button("Older →", key="history_next", on_click=_step, args=(1,), disabled=page_no >= n_pages)
    pager.number_input(f"Page (of {n_pages:,})", 1, n_pages, key="history_page_no", width=160)
    entries = page.groups if grouped else page.runs
    table = arrow_table([e.row() for e in entries])
    st.dataframe(  # run, accuracy and time first (ui.history_ui.RUN_ORDER); lazy=None would load pandas
        table, hide_index=True, width="stretch", column_order=RUN_ORDER, column_config=RUN_COLUMNS, lazy=False
    )
    if grouped:
        group_ui(page.groups)

    summaries = {r.id: r for r in page.runs}
    compare_ui(store, summaries)
    annotate_ui(store, summaries)


try:
    facets = store.facets()  # the filter choices (DISTINCT on indexes): the widgets come before the runs
    where = None
    if facets["dataset"]:
        where = filters_ui(facets)
        size = st.session_state["history_page_size"]
        if st.session_state.get("history_last_filter") != (where, size):  # new filters: back to the first page
            st.session_state["history_last_filter"] = (where, size)
            st.session_state["history_page_no"] = 1
        total = store.count(where)  # counts, pages and the frontier are kept until the store changes
    else:
        st.info("No saved runs yet: train on the **Train** page (with “Save runs to history” on).")
except CoreError as err:
    st.warning(plain(str(err)))
    where = None

if where is not None:
    frontier_ui(store, where)  # a projection of indexed columns, over every matching run
    _runs(where, size)

    export_ui(where, total)

st.subheader("Import")
upload = st.file_uploader("A Tradeoff Lab JSON export", type=["json"], key="history_import")
if upload is not None and st.button("Import", key="history_import_go"):
    try:
        st.success(str(store.import_json(upload.getvalue())))
    except CoreError as err:
        st.error(plain(str(err)))
