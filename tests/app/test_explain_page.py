"""The Explain page under AppTest for a tabular, an image and a 2-D run of the session: every tab renders,
importance is computed on request, the price is stated, fairness has a group table whose
per-group thresholds move the parity numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import DataConfig, ModelConfig, train
from ui.state import SessionState

ROOT = Path(__file__).resolve().parents[2]


def _page_with(*runs) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    state = SessionState()
    for r in runs:
        state.add_run(r)
    at.session_state["tradeoff_lab_state"] = state
    at.switch_page("app_pages/explain.py").run()
    assert not at.exception, at.exception
    return at


def test_explain_asks_for_a_run_first():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("app_pages/explain.py").run()
    assert not at.exception and any("Train" in i.value for i in at.info)


def test_tabular_run_importance_price_and_fairness():
    run = train(DataConfig(dataset="breast_cancer"), ModelConfig(kind="logistic_regression"))
    at = _page_with(run)
    assert any("agrees with the stored run on 100.0%" in c.value for c in at.caption)
    at.button(key="explain_importance").click().run()
    assert not at.exception, at.exception
    assert any(c.value.startswith("permutation on") for c in at.caption)
    at.radio(key="explain_view").set_value("One prediction").run()
    assert not at.exception, at.exception
    assert any("data's own units" in c.value for c in at.caption)
    at.radio(key="explain_view").set_value("Price").run()
    assert any(
        "less accurate" in m.value or "as accurate" in m.value or "more accurate" in m.value for m in at.markdown
    )
    at.radio(key="explain_view").set_value("Fairness").run()
    groups_table = next(d.value for d in at.dataframe if "group" in d.value.columns)
    assert {"count", "accuracy", "recall", "precision", "selection_rate"} <= set(groups_table.columns)
    assert groups_table["count"].iloc[-1] == sum(groups_table["count"].iloc[:-1])  # last row: every group
    before = groups_table["selection_rate"].iloc[0]
    assert before > 0.5  # the smallest tumours: mostly predicted benign (the positive class)
    at.slider(key="explain_threshold_0").set_value(0.99).run()  # that group now needs 99 % to be selected
    assert not at.exception, at.exception
    after = next(d.value for d in at.dataframe if "group" in d.value.columns)
    assert (
        after["selection_rate"].iloc[0] < before
        and (after["selection_rate"].iloc[1:-1] == groups_table["selection_rate"].iloc[1:-1]).all()  # others kept
    )
    assert any(m.label == "Equalized-odds difference" for m in at.metric)


def test_image_run_saliency_and_inside():
    run = train(DataConfig(dataset="digits"), ModelConfig(kind="numpy_mlp", hidden_units=(32,), epochs=5))
    at = _page_with(run)
    at.radio(key="explain_view").set_value("One prediction").run()
    at.toggle(key="explain_wrong").set_value(True).run()
    assert not at.exception, at.exception
    assert any("integrated gradients" in str(img.proto) for img in at.get("image"))
    at.radio(key="explain_view").set_value("Inside").run()
    assert any(c.value.startswith("Dead units") for c in at.caption)
    at.radio(key="explain_view").set_value("Boundary").run()
    assert any("2-D datasets" in i.value for i in at.info)
    at.radio(key="explain_view").set_value("Article's example").run()
    assert not at.exception, at.exception
    check = next(d.value for d in at.dataframe if "parameter" in d.value.columns).set_index("parameter")
    assert (
        check.loc["W1"].iloc[0] > 0.1 > 1e-6 > check.loc["W1"].iloc[1]
    )  # article's W1 gradient is off; correct is not
    finals = [c.value for c in at.caption if ": final accuracy " in c.value]  # a caption: a chart's title cut it
    assert [re.fullmatch(r"(\w+): final accuracy \d\.\d{3}", f)[1] for f in finals] == ["article", "correct"]


@pytest.mark.slow
def test_two_d_run_boundary_live_and_shap():
    run = train(DataConfig(dataset="moons", n_samples=400), ModelConfig(kind="numpy_mlp", hidden_units=(8,), epochs=20))
    at = _page_with(run)
    at.radio(key="explain_view").set_value("Boundary").run()
    assert not any("Decision boundary, epoch" in c.proto.spec for c in at.get("vega_lite_chart"))
    at.button(key="explain_live").click().run()
    assert not at.exception, at.exception
    # the live slot was redrawn per epoch and ends on the last one
    assert any("Decision boundary, epoch 20" in c.proto.spec for c in at.get("vega_lite_chart"))
    at.radio(key="explain_view").set_value("Importance").run()
    at.radio(key="explain_method").set_value("shap").run()
    at.slider(key="explain_shap_rows").set_value(20).run()
    assert any(c.value.startswith("Estimate: about") for c in at.caption)
    at.button(key="explain_importance").click().run()
    assert not at.exception, at.exception
    assert any(c.value.startswith("shap on 20 validation rows") for c in at.caption)


@pytest.mark.slow
def test_keras_cnn_run_feature_maps_and_gradients(tiny_mnist_dir):
    data_cfg = DataConfig(dataset="mnist", scaling="minmax")
    run = train(data_cfg, ModelConfig(kind="keras_cnn", filters=4, hidden_units=(16,), epochs=2))
    at = _page_with(run)
    assert any("Keras on tensorflow loads here" in c.value for c in at.caption)  # a CNN: TensorFlow, its default
    at.radio(key="explain_view").set_value("Inside").run()
    assert not at.exception, at.exception
    assert any("feature maps of the first validation image" in c.value for c in at.caption)
    at.radio(key="explain_view").set_value("One prediction").run()
    assert not at.exception, at.exception
    assert any("integrated gradients" in str(img.proto) for img in at.get("image"))
