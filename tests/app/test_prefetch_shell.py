"""The shell writes the browser's prefetch script (ui/prefetch.py) once per run, below the page, JavaScript allowed."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui.prefetch import chunk_files

ROOT = Path(__file__).resolve().parents[2]


def test_home_ends_with_one_prefetch_script_naming_the_table_module(tmp_path, monkeypatch):
    monkeypatch.setenv("TRADEOFF_LAB_DB", str(tmp_path / "runs.sqlite"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    scripts = [h for h in at.html if "__tradeoffLabPrefetch" in h.value]
    assert len(scripts) == 1
    assert scripts[0].proto.unsafe_allow_javascript
    table = next(f for f in chunk_files() if f.startswith("DataFrame."))
    assert table in scripts[0].value
    assert at.main.children[len(at.main.children) - 1].value == scripts[0].value  # last: after the page has drawn
