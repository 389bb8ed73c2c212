"""Widget groups: ``data_config_ui`` and ``model_config_ui`` render controls and return frozen configs.

Each control carries a one-line ``help`` stating its trade-off. Keys carry the page prefix, values start
from the session's current config, so every page shows and edits the same configuration.
"""

from __future__ import annotations

import enum
import os
from dataclasses import replace

import streamlit as st

from core.config import (
    MODEL_KNOBS,
    Activation,
    Backend,
    DataConfig,
    Imbalance,
    MissingValues,
    ModelConfig,
    ModelKind,
    Optimizer,
    Penalty,
    Precision,
    Scaling,
)
from core.datasets import DATASETS

MODEL_LABELS = {
    ModelKind.NUMPY_MLP: "NumPy MLP (from scratch)",
    ModelKind.KERAS_MLP: "Keras MLP",
    ModelKind.KERAS_CNN: "Keras CNN (images)",
    ModelKind.LOGISTIC: "Logistic regression",
    ModelKind.RANDOM_FOREST: "Random forest",
    ModelKind.HIST_GB: "Gradient boosting (hist)",
    ModelKind.KNN: "k-nearest neighbours",
}
UNITS = [4, 8, 16, 32, 64, 128, 256, 512, 1024]
BATCHES = [8, 16, 32, 64, 128, 256, 512, 1024, 2048]
LEARNING_RATES = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3]
REGULARISATION = [0.0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1]
C_VALUES = [0.001, 0.01, 0.1, 1.0, 10.0, 100.0]

HELP = {
    "fraction": "Share of the dataset used. Less data: faster training, usually lower accuracy.",
    "scaling": "Standard or min-max scaling helps gradient training converge; fitted on the training split only.",
    "imbalance": "Class weights or resampling help the minority class; over-sampling adds rows and so time.",
    "layers": "More layers: more capacity for curved boundaries, more time per epoch.",
    "units": "More units per layer: more capacity and parameters, more time and memory.",
    "activation": "relu trains fastest in deep nets; sigmoid and tanh saturate and learn slower.",
    "optimizer": "Adam adapts step sizes and converges in fewer epochs; SGD is cheaper per step but slower to learn.",
    "learning_rate": "Larger steps learn faster until they overshoot; too small wastes epochs.",
    "batch_size": "Bigger batches: faster epochs (fewer steps), fewer weight updates, often lower accuracy per epoch.",
    "epochs": "More passes over the data: higher accuracy until it overfits; time grows linearly.",
    "l1": "L1 pushes weights to exactly zero (sparser model); too much underfits.",
    "l2": "L2 shrinks weights against overfitting; too much underfits.",
    "dropout": "Drops units at random while training: less overfitting, slower to converge.",
    "patience": "Stop when validation loss has not improved for this many epochs (0 = off); saves time.",
    "backend": "The engine under Keras: same model, same callbacks, different compiler. JAX runs the MLP's small "
    "steps 3-5× faster here; TensorFlow's oneDNN convolutions beat JAX's ≈3×. Each engine has its own worker.",
    "precision": "Mixed bfloat16 halves activation memory; on CPUs without bf16 units it can be slower.",
    "conv_blocks": "More conv-pool blocks: better image features, more compute.",
    "filters": "More filters: richer features, more compute per image.",
    "kernel_size": "Larger kernels see more context per filter, at more compute.",
    "C": "Inverse regularisation: larger C fits the training data harder.",
    "penalty": "L1 selects features (sparse weights); L2 keeps all, shrunk.",
    "n_trees": "More trees: steadier predictions, linear in training time and model size.",
    "max_depth": "Deeper trees fit more detail (0 = unlimited); bigger models, more overfitting.",
    "max_iter": "More boosting iterations: higher accuracy until it overfits, linear in time.",
    "gb_learning_rate": "Smaller steps need more iterations but generalise better.",
    "k_neighbors": "More neighbours: smoother boundary; prediction time grows with the training set.",
    "seed": "Same seed, same split and weights: runs are reproducible.",
}


