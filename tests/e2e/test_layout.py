"""Every page fits the screen: at 800 px and at 1440 px wide, after a quick digits run, no page scrolls
sideways, no tile cuts its value, no multiselect cuts a chip and no exception box shows; at 1440×900 Train's first
tile and its chart are above the fold. One server, one browser, two window sizes."""

from __future__ import annotations

import warnings

import pytest

from tests.app_server import CHROMIUM_ARGS
from tests.e2e.conftest import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
PAGES = ("Home", "Data", "Train", "Trade-offs", "Compress", "Metrics", "Explain", "History", "Demo")
NAV = '[data-testid="stSidebarNav"] a'
FOLD_Y = 900
TILES_ELSEWHERE: set[str] = set()  # pages whose tiles another change lays out (none now: every cut value fails)

# every element wider than the window (the culprit of a sideways scroll), and every tile value cut short
OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 1 && e.getClientRects().length)
    .slice(0, 5)
    .map(e => `${e.tagName}.${e.getAttribute('data-testid') || e.className}`.slice(0, 80));
  const cut = [...document.querySelectorAll('[data-testid="stMetricValue"]')]
    .filter(v => [v, ...v.querySelectorAll('*')].some(e => e.clientWidth && e.scrollWidth > e.clientWidth + 1))
    .map(v => v.innerText);
  // a multiselect whose chips do not fit scrolls them sideways: its last (or first) chip is cut
  const chips = [...document.querySelectorAll('[data-testid="stMultiSelect"]')]
    .filter(m => m.querySelector('[data-testid="stMultiSelectTagsContainer"][data-can-scroll-end], '
      + '[data-testid="stMultiSelectTagsContainer"][data-can-scroll-start]'))
    .map(m => m.querySelector('[data-testid="stWidgetLabel"]')?.innerText || '?');
  return {scroll: document.documentElement.scrollWidth, width, wide, cut, chips};
}"""


def _idle(page, timeout_ms: int = 120_000) -> None:
    page.wait_for_timeout(300)  # let a rerun that a click started begin
    page.wait_for_selector(IDLE, timeout=timeout_ms)


def _open(page, name: str) -> None:
    nav = page.locator(NAV, has_text=name).first
    if not nav.is_visible():  # a collapsed sidebar: open it to navigate, as a person would
        page.locator('[data-testid="stExpandSidebarButton"]').click()
    nav.click()
    _idle(page)


def _check(page, where: str, name: str = "") -> list[str]:
    """What is wrong with the page on show: a sideways scroll, a tile value cut short, an exception box."""
    problems = []
    found = page.evaluate(OVERFLOW_JS)
    if found["scroll"] > found["width"]:
        problems.append(f"{where}: scrollWidth {found['scroll']} > {found['width']} ({found['wide']})")
    if found["cut"]:
        cut = f"{where}: tile values cut short {found['cut']}"
        if name in TILES_ELSEWHERE:
            warnings.warn(cut, stacklevel=1)  # reported to the page's owner; not this test's to fail
        else:
            problems.append(cut)
    if found["chips"]:
        problems.append(f"{where}: chips cut in {found['chips']}")
    if page.locator('[data-testid="stException"]').count():
        problems.append(f"{where}: exception box")
    page.screenshot(path=str(ARTIFACTS / f"layout-{where.replace(' ', '-')}.png"), full_page=True)
    return problems


def _check_pages(page, label: str) -> list[str]:
    problems = []
    for name in PAGES:
        _open(page, name)
        problems += _check(page, f"{label} {name}", name)
    return problems


def test_every_page_fits_800_and_1440_px_and_train_is_above_the_fold(app_url, browser_path):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS)
        try:
            for width, height in ((1440, 900), (800, 900)):
                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                page.goto(app_url)
                page.wait_for_selector(NAV, timeout=60_000)
                _idle(page)
                _open(page, "Train")  # the default setup (digits, a small network) auto-trains in a second
                page.wait_for_selector('[data-testid="stMetric"]', timeout=120_000)
                _idle(page)
                if width == 1440:
                    page.evaluate("window.scrollTo(0, 0)")
                    main = page.locator('[data-testid="stMain"]')
                    tile = main.locator('[data-testid="stMetric"]').first.bounding_box()
                    chart = main.locator('[data-testid="stVegaLiteChart"]').first.bounding_box()
                    assert tile is not None and tile["y"] < FOLD_Y, tile
                    assert chart is not None and chart["y"] < FOLD_Y, f"chart top at {chart and chart['y']}"
                page.locator('[data-testid="stMain"] label', has_text="Evaluation (validation)").click()
                _idle(page)  # the confusion matrix, ROC and PR charts of ten classes
                problems += _check(page, f"{width} Train-evaluation")
                problems += _check_pages(page, str(width))
                context.close()
        finally:
            browser.close()
    assert not problems, "\n".join(problems)
