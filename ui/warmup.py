"""What the server imports ahead of need: pandas and Altair, for the first page that draws a table or chart.

Light on purpose (no project imports): the shell notes every page run here from the app's first script run on,
before any heavy module is loaded.
"""

from __future__ import annotations

import importlib
import os
import threading
import time

PAGE_LIBRARIES = ("pyarrow", "pandas", "altair")  # what pages with a table or a chart import (≈ 1 s here), Home not;
# pyarrow first: History needs only it (its tables and chart data go to Streamlit as Arrow, without pandas)
WARMUP_IDLE_S = 2.0  # the imports wait until no page has started or ended for this long (the browser is still drawing
# for a second or so after a page's script ends): they do not race a page being drawn
_libraries_warming = threading.Lock()
_last_page_activity = [time.monotonic()]


def note_page_activity() -> None:
    """Called as every page run starts and ends (the shell): the import warm-up waits for a pause in them."""
    _last_page_activity[0] = time.monotonic()


def warm_up_page_libraries() -> None:
    """Import pandas and Altair in a background thread of the server once the first page has drawn and the app
    has been idle for ``WARMUP_IDLE_S``: Home imports neither (it opens faster), so without this the first visit to
    a page with tables or charts paid ≈ 1 s of imports in its own script. Not at once: History needs neither, and
    importing them while it drew cost its first view ≈ 0.5 s on 2 cores (bench_store). Only third-party packages,
    none of the lab's modules: a page importing one of them meanwhile just waits for it.
    ``TRADEOFF_LAB_IMPORT_WARMUP=0`` leaves them to the first page that needs them."""
    if os.environ.get("TRADEOFF_LAB_IMPORT_WARMUP", "1") == "0" or not _libraries_warming.acquire(blocking=False):
        return  # off, or already started by an earlier rerun (the lock is never released)
    threading.Thread(target=_import_page_libraries, name="tradeoff-lab-import-warmup", daemon=True).start()


def _import_page_libraries() -> None:
    for name in PAGE_LIBRARIES:
        while (wait := _last_page_activity[0] + WARMUP_IDLE_S - time.monotonic()) > 0:  # a page ran lately
            time.sleep(wait)
        try:
            importlib.import_module(name)
        except ImportError:  # the page that needs it says so in its own script
            return
