"""The Train page stores the estimate it showed, and a demo cap is visible and leaves the setup alone."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def test_estimate_is_stored_and_the_cap_is_shown_without_changing_the_setup():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.switch_page("app_pages/train.py").run()  # auto-trains the default
    assert not at.exception, at.exception
    run = at.session_state["tradeoff_lab_state"].current_run
    assert run.cost.estimate_s is not None and run.cost.estimate_s > 0
    assert any("estimated before the run" in c.value for c in at.caption)
    assert at.select_slider(key="train_cap").value == 0  # "no cap" by default: presets run as defined

    at.slider(key="train_numpy_mlp_layers").set_value(4).run()
    at.select_slider(key="train_numpy_mlp_units").set_value(1024).run()
    at.slider(key="train_numpy_mlp_epochs").set_value(100).run()  # far too long to auto-train
    assert not any("Capped" in w.value for w in at.warning)
    at.select_slider(key="train_cap").set_value(5).run()
    assert not at.exception, at.exception
    capped = [w.value for w in at.warning if "Capped at" in w.value]
    assert len(capped) == 1 and "for the demo (the setup says 100)" in capped[0]
    assert at.slider(key="train_numpy_mlp_epochs").value == 100  # the slider still reads the setup
    assert at.query_params["m.epochs"] == "100"  # and so does the link
