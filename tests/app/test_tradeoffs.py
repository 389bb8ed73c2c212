"""The Trade-offs page under AppTest: a tiny sweep fills the frontier, what-ifs answer, a trial opens in Train."""

import json
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
    pickers = [m for m in at.multiselect if m.key.startswith("trade_vals_")]  # in columns: chips wrap, never cut
    assert len(pickers) == 2 and all(m.proto.HasField("wrap") and m.proto.wrap for m in pickers)


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
    # the run, its score and its time first, in view at 800 px; the knobs and the rest scroll sideways
    assert list(at.dataframe[-1].proto.column_order[:3]) == ["run", "accuracy", "train_time_s"]
    assert any(m.value.startswith("Within the budget: ") for m in at.markdown)
    last = len(at.selectbox(key="trade_pick").options) - 1
    assert at.selectbox(key="trade_pick").options[last].startswith("#3 epochs=5")
    at.selectbox(key="trade_pick").select_index(last).run()
    at.button(key="trade_open").click().run()
    assert not at.exception
    at.switch_page("app_pages/train.py").run()
    assert at.slider(key="train_numpy_mlp_epochs").value == 5


def test_switching_the_mode_under_a_grid_sweep_names_the_job_shown():
    at = _page()
    at.multiselect(key="trade_knobs").set_value(["epochs"]).run()
    at.multiselect(key="trade_vals_epochs").set_value([1]).run()
    at.slider(key="trade_repeats").set_value(1).run()
    at.button(key="trade_run").click().run()
    assert not at.exception, at.exception
    assert not any("grid sweep" in i.value for i in at.info)  # the mode matches the job: nothing to say
    at.radio(key="trade_mode").set_value("Search (Optuna)").run()
    assert not at.exception, at.exception
    notes = [m.value for m in (*at.info, *at.warning)]
    assert any("the last grid sweep's" in n and "start a search" in n for n in notes), notes


def test_a_sweep_without_values_is_an_error_not_a_traceback():
    at = _page()
    at.multiselect(key="trade_knobs").set_value(["batch_size"]).run()
    at.multiselect(key="trade_vals_batch_size").set_value([]).run()
    at.button(key="trade_run").click().run()
    assert not at.exception
    assert any("Pick at least one value" in e.value for e in at.error)


def _chart_titles(at: AppTest) -> list[str]:
    titles = []
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        titles += [str(part.get("title", "")) for part in [spec, *spec.get("vconcat", []), *spec.get("hconcat", [])]]
    return titles


def test_what_ifs_open_on_answers_taken_from_the_data():
    at = _page()
    at.multiselect(key="trade_knobs").set_value(["epochs"]).run()
    at.multiselect(key="trade_vals_epochs").set_value([1, 3, 10]).run()
    at.slider(key="trade_repeats").set_value(1).run()
    at.button(key="trade_run").click().run()
    assert not at.exception, at.exception
    said = [m.value for m in at.markdown]
    assert any(s.startswith("Fastest to target: **epochs=") for s in said), said  # something reaches the target
    assert not any("nothing reaches it" in s for s in said)
    assert any(s.startswith("Within the budget: ") for s in said) and not any("trains that fast" in s for s in said)
    assert at.slider(key="trade_target").value * 200 == round(at.slider(key="trade_target").value * 200)


def test_optuna_search_on_the_page_keeps_to_the_range_and_shows_what_mattered():
    at = _page()
    at.radio(key="trade_mode").set_value("Search (Optuna)").run()
    at.multiselect(key="trade_knobs").set_value(["learning_rate", "epochs"]).run()
    at.select_slider(key="trade_range_learning_rate").set_value((0.0003, 0.01)).run()
    at.select_slider(key="trade_range_epochs").set_value((1, 5)).run()
    at.slider(key="trade_repeats").set_value(1).run()
    at.slider(key="trade_trials").set_value(6).run()
    assert any("6 configurations" in c.value and "6 runs" in c.value for c in at.caption)
    at.button(key="trade_run").click().run()
    assert not at.exception, at.exception
    table = at.dataframe[-1].value
    assert len(table) == 6
    rates = [float(v) for v in table["learning_rate"]]
    assert all(0.0003 <= r <= 0.01 for r in rates)  # the picker stopped at 0.01
    assert all(len(v.lstrip("0.")) <= 2 for v in table["learning_rate"])  # 0.0069, not 0.006902902940976648
    assert all(1 <= int(v) <= 5 for v in table["epochs"])
    titles = _chart_titles(at)
    assert any("Which knobs mattered" in t for t in titles), titles
    assert any("one line each" in t for t in titles), titles


def test_the_executor_picker_offers_ray_when_an_address_is_set(monkeypatch):
    from core.explore import ray_connect

    monkeypatch.setattr(ray_connect, "_ray_installed", lambda: False)
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    at = _page()
    assert not any("Ray" in o for o in at.radio(key="trade_executor").options)
    monkeypatch.setenv("RAY_ADDRESS", "10.0.0.5:6379")
    at.run()
    assert not at.exception
    assert any(o == "Ray (cluster at 10.0.0.5:6379)" for o in at.radio(key="trade_executor").options)


def test_an_unreachable_ray_address_is_a_message_not_a_traceback(monkeypatch):
    from ui import tradeoff_controls

    monkeypatch.setenv("RAY_ADDRESS", "127.0.0.1:9")  # the discard port: nothing listens there
    monkeypatch.setattr(tradeoff_controls, "RAY_CONNECT_TIMEOUT_S", 2.0)  # the page's 15 s, shortened
    at = _page()
    at.multiselect(key="trade_knobs").set_value(["epochs"]).run()
    at.multiselect(key="trade_vals_epochs").set_value([1]).run()
    at.radio(key="trade_executor").set_value("ray").run()
    at.button(key="trade_run").click().run()
    assert not at.exception, at.exception
    said = "Nothing answers at the Ray address '127.0.0.1:9'"
    assert any(said in e.value and "tried for 2 s" in e.value for e in at.error), at.error
    assert any("press **Run**" in i.value for i in at.info)  # no sweep started
