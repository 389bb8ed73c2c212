"""History's widget groups (app_pages/history.py): the filters, the frontier of the matching runs, comparing the
runs picked on a page, notes/tags/delete for one run, and exports built on request."""

from __future__ import annotations

import io
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import streamlit as st

from core import CoreError
from core.records.store import RunFilter, RunGroup, RunStore, RunSummary
from ui import cached
from ui.frontier_pick import frontier_filter_ui
from ui.history_chart import frontier_svg
from ui.text import plain

# The first view (filters, frontier, a page of runs) loads neither pandas nor Altair: tables go to Streamlit as
# Arrow tables with ``lazy=False`` (Streamlit's check for a lazy source imports pandas), the frontier as an SVG
# drawn in Python. Comparing runs, which needs them, imports them once runs are picked.


def arrow_table(rows: list[dict[str, Any]]) -> Any:
    """Rows of one table (the same keys, one Python type per column) as a pyarrow Table, which ``st.dataframe`` and
    a chart's datasets send as they are. Built by pyarrow's JSON reader with the columns' types given: a list of
    dicts would go through pandas, and so would ``pa.array`` on a list (it asks pandas whether the list is one)."""
    import pyarrow as pa
    import pyarrow.json as pa_json

    def arrow_type(column: str) -> Any:
        kinds = {type(r[column]) for r in rows if r[column] is not None}
        if kinds and kinds <= {bool}:
            return pa.bool_()
        if kinds and kinds <= {int}:
            return pa.int64()
        return pa.float64() if kinds and kinds <= {int, float} else pa.string()

    schema = pa.schema([(column, arrow_type(column)) for column in (rows[0] if rows else ())])
    if not rows:
        return schema.empty_table()
    floats = [f.name for f in schema if f.type == pa.float64()]
    lines = []
    for row in rows:
        for column in floats:  # NaN and infinity are not JSON: shown empty, as missing
            value = row[column]
            if value is not None and not math.isfinite(value):
                row = {**row, column: None}
        lines.append(json.dumps(row))
    return pa_json.read_json(
        io.BytesIO("\n".join(lines).encode()),
        read_options=pa_json.ReadOptions(use_threads=False),
        parse_options=pa_json.ParseOptions(explicit_schema=schema),
    )


# The runs tables (a page of runs, a group's runs): what identifies a run and its two numbers first, the run pinned,
# so at 800 px they are in view and the rest scrolls sideways behind them.
RUN_ORDER = (
    "id",
    "accuracy",
    "train_time_s",
    "model",
    "dataset",
    "f1",
    "kind",
    "status",
    "runs",
    "created_at",
    "tags",
    "notes",
    "timing",
)
RUN_COLUMNS = {
    "id": st.column_config.NumberColumn("run", format="#%d", width="small", pinned=True),
    # in %, as Train's tiles show it (a fraction here read as another unit)
    "accuracy": st.column_config.NumberColumn("accuracy", format="percent", width="small", help="validation accuracy"),
    "train_time_s": st.column_config.NumberColumn("time (s)", format="%.3f", width="small", help="training time"),
    "f1": st.column_config.NumberColumn("F1", format="percent", width="small", help="validation F1"),
    "created_at": st.column_config.TextColumn("saved"),
}

PAGE_SIZES = (50, 100, 250)
FILTER_PX = 220  # two filter boxes to a row at 800 px, three at 1440 px
FRONTIER_DRAWN = 400  # points drawn at most (the chart redraws on every filter change); the frontier is drawn whole


def filters_ui(facets: dict[str, list[str]]) -> RunFilter:
    """The filter widgets; their choices come from the store (``facets``)."""
    # fixed-width boxes that wrap: four columns left ~100 px each at 800 px ("Choose op…")
    row = st.container(horizontal=True, wrap=True)
    chosen = [
        row.multiselect(  # chips wrap: in a row of boxes they would stay one line and cut the last one
            label, facets[column], key=f"history_{column}", placeholder="any", width=FILTER_PX, wrap=True
        )
        for label, column in (("Dataset", "dataset"), ("Model", "model"), ("Status", "status"), ("Kind", "kind"))
    ]
    tag = row.text_input("Tag", key="history_tag", placeholder="one tag, e.g. demo", width=FILTER_PX)
    since = row.date_input("Saved from", value=None, key="history_since", width=FILTER_PX)
    until = row.date_input("Saved until", value=None, key="history_until", width=FILTER_PX)
    row.selectbox("Runs per page", PAGE_SIZES, index=1, key="history_page_size", width=FILTER_PX)
    return RunFilter(
        *(tuple(c) for c in chosen),
        tag=tag.strip(),
        since=since.isoformat() if since else "",
        until=until.isoformat() if until else "",
    )


