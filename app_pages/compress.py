"""Compress: quantize, prune or distil a trained Keras model and see what each variant costs and saves —
size, batch-1 latency, accuracy — against the Keras original and the float32 model in the same runtime."""

import json
import os
import subprocess
import sys
from pathlib import Path

import streamlit as st

from core import CoreError
from core.compress.charts import accuracy_panels, report_table
from core.compress.methods import STUDENT_EPOCHS
from core.evaluation.tiles import run_title
from ui import cached
from ui.jobs import kept_sentence
from ui.results import chart_row
from ui.state import get_state
from ui.text import plain

ROOT = Path(__file__).resolve().parents[1]
QUANTIZE = {"float16": "float16", "int8": "int8 (dynamic range)", "int8-full": "int8 full-integer",
            "keras-int8": "Keras int8"}  # fmt: skip

TILE_PX = 210
CHART_PX = 440
state = get_state()
st.title("Compress")
st.caption("Quantization, pruning and distillation of a trained Keras model — each variant measured on this machine.")
store, _ = cached.run_store()

choices: dict[str, tuple[str, int]] = {}
for i, run in enumerate(state.runs):
    if run.model_config.kind.uses_keras:
        choices[f"Session run {i + 1}: {run_title(run)}"] = ("session", i)
try:
    for stored in store.list(limit=200):
        if stored.kind == "train" and stored.result is not None and stored.result.model_config.kind.uses_keras:
            r = stored.result
            choices[f"Stored run #{stored.id}: {run_title(r)}"] = ("store", stored.id)
except CoreError as err:
    st.warning(plain(str(err)))
if not choices:
    st.info("Train a Keras model (keras_mlp or keras_cnn) on **Train** first; its run is compressed here.")
    st.stop()

label = st.selectbox("Run to compress", list(choices), key="compress_run")
where, ref = choices[label]
try:
    run = state.runs[ref] if where == "session" else store.get(ref).result
except CoreError as err:
    st.error(plain(str(err)))
    st.stop()
st.caption(
    "The store keeps a run's configuration and metrics, not its weights: the model is retrained from its "
    "configuration and seed, then compressed."
)

quantize = st.multiselect("Quantization", list(QUANTIZE), default=["float16", "int8", "int8-full"],
                          format_func=QUANTIZE.__getitem__, key="compress_quant")  # fmt: skip
mid, right = st.columns(2)  # the picker above at full width: in a third of 800 px it read "floa…"
do_prune = mid.checkbox("Magnitude pruning", value=True, key="compress_prune")
sparsity = mid.slider("Sparsity", 0.0, 0.95, 0.8, 0.05, key="compress_sparsity", disabled=not do_prune,
                      help="Share of each kernel's weights set to zero (smallest magnitudes first).")  # fmt: skip
do_struct = mid.checkbox("Structured pruning", value=False, key="compress_struct")
share = mid.slider("Units/filters removed", 0.0, 0.9, 0.5, 0.05, key="compress_share", disabled=not do_struct,
                   help="Whole units or filters with the smallest norms go: a genuinely smaller model.")  # fmt: skip
