"""Streamlit's element code, fetched by the browser while a person reads the first page, so the next page draws at once.

Streamlit's front end loads each element's JavaScript (the table, the date and multi-select inputs, the charts) the
first time a page shows one: on 2 cores that is ≈ 1 s of the browser's CPU on History's first view (1.2 MB for the
table alone), after the click. The shell writes one invisible script, once per page load, that imports those modules
one by one when the browser is idle, from the installed Streamlit's own files; the module map then already holds them
when a page asks. Nothing is drawn and nothing breaks if a file is missing: a chunk that fails to load is skipped.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import streamlit

# The element modules the lab's pages use beyond Home's, in the order a visit is likeliest to need them (Train's
# widgets, then History's, then the charts, the largest, last). Names are those of Streamlit's build:
# tests/unit/test_prefetch.py checks that each names exactly one file of the installed Streamlit.
CHUNKS = (
    "Selectbox",
    "Slider",
    "NumberInput",
    "Checkbox",
    "Radio",
    "TextInput",
    "Progress",
    "DownloadButton",
    "Multiselect",
    "DateInput",
    "FileUploader",
    "DataFrame",
    "ImageList",
    "ArrowVegaLiteChart",
)
STATIC_JS = Path(streamlit.__file__).parent / "static" / "static" / "js"
_HASHED = r"\.[A-Za-z0-9_-]+\.js"  # Vite's content hash: `DataFrame.-f9-1zS0.js`


@cache
def chunk_files(folder: Path = STATIC_JS) -> tuple[str, ...]:
    """The file of each name in ``CHUNKS`` found in ``folder`` (names without one are left out), in that order."""
    try:
        names = sorted(p.name for p in folder.iterdir())
    except OSError:
        return ()
    found = []
    for chunk in CHUNKS:
        pattern = re.compile(re.escape(chunk) + _HASHED)
        found.extend(name for name in names if pattern.fullmatch(name))
    return tuple(found)


QUIET_MS = 1500  # each import waits until the page has not changed for this long: its script has ended and the
# browser has drawn it (bench_app's Home, measured to the script's end, is not delayed), and a page opened at once
# (a click the moment Home is idle) or a run drawing its progress is not slowed by imports it does not need


def prefetch_script(files: tuple[str, ...]) -> str:
    """One ``<script>``: once per page load, import ``files`` one at a time, each once the page has been still
    (no element added, removed or changed) for ``QUIET_MS`` and the browser is idle, from the folder of Streamlit's
    own main module (so a base URL path is followed)."""
    return f"""<script>
(() => {{
  if (window.__tradeoffLabPrefetch) return;
  window.__tradeoffLabPrefetch = true;
  const main = document.querySelector('script[type="module"][src*="/static/js/index."]');
  if (!main) return;
  const folder = main.src.slice(0, main.src.lastIndexOf("/") + 1);
  let changed = performance.now();
  const watch = new MutationObserver(() => {{ changed = performance.now(); }});
  watch.observe(document.body, {{ subtree: true, childList: true, characterData: true }});
  const wait = (ms) => new Promise((done) => setTimeout(done, ms));
  const idle = () => new Promise((done) => (window.requestIdleCallback || setTimeout)(done, {{ timeout: 2000 }}));
  (async () => {{
    for (const file of {json.dumps(list(files))}) {{
      while (performance.now() - changed < {QUIET_MS}) await wait({QUIET_MS} - (performance.now() - changed) + 50);
      await idle();
      try {{ await import(folder + file); }} catch (e) {{ /* a missing chunk: the page loads it when it needs it */ }}
    }}
    watch.disconnect();
  }})();
}})();
</script>"""
