"""The Compress page under AppTest: it asks for a Keras run when there is none; with a stored Keras run, pressing
Compress measures int8 in a separate process and shows the table, chart and verdicts; the variants open again."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers import run_cli_here

ROOT = Path(__file__).resolve().parents[2]


def _page(tmp_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("TRADEOFF_LAB_DB", str(tmp_path / "runs.sqlite"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    at.switch_page("app_pages/compress.py").run()
    assert not at.exception, at.exception
    return at


def _clear_store_cache() -> None:
    from ui import cached

    cached.run_store.clear()  # the store is cached per process; each test points at its own file


def test_page_asks_for_a_keras_run_first(tmp_path, monkeypatch):
    _clear_store_cache()
    at = _page(tmp_path, monkeypatch)
    assert any("Train a Keras model" in i.value for i in at.info)


@pytest.mark.slow
def test_compress_a_stored_run_shows_measured_variants_and_reopens_them(tmp_path, monkeypatch, private_home):
    """Compressed while another program holds the store's lock: the variants are shown and kept in a file, and
    once they are imported a new session finds them under their run."""
    import sqlite3

    from core.records.store import RunStore
    from core.records.store_import import import_unsaved

    monkeypatch.setenv("TRADEOFF_LAB_DB", str(tmp_path / "runs.sqlite"))
    # the stored run is set-up, not what is tested: the CLI in this process (no fresh interpreter and Keras import)
    done = run_cli_here("train", "--dataset", "digits", "--model", "keras_mlp", "--hidden", "32", "--epochs", "2")
    assert done.returncode == 0, done.stderr
    _clear_store_cache()
    at = _page(tmp_path, monkeypatch)
    assert at.selectbox(key="compress_run").value.startswith("Stored run #1: Neural network (32 units, Keras)")
    at.multiselect(key="compress_quant").set_value(["int8"])
    at.checkbox(key="compress_prune").uncheck()
    at.checkbox(key="compress_distill").uncheck().run()
    holder = sqlite3.connect(tmp_path / "runs.sqlite", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program holds the write lock while the variants are saved
    try:
        at.button(key="compress_go").click().run()
    finally:
        holder.rollback()
        holder.close()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    (said,) = [w.value for w in at.warning]
    assert said.startswith("The variants are not in the history:") and "locked" in said and "Import them" in said
    (kept,) = (private_home / ".tradeoff_lab" / "unsaved").glob("*compress*.json")
    assert kept.name in said
    table = at.dataframe[-1].value
    assert list(table["method"]) == ["original", "float32", "int8"]
    assert all(size.endswith(("KiB", "MiB")) for size in table["size"])  # rounded for reading, never raw bytes
    assert all(latency.endswith(" ms") and "e" not in latency for latency in table["latency p50"])
    verdicts = [m.value for m in at.markdown if m.value.startswith("- ")]
    assert any(v.startswith("- int8: ") and "smaller" in v for v in verdicts)

    assert import_unsaved(RunStore(str(tmp_path / "runs.sqlite"))).report.added == 2  # float32, int8: "Import them"
    fresh = _page(tmp_path, monkeypatch)  # a new session finds the stored variants of the same run
    assert any("Variants stored for run #1" in c.value for c in fresh.caption)
    assert list(fresh.dataframe[-1].value["method"]) == ["original", "float32", "int8"]
