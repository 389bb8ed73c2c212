"""The Metrics page under AppTest: the threshold moves the confusion counts with no retraining."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def _trained_on(dataset: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.switch_page("app_pages/train.py").run()
    at.selectbox(key="train_dataset").set_value(dataset).run()  # auto-trains the default model
    assert not at.exception, at.exception
    at.switch_page("app_pages/metrics.py").run()
    assert not at.exception, at.exception
    return at


def _state(at: AppTest):
    return at.session_state["tradeoff_lab_state"]


def test_metrics_page_asks_for_a_run_first():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("app_pages/metrics.py").run()
    assert any("Train" in i.value for i in at.info)


def test_threshold_changes_the_confusion_matrix_without_a_retrain():
    at = _trained_on("breast_cancer")
    runs_before = len(_state(at).runs)
    counts_at_half = at.dataframe[0].value.to_numpy().tolist()
    at.slider(key="metrics_threshold").set_value(0.95).run()
    assert not at.exception
    counts_high = at.dataframe[0].value.to_numpy().tolist()
    assert counts_high != counts_at_half
    assert counts_high[1][1] <= counts_at_half[1][1]  # fewer true positives when the bar is higher
    assert len(_state(at).runs) == runs_before  # nothing was retrained


def test_use_this_threshold_and_cross_validation():
    at = _trained_on("breast_cancer")
    at.number_input(key="metrics_cost_fn").set_value(20.0).run()
    advice = next(m.value for m in at.markdown if m.value.startswith("Lowest expected cost at threshold"))
    best = float(advice.split("**")[1])
    at.button(key="metrics_use_best").click().run()
    assert at.slider(key="metrics_threshold").value == pytest.approx(best, abs=5e-4)
    at.slider(key="metrics_folds").set_value(3).run()
    at.button(key="metrics_cv").click().run()
    assert not at.exception, at.exception
    assert len(at.dataframe[-2].value) == 3  # one row per fold


def test_multiclass_view_and_imbalance_lab():
    at = _trained_on("digits")
    assert not at.exception
    at.toggle(key="metrics_normalize").set_value(True).run()
    at.button(key="metrics_imbalance").click().run()
    assert not at.exception, at.exception
    assert any("accuracy paradox" in c.value for c in at.caption)