tune = mid.slider("Fine-tune epochs", 0, 10, 2, key="compress_tune", help="After pruning, with the mask kept.")
do_distill = right.checkbox("Distillation", value=True, key="compress_distill")
teacher_units = max(run.model_config.hidden_units or (128,))
units = right.slider("Student units", 2, 512, max(2, teacher_units // 4), key="compress_units", disabled=not do_distill)
temperature = right.slider("Temperature", 1.0, 10.0, 2.0, 0.5, key="compress_temperature", disabled=not do_distill)
alpha = right.slider("Alpha (label weight)", 0.0, 1.0, 0.5, 0.05, key="compress_alpha", disabled=not do_distill)
if do_distill:
    right.caption(
        f"The distilled student and the same student trained alone on the labels each get {STUDENT_EPOCHS} epochs: "
        "measured on MNIST, distillation trails after 2–3 epochs and pulls ahead only later, and only from a "
        "teacher better than the student's own ceiling (a CNN, not the seed MLP)."
    )

methods = [*quantize]
methods += [f"prune:{sparsity:g}"] if do_prune else []
methods += [f"structured:{share:g}"] if do_struct else []
methods += [f"distill:{units}"] if do_distill else []

reports: dict[int, dict] = st.session_state.setdefault("compress_reports", {})
parent_id = state.stored.get(ref) if where == "session" else ref
if st.button("Compress", type="primary", key="compress_go", disabled=not methods):
    if store.in_memory:
        st.error("The run store is in memory only (see the banner), so the compression process cannot read the run.")
        st.stop()
    try:
        if parent_id is None:  # a session run not saved yet: the variants need a parent in the store
            parent_id = state.stored[ref] = store.save(run)
    except CoreError as err:
        st.error(plain(str(err)))
        st.stop()
    command = [
        sys.executable,
        "-m",
        "core",
        "compress",
        "--run",
        str(parent_id),
        "--method",
        ",".join(methods),
        "--fine-tune-epochs",
        str(tune),
        "--temperature",
        str(temperature),
        "--alpha",
        str(alpha),
        "--json",
    ]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "TRADEOFF_LAB_DB": store.url}
    with st.spinner(f"Retraining and compressing ({', '.join(methods)}) in a separate process…"):
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env)
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    if done.returncode not in (0, 3) or not done.stdout.strip():
        st.error(plain(errors[-1] if errors else f"Compression stopped (exit status {done.returncode})."))
        st.stop()
    reports[parent_id] = json.loads(done.stdout)
    not_saved = reports[parent_id].pop("not_saved", None)
    if not_saved:  # the store refused the variants: the CLI kept them in a file
        refused = f"The variants are not in the history: {not_saved['problem']}"
        st.warning(plain(refused + kept_sentence(not_saved["kept_in"], "They are")))
    elif errors:
        st.warning(plain(errors[-1].removeprefix("error: ")))

report = reports.get(parent_id) if parent_id is not None else None
if report is None and parent_id is not None:
    try:
        stored_rows = store.variants(parent_id)
    except CoreError as err:
        stored_rows = []
        st.warning(plain(str(err)))
    if stored_rows:
        batch = stored_rows[-1][1].get("batch")
        rows = [info for _, info in stored_rows if info.get("batch") == batch]
        report = {"model": rows[0]["model"], "original": rows[0]["original"], "variants": rows}
        st.caption(f"Variants stored for run #{parent_id} on {plain(stored_rows[-1][0].created_at)}.")
if report is None:
    st.info("Choose methods and press **Compress**: the original is retrained, then each variant is built and timed.")
    st.stop()

original = report["original"]
base = next((v for v in report["variants"] if v["method"] == "float32" and v["status"] == "complete"), None)
row = st.container(horizontal=True, wrap=True, gap="small")  # tiles wrap on a narrow screen, never cut a value
row.metric("Original accuracy", f"{original['metrics']['validation']['accuracy']:.2%}", width=TILE_PX)
row.metric("Original weights file", f"{original['cost']['size_bytes'] / 1024:,.1f} KiB", width=TILE_PX)
row.metric("Keras call, batch 1 (p50)", f"{original['cost']['latency_ms_p50']:.3f} ms", width=TILE_PX)
if base:
    row.metric("Same model in LiteRT (p50)", f"{base['cost']['latency_ms_p50'] * 1000:,.1f} µs", width=TILE_PX)
    st.markdown(
        f"**Runtime vs compression.** The float32 model answers one row in {base['cost']['latency_ms_p50']:.4f} ms in "
        f"LiteRT against {original['cost']['latency_ms_p50']:.3f} ms as a direct Keras call: that gain is the "
        "runtime's, not compression's. Each LiteRT variant is compared with the float32 LiteRT model."
    )
st.caption(
    "Unstructured sparsity rarely speeds dense kernels: a pruned model is as large and about as fast as the float32 "
    "one; only gzip sees its zeros. Structured pruning and distillation give genuinely smaller dense models."
)
chart_row(accuracy_panels(report), CHART_PX)  # side by side at 1440 px, stacked at 800 px: never cut
st.dataframe(report_table(report), hide_index=True, width="stretch")
for v in report["variants"]:
    st.markdown("- " + plain(v["verdict"]))
