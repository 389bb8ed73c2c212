"""Home: what the lab answers, the article's workflow, presets to start from, and this machine.

The app's first page, so every import here is paid by a fresh server before anything shows. Everything but the
presets' measured claims comes from light modules (no NumPy, no SQLAlchemy, no Pillow); the claims read the run
store last, into places kept for them, so the browser draws the page while the server opens the store.
"""

import streamlit as st

from core.machine import engine_comparison, environment_stamp
from core.presets import PRESETS
from ui.state import get_state
from ui.workflow import workflow_markdown

state = get_state()  # created on the first page: the session has its state from then on (tests read it)
st.title("Tradeoff Lab")
st.markdown(
    "**How much accuracy does a model give up for speed — and what does each knob cost?** Move a slider and "
    "watch accuracy, precision, recall, F1 and ROC AUC move with training time, latency, memory and size, "
    "each measured on this machine and compared with the run before and a baseline you pin."
)

engines = engine_comparison()  # measured by benchmarks/bench_engine.py; Home never loads an engine itself
if engines is not None:
    tf, jx = engines["tensorflow"], engines["jax"]
    st.subheader("Same model, two engines")
    st.caption(
        "The article's MLP (MNIST, Dense 128, batch 32, 10 epochs) trained by Keras on TensorFlow and on JAX: "
        "same layers, same callbacks, same costs measured. Pick the engine on Train (Engine)."
    )
    row = st.container(horizontal=True, wrap=True, gap="small")  # tiles wrap on a narrow screen
    row.metric("TensorFlow", f"{tf['train_time_s']:.1f} s", help=f"test accuracy {tf['test_accuracy']:.2%}", width=220)
    row.metric(
        "JAX",
        f"{jx['train_time_s']:.1f} s",
        f"{jx['train_time_s'] - tf['train_time_s']:+.1f} s",
        delta_color="inverse",
        help=f"test accuracy {jx['test_accuracy']:.2%}",
        width=220,
    )
    row.metric(
        "JAX is faster by",
        f"{tf['train_time_s'] / jx['train_time_s']:.1f}×",
        f"{jx['test_accuracy'] - tf['test_accuracy']:+.2%} test accuracy",
        width=220,
    )
    st.caption(f"Training time measured {engines['measured_at']} on this lab's server, one run at a time.")
    article = engines.get("article")
    if article:
        st.subheader("The article's 98.5 %, reached honestly")
        st.caption(
            f"In the benchmark above, the article's model reached {tf['test_accuracy']:.1%} on TensorFlow. The fastest "
            "configuration the benchmark found that reaches 98.5 % on the test set for every one of 3 new seeds, "
            "chosen on validation only: the `article-98.5` preset "
            "(a small CNN with a strided first convolution, two epochs, a warmed-up cosine learning rate)."
        )
        row = st.container(horizontal=True, wrap=True, gap="small")
        row.metric("Worst test accuracy of 3 seeds", f"{article['worst_test']:.2%}", width=220)
        row.metric(
            "Training time",
            f"{article['train_time_s']:.1f} s",
            f"{article['ratio']:.2f} of the article model's {article['seed_train_time_s']:.0f} s",
            delta_color="off",
            delta_arrow="down",  # less time than the article's model (the default arrow would point up)
            width=260,
        )
        load = engines.get("load_average")
        if load:
            load = f"{load:.1f}" if isinstance(load, float) else load  # the stored figure is unrounded
            st.caption(f"Measured at load average {load} on this machine's cores; times move with load.")

st.subheader("The workflow, from the article")
st.markdown(workflow_markdown(), unsafe_allow_html=True)  # a static SVG drawn in Python (ui.workflow)

st.subheader("Start from a preset")
cards = st.container(horizontal=True, wrap=True)  # cards wrap onto a second row rather than squeeze
claim_slots = {}  # preset name → the place for its measured claim, filled last (it reads the run store)
for preset in PRESETS.values():
    with cards, st.container(border=True, width=220):
        st.markdown(f"**{preset.name}**")
        st.caption(preset.description)
        if preset.claimed_test_accuracy is not None:
            claim_slots[preset.name] = st.empty()
        if st.button("Open in Train", key=f"home_preset_{preset.name}"):
            state.data_cfg, state.model_cfg = preset.data, preset.model
            for key in [k for k in st.session_state if str(k).startswith("train_")]:
                del st.session_state[key]  # widgets restart from the preset's values
            st.switch_page("app_pages/train.py")

from ui.claims import claim_text  # noqa: E402  (the store's imports, once the rest of the page is on its way)

for name, slot in claim_slots.items():
    slot.caption(claim_text(name))

with st.expander("This machine", expanded=False):
    env = environment_stamp()
    st.markdown(
        f"**CPU** {env['cpu']} · **cores** {env['cores']} · **BLAS threads** {env['threads']} · "
        f"**device** {env['device']} · **Python** {env['python']}"
    )
    st.markdown(" · ".join(f"**{name}** {version}" for name, version in env["versions"].items()))