def data_config_ui(prefix: str, current: DataConfig, *, full: bool = True) -> DataConfig:
    """Dataset choice and its knobs; ``full=False`` shows only the quick ones (dataset, size, scaling, imbalance)."""
    names = list(DATASETS)
    dataset = st.selectbox(
        "Dataset",
        names,
        index=names.index(current.dataset),
        key=f"{prefix}_dataset",
        format_func=lambda n: DATASETS[n].title,
        help=DATASETS[current.dataset].description,
    )
    cfg = replace(current, dataset=dataset)
    fraction = st.slider(
        "Data size (share of rows)",
        0.05,
        1.0,
        float(current.fraction),
        0.05,
        key=f"{prefix}_fraction",
        help=HELP["fraction"],
    )
    scaling = st.selectbox(
        "Scaling",
        list(Scaling),
        index=list(Scaling).index(current.scaling),
        key=f"{prefix}_scaling",
        format_func=lambda s: s.value,
        help=HELP["scaling"],
    )
    imbalance = st.selectbox(
        "Imbalance handling",
        list(Imbalance),
        index=list(Imbalance).index(current.imbalance),
        key=f"{prefix}_imbalance",
        format_func=lambda s: s.value.replace("_", " "),
        help=HELP["imbalance"],
    )
    cfg = replace(cfg, fraction=fraction, scaling=scaling, imbalance=imbalance)
    if not full:
        return cfg
    info = DATASETS[dataset]
    if dataset == "synthetic":
        cfg = replace(
            cfg,
            n_samples=st.slider("Rows", 100, 200_000, current.n_samples, 100, key=f"{prefix}_n_samples"),
            n_features=st.slider("Features", 2, 200, current.n_features, key=f"{prefix}_n_features"),
            n_informative=st.slider(
                "Informative features", 1, 50, min(current.n_informative, 50), key=f"{prefix}_n_informative"
            ),
            n_classes=st.slider("Classes", 2, 10, current.n_classes, key=f"{prefix}_n_classes"),
            class_sep=st.slider(
                "Class separation",
                0.1,
                3.0,
                float(current.class_sep),
                0.1,
                key=f"{prefix}_class_sep",
                help="Larger: classes further apart, easier.",
            ),
            label_noise=st.slider(
                "Label noise",
                0.0,
                0.3,
                float(current.label_noise),
                0.01,
                key=f"{prefix}_label_noise",
                help="Share of labels flipped at random.",
            ),
        )
        max_minority = round(1.0 / cfg.n_classes, 2)
        cfg = replace(
            cfg,
            minority_fraction=st.slider(
                "Minority class share",
                0.01,
                max_minority,
                min(float(current.minority_fraction), max_minority),
                0.01,
                key=f"{prefix}_minority",
                help="Share of the smallest class: low values make accuracy misleading.",
            ),
        )
    elif info.kind == "toy2d":
        cfg = replace(
            cfg,
            n_samples=st.slider("Points", 100, 5000, min(current.n_samples, 5000), 100, key=f"{prefix}_points"),
            noise=st.slider("Noise", 0.0, 1.0, float(current.noise), 0.05, key=f"{prefix}_noise"),
        )
    elif dataset == "csv":
        cfg = _csv_ui(prefix, cfg)
    with st.expander("Splits and seed"):
        cfg = replace(
            cfg,
            val_fraction=st.slider(
                "Validation share",
                0.05,
                0.4,
                float(current.val_fraction),
                0.05,
                key=f"{prefix}_val",
                help="What-if numbers are measured here.",
            ),
            test_fraction=st.slider(
                "Test share",
                0.05,
                0.4,
                float(current.test_fraction),
                0.05,
                key=f"{prefix}_test",
                help="Held out for final numbers; ignored where the dataset has its own test split.",
            ),
            seed=int(st.number_input("Seed", 0, 10_000, current.seed, key=f"{prefix}_seed", help=HELP["seed"])),
        )
    return cfg


def _csv_ui(prefix: str, cfg: DataConfig) -> DataConfig:
    from core.data_csv import csv_columns
    from core.errors import DataError
    from ui import uploads
    from ui.text import plain

    key = f"{prefix}_upload"
    upload = st.file_uploader(
        "CSV file",
        type=["csv", "txt"],
        key=key,
        on_change=_upload_changed,
        args=(key,),
        help="Up to 200 MB. Numeric columns are used as they are; text columns are one-hot encoded. Kept in a "
        "private folder for this session only.",
    )
    uploaded_before = uploads.is_upload(cfg.csv_path)  # never shown in the path box: it is the server's folder
    path = st.text_input(
        "…or a path on this machine", value="" if uploaded_before else cfg.csv_path or "", key=f"{prefix}_csv_path"
    )
    if upload is not None:
        path = uploads.session_uploads(st.session_state).save(upload.getvalue(), upload.name)
    elif not path and uploaded_before and os.path.isfile(cfg.csv_path or ""):
        path = cfg.csv_path or ""  # uploaded earlier this session: the uploader forgets files when pages change
    if not path:
        wanted = st.session_state.get(LINK_CSV_KEY)
        hint = f" The link you opened was made with “{plain(wanted)}”." if wanted else ""
        st.info("Upload a CSV (or give its path) and pick the target column." + hint)
        return replace(cfg, csv_path=None)
    if uploads.is_upload(path):
        st.caption(f"Using the uploaded file “{plain(uploads.display_name(path))}” (this session only).")
    try:
        columns = csv_columns(path)
    except DataError:  # the page's own preparation reports this same error, once
        return replace(cfg, csv_path=path, target=None)
    target = st.selectbox(
        "Target column",
        columns,
        index=columns.index(cfg.target) if cfg.target in columns else len(columns) - 1,
        key=f"{prefix}_target",
    )
    missing = st.radio(
        "Missing values",
        list(MissingValues),
        index=list(MissingValues).index(cfg.missing),
        key=f"{prefix}_missing",
        format_func=lambda m: m.value,
        horizontal=True,
    )
    return replace(cfg, csv_path=path, target=target, missing=missing)


