"""Metrics: "Use this threshold" lands exactly on the cheapest threshold, so the cost shown is the lowest."""

from pathlib import Path

import numpy as np
from sklearn.metrics import confusion_matrix
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def _cost_per_1000(y, p, threshold, cost_fp, cost_fn):  # the oracle: sklearn's confusion matrix
    tn, fp, fn, tp = confusion_matrix(y, (p >= threshold).astype(int), labels=[0, 1]).ravel()
    return (fp * cost_fp + fn * cost_fn) / len(y) * 1000


def test_use_this_threshold_sets_the_cheapest_threshold_exactly():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.switch_page("app_pages/train.py").run()
    at.selectbox(key="train_dataset").set_value("breast_cancer").run()
    at.switch_page("app_pages/metrics.py").run()
    assert not at.exception, at.exception

    # The case: the only zero-cost threshold is 0.475, with a positive case at p = 0.4785 just above
    # it and a negative at 0.47 just below; 0.48 (the old rounding) misses the positive.
    state = at.session_state["tradeoff_lab_state"]
    run = state.runs[state.current]
    pred = run.predictions["validation"]
    pos = run.dataset["class_names"].index(at.selectbox(key="metrics_positive").value)
    y = (pred.y_true == pos).astype(int)
    p = np.where(y == 1, 0.9, 0.1)
    p[np.flatnonzero(y == 1)[0]], p[np.flatnonzero(y == 0)[0]] = 0.4785, 0.47
    proba = np.array(pred.proba, copy=True)
    proba[:, pos], proba[:, 1 - pos] = p, 1 - p
    pred.proba.setflags(write=True)
    pred.proba[:] = proba  # the run is shared through the process-wide run cache: forget it after this test
    try:
        _check_cheapest_threshold(at, y, p)
    finally:
        from ui import cached

        cached._run_cache().clear()


def _check_cheapest_threshold(at, y, p):
    at.run()

    at.button(key="metrics_use_best").click().run()
    assert not at.exception, at.exception
    threshold = at.slider(key="metrics_threshold").value
    grid_costs = [_cost_per_1000(y, p, t, 1.0, 5.0) for t in np.linspace(0, 1, 201)]
    assert min(grid_costs) == 0 and _cost_per_1000(y, p, 0.48, 1.0, 5.0) > 0
    assert _cost_per_1000(y, p, threshold, 1.0, 5.0) == 0  # the threshold set is the cheapest one
    advice = next(m.value for m in at.markdown if m.value.startswith("Lowest expected cost at threshold"))
    assert advice.startswith("Lowest expected cost at threshold **0.475**: 0.0 per 1,000 predictions (now 0.0)")
