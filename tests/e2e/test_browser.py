"""A user's path in a real browser: open the app, go to Train, move a slider with the keyboard, read tiles."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS, start_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def _wait_idle(page, timeout_ms: int = 60_000) -> None:
    page.wait_for_selector(IDLE, timeout=timeout_ms)


def _tile(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]', has_text=label).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def test_train_page_slider_changes_the_tiles(page, app_url):
    page.goto(app_url)
    page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=60_000)
    _wait_idle(page)
    page.locator('[data-testid="stSidebarNav"] a', has_text="Train").click()
    page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
    _wait_idle(page)
    before = _tile(page, "Val accuracy")
    assert before.endswith("%")

    # fill() would change the label, not the value: move the thumb with the keyboard, as a person would
    thumb = page.locator('.st-key-train_numpy_mlp_epochs input[type="range"]')
    start = int(thumb.get_attribute("value"))
    thumb.focus()
    for _ in range(5):
        page.keyboard.press("ArrowLeft")
    assert int(thumb.get_attribute("value")) == start - 5
    page.wait_for_selector(
        '[data-testid="stMetric"]:has-text("Val accuracy") [data-testid="stMetricDelta"]', timeout=60_000
    )
    _wait_idle(page)
    after = _tile(page, "Val accuracy")
    assert after != before
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("Session board").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "train_page.png"), full_page=True)


def test_every_page_renders_without_exception(page, app_url):
    for name in ("Home", "Data", "Train"):
        page.goto(app_url)
        page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=60_000)
        page.locator('[data-testid="stSidebarNav"] a', has_text=name).click()
        page.wait_for_timeout(300)
        _wait_idle(page)
        assert page.locator('[data-testid="stException"]').count() == 0, name


def test_a_deep_link_on_a_fresh_server_opens_that_page_inside_the_app(page, browser_path):
    proc, url = start_server()  # its first request is the deep link
    try:
        page.goto(f"{url}/metrics")
        page.wait_for_selector("h1:has-text('Metrics')", timeout=60_000)
        _wait_idle(page)
        links = [text.split()[-1] for text in page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()]
        assert links == [
            "Home",
            "Data",
            "Train",
            "Trade-offs",
            "Compress",
            "Metrics",
            "Explain",
            "History",
            "Demo",
        ]  # the app's navigation, not the files
        assert page.locator('[role="dialog"]').count() == 0  # no "page not found"
        assert page.locator("h1").all_inner_texts().count("Metrics") == 1  # rendered once
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_bad_csv_upload_is_an_error_message_not_a_traceback(page, app_url, tmp_path):
    bad = tmp_path / "broken.csv"
    bad.write_bytes(b"\x00\x01\x02 not a csv \xff")
    page.goto(app_url)
    page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=60_000)
    _wait_idle(page)
    page.locator('[data-testid="stSidebarNav"] a', has_text="Data").click()
    page.wait_for_selector(".st-key-data_dataset", timeout=60_000)
    _wait_idle(page)
    page.locator(".st-key-data_dataset input").click()
    page.wait_for_selector('[role="listbox"]', timeout=30_000)
    page.keyboard.type("Your CSV")  # the list is virtualised: type to filter rather than scroll
    page.get_by_role("option", name="Your CSV").click()
    page.wait_for_selector('[data-testid="stFileUploaderDropzoneInput"]', state="attached", timeout=60_000)
    _wait_idle(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(bad))
    page.wait_for_selector('[data-testid="stAlertContentError"]', timeout=60_000)
    _wait_idle(page)
    assert (
        "binary" in page.locator('[data-testid="stAlertContentError"]').first.inner_text().lower()
        or "csv" in page.locator('[data-testid="stAlertContentError"]').first.inner_text().lower()
    )
    assert page.locator('[data-testid="stException"]').count() == 0


def test_home_fetches_the_next_pages_element_code_while_idle_and_draws_nothing_for_it(page, app_url):
    """ui/prefetch.py: with only Home open, the browser loads the table's and the charts' modules (History and
    Train then draw without fetching them), and the script's element takes no height."""
    page.goto(app_url)
    _wait_idle(page)
    assert page.locator('[data-testid="stDataFrame"]').count() == 0
    for module in ("/DataFrame.", "/ArrowVegaLiteChart."):
        page.wait_for_function(
            f"performance.getEntriesByType('resource').some(e => e.name.includes('{module}'))", timeout=30_000
        )
    heights = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stElementContainer"]')]
            .filter((e) => e.querySelector('[data-testid="stHtml"]')).map((e) => e.getBoundingClientRect().height)"""
    )
    assert heights == [0]
    page.locator('[data-testid="stSidebarNav"] a', has_text="History").click()
    page.wait_for_timeout(300)
    _wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_home_asks_nothing_of_any_other_host(page, app_url):
    """A local tool: Home's page load (the favicon included) requests only the lab's own server."""
    hosts = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.goto(app_url)
    _wait_idle(page)
    page.wait_for_timeout(500)
    assert hosts == {app_url.split("/")[2]}