GROUP_NAMES = {"trial": "Sweep", "cv": "Cross-validation"}


def group_ui(groups: tuple[RunGroup, ...]) -> None:
    """The runs of one group of the page (a sweep's trials, a cross-validation's folds), picked from a list: one
    table drawn, not one per group (a page can hold twenty groups)."""
    several = {g.key: g for g in groups if len(g.runs) > 1}
    if not several:
        return

    def label(key: str) -> str:
        g = several[key]
        best = g.row()["accuracy"]
        name = GROUP_NAMES.get(g.newest.kind, "Group")
        return plain(
            f"{name} of {len(g.runs)} runs (#{g.runs[-1].id}–#{g.newest.id}, {g.newest.dataset})"
            + ("" if best is None else f", best accuracy {best:.2%}")
        )

    with st.expander(f"Runs of a group ({len(several)} on this page)", expanded=True):
        key = st.selectbox(
            "Group", list(several), index=None, key="history_open_group", format_func=label, placeholder="pick one"
        )
        if key in several:
            st.dataframe(
                arrow_table([r.row() for r in several[key].runs]),
                hide_index=True,
                width="stretch",
                column_order=RUN_ORDER,
                column_config=RUN_COLUMNS,
                lazy=False,
            )


def frontier_ui(store: RunStore, where: RunFilter) -> None:
    """Accuracy vs training time of every matching run: the frontier whole, the rest sampled evenly; one dataset
    at a time, and runs timed alone unless the person includes the others. Computed once per filter and store
    change (``RunStore.frontier_view``), the chart too: a rerun for a page or a pick redraws it as it was."""
    datasets = store.frontier_datasets(where)
    if not datasets:
        return
    dataset, include = frontier_filter_ui(list(datasets), key="history_board", default=None)
    view = store.frontier_view(where, dataset, include_all_timing=include, drawn=FRONTIER_DRAWN)
    if not view.comparable:
        st.info("No run on this dataset was timed alone: switch on “Include runs not timed alone”.")
        return
    svg = store.cached(
        ("history_frontier_svg", where, dataset, include),
        lambda: frontier_svg(view, title="Runs matching the filters: accuracy vs training time"),
    )
    st.markdown(svg, unsafe_allow_html=True)  # a static SVG (escaped text): Vega cost ≈ 1 s of browser CPU here
    if len(view.points) < view.comparable:
        st.caption(
            f"The frontier is computed over all {view.comparable:,} matching runs with a result; drawn: its "
            f"{view.on_frontier:,} runs and {len(view.points) - view.on_frontier:,} of the other "
            f"{view.others:,}" + (f" (one in {view.every})." if view.every else ".")
        )


