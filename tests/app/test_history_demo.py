"""History and Demo under AppTest, and the Train page's link in the address bar."""

import socket
import sqlite3
from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.config import DataConfig, ModelConfig
from core.records.store import RunStore
from core.training.trainer import train
from ui.text import plain

ROOT = Path(__file__).resolve().parents[2]


def _app(page: str, monkeypatch, tmp_path, query: dict | None = None, db: Path | None = None) -> AppTest:
    monkeypatch.setenv("TRADEOFF_LAB_DB", str(db or tmp_path / "runs.sqlite"))
    from ui import cached

    cached.run_store.clear()  # each test its own database
    cached._run_cache().clear()  # and its own runs: a configuration another test measured would not be saved here
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def test_train_saves_runs_and_history_compares_them(monkeypatch, tmp_path):
    at = _app("train", monkeypatch, tmp_path)  # auto-trains the default
    at.button(key="train_go").click().run()  # (or trains it now, where auto-train held back)
    at.slider(key="train_numpy_mlp_epochs").set_value(4).run()
    at.button(key="train_go").click().run()  # auto-train skips runs estimated over 2 s (a loaded machine)
    at.switch_page("app_pages/history.py").run()
    assert not at.exception, at.exception
    assert len(at.dataframe[0].value) == 2
    assert not at.get("download_button")  # nothing compared until runs are picked
    at.multiselect(key="history_pick").set_value(list(at.dataframe[0].value.id)).run()
    differ = at.dataframe[1].value  # the configuration fields that differ between the two picked runs
    assert list(differ.index) == ["model.epochs"]
    compared = next(d.value for d in at.dataframe if "majority class" in d.value.columns)
    assert all(0.05 < share < 0.2 for share in compared["majority class"])  # digits: 10 classes, about 10 % each
    assert (compared["val accuracy"] > compared["majority class"]).all()
    assert any(b.label == "Download report (HTML)" for b in at.get("download_button"))


def test_a_link_reopens_its_setup_and_a_bad_value_only_warns(monkeypatch, tmp_path):
    at = _app("train", monkeypatch, tmp_path, {"m.epochs": "3", "m.hidden_units": "32", "m.kind": "gpt"})
    assert at.slider(key="train_numpy_mlp_epochs").value == 3
    assert at.select_slider(key="train_numpy_mlp_units").value == 32
    assert any("m.kind" in w.value for w in at.warning)
    assert at.query_params["m.epochs"] == "3"  # the address bar holds the setup


