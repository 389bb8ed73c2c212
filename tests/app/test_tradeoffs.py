"""The Trade-offs page under AppTest: a tiny sweep fills the frontier, what-ifs answer, a trial opens in Train."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def _page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.switch_page("app_pages/tradeoffs.py").run()
    assert not at.exception, at.exception
    return at


def test_page_loads_and_asks_for_a_run():
    at = _page()
    assert any("press **Run**" in i.value for i in at.info)


def test_tiny_grid_sweep_shows_frontier_what_ifs_and_opens_a_trial_in_train():
    at = _page()
    at.multiselect(key="trade_knobs").set_value(["epochs"]).run()
    at.multiselect(key="trade_vals_epochs").set_value([1, 5]).run()
    at.slider(key="trade_repeats").set_value(2).run()
    at.button(key="trade_run").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    table = at.dataframe[-1].value
    assert len(table) == 4 and set(table["epochs"]) == {"1", "5"} and table["pareto"].any()
    assert any(m.value.startswith("Best within budget: ") for m in at.markdown)
    last = len(at.selectbox(key="trade_pick").options) - 1
    assert at.selectbox(key="trade_pick").options[last].startswith("#3 epochs=5")
    at.selectbox(key="trade_pick").select_index(last).run()
    at.button(key="trade_open").click().run()
    assert not at.exception
    at.switch_page("app_pages/train.py").run()
    assert at.slider(key="train_numpy_mlp_epochs").value == 5


def test_a_sweep_without_values_is_an_error_not_a_traceback():
    at = _page()
    at.multiselect(key="trade_knobs").set_value(["batch_size"]).run()
    at.multiselect(key="trade_vals_batch_size").set_value([]).run()
    at.button(key="trade_run").click().run()
    assert not at.exception
    assert any("Pick at least one value" in e.value for e in at.error)


def test_optuna_search_runs_from_the_page():
    at = _page()
    at.radio(key="trade_mode").set_value("Search (Optuna)").run()
    at.multiselect(key="trade_knobs").set_value(["learning_rate"]).run()
    at.slider(key="trade_trials").set_value(4).run()
    at.button(key="trade_run").click().run()
    assert not at.exception, at.exception
    assert len(at.dataframe[-1].value) == 4