LINK_CSV_KEY = "link_csv_name"  # the CSV file name a shared link asked for (set by the Train page)


def _upload_changed(key: str) -> None:
    """The person removed the uploaded file: delete it from the server."""
    from ui import uploads

    if st.session_state.get(key) is None:
        uploads.session_uploads(st.session_state).clear()


def model_config_ui(prefix: str, current: ModelConfig, *, image_data: bool) -> ModelConfig:
    """Model family, then only the knobs that family reads (``core.config.MODEL_KNOBS``)."""
    kinds = [k for k in ModelKind if image_data or k != ModelKind.KERAS_CNN]
    kind = current.kind if current.kind in kinds else ModelKind.NUMPY_MLP
    kind = st.selectbox(
        "Model", kinds, index=kinds.index(kind), key=f"{prefix}_kind", format_func=lambda k: MODEL_LABELS[k]
    )
    knobs = MODEL_KNOBS[kind]
    values: dict[str, object] = {"kind": kind}
    k = f"{prefix}_{kind.value}"  # per-family keys: switching family does not carry odd values across
    if "conv_blocks" in knobs:
        values["conv_blocks"] = st.slider(
            "Conv blocks", 1, 2, current.conv_blocks, key=f"{k}_conv", help=HELP["conv_blocks"]
        )
        values["filters"] = st.select_slider(
            "Filters",
            [4, 8, 16, 32, 64],
            _nearest([4, 8, 16, 32, 64], current.filters),
            key=f"{k}_filters",
            help=HELP["filters"],
        )
        values["kernel_size"] = st.select_slider(
            "Kernel size",
            [3, 5, 7],
            _nearest([3, 5, 7], current.kernel_size),
            key=f"{k}_kernel",
            help=HELP["kernel_size"],
        )
    if "hidden_units" in knobs:
        layers = st.slider("Hidden layers", 0, 4, len(current.hidden_units), key=f"{k}_layers", help=HELP["layers"])
        units = st.select_slider(
            "Units per layer",
            UNITS,
            _nearest(UNITS, (current.hidden_units or (128,))[0]),
            key=f"{k}_units",
            help=HELP["units"],
            disabled=layers == 0,
        )
        values["hidden_units"] = (units,) * layers
    if "activation" in knobs:
        values["activation"] = st.selectbox(
            "Activation",
            list(Activation),
            list(Activation).index(current.activation),
            key=f"{k}_act",
            format_func=lambda a: a.value,
            help=HELP["activation"],
        )
    if "optimizer" in knobs:
        values["optimizer"] = st.selectbox(
            "Optimizer",
            list(Optimizer),
            list(Optimizer).index(current.optimizer),
            key=f"{k}_opt",
            format_func=lambda o: o.value,
            help=HELP["optimizer"],
        )
        values["learning_rate"] = st.select_slider(
            "Learning rate",
            LEARNING_RATES,
            _nearest(LEARNING_RATES, current.learning_rate),
            key=f"{k}_lr",
            format_func=lambda v: f"{v:g}",
            help=HELP["learning_rate"],
        )
    if "batch_size" in knobs:
        values["batch_size"] = st.select_slider(
            "Batch size", BATCHES, _nearest(BATCHES, current.batch_size), key=f"{k}_batch", help=HELP["batch_size"]
        )
        values["epochs"] = st.slider("Epochs", 1, 100, current.epochs, key=f"{k}_epochs", help=HELP["epochs"])
    for name in ("l1", "l2"):
        if name in knobs:
            values[name] = st.select_slider(
                name.upper(),
                REGULARISATION,
                _nearest(REGULARISATION, getattr(current, name)),
                key=f"{k}_{name}",
                format_func=lambda v: f"{v:g}",
                help=HELP[name],
            )
    if "dropout" in knobs:
        values["dropout"] = st.slider(
            "Dropout", 0.0, 0.7, float(current.dropout), 0.05, key=f"{k}_dropout", help=HELP["dropout"]
        )
    if "early_stopping_patience" in knobs:
        values["early_stopping_patience"] = st.slider(
            "Early-stopping patience",
            0,
            10,
            current.early_stopping_patience,
            key=f"{k}_patience",
            help=HELP["patience"],
        )
    if "precision" in knobs:
        values["precision"] = _enum_radio("Precision", current.precision, f"{k}_precision", HELP["precision"])
    if "backend" in knobs:
        from core.keras_import import wanted_backend

        engine = current.backend or wanted_backend(replace(current, kind=kind))  # the family's default engine
        values["backend"] = _enum_radio("Engine", engine, f"{k}_backend", HELP["backend"])
    else:
        values["backend"] = None  # other families have no engine knob (a Keras link's value does not carry over)
    if "C" in knobs:
        values["C"] = st.select_slider("C", C_VALUES, _nearest(C_VALUES, current.C), key=f"{k}_C", help=HELP["C"])
        values["penalty"] = _enum_radio("Penalty", current.penalty, f"{k}_penalty", HELP["penalty"])
    if "n_trees" in knobs:
        values["n_trees"] = st.slider("Trees", 10, 500, current.n_trees, 10, key=f"{k}_trees", help=HELP["n_trees"])
    if "max_depth" in knobs:
        depth = st.slider(
            "Max depth (0 = unlimited)", 0, 30, current.max_depth or 0, key=f"{k}_depth", help=HELP["max_depth"]
        )
        values["max_depth"] = depth or None
    if "max_iter" in knobs:
        values["max_iter"] = st.slider(
            "Iterations", 10, 500, current.max_iter, 10, key=f"{k}_iter", help=HELP["max_iter"]
        )
    if "gb_learning_rate" in knobs:
        values["gb_learning_rate"] = st.select_slider(
            "Boosting learning rate",
            [0.01, 0.03, 0.1, 0.3, 1.0],
            _nearest([0.01, 0.03, 0.1, 0.3, 1.0], current.gb_learning_rate),
            key=f"{k}_gblr",
            help=HELP["gb_learning_rate"],
        )
    if "k_neighbors" in knobs:
        values["k_neighbors"] = st.slider(
            "Neighbours (k)", 1, 50, current.k_neighbors, key=f"{k}_k", help=HELP["k_neighbors"]
        )
    values["seed"] = int(
        st.number_input("Model seed", 0, 10_000, current.seed, key=f"{prefix}_model_seed", help=HELP["seed"])
    )
    return replace(current, **values)


