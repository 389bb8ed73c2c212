"""The element code the browser fetches ahead of need (ui/prefetch.py): names that exist in the installed Streamlit,
found exactly, in order, and a script that runs once and skips what fails."""

from __future__ import annotations

import re

import pytest

from ui.prefetch import CHUNKS, QUIET_MS, STATIC_JS, chunk_files, prefetch_script


@pytest.mark.parametrize("chunk", CHUNKS)
def test_every_chunk_names_exactly_one_file_of_the_installed_streamlit(chunk):
    """A Streamlit upgrade that renames or splits a module fails here, not silently in the browser."""
    pattern = re.compile(re.escape(chunk) + r"\.[A-Za-z0-9_-]+\.js")
    assert len([p for p in STATIC_JS.iterdir() if pattern.fullmatch(p.name)]) == 1


def test_chunk_files_keeps_the_order_of_chunks_and_only_exact_names(tmp_path):
    for name in ("DataFrame.-f9-1zS0.js", "DataFrame.DUkanX9_.css", "DataFrameUtils.abc123.js", "Slider.WU6er_Bo.js"):
        (tmp_path / name).write_text("")
    (tmp_path / "Selectbox.x.y.js").write_text("")  # two dots after the name: not Vite's `Name.hash.js`
    assert chunk_files(tmp_path) == ("Slider.WU6er_Bo.js", "DataFrame.-f9-1zS0.js")


def test_chunk_files_of_a_missing_folder_is_empty(tmp_path):
    assert chunk_files(tmp_path / "absent") == ()


def test_the_script_imports_each_file_once_per_page_load_and_skips_failures():
    script = prefetch_script(("Slider.WU6er_Bo.js", "DataFrame.-f9-1zS0.js"))
    assert script.startswith("<script>") and script.endswith("</script>")
    assert '["Slider.WU6er_Bo.js", "DataFrame.-f9-1zS0.js"]' in script
    assert "if (window.__tradeoffLabPrefetch) return;" in script  # a rerun redraws it: still once per page load
    assert "catch (e)" in script and "requestIdleCallback" in script
    assert (
        "new MutationObserver" in script and f"performance.now() - changed < {QUIET_MS}" in script
    )  # a still page only
