"""Widget groups: ``data_config_ui`` and ``model_config_ui`` render controls and return frozen configs.

Each control carries a one-line ``help`` stating its trade-off. Keys carry the page prefix, values start
from the session's current config, so every page shows and edits the same configuration.
"""

from __future__ import annotations

import enum
import os
from dataclasses import replace

import streamlit as st

from core.config import MODEL_KNOBS, Backend, DataConfig, Imbalance, MissingValues, ModelConfig, ModelKind, Scaling
from core.data.datasets import DATASETS
from core.errors import CoreError
from core.knobs import KNOBS, MAX_LAYERS, Knob
from core.models.keras_import import gpu_present, wanted_backend
from core.records.links import SEED_MAX

MODEL_LABELS = {
    ModelKind.NUMPY_MLP: "NumPy MLP (from scratch)",
    ModelKind.KERAS_MLP: "Keras MLP",
    ModelKind.KERAS_CNN: "Keras CNN (images)",
    ModelKind.LOGISTIC: "Logistic regression",
    ModelKind.RANDOM_FOREST: "Random forest",
    ModelKind.HIST_GB: "Gradient boosting (hist)",
    ModelKind.KNN: "k-nearest neighbours",
}
UNITS = [4, 8, 16, 32, 64, 128, 256, 512, 1024]  # widths the units control offers (plus the current one)
# control keys kept from before the knob table (tests and the browser find them): <prefix>_<family>_<suffix>
WIDGET_KEYS = {"hidden_units": "units", "val_fraction": "val", "test_fraction": "test"}

HELP = {name: knob.help for name, knob in KNOBS.items()} | {
    "layers": "More layers: more capacity for curved boundaries, more time per epoch.",
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
    fraction = knob_control(KNOBS["fraction"], current.fraction, prefix)
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
        if dataset == "csv":  # Train offers the CSV choice exactly as Data does
            cfg = _csv_ui(prefix, cfg)
        return _keep_positive(cfg, current)
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
        cfg = _csv_ui(prefix, cfg, columns=True)
    if dataset != "synthetic":  # synthetic data sets its minority share when generated (above)
        cfg = replace(cfg, minority_share=_minority_share_control(prefix, current.minority_share))
    with st.expander("Splits and seed"):
        cfg = replace(
            cfg,
            val_fraction=knob_control(KNOBS["val_fraction"], current.val_fraction, prefix),
            test_fraction=knob_control(KNOBS["test_fraction"], current.test_fraction, prefix),
            seed=int(st.number_input("Seed", 0, SEED_MAX, current.seed, key=f"{prefix}_seed", help=HELP["seed"])),
        )
    return _keep_positive(cfg, current)


MINORITY_SHARES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5)  # the control's stops, plus the current value


def _minority_share_control(prefix: str, value: float | None) -> float | None:
    """The training split's minority share, or None ("as it is"); any dataset."""
    knob = KNOBS["minority_share"]
    options = [None, *sorted(set(MINORITY_SHARES) | ({value} if value is not None else set()))]
    return st.select_slider(
        knob.title,
        options,
        value,
        key=f"{prefix}_minority_share",
        format_func=lambda v: "as it is" if v is None else f"{v:.0%}" if v >= 0.01 else f"{v:.1%}",
        help=knob.help + " Binary tasks: the positive class; otherwise the smallest class.",
    )


def _keep_positive(cfg: DataConfig, current: DataConfig) -> DataConfig:
    """A chosen positive class belongs to its dataset and target: another one starts from its own default."""
    same_classes = (cfg.dataset, cfg.csv_path, cfg.target, cfg.n_classes) == (
        current.dataset,
        current.csv_path,
        current.target,
        current.n_classes,
    )
    return cfg if same_classes else replace(cfg, positive_class=None)


