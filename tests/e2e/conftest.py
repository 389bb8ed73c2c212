"""The real app in real headless Chromium: a Streamlit server on a free port, and a Playwright browser.

Outside CI the tests skip with a reason when no browser is installed; with CI=true they must run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.app_server import CHROMIUM_ARGS, start_app_server

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser_path() -> str:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the browser tests, but no chromium is installed (.ci/run installs it).")
        pytest.skip("No chromium on this machine: apt-get install chromium to run the browser tests.")
    return path


def start_server() -> tuple[subprocess.Popen, str]:
    """A fresh `streamlit run app.py` on a free port, healthy; its log goes to artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / f"streamlit-{time.time_ns()}.log", "w")  # noqa: SIM115  (the server writes to it)
    try:
        return start_app_server(env={"TRADEOFF_LAB_OFFLINE": "1"}, log=log)
    except RuntimeError as err:
        pytest.fail(f"{err}; see {log.name}")


@pytest.fixture(scope="session")
def app_url(browser_path) -> str:
    proc, url = start_server()
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def shared_browser(browser_path):
    """One Chromium per test module (a launch costs seconds); each test still gets its own fresh context.

    Module scope, not session: Playwright's sync API holds an event loop, which must not outlive the browser
    tests into the rest of the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(shared_browser):
    """A page in a new browser context: no cookies, storage or cache shared with any other test."""
    context = shared_browser.new_context(viewport={"width": 1500, "height": 1100})
    yield context.new_page()
    context.close()
