"""Runs that outlive the page, in a real browser: a reload reattaches, Stop lands within a second, quick slider
moves end on the matching run, and leaving Trade-offs mid-sweep loses no trial."""

from __future__ import annotations

import os
import re
import time

import pytest

from core.records.store import RunStore

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
PROGRESS = '[data-testid="stProgress"]'


def _settle(page, timeout_ms: int = 90_000) -> None:
    """Wait until the app has finished running, and stays so for a moment (reruns can follow each other)."""
    for _ in range(2):
        page.wait_for_timeout(300)
        page.wait_for_selector(IDLE, timeout=timeout_ms)


def _store() -> RunStore:
    return RunStore(os.environ["TRADEOFF_LAB_DB"])  # the server inherits the tests' throw-away database


def _epoch_shown(page) -> int:
    text = page.locator(PROGRESS).first.inner_text()
    found = re.search(r"Epoch (\d+)/", text)
    return int(found.group(1)) if found else 0


def _elapsed_shown(page) -> float:
    found = re.search(r"([\d.]+) s elapsed", page.locator(PROGRESS).first.inner_text())
    return float(found.group(1)) if found else 0.0


def _wait_epoch(page, at_least: int = 1, timeout_ms: int = 120_000) -> None:
    """Wait until the live progress shows ``Epoch n/N`` with n ≥ ``at_least``."""
    page.wait_for_function(
        "n => { const m = /Epoch (\\d+)\\//.exec(document.body.innerText); return m && +m[1] >= n; }",
        arg=at_least,
        timeout=timeout_ms,
        polling=50,
    )


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("h1", timeout=60_000)


def test_a_reload_mid_run_reattaches_to_the_running_job(page, app_url):
    _open(page, f"{app_url}/train?m.epochs=1000&m.hidden_units=256-256&m.batch_size=16")
    _settle(page)
    page.locator(".st-key-train_go button").click()
    _wait_epoch(page)
    page.wait_for_function("() => location.search.includes('job=')", timeout=10_000)
    job_id = re.search(r"job=([\w-]+)", page.url).group(1)
    before = _epoch_shown(page)
    elapsed_before = _elapsed_shown(page)

    page.reload()
    _wait_epoch(page, before)  # the live progress is back
    assert f"job={job_id}" in page.url
    assert _elapsed_shown(page) > elapsed_before  # the same run, still going: not a new one
    _wait_epoch(page, before + 1, timeout_ms=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0

    page.locator(".st-key-train_stop button").click()  # the reattached page can stop it
    page.wait_for_selector("text=was stopped after", timeout=30_000)
    _settle(page)
    running = [r for r in _store().list() if r.status == "running"]
    assert not running, [(r.id, r.model) for r in running]


def test_stop_ends_a_keras_run_within_a_second_of_the_click(page, app_url):
    _open(page, f"{app_url}/train?m.kind=keras_mlp&m.epochs=200&m.batch_size=8&m.hidden_units=256-256")
    _settle(page)
    page.locator(".st-key-train_go button").click()
    # the Keras worker may still be loading TensorFlow: wait for the second epoch, when training is steady
    page.wait_for_function("() => /Epoch ([2-9]|\\d\\d)\\//.test(document.body.innerText)", timeout=120_000, polling=50)
    clicked = time.perf_counter()
    page.locator(".st-key-train_stop button").click()
    page.wait_for_function(
        "() => /Training stopped|was stopped after/.test(document.body.innerText)", timeout=30_000, polling=20
    )
    stop_s = time.perf_counter() - clicked
    said = re.search(r"([\d.]+) s after the request", page.locator("body").inner_text())
    print(f"Keras stop: {stop_s:.2f} s from click to 'stopped' on the page; server: {said and said.group(1)} s")
    _settle(page)
    assert page.get_by_text("was stopped after").count() == 1
    assert stop_s < 1.0


def test_five_quick_keyboard_moves_end_on_the_matching_run(page, app_url):
    _open(page, f"{app_url}/train")
    page.wait_for_selector('[data-testid="stMetric"]', timeout=90_000)
    _settle(page)
    thumb = page.locator('.st-key-train_numpy_mlp_epochs input[type="range"]')
    start = int(thumb.get_attribute("value"))
    thumb.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")  # no waiting: each move supersedes the run the last one started
    assert int(thumb.get_attribute("value")) == start + 5
    _settle(page)
    page.wait_for_timeout(1000)
    _settle(page)
    assert page.get_by_text("the settings have changed since").count() == 0  # the run on show matches
    assert page.locator('[data-testid="stException"]').count() == 0
    rows = _store().list()
    assert not [r for r in rows if r.status == "running"]  # superseded runs were stopped, not left running
    newest_complete = next(r for r in rows if r.kind == "train" and r.status == "complete")
    assert newest_complete.result.model_config.epochs == start + 5


def test_leaving_trade_offs_mid_sweep_loses_no_trial(page, app_url):
    _open(page, f"{app_url}/train?m.epochs=1")  # quick trials: the sweep starts from the Train setup
    page.wait_for_selector('[data-testid="stMetric"]', timeout=90_000)
    _settle(page)
    page.locator('[data-testid="stSidebarNav"] a', has_text="Trade-offs").click()
    page.wait_for_selector(".st-key-trade_repeats", timeout=60_000)
    _settle(page)
    repeats = page.locator('.st-key-trade_repeats input[type="range"]')
    repeats.focus()
    page.keyboard.press("ArrowLeft")  # 2 → 1 repeat
    _settle(page)
    trials_before = sum(r.kind == "trial" for r in _store().list())
    page.locator(".st-key-trade_run button").click()
    page.wait_for_selector(f"{PROGRESS}:has-text('trials')", timeout=60_000)
    total = int(re.search(r"/(\d+) trials", page.locator(PROGRESS).first.inner_text()).group(1))
    page.locator('[data-testid="stSidebarNav"] a', has_text="Home").click()  # leave mid-sweep
    _settle(page)

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        saved = sum(r.kind == "trial" for r in _store().list()) - trials_before
        if saved >= total:
            break
        time.sleep(1)
    assert saved == total  # every trial saved by the job, with no page there to do it

    page.locator('[data-testid="stSidebarNav"] a', has_text="Trade-offs").click()
    page.wait_for_selector(f"{PROGRESS}:has-text('{total}/{total} trials')", timeout=60_000)
    _settle(page)
    assert repeats.get_attribute("value") == "1"  # the controls came back as they were left
    clock = page.locator(PROGRESS).first.inner_text()
    page.wait_for_timeout(1200)
    budget = page.locator('.st-key-trade_budget input[type="range"]')
    budget.focus()
    page.keyboard.press("ArrowLeft")  # a rerun, which used to move the clock on
    _settle(page)
    assert page.locator(PROGRESS).first.inner_text() == clock  # the elapsed time stopped with the sweep
    assert page.locator('[data-testid="stException"]').count() == 0