def positive_class_ui(prefix: str, cfg: DataConfig, class_names: tuple[str, ...], resolved: str | None) -> DataConfig:
    """Binary tasks: pick the class precision, recall and F1 are of; every page, the CLI and reports use it."""
    if len(class_names) != 2 or resolved not in class_names:
        return cfg
    choice = st.selectbox(
        "Positive class",
        class_names,
        index=class_names.index(resolved),
        key=f"{prefix}_positive_{cfg.dataset}_{cfg.target or ''}",
        help="The class a 'positive' prediction means (the disease, the churner): precision, recall, F1, ROC "
        "and PR are of it on every page. Default: breast_cancer's malignant, else the training split's "
        "minority class.",
    )
    return cfg if choice == resolved else replace(cfg, positive_class=choice)


def _csv_ui(prefix: str, cfg: DataConfig, *, columns: bool = False) -> DataConfig:
    """CSV upload (or a path), the target (default: the likeliest label column) and missing values; with
    ``columns``, the column picker (ui.data_columns) too. Data and Train both use it."""
    from core.data.csv_table import csv_columns
    from core.errors import DataError
    from ui import data_columns, uploads
    from ui.text import plain

    before = cfg
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
    guess = cfg.target if cfg.target in columns else data_columns.guessed_target(path)
    target = st.selectbox(
        "Target column",
        columns,
        index=columns.index(guess) if guess in columns else len(columns) - 1,
        key=f"{prefix}_target",
        help="Default: a column with 2-20 values named like a label (label, target, class, churn, is_…), "
        "else the last such column.",
    )
    missing = st.radio(
        "Missing values",
        list(MissingValues),
        index=list(MissingValues).index(cfg.missing),
        key=f"{prefix}_missing",
        format_func=lambda m: m.value,
        horizontal=True,
    )
    cfg = replace(cfg, csv_path=path, target=target, missing=missing)
    if before.csv_path and (cfg.csv_path, cfg.target) != (before.csv_path, before.target):
        cfg = replace(cfg, keep_columns=(), drop_columns=())  # they were another file's (a link's file has none yet)
    return data_columns.columns_ui(prefix, cfg) if columns else cfg


LINK_CSV_KEY = "link_csv_name"  # the CSV file name a shared link asked for (set by the Train page)


def _upload_changed(key: str) -> None:
    """The person removed the uploaded file: delete it from the server."""
    from ui import uploads

    if st.session_state.get(key) is None:
        uploads.session_uploads(st.session_state).clear()


def model_config_ui(prefix: str, current: ModelConfig, *, image_data: bool) -> ModelConfig:
    """Model family, then one control per knob that family reads (``core.knobs``: bounds, help, grid).

    Controls never snap: a value off the suggested grid (from a link or an Optuna trial) is one of the
    control's options, so the configuration shown is the one that runs.
    """
    kinds = [k for k in ModelKind if image_data or k != ModelKind.KERAS_CNN]
    kind = current.kind if current.kind in kinds else ModelKind.NUMPY_MLP
    kind = st.selectbox(
        "Model", kinds, index=kinds.index(kind), key=f"{prefix}_kind", format_func=lambda k: MODEL_LABELS[k]
    )
    values: dict[str, object] = {"kind": kind}
    k = f"{prefix}_{kind.value}"  # per-family keys: switching family does not carry odd values across
    names = [n for n in MODEL_KNOBS[kind] if n != "device" or current.device is not None or gpu_present()]
    if "device" not in names:  # no GPU on this machine: nothing to choose, the setup keeps device unset
        values["device"] = None
    for section, expanded in SECTIONS:  # model and training open; regularisation, precision, engine folded
        in_section = [n for n in names if KNOBS[n].section == section]
        if not in_section and section != "advanced":
            continue
        with st.expander(section.capitalize(), expanded=expanded):
            for name in in_section:
                values[name] = _model_knob(name, current, kind, k)
            if section == "advanced":
                values["seed"] = int(
                    st.number_input(
                        "Model seed", 0, SEED_MAX, current.seed, key=f"{prefix}_model_seed", help=HELP["seed"]
                    )
                )
    return replace(current, **values)


