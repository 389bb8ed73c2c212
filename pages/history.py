"""History: every stored run — filter, compare (only what differs), annotate, delete, export, import, and
download a self-contained HTML report. User text (notes, tags, warnings) is shown as plain text; a row that
cannot be read is listed as "unreadable run #N" with Delete; a store error is one warning, never a page error."""

import pandas as pd
import streamlit as st

from core import CoreError, charts
from core.compare import config_differences, flat_config
from core.pareto import comparable_mask
from core.report import runs_report
from ui import cached, results
from ui.shell import ensure_app
from ui.text import plain

ensure_app()

st.title("History")
store, _ = cached.run_store()
where = "in memory only" if store.in_memory else store.where
st.caption(plain(f"Every saved run, trial and cross-validation fold ({where})."))

try:
    runs = store.list()
except CoreError as err:
    st.warning(plain(str(err)))
    runs = []
if not runs:
    st.info("No saved runs yet: train on the **Train** page (with “Save runs to history” on).")
else:
    table = pd.DataFrame([r.summary() for r in runs])
    table["timing"] = [r.result.cost.timing_context if r.result is not None else "" for r in runs]
    f1, f2, f3 = st.columns(3)
    datasets = f1.multiselect("Dataset", sorted(table.dataset.unique()), key="history_dataset")
    models = f2.multiselect("Model", sorted(table.model.unique()), key="history_model")
    statuses = f3.multiselect("Status", sorted(table.status.unique()), key="history_status")
    mask = pd.Series(True, index=table.index)
    for column, chosen_values in (("dataset", datasets), ("model", models), ("status", statuses)):
        if chosen_values:
            mask &= table[column].isin(chosen_values)
    shown = table[mask]
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            "accuracy": st.column_config.NumberColumn(format="%.4f"),
            "train_time_s": st.column_config.NumberColumn(format="%.3f"),
        },
    )
    by_id = {r.id: r for r in runs}
    with_result = [i for i in shown.id if by_id[i].result is not None]
    done = [r for r in runs if r.result is not None]
    if done:
        board = pd.DataFrame(
            [
                {
                    "run": r.id,
                    "label": f"#{r.id} {r.model} on {r.dataset}",
                    "accuracy": r.result.validation.accuracy,
                    "train_time_s": r.result.cost.train_time_s,
                    "role": "",
                    "dataset": r.dataset,
                    "timing": r.result.cost.timing_context,
                }
                for r in done
                if r.id in set(shown.id)
            ]
        )
        if len(board):  # one dataset per frontier; clean ("serial") times unless asked
            dataset, include = results.frontier_filter_ui(
                board.dataset.tolist(),
                key="history_board",
                default=None,  # newest first
            )
            board = board[
                comparable_mask(
                    board.dataset.tolist(), board.timing.tolist(), dataset=dataset, include_all_timing=include
                )
            ]
        if len(board):
            st.altair_chart(
                charts.frontier_chart(board, title="All shown runs: accuracy vs training time"), width="stretch"
            )

    st.subheader("Compare")
    picked = st.multiselect(
        "Runs to compare",
        with_result,
        default=with_result[:2],
        key="history_pick",
        format_func=lambda i: f"#{i} {by_id[i].model} on {by_id[i].dataset}",
    )
    if picked:
        chosen = [by_id[i].result for i in picked]
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
                .encode(x="epoch:Q", y=alt.Y("accuracy:Q", scale=alt.Scale(zero=False)), color="run:N")
                .properties(title="Validation accuracy per epoch, overlaid", height=260),
                width="stretch",
            )
        notes = [f"#{i}: {by_id[i].notes}" for i in picked if by_id[i].notes]
        st.download_button(
            "Download report (HTML)",
            runs_report(chosen, labels=labels, notes=notes, title="Tradeoff Lab comparison"),
            file_name="tradeoff-lab-report.html",
            mime="text/html",
            key="history_report",
        )

    st.subheader("Notes, tags, delete")

    def _label(i: int) -> str:
        r = by_id[i]
        return f"unreadable run #{i}" if r.problem else f"#{i} {r.model} on {r.dataset} ({r.status})"

    target = st.selectbox("Run", list(by_id), key="history_target", format_func=_label)
    run = by_id[target]
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
        if cached.store_safely("save the note", lambda s: s.annotate(target, notes=note, tags=tags.split(",")) or 1):
            st.rerun()
    if c2.button("Delete this run", key="history_delete"):
        if cached.store_safely("delete the run", lambda s: s.delete(target) or 1):
            st.rerun()

    st.subheader("Export")
    exported = cached.store_safely("export the runs", lambda s: (s.export_json(), s.export_csv()))
    if exported is not None:
        e1, e2 = st.columns(2)
        e1.download_button(
            "Export as JSON",
            exported[0],
            file_name="tradeoff-lab-runs.json",
            mime="application/json",
            key="history_export_json",
        )
        e2.download_button(
            "Export as CSV",
            exported[1],
            file_name="tradeoff-lab-runs.csv",
            mime="text/csv",
            key="history_export_csv",
        )

st.subheader("Import")
upload = st.file_uploader("A Tradeoff Lab JSON export", type=["json"], key="history_import")
if upload is not None and st.button("Import", key="history_import_go"):
    try:
        st.success(str(store.import_json(upload.getvalue())))
    except CoreError as err:
        st.error(plain(str(err)))
