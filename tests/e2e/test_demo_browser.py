"""The Demo as a presenter uses it, in a real browser: a ``?present=1`` link, the arrow keys move the slides,
no editing control on screen, nothing wider than a small projector (800 px)."""

from __future__ import annotations

import pytest

from core.config import DataConfig, ModelConfig
from core.records.store import RunStore
from core.training.trainer import train
from tests.app_server import start_app_server
from tests.e2e.conftest import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def test_presenter_mode_moves_with_the_arrow_keys_and_shows_no_editing_control(page, browser_path, tmp_path):
    db = tmp_path / "runs.sqlite"
    store = RunStore(str(db))
    for units, name in ((8, "Small"), (16, "Twice as wide")):
        store.save_scenario(name, "", store.save(train(DataConfig(), ModelConfig(epochs=1, hidden_units=(units,)))))
    proc, url = start_app_server(env={"TRADEOFF_LAB_OFFLINE": "1", "TRADEOFF_LAB_DB": str(db)})
    try:
        page.set_viewport_size({"width": 800, "height": 900})
        page.goto(f"{url}/demo?present=1")
        page.wait_for_selector("h1:has-text('Small')", timeout=60_000)
        page.wait_for_selector(IDLE, timeout=60_000)
        assert page.locator('[data-testid="stTextInput"], [data-testid="stForm"]').count() == 0
        assert page.get_by_role("button", name="Remove this scenario").count() == 0
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.locator("h1", has_text="Small").click()  # the page has the focus, as after a click on the slide
        page.keyboard.press("ArrowRight")
        page.wait_for_selector("h1:has-text('Twice as wide')", timeout=30_000)
        page.keyboard.press("ArrowRight")  # the last slide: every scenario on one scale
        page.wait_for_selector("h1:has-text('Side by side')", timeout=30_000)
        page.wait_for_selector(IDLE, timeout=60_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "demo-comparison-800.png"), full_page=True)
        page.keyboard.press("ArrowLeft")
        page.wait_for_selector("h1:has-text('Twice as wide')", timeout=30_000)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
