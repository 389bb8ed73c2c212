"""Crafted links under AppTest: Train opens with plain-text warnings and a working setup, Data keeps working,
and no link makes the server read one of its files."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120  # AppTest's 3 s default is shorter than a TensorFlow import


def _open_train(params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page("app_pages/train.py").run()
    assert not at.exception, at.exception
    return at


def _state(at: AppTest):
    return at.session_state["tradeoff_lab_state"]


def test_a_crafted_link_gives_plain_warnings_and_a_working_train_and_data_page():
    at = _open_train(
        {
            "d.dataset": "foo",  # used to raise ValueError and break Data and Train for the session
            "m.epochs": "[click](http://evil.example/login)",
            "m.hidden_units": "8-x",
            "m.seed": "-5",  # the seed box's minimum is 0: used to raise StreamlitValueBelowMinError
            "m.batch_size": "![x](http://evil.example/pixel.png)",
            "m.learning_rate": "0.01",  # a good value still applies
        }
    )
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 5, warnings
    text = "\n".join(warnings)
    assert "[click](" not in text and "![x](" not in text and "http://" not in text  # nothing Markdown can link
    assert "\\[click\\](http" in text  # shown as the characters typed
    state = _state(at)
    assert state.data_cfg.dataset == "digits" and state.model_cfg.seed == 0 and state.model_cfg.learning_rate == 0.01
    assert any(m.label == "Val accuracy" for m in at.metric)  # the page trained the fallback setup
    at.button(key="train_link_dismiss").click().run()
    assert not at.warning
    at.switch_page("app_pages/data.py").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="data_dataset").value == "digits"


def test_a_link_with_a_server_path_reads_nothing_and_names_the_file(monkeypatch):
    import core.data.csv_table

    calls = []
    for name in ("load_csv", "csv_columns"):
        real = getattr(core.data.csv_table, name)
        monkeypatch.setattr(core.data.csv_table, name, lambda *a, _real=real, **k: calls.append(a) or _real(*a, **k))
    at = _open_train({"d.dataset": "csv", "d.csv_path": "/etc/os-release", "d.target": "x"})
    assert calls == []  # the server's file was never opened
    assert _state(at).data_cfg.csv_path is None
    shown = " ".join(e.value for e in [*at.warning, *at.error, *at.info])
    assert "“os-release”" in shown and "PRETTY_NAME" not in shown  # named; its content never shown
    at.switch_page("app_pages/data.py").run()
    assert not at.exception, at.exception
    assert at.text_input(key="data_csv_path").value == ""  # the path box does not carry the link's path
    assert any("os-release" in i.value for i in at.info)  # the person is told which file to upload
    assert calls == []


def test_an_upload_stays_private_is_named_not_pathed_and_goes_when_removed():
    import stat

    from ui import uploads

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page("app_pages/data.py").run()
    at.selectbox(key="data_dataset").set_value("csv").run()
    rows = "\n".join(f"{i % 7},{i % 3},{'yes' if i % 2 else 'no'}" for i in range(60))
    at.file_uploader(key="data_upload").set_value(("churn.csv", f"a,b,label\n{rows}\n".encode(), "text/csv")).run()
    assert not at.exception, at.exception
    path = Path(_state(at).data_cfg.csv_path)
    assert path.name == "churn.csv" and uploads.is_upload(path) and path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert at.text_input(key="data_csv_path").value == ""  # the server's path is not put in front of anyone
    assert any("churn.csv" in c.value for c in at.caption)

    at.switch_page("app_pages/train.py").run()
    assert not at.exception, at.exception
    link = {k: at.query_params[k] for k in at.query_params}
    assert link.get("d.csv_file") in ("churn.csv", ["churn.csv"]) and str(path.parent) not in str(link)

    at.switch_page("app_pages/data.py").run()  # the uploader forgets its file when pages change; the upload stays
    assert _state(at).data_cfg.csv_path == str(path)
    at.file_uploader(key="data_upload").set_value(("empty.csv", b"a,b,label\n", "text/csv")).run()
    assert not path.exists()  # replaced: the previous upload is deleted
    errors = " ".join(e.value for e in at.error)
    assert "empty.csv" in errors and str(uploads.root()) not in errors  # named, not pathed
    replaced = Path(_state(at).data_cfg.csv_path)
    at.file_uploader(key="data_upload").clear().run()
    assert not at.exception, at.exception
    assert not replaced.exists()  # removed by the person: deleted from the server


def test_values_off_the_controls_grid_are_kept_not_snapped():
    at = _open_train({"m.learning_rate": "0.0025", "m.hidden_units": "64-32", "m.epochs": "4"})
    assert [w.value for w in at.warning] == []
    assert _state(at).model_cfg.learning_rate == 0.0025 and _state(at).model_cfg.hidden_units == (64, 32)
    assert at.query_params["m.learning_rate"] == "0.0025" and at.query_params["m.hidden_units"] == "64-32"
    assert _state(at).model_cfg.epochs == 4 and at.query_params["m.epochs"] == "4"  # the rest applied