def compare_ui(store: RunStore, summaries: dict[int, RunSummary]) -> None:
    """Compare runs picked from the page: what differs, deltas, curves, and an HTML report built on download."""
    st.subheader("Compare")
    with_result = [i for i, r in summaries.items() if r.has_result]
    picked = st.multiselect(
        "Runs to compare (from this page)",
        with_result,
        key="history_pick",  # none by default: paging stays light, and a comparison is a choice
        placeholder="pick two or more runs of this page",
        format_func=lambda i: f"#{i} {summaries[i].model} on {summaries[i].dataset}",
    )
    if picked:
        try:
            full = {i: store.get(i) for i in picked}  # only the picked results are parsed
        except CoreError as err:
            st.warning(plain(str(err)))
            full = {}
        picked = [i for i in picked if i in full and full[i].result is not None]
    if picked:
        import pandas as pd  # only once runs are picked (see the top of this module)

        from core import charts
        from core.evaluation.tiles import config_differences, flat_config, majority_baseline
        from core.records.report import runs_report

        chosen = [full[i].result for i in picked]
        labels = [f"#{i}" for i in picked]
        configs = [flat_config(r) for r in chosen]
        differ = config_differences(chosen)
        if len(picked) > 1:
            st.markdown("**What differs**" + ("" if differ else ": nothing in the configuration (same setup)."))
            if differ:
                st.dataframe(
                    pd.DataFrame(
                        {lab: [str(c[k]) for k in differ] for lab, c in zip(labels, configs, strict=True)}, index=differ
                    ),
                    width="stretch",
                )
            base = chosen[0]
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "run": lab,
                            "val accuracy": r.validation.accuracy,
                            "majority class": majority_baseline(r),  # what always guessing one class scores
                            "Δ accuracy (pp)": (r.validation.accuracy - base.validation.accuracy) * 100,
                            "training time (s)": r.cost.train_time_s,
                            "Δ time (s)": r.cost.train_time_s - base.cost.train_time_s,
                        }
                        for lab, r in zip(labels, chosen, strict=True)
                    ]
                ),
                hide_index=True,
                width="stretch",
            )
        curves = pd.DataFrame(
            [
                {"run": lab, "epoch": h.epoch, "split": "validation", "accuracy": h.val_accuracy}
                for lab, r in zip(labels, chosen, strict=True)
                for h in r.history
                if h.val_accuracy is not None
            ]
        )
        if len(curves):
            import altair as alt

            st.altair_chart(
                alt.Chart(curves)
                .mark_line(point=True)
                .encode(
                    x=alt.X("epoch:Q", axis=charts.EPOCH_AXIS),
                    y=alt.Y("accuracy:Q", scale=alt.Scale(zero=False), axis=alt.Axis(format=".1%")),
                    color="run:N",
                )
                .properties(title="Validation accuracy per epoch, overlaid", height=260),
                width="stretch",
            )
        notes = [f"#{i}: {full[i].notes}" for i in picked if full[i].notes]
        st.download_button(
            "Download report (HTML)",
            # built when the button is pressed (~1 s of charts), not on every click on the page
            lambda: runs_report(chosen, labels=labels, notes=notes, title="Tradeoff Lab comparison"),
            file_name="tradeoff-lab-report.html",
            mime="text/html",
            key="history_report",
            on_click="ignore",
        )


def annotate_ui(store: RunStore, summaries: dict[int, RunSummary]) -> None:
    """Notes, tags and Delete for one run of the page; an unreadable run says why."""
    st.subheader("Notes, tags, delete")

    def _label(i: int) -> str:
        r = summaries[i]
        return f"unreadable run #{i}" if r.status == "unreadable" else f"#{i} {r.model} on {r.dataset} ({r.status})"

    target = st.selectbox(  # none by default, as for Compare: a page change reads no stored run and draws no editor
        "Run (from this page)",
        list(summaries),
        index=None,
        key="history_target",
        format_func=_label,
        placeholder="pick a run to annotate or delete",
    )
    try:
        run = store.get(target) if target is not None else None
    except CoreError as err:  # deleted meanwhile, or the store failed: say so, keep the page
        st.warning(plain(str(err)))
        run = None
    if run is not None:
        if run.problem:
            st.warning(plain(f"Unreadable run #{target}: {run.problem} Delete it, or fix the database by hand."))
        if run.notes:
            st.text("Note: " + run.notes)  # user text stays text: no Markdown links or remote images
        if run.error:
            st.text("Error: " + run.error)
        for warning in run.result.warnings if run.result else ():
            st.text("Warning: " + warning)
        note = st.text_area("Note", value=run.notes, key=f"history_note_{target}")
        tags = st.text_input("Tags (comma-separated)", value=", ".join(run.tags), key=f"history_tags_{target}")
        c1, c2 = st.columns(2)
        # on a store error the warning stays up (no rerun) and the typed text stays in the boxes
        if c1.button("Save note and tags", key="history_annotate"):
            if cached.store_safely(
                "save the note", lambda s: s.annotate(target, notes=note, tags=tags.split(",")) or 1
            ):
                st.rerun()
        if c2.button("Delete this run", key="history_delete"):
            if cached.store_safely("delete the run", lambda s: s.delete(target) or 1):
                st.rerun()