SECTIONS = (("model", True), ("training", True), ("advanced", False))  # the sidebar's knob groups, in order


def _model_knob(name: str, current: ModelConfig, kind: ModelKind, key_prefix: str):
    value = getattr(current, name)
    if name == "device":  # unset is a choice of its own: the engine's (its GPU when it sees one)
        options = [None, *KNOBS[name].choices]
        return st.radio(
            KNOBS[name].title,
            options,
            index=options.index(value),
            key=f"{key_prefix}_device",
            format_func=lambda d: "Engine's choice" if d is None else d.value.upper(),
            help=KNOBS[name].help,
            horizontal=True,
        )
    if name == "backend" and value is None:  # unset: the control shows the engine the family runs on, and
        shown = wanted_backend(replace(current, kind=kind)) or Backend.TENSORFLOW  # the setup stays unset
        picked = knob_control(KNOBS[name], shown, key_prefix)  # until the person picks another engine
        return None if picked == shown else picked
    return knob_control(KNOBS[name], value, key_prefix)


def knob_control(knob: Knob, value, key_prefix: str):
    """One knob's control, its range and help from the table; returns the value it shows."""
    key = f"{key_prefix}_{WIDGET_KEYS.get(knob.name, knob.name)}"
    control = knob.control
    if control == "choice":
        options = list(knob.choices)
        if len(options) <= 3 and knob.name in ("precision", "penalty", "backend"):
            return _enum_radio(knob.title, value, key, knob.help)
        return st.selectbox(
            knob.title, options, options.index(value), key=key, format_func=lambda o: o.value, help=knob.help
        )
    if control == "units":
        return _units_control(knob, value, key_prefix, key)
    if control == "slider" and knob.type is int:
        low = 0 if knob.nullable else int(knob.low)
        top = max(int(knob.slider_high or knob.high), value or 0)
        label = f"{knob.title} (0 = unlimited)" if knob.nullable else knob.title
        picked = st.slider(label, low, top, value or 0 if knob.nullable else value, key=key, help=knob.help)
        return (picked or None) if knob.nullable else picked
    if control == "slider":  # floats: a select slider over the steps, plus the value itself when off them
        start = knob.low + (knob.step if knob.low_open else 0.0)
        steps = round((knob.high - start) / knob.step)
        options = sorted({round(start + i * knob.step, 10) for i in range(steps + 1)} | {float(value)})
        return st.select_slider(knob.title, options, float(value), key=key, help=knob.help, format_func=_num)
    options = knob.grid(value)
    return st.select_slider(knob.title, options, value, key=key, format_func=_num, help=knob.help)


def _units_control(knob: Knob, value: tuple[int, ...], key_prefix: str, key: str) -> tuple[int, ...]:
    """Layers and units per layer; a mixed architecture (64-32, from a link or the CLI) is a text box."""
    if len(set(value)) > 1:
        text = st.text_input("Hidden units (per layer)", knob.write(value), key=f"{key}_text", help=knob.help)
        try:
            units = knob.parse(text)
            knob.check(units)
            return units
        except CoreError as err:
            st.error(str(err))
            return value
    layers = st.slider("Hidden layers", 0, MAX_LAYERS, len(value), key=f"{key_prefix}_layers", help=HELP["layers"])
    width = (value or (128,))[0]
    options = sorted(set(UNITS) | {width})
    units = st.select_slider(knob.title, options, width, key=key, help=knob.help, disabled=layers == 0)
    return (units,) * layers


def _num(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def engine_note(environment: dict) -> str:
    """`` · Keras on jax (CPU)`` for a Keras run's environment stamp; "" for other runs and older stamps."""
    backend = environment.get("backend")
    return f" · Keras on {backend} ({environment.get('device', 'CPU')})" if backend else ""


def _enum_radio(label: str, current: enum.Enum, key: str, help_text: str):
    options = list(type(current))
    return st.radio(
        label, options, options.index(current), key=key, format_func=lambda o: o.value, horizontal=True, help=help_text
    )
