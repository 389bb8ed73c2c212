"""The Demo page under AppTest: presenter mode hides every editing control, slides move, stories are edited."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.config import DataConfig, ModelConfig
from core.evaluation.tiles import majority_baseline
from core.presenting import default_story
from core.presets import get_preset
from core.records.store import RunStore
from core.training.trainer import train
from ui.text import plain

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def two_runs():
    return [train(DataConfig(), ModelConfig(epochs=1, hidden_units=(u,))) for u in (8, 16)]


def _store(tmp_path, runs, names=("Small", "Twice as wide"), stories=("A small one.", "")) -> Path:
    path = tmp_path / "runs.sqlite"
    store = RunStore(str(path))
    for run, name, story in zip(runs, names, stories, strict=True):
        store.save_scenario(name, story, store.save(run))
    return path


def _demo(monkeypatch, db: Path, query: dict | None = None) -> AppTest:
    monkeypatch.setenv("TRADEOFF_LAB_DB", str(db))
    from ui import cached

    cached.run_store.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page("app_pages/demo.py").run()
    assert not at.exception, at.exception
    return at


def _no_editing_controls(at: AppTest) -> None:
    assert not at.text_input and not at.text_area and not at.form and not at.form_submit_button
    assert not any(word in b.label for b in at.button for word in ("Remove", "Save", "Move"))


def test_present_in_the_link_hides_every_editing_control_and_next_moves(monkeypatch, tmp_path, two_runs):
    at = _demo(monkeypatch, _store(tmp_path, two_runs), {"present": "1"})
    assert at.toggle(key="demo_present").value is True
    _no_editing_controls(at)
    assert at.title[0].value == "Small" and any(m.value == "### A small one." for m in at.markdown)
    labels = [m.label for m in at.metric]
    assert labels == ["Correct on new data", "Time to train", "Answer time for one case", "Model size"]
    assert "validation accuracy" in [c.value for c in at.caption]
    share = majority_baseline(two_runs[0])
    assert share is not None and f"guessing the commonest class: {share * 100:.0f} %" in [c.value for c in at.caption]
    assert not any(word in " ".join(labels) for word in ("F1", "p50", "Val accuracy"))
    captions = " ".join(c.value for c in at.caption)
    assert f"Measured on {two_runs[0].environment['cpu']}" in captions  # as the machine spells it
    assert "NumpyMLP(" not in captions  # the engineer's title is the presenter's
    at.button(key="demo_next").click().run()
    assert at.title[0].value == "Twice as wide"
    assert any(m.value == "### " + plain("Twice the units: does a bigger network pay for its extra time?")
               for m in at.markdown)  # fmt: skip  # no story stored: the default told
    _no_editing_controls(at)
    at.button(key="demo_next").click().run()  # the last slide compares them on one scale
    assert at.title[0].value == "Side by side" and len(at.get("vega_lite_chart")) == 2
    for chart in at.get("vega_lite_chart"):  # room past the longest bar: its label is never cut at the edge
        assert json.loads(chart.proto.spec)["padding"]["right"] >= 60
    _no_editing_controls(at)
    at.button(key="demo_next").click().run()  # and round to the first
    assert at.title[0].value == "Small"


def test_the_toggle_turns_presenter_mode_on_and_off(monkeypatch, tmp_path, two_runs):
    at = _demo(monkeypatch, _store(tmp_path, two_runs))
    assert at.form and at.button(key="demo_remove")  # edit mode: the controls are there
    at.toggle(key="demo_present").set_value(True).run()
    _no_editing_controls(at)
    assert at.query_params["present"] == "1"  # the address bar keeps it, for a reload on the projector
    at.toggle(key="demo_present").set_value(False).run()
    assert at.form and "present" not in at.query_params
    assert "NumpyMLP(" in " ".join(c.value for c in at.caption)  # edit mode: the precise title for the presenter


def test_a_story_is_edited_in_a_form_and_kept(monkeypatch, tmp_path, two_runs):
    db = _store(tmp_path, two_runs)
    at = _demo(monkeypatch, db)
    scenario = RunStore(str(db)).scenarios()[0]
    at.text_input(key=f"demo_story_{scenario.id}").input("Fast enough for a phone?")
    at.form_submit_button(key=f"demo_save_{scenario.id}").click().run()
    assert not at.exception, at.exception
    assert RunStore(str(db)).scenarios()[0].narrative == "Fast enough for a phone?"
    assert any(m.value == "### Fast enough for a phone?" for m in at.markdown)


def test_a_scenario_moves_later_and_its_slide_follows_it(monkeypatch, tmp_path, two_runs):
    db = _store(tmp_path, two_runs)
    at = _demo(monkeypatch, db)
    assert at.button(key="demo_move_-1").disabled  # the first cannot move earlier
    at.button(key="demo_move_1").click().run()
    assert not at.exception, at.exception
    assert [s.name for s in RunStore(str(db)).scenarios()] == ["Twice as wide", "Small"]
    assert at.title[0].value == "Small" and at.button(key="demo_move_1").disabled  # now the last saved one


def test_the_article_scenario_appears_once_its_preset_has_run(monkeypatch, tmp_path, two_runs):
    preset = get_preset("seed-article")
    db = tmp_path / "runs.sqlite"
    at = _demo(monkeypatch, db)
    assert any("seed-article" in i.value for i in at.info)  # says how to produce it
    seed_run = replace(two_runs[0], data_config=preset.data, model_config=preset.model)  # as if trained
    RunStore(str(db)).save(seed_run)
    at = _demo(monkeypatch, db, {"present": "1"})
    story = next(m.value for m in at.markdown if m.value.startswith("### The article says"))
    assert "98.5 %" in story and f"{seed_run.test.accuracy * 100:.1f} %" in story
    _no_editing_controls(at)


def test_train_saves_a_scenario_from_a_form_with_the_default_story(monkeypatch, tmp_path):
    db = tmp_path / "runs.sqlite"
    monkeypatch.setenv("TRADEOFF_LAB_DB", str(db))
    from ui import cached

    cached.run_store.clear()
    cached._run_cache().clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("app_pages/train.py").run()
    at.button(key="train_go").click().run()
    assert at.form(key="train_scenario_form") is not None  # typing reruns nothing until Save
    at.text_input(key="train_scenario_name").input("First look")  # no story typed
    at.button(key="train_scenario_save").click().run()
    assert not at.exception, at.exception
    (saved,) = RunStore(str(db)).scenarios()
    run = RunStore(str(db)).get(saved.run_id).result
    assert saved.name == "First look"
    assert any("First look" in t.value and "saved" in t.value for t in at.toast)  # seen with the expander closed
    assert saved.narrative == default_story(run.data_config, run.model_config)  # the suggestion, stored
    # the browser empties the fields on Save (AppTest keeps its own values): the next scenario starts blank
    assert at.form(key="train_scenario_form").proto.form.clear_on_submit
