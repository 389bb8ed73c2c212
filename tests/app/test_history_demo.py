"""History and Demo under AppTest, and the Train page's link in the address bar."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def _app(page: str, monkeypatch, tmp_path, query: dict | None = None) -> AppTest:
    monkeypatch.setenv("TRADEOFF_LAB_DB", str(tmp_path / "runs.sqlite"))
    from ui import cached

    cached.run_store.clear()  # each test its own database
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def test_train_saves_runs_and_history_compares_them(monkeypatch, tmp_path):
    at = _app("train", monkeypatch, tmp_path)  # auto-trains the default
    at.slider(key="train_numpy_mlp_epochs").set_value(4).run()
    at.switch_page("pages/history.py").run()
    assert not at.exception, at.exception
    assert len(at.dataframe[0].value) == 2
    differ = at.dataframe[1].value  # the configuration fields that differ between the two picked runs
    assert list(differ.index) == ["model.epochs"]
    assert any(b.label == "Download report (HTML)" for b in at.get("download_button"))


def test_a_link_reopens_its_setup_and_a_bad_value_only_warns(monkeypatch, tmp_path):
    at = _app("train", monkeypatch, tmp_path, {"m.epochs": "3", "m.hidden_units": "32", "m.kind": "gpt"})
    assert at.slider(key="train_numpy_mlp_epochs").value == 3
    assert at.select_slider(key="train_numpy_mlp_units").value == 32
    assert any("m.kind" in w.value for w in at.warning)
    assert at.query_params["m.epochs"] == "3"  # the address bar holds the setup


def test_demo_presents_a_saved_scenario_with_escaped_text(monkeypatch, tmp_path):
    at = _app("train", monkeypatch, tmp_path)
    at.text_input(key="train_scenario_name").input("<script>alert(1)</script>").run()
    at.text_input(key="train_scenario_text").input("Small and fast").run()
    at.button(key="train_scenario_save").click().run()
    assert not at.exception, at.exception
    at.switch_page("pages/demo.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "<script>alert(1)</script>"  # shown as text, not markup
    assert any("Small and fast" in m.value for m in at.markdown)
    assert len(at.metric) == 4


def test_history_and_demo_are_empty_states_without_runs(monkeypatch, tmp_path):
    at = _app("history", monkeypatch, tmp_path)
    assert any("No saved runs" in i.value for i in at.info)
    at.switch_page("pages/demo.py").run()
    assert any("No scenarios" in i.value for i in at.info)