def engine_note(environment: dict) -> str:
    """`` · Keras on jax (CPU)`` for a Keras run's environment stamp; "" for other runs and older stamps."""
    backend = environment.get("backend")
    return f" · Keras on {backend} ({environment.get('device', 'CPU')})" if backend else ""


def _enum_radio(label: str, current: enum.Enum, key: str, help_text: str):
    options = list(type(current))
    return st.radio(
        label, options, options.index(current), key=key, format_func=lambda o: o.value, horizontal=True, help=help_text
    )


def _nearest(options: list, value):
    return min(options, key=lambda o: abs(o - value))


# Values offered for each knob on the Trade-offs page (a sweep picks some; a search spans their range).
SWEEP_CHOICES: dict[str, list] = {
    "hidden_units": [(8,), (16,), (32,), (64,), (128,), (256,), (512,), (64, 64), (128, 128)],
    "batch_size": BATCHES,
    "learning_rate": LEARNING_RATES,
    "epochs": [1, 2, 3, 5, 10, 20, 30, 50],
    "l1": REGULARISATION,
    "l2": REGULARISATION,
    "dropout": [0.0, 0.1, 0.2, 0.3, 0.5],
    "activation": list(Activation),
    "optimizer": list(Optimizer),
    "precision": list(Precision),
    "backend": list(Backend),
    "conv_blocks": [1, 2],
    "filters": [4, 8, 16, 32],
    "kernel_size": [3, 5],
    "C": C_VALUES,
    "penalty": list(Penalty),
    "n_trees": [10, 25, 50, 100, 200, 400],
    "max_iter": [10, 20, 50, 100, 200],
    "gb_learning_rate": [0.01, 0.03, 0.1, 0.3],
    "k_neighbors": [1, 3, 5, 10, 20, 50],
    "fraction": [0.1, 0.25, 0.5, 0.75, 1.0],
    "kind": [k for k in ModelKind if k != ModelKind.KERAS_CNN],
}
LOG_KNOBS = {"hidden_units", "batch_size", "learning_rate", "C", "n_trees", "k_neighbors", "epochs"}


def sweep_knobs(kind: ModelKind) -> list[str]:
    """The knobs a sweep from this model family can vary: its own, the data size, and the family itself."""
    return [k for k in MODEL_KNOBS[kind] if k in SWEEP_CHOICES] + ["fraction", "kind"]