def export_ui(where: RunFilter, total: int) -> None:
    """A button writes the matching runs to a private temp file, a chunk at a time; then a download button."""
    st.subheader("Export")
    fmt = st.radio("Format", ["JSON", "CSV"], horizontal=True, key="history_export_format")  # above: a column cut it
    if st.button(f"Prepare an export of the {total:,} matching runs", key="history_export_go"):
        from core.records.store_import import write_export  # only on request

        previous = st.session_state.pop("history_export", None)
        if previous:
            Path(previous[0]).unlink(missing_ok=True)
        handle, path = tempfile.mkstemp(prefix="tradeoff-lab-runs-", suffix=f".{fmt.lower()}")  # mode 0600
        with st.spinner(f"Writing {total:,} runs…"), os.fdopen(handle, "w", encoding="utf-8") as out:
            count = cached.store_safely("export the runs", lambda s: write_export(s, out, fmt=fmt.lower(), where=where))
        if count is None:
            Path(path).unlink(missing_ok=True)
        else:
            st.session_state["history_export"] = (path, fmt, count)
    ready = st.session_state.get("history_export")
    if ready and Path(ready[0]).exists():
        path, done_fmt, count = ready
        size_mb = Path(path).stat().st_size / 1e6
        st.download_button(
            f"Download {count:,} runs as {done_fmt} ({size_mb:,.1f} MB)",
            data=lambda: Path(path).read_bytes(),  # read when the button is pressed, not on every rerun
            file_name=f"tradeoff-lab-runs.{done_fmt.lower()}",
            mime="application/json" if done_fmt == "JSON" else "text/csv",
            key="history_export_download",
            on_click="ignore",
        )


def _home_relative(path: Path) -> str:
    """``path`` as people read it: ``~/.tradeoff_lab/unsaved/`` rather than the whole home folder."""
    home, shown = str(Path.home()), str(path)
    return ("~" + shown[len(home) :] if shown.startswith(home + os.sep) else shown) + os.sep


def _import_unsaved(store: RunStore) -> None:
    """The button's callback: every waiting file imported (all or nothing) into the configured store, the
    outcome kept for the next run of the page. A store opened in memory because the real one could not be used
    (the banner) is not a place to import to: the configured store is opened again, and if it still refuses,
    the files stay."""
    from core.records.store_import import import_unsaved

    target = store
    try:
        if store.in_memory:  # the fallback (or TRADEOFF_LAB_DB=sqlite://): runs imported here would go with it
            target = RunStore()
            if target.in_memory:
                raise CoreError(
                    "The run store is in memory only (TRADEOFF_LAB_DB), so runs imported into it would be lost "
                    "when the app stops. Set TRADEOFF_LAB_DB to a file and import them again."
                )
        outcome = import_unsaved(target)
    except CoreError as err:
        st.session_state["history_unsaved_outcome"] = (
            "error",
            f"Could not import the runs kept in the unsaved folder: {err} The files stay where they are: try "
            "again once the store is free.",
        )
        return
    said = str(outcome)
    if target is not store:
        said += (
            f" They are in {target.where}; this session shows the runs kept in memory: restart the app to list them."
        )
    st.session_state["history_unsaved_outcome"] = ("warning" if outcome.refused else "success", said)


def unsaved_ui(store: RunStore) -> None:
    """One line when runs the store could not save wait in ``~/.tradeoff_lab/unsaved/`` (whatever the store's state
    now), with one button that imports them all and moves the files to ``unsaved/imported/``. Listing them is a
    directory scan: the import code loads only when the button is pressed."""
    from core.records.unsaved import unsaved_dir, waiting

    outcome = st.session_state.pop("history_unsaved_outcome", None)
    if outcome is not None:
        kind, said = outcome
        getattr(st, kind)(plain(said))
    kept = waiting()
    if not kept.files:
        return
    where = _home_relative(unsaved_dir())
    runs = (
        "1 run the store could not save is" if kept.n_runs == 1 else f"{kept.n_runs} runs the store could not save are"
    )
    row = st.container(horizontal=True, vertical_alignment="center")
    row.info(plain(f"{runs} kept in {where}"), width="stretch")
    row.button("Import them", key="history_unsaved_import", on_click=_import_unsaved, args=(store,))