def test_demo_presents_a_saved_scenario_with_escaped_text(monkeypatch, tmp_path):
    at = _app("train", monkeypatch, tmp_path)
    name, narrative = (
        "<script>alert(1)</script>",
        "Small and [fast](http://evil.example) ![x](http://evil.example/x.png)",
    )
    at.text_input(key="train_scenario_name").input(name)  # a form: both fields reach the server on submit
    at.text_input(key="train_scenario_text").input(narrative)
    at.button(key="train_scenario_save").click().run()
    assert not at.exception, at.exception
    at.switch_page("app_pages/demo.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == plain(name)  # escaped Markdown: shown as typed, not markup
    assert any(m.value == f"### {plain(narrative)}" for m in at.markdown)  # no link, no remote image
    assert "\\[fast\\]" in plain(narrative) and "http://" not in plain(narrative)  # no link survives
    assert len(at.metric) == 4


def test_history_and_demo_are_empty_states_without_runs(monkeypatch, tmp_path):
    at = _app("history", monkeypatch, tmp_path)
    assert any("No saved runs" in i.value for i in at.info)
    at.switch_page("app_pages/demo.py").run()
    assert any("No scenarios" in i.value for i in at.info)


def test_history_lists_an_unreadable_row_with_delete_and_shows_notes_as_text(monkeypatch, tmp_path):
    path = tmp_path / "runs.sqlite"
    store = RunStore(str(path))
    good = store.save(train(DataConfig(), ModelConfig(epochs=1, hidden_units=(8,))))
    note = "See [my results](http://evil.example/login) ![x](http://evil.example/pixel.png)"
    store.annotate(good, notes=note)
    with sqlite3.connect(path) as con:  # a row another program (or an old bug) wrote: not a RunResult
        con.execute(
            "INSERT INTO runs (created_at, kind, status, dataset, model, result_json, app_version, uuid) VALUES "
            "('2026-01-01T00:00:00+00:00', 'train', 'complete', 'digits', 'numpy_mlp', '{\"cost\": \"x\"}', 'v', 'u')"
        )
    bad = good + 1
    monkeypatch.setenv("TRADEOFF_LAB_DB", str(path))
    at = _app("history", monkeypatch, tmp_path, db=path)
    assert len(at.dataframe[0].value) == 2 and "unreadable" in set(at.dataframe[0].value.status)
    target = at.selectbox(key="history_target")
    assert target.format_func(bad) == f"unreadable run #{bad}"
    at.selectbox(key="history_target").set_value(good).run()
    assert any(t.value == "Note: " + note for t in at.text)  # plain text, not Markdown
    assert not any("evil.example" in m.value for m in at.markdown)
    at.selectbox(key="history_target").set_value(bad).run()
    assert not at.exception, at.exception
    at.button(key="history_delete").click().run()
    assert not at.exception, at.exception
    assert [r.id for r in RunStore(str(path)).list()] == [good]
    assert at.selectbox(key="history_target").value is None and not at.get("text_area")  # no run picked now
    at.selectbox(key="history_target").set_value(good).run()
    assert at.get("file_uploader") and at.button(key="history_annotate")  # the controls render


def test_a_damaged_store_is_one_banner_and_the_file_is_left_alone(monkeypatch, tmp_path):
    path = tmp_path / "runs.sqlite"
    junk = b"SQLite format 3\x00" + b"\x17" * 8000
    path.write_bytes(junk)
    monkeypatch.setenv("TRADEOFF_LAB_DB", str(path))
    from ui import cached

    cached.run_store.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()  # the shell shows the banner
    banners = [w.value for w in at.warning]
    assert len(banners) == 1 and "damaged" in banners[0] and "memory" in banners[0]
    first = next(iter(at.main.children.values()))  # above Home's title, though written after the page
    assert [w.value for w in first.children.values()] == banners
    assert "SELECT" not in banners[0] and "Traceback" not in banners[0]
    at.switch_page("app_pages/history.py").run()
    assert not at.exception, at.exception
    assert any("in memory only" in c.value for c in at.caption) and at.get("file_uploader")
    at.switch_page("app_pages/compress.py").run()  # nothing to compress: the page ends in st.stop()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning] == banners and at.info  # the banner is written after it all the same
    assert path.read_bytes() == junk


def test_a_locked_store_turns_save_note_into_one_warning_and_old_running_rows_into_interrupted(monkeypatch, tmp_path):
    path = tmp_path / "runs.sqlite"
    store = RunStore(str(path))
    run_id = store.save(train(DataConfig(), ModelConfig(epochs=1, hidden_units=(8,))))
    with sqlite3.connect(path) as con:  # left "running" by a server process that is gone
        owner = f"{socket.gethostname()} 999999 0"
        con.execute("UPDATE runs SET status = 'running', owner = ? WHERE id = ?", (owner, run_id))
    monkeypatch.setenv("TRADEOFF_LAB_DB_LOCK_S", "0.5")
    at = _app("history", monkeypatch, tmp_path, db=path)
    assert RunStore(str(path)).get(run_id).status == "interrupted"  # marked when the server started
    at.selectbox(key="history_target").set_value(run_id).run()
    at.text_area(key=f"history_note_{run_id}").input("kept in the box")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program holds the write lock
    try:
        at.button(key="history_annotate").click().run()
    finally:
        holder.close()
    assert not at.exception, at.exception
    (warning,) = [w.value for w in at.warning if "locked" in w.value]
    assert "UPDATE" not in warning and "SQL" not in warning
    assert at.text_area(key=f"history_note_{run_id}").value == "kept in the box"
    assert RunStore(str(path)).get(run_id).notes == ""


def test_history_with_hundreds_of_runs_pages_filters_and_exports_on_request(monkeypatch, tmp_path):
    import dataclasses
    import json
    import uuid

    from core.records.store import headline

    r = train(DataConfig(), ModelConfig(epochs=1, hidden_units=(8,)))
    lean = {"roc_curves": (), "pr_curves": (), "per_class": ()}
    r = dataclasses.replace(
        r,
        validation=dataclasses.replace(r.validation, **lean),
        test=dataclasses.replace(r.test, **lean),
        predictions={},
    )
    path = tmp_path / "runs.sqlite"
    rows = [
        {
            "created_at": f"2026-01-01T{i // 60 % 24:02d}:{i % 60:02d}:00+00:00",
            "kind": "trial",
            "status": "complete",
            "dataset": "digits",
            "model": ("numpy_mlp", "knn")[i % 2],
            "result_json": r.to_json(),
            "error": None,
            "app_version": "test",
            "uuid": str(uuid.UUID(int=i + 1)),
            **headline(r),
        }
        for i in range(340)
    ]
    assert RunStore(str(path)).insert_rows(rows) == (340, 0)
    at = _app("history", monkeypatch, tmp_path, db=path)

    def shown() -> str:
        return next(c.value for c in at.caption if c.value.startswith("Showing"))

    assert shown() == "Showing 1–100 of 340 runs, newest first."
    assert list(at.dataframe[0].value.id) == list(range(340, 240, -1))
    at.button(key="history_next").click().run()
    assert shown() == "Showing 101–200 of 340 runs, newest first."
    assert list(at.dataframe[0].value.id) == list(range(240, 140, -1))
    at.number_input(key="history_page_no").set_value(4).run()
    assert shown() == "Showing 301–340 of 340 runs, newest first." and at.button(key="history_next").disabled
    at.multiselect(key="history_model").set_value(["knn"]).run()  # a new filter: back to page 1
    assert shown() == "Showing 1–100 of 170 runs (filtered from 340 stored), newest first."
    assert all(m == "knn" for m in at.dataframe[0].value.model)
    assert not any(b.label.startswith("Download") for b in at.get("download_button"))  # nothing built yet
    at.button(key="history_export_go").click().run()
    assert not at.exception, at.exception
    (download,) = [b for b in at.get("download_button") if b.label.startswith("Download 170 runs as JSON")]
    exported = Path(at.session_state["history_export"][0]).read_text()
    assert [e["model"] for e in json.loads(exported)["runs"]] == ["knn"] * 170
