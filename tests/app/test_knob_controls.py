"""Train's controls never snap: a link (or an Optuna trial opened in Train) with values off the suggested
grid — batch 100, lr 0.0047, 37 units, 0.33 dropout — is shown and kept exactly, for every model family."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.config import DataConfig, ModelConfig, ModelKind, replace_plain
from core.knobs import KNOBS, MODEL_KNOBS
from core.models.keras_import import gpu_present
from core.records.links import to_query

ROOT = Path(__file__).resolve().parents[2]
STATE = "tradeoff_lab_state"  # ui.state's session key
OFF_GRID = {
    "hidden_units": (37, 37),
    "learning_rate": 0.0047,
    "batch_size": 100,
    "epochs": 7,
    "l1": 2e-4,
    "l2": 3e-3,
    "dropout": 0.33,
    "early_stopping_patience": 3,
    "conv_blocks": 2,
    "filters": 12,
    "kernel_size": 4,
    "C": 0.37,
    "n_trees": 37,
    "max_iter": 37,
    "gb_learning_rate": 0.047,
    "max_depth": 7,
    "k_neighbors": 7,
}


def _train_page(query: dict[str, str] | None = None, model: ModelConfig | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.session_state["train_auto"] = False  # show the controls; nothing needs to train here
    if query:
        for key, value in query.items():
            at.query_params[key] = value
    if model is not None:  # as "Open in Train" does: the trial's configs become the session's
        at.session_state[STATE].model_cfg = model
    at.switch_page("app_pages/train.py").run()
    assert not at.exception, at.exception
    return at


def _off_grid(kind: ModelKind) -> ModelConfig:
    changes = {k: v for k, v in OFF_GRID.items() if k in MODEL_KNOBS[kind]}
    for name, value in changes.items():  # each really is off the knob's suggested values, where it can be
        assert value not in KNOBS[name].sweep or name == "conv_blocks"
    return replace_plain(ModelConfig(kind=kind), **changes).validate()


@pytest.mark.parametrize("kind", list(ModelKind), ids=lambda k: k.value)
def test_a_link_with_off_grid_values_reopens_exactly(kind):
    model = _off_grid(kind)
    data = DataConfig(fraction=0.33, imbalance="class_weights")  # the data knobs Train shows, off their grid
    at = _train_page(query=to_query(data, model))
    assert at.session_state[STATE].model_cfg == model
    assert at.session_state[STATE].data_cfg == data
    assert at.select_slider(key="train_fraction").value == 0.33
    assert not [w.value for w in at.warning if "not one the controls offer" in w.value]
    for name in MODEL_KNOBS[kind]:  # and the control shows it (units: the width per layer)
        if name == "device" and not gpu_present():
            continue  # no GPU on this machine: the Device choice is not offered (test_engine_knob)
        key = f"train_{kind.value}_{'units' if name == 'hidden_units' else name}"
        controls = [*at.select_slider, *at.slider, *at.selectbox, *at.radio]
        shown = [w for w in controls if w.key == key]
        assert shown, key
        expected = getattr(model, name)
        expected = expected[0] if name == "hidden_units" else expected
        if name == "backend" and expected is None:  # unset: the control shows the engine the family runs on
            from core.models.keras_import import wanted_backend

            expected = wanted_backend(model)
        assert shown[0].value == expected, (name, shown[0].value, expected)


def test_an_optuna_trial_opened_in_train_reruns_that_trial():
    trial = replace_plain(ModelConfig(), learning_rate=0.0047, hidden_units=(37,), batch_size=100, epochs=3)
    at = _train_page(model=trial)
    assert at.session_state[STATE].model_cfg == trial
    assert at.select_slider(key="train_numpy_mlp_learning_rate").value == 0.0047
    assert at.select_slider(key="train_numpy_mlp_units").value == 37
    assert at.select_slider(key="train_numpy_mlp_batch_size").value == 100
    assert at.query_params["m.learning_rate"] == "0.0047"  # the address bar links to exactly this trial
