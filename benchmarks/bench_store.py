"""Run-store benchmark: 10,000 digits-sized runs imported, listed, and browsed on History in headless Chromium.

    .venv/bin/python benchmarks/bench_store.py            # 10,000 runs (writes ~2.3 GB of exports to a temp dir)
    .venv/bin/python benchmarks/bench_store.py --runs 2000 --keep /tmp/store   # smaller; keep the files

A few digits runs are trained (seconds), then 10,000 export entries are generated from them in the format
History and ``runs export`` write (version 3: each result's JSON without its bulky arrays, ~5-10 KB, and the
arrays packed, ~3-36 KB of base64; the same result written whole is 40-230 KB), each with its own uuid, time,
kind, status, tags, group (trials and folds share one per 40 runs), validation accuracy and training time.
They are imported through ``runs import FILE...``'s code path in files of ``--per-file`` runs. Prints a markdown table
and exits non-zero when a target is missed:

- import of all runs (parse, check every value and array, insert in one transaction), target ≤ 10 s;
- import of 1,000 runs written whole (version 2, as older exports are; stored packed), reported;
- the per-run cost of the checks alone, and of JSON parsing, for both forms (reported);
- ``python -m core runs list --limit 50``, a fresh process, median of 3, target ≤ 1 s;
- History's first view on a running server (sidebar click → table shown, idle) after a person's pause on Home
  (``PERSON_PACE_S``: the browser fetches the next pages' element code meanwhile, ``ui/prefetch.py``), target ≤ 2 s;
  and the same clicked the moment Home is idle, on a fresh server and browser (reported);
- History clicks, p50 of 5 each: next page, a filter change, target ≤ 0.5 s.

The Keras worker's TensorFlow warm-up is off for the server (History never trains), so it does not compete.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import Row, print_table

from core.config import DataConfig, ModelConfig, ModelKind
from core.records.run_schema import check_packed
from core.records.store import RunStore
from core.records.store_import import FORMAT, FORMAT_VERSION, check_result, import_files
from core.records.store_pack import pack
from core.training.trainer import train
from tests.app_server import CHROMIUM_ARGS, start_app_server

ROOT = Path(__file__).resolve().parents[1]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
ACC_MARK, TIME_MARK = 0.123456789012345, 98765.43210987  # placeholders replaced per run in the template JSON
KINDS = ("trial", "trial", "trial", "train", "cv")
STATUSES = ("complete",) * 8 + ("stopped", "failed")
TAGS = ([], ["sweep"], ["demo"], ["sweep", "fast"], [])
CLICKS = 5


def templates() -> list[tuple[str, str, str, str, float, float]]:
    """(model, whole result JSON with placeholders, packed JSON with placeholders, base64 arrays, accuracy,
    train time) for a few real digits runs."""
    configs = [
        ModelConfig(kind=ModelKind.NUMPY_MLP, hidden_units=(32,), epochs=5),
        ModelConfig(kind=ModelKind.NUMPY_MLP, hidden_units=(128,), epochs=10),
        ModelConfig(kind=ModelKind("logistic_regression")),
        ModelConfig(kind=ModelKind("knn")),
    ]
    out = []
    for cfg in configs:
        r = train(DataConfig(), cfg)
        d = r.to_dict()
        acc, cost = d["metrics"]["validation"]["accuracy"], d["cost"]["train_time_s"]
        d["metrics"]["validation"]["accuracy"], d["cost"]["train_time_s"] = ACC_MARK, TIME_MARK
        text = json.dumps(d)
        small, blob = pack(d)
        packed = json.dumps(small)
        for t in (text, packed):
            assert t.count(repr(ACC_MARK)) == 1 and t.count(repr(TIME_MARK)) == 1
        out.append((cfg.kind.value, text, packed, base64.b64encode(blob).decode(), acc, cost))
    return out


def entry_text(i: int, tpl: tuple[str, str, str, str, float, float], start: datetime, *, whole: bool = False) -> str:
    """Export entry i as JSON text: metadata varied by i, the template's result with its own numbers (packed,
    as version 3 writes it, or ``whole`` as version 2 did)."""
    model, whole_text, packed, arrays, acc, cost = tpl
    kind = KINDS[i % len(KINDS)]
    status = STATUSES[i % len(STATUSES)]
    meta = {
        "uuid": str(uuid.UUID(int=i + 1)),
        "created_at": (start + timedelta(seconds=30 * i)).isoformat(timespec="seconds"),
        "app_version": "tradeoff-lab bench",
        "kind": kind,
        "status": status,
        "dataset": "digits",
        "model": model,
        "notes": "",
        "tags": TAGS[i % len(TAGS)],
        "error": "Generated failure" if status == "failed" else None,
    }
    if kind in ("trial", "cv") and not whole:
        meta["group"] = f"{kind}-{i // 40}"
    if status == "failed":
        return json.dumps({**meta, "result": None})
    jitter = ((i * 7919) % 1000) / 1000  # deterministic spread in [0, 1)
    a = min(1.0, max(0.0, acc - 0.05 + 0.06 * jitter))
    t = cost * (0.5 + 1.5 * ((i * 104729) % 997) / 997)
    result = (whole_text if whole else packed).replace(repr(ACC_MARK), repr(a)).replace(repr(TIME_MARK), repr(t))
    tail = "" if whole else f', "arrays": "{arrays}"'
    return json.dumps(meta)[:-1] + ', "result": ' + result + tail + "}"


def write_exports(folder: Path, n: int, per_file: int, tpls, *, whole: bool = False, first: int = 0) -> list[Path]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    files = []
    version = 2 if whole else FORMAT_VERSION
    for k, lo in enumerate(range(first, first + n, per_file)):
        path = folder / f"export-{'v2-' if whole else ''}{k:03d}.json"
        with path.open("w", encoding="utf-8") as out:
            out.write(f'{{"format": "{FORMAT}", "version": {version}, "runs": [')
            hi = min(first + n, lo + per_file)
            out.write(", ".join(entry_text(i, tpls[i % len(tpls)], start, whole=whole) for i in range(lo, hi)))
            out.write("]}")
        files.append(path)
    return files


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # worker processes, counted once they have ended
    return usage.ru_utime + usage.ru_stime


def measure_import(db: Path, files: list[Path]) -> tuple[float, float, float, float, float, int]:
    """Seconds to import every file as ``runs import FILE...`` does (wall; CPU time of this process and its
    worker processes, and of the main thread alone — with several files, worker processes read and check them
    while the main thread inserts); ms per run for JSON parsing and for the checks alone; runs added."""
    store = RunStore(str(db))
    t0, c0, m0, k0 = time.perf_counter(), time.process_time(), time.thread_time(), _children_cpu_s()
    added = import_files(store, files).added
    total_s, main_s = time.perf_counter() - t0, time.thread_time() - m0
    cpu_s = time.process_time() - c0 + _children_cpu_s() - k0
    sample = [e for e in json.loads(files[0].read_text())["runs"][:100] if e["result"]]
    texts = [json.dumps(e["result"]) for e in sample]
    t1 = time.perf_counter()
    parsed = [json.loads(t) for t in texts]
    parse_ms = (time.perf_counter() - t1) / len(texts) * 1000
    t2 = time.perf_counter()
    for d, e in zip(parsed, sample, strict=True):
        if "arrays" in e:
            check_packed(d, base64.b64decode(e["arrays"]))
        else:
            check_result(d)
    check_ms = (time.perf_counter() - t2) / len(parsed) * 1000
    return total_s, cpu_s, main_s, parse_ms, check_ms, added


def measure_quick_check(db: Path) -> float:
    """Seconds for the ``PRAGMA quick_check`` every open of a SQLite store runs first (issue 10), alone."""
    con = sqlite3.connect(db)
    try:
        t0 = time.perf_counter()
        con.execute("PRAGMA quick_check").fetchall()
        return time.perf_counter() - t0
    finally:
        con.close()


def measure_cli(db: Path) -> list[float]:
    env = {**os.environ, "TRADEOFF_LAB_DB": str(db)}
    cmd = [sys.executable, "-m", "core", "runs", "list", "--limit", "50"]
    subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, check=True)  # warm the file cache
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=True)
        times.append(time.perf_counter() - t0)
        assert len(proc.stdout.splitlines()) == 50, proc.stdout[-300:]
    return times


def shown_caption(page) -> str:
    return page.locator('[data-testid="stCaptionContainer"]', has_text="Showing").first.inner_text()


class CpuClock:
    """CPU seconds (user + system) of the app server's own process and of Chromium's processes: on this shared
    machine the wall time of a click moves with the load, the CPU it costs each side much less."""

    def __init__(self, server_pid: int) -> None:
        import psutil

        self._psutil = psutil
        self.server = psutil.Process(server_pid)
        self.page = None  # the Playwright page, once open

    def _seconds(self, procs) -> float:
        total = 0.0
        for p in procs:
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except self._psutil.Error:  # a Chromium helper that ended meanwhile
                pass
        return total

    def read(self) -> tuple[float, float]:
        chromium = [c for c in self._psutil.Process().children(recursive=True) if "chrom" in c.name().lower()]
        return self._seconds([self.server]), self._seconds(chromium)


def timed(clock: CpuClock, action, wait) -> tuple[float, float, float]:
    """(wall s, server CPU s, Chromium CPU s) from ``action`` to ``wait`` returning and the script going idle; the
    CPU read 0.3 s after idle, so the browser's drawing that follows counts too."""
    s0, b0 = clock.read()
    t0 = time.perf_counter()
    action()
    wait()
    clock.page.wait_for_selector(IDLE, timeout=60_000)
    wall = time.perf_counter() - t0
    time.sleep(0.3)
    s1, b1 = clock.read()
    return wall, s1 - s0, b1 - b0


def timed_change(clock: CpuClock, action) -> tuple[float, float, float]:
    """``timed`` until History's caption changes."""
    page = clock.page
    before = shown_caption(page)

    def changed() -> None:
        page.wait_for_function(
            "before => Array.from(document.querySelectorAll('[data-testid=\"stCaptionContainer\"]'))"
            ".some(e => e.innerText.startsWith('Showing') && e.innerText !== before)",
            arg=before,
            timeout=60_000,
            polling=20,
        )

    return timed(clock, action, changed)


PERSON_PACE_S = 5.0  # a person reads Home for this long before opening History


def measure_browser(
    db: Path, n: int, pause_s: float = PERSON_PACE_S, clicks: bool = True
) -> tuple[tuple[float, float, float], list[tuple], list[tuple]]:
    """History's first view ``pause_s`` after Home is idle, then (with ``clicks``) next-page clicks and filter clicks:
    (wall s, server CPU s, Chromium CPU s) each."""
    from playwright.sync_api import sync_playwright

    proc, url = start_app_server(env={"TRADEOFF_LAB_DB": str(db), "TRADEOFF_LAB_TF_WARMUP": "0"})
    clock = CpuClock(proc.pid)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            clock.page = page
            page.goto(url)
            page.wait_for_selector(IDLE, timeout=60_000)
            page.wait_for_timeout(pause_s * 1000)

            def first_view() -> None:
                page.wait_for_selector(f'[data-testid="stCaptionContainer"]:has-text("{n:,} runs")', timeout=60_000)
                page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)

            first = timed(clock, page.locator('[data-testid="stSidebarNav"] a', has_text="History").click, first_view)
            nexts = [
                timed_change(clock, lambda: page.locator(".st-key-history_next button").click())
                for _ in range(CLICKS if clicks else 0)
            ]
            filters = []
            for model in ("numpy_mlp", "knn", "logistic_regression", "numpy_mlp", "knn")[: 5 if clicks else 0]:
                option = page.get_by_role("option", name=model, exact=True)
                for attempt in range(3):  # open the list (not timed: no rerun); a click during a redraw is lost
                    page.locator(".st-key-history_model input").first.click()
                    try:
                        option.wait_for(timeout=10_000)
                        break
                    except Exception:
                        if attempt == 2:
                            shot = Path(tempfile.gettempdir()) / "bench_store_failure.png"
                            page.screenshot(path=str(shot), full_page=True)
                            raise
                        page.keyboard.press("Escape")
                filters.append(timed_change(clock, option.click))
                page.keyboard.press("Escape")
                page.wait_for_selector(IDLE, timeout=60_000)
                page.locator(".st-key-history_model [aria-label*='Clear all']").first.click()  # back to no filter
                page.wait_for_selector(IDLE, timeout=60_000)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)
    return first, nexts, filters


def browser_rows(first: tuple, nexts: list[tuple], filters: list[tuple], at_once: tuple) -> list[Row]:
    def cpu(server_s: float, chromium_s: float) -> str:
        return f"CPU: server {server_s:.2f} s, Chromium {chromium_s:.2f} s"

    wall, server_s, chromium_s = first
    rows = [
        Row(
            f"History first view (sidebar click → table, idle), {PERSON_PACE_S:.0f} s after Home",
            f"{wall:.2f} s ({cpu(server_s, chromium_s)})",
            "≤ 2 s",
            wall <= 2.0,
        ),
        Row(
            "the same, clicked the moment Home is idle (fresh server and browser)",
            f"{at_once[0]:.2f} s ({cpu(at_once[1], at_once[2])})",
        ),
    ]
    for what, times in (("next page", nexts), ("filter change (a model)", filters)):
        p50 = statistics.median(t[0] for t in times)
        medians = cpu(statistics.median(t[1] for t in times), statistics.median(t[2] for t in times))
        rows.append(
            Row(
                f"History click: {what}, p50 of {len(times)}",
                f"{p50:.2f} s (max {max(t[0] for t in times):.2f} s; {medians}, medians)",
                "≤ 0.5 s",
                p50 <= 0.5,
            )
        )
    return rows


def browser_views(db: Path, n: int) -> list[Row]:
    paced = measure_browser(db, n)
    at_once, _, _ = measure_browser(db, n, pause_s=0, clicks=False)
    return browser_rows(*paced, at_once)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--per-file", type=int, default=1000, help="runs per export file (≤ 256 MB each)")
    parser.add_argument("--keep", type=Path, help="write the exports and the store here and keep them")
    parser.add_argument("--browser-only", action="store_true", help="reuse the store in --keep; time the app only")
    args = parser.parse_args()
    if args.browser_only:
        if args.keep is None or not (args.keep / "runs.sqlite").exists():
            parser.error("--browser-only needs --keep FOLDER holding a runs.sqlite from an earlier run")
        load = os.getloadavg()[0]
        rows = browser_views(args.keep / "runs.sqlite", args.runs)
        rows.append(Row("load average (1 min) before → after", f"{load:.1f} → {os.getloadavg()[0]:.1f}"))
        return print_table(f"History at {args.runs:,} runs (store reused)", rows)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-store-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "runs.sqlite"
    for stale in folder.glob("runs*.sqlite*"):  # a fresh store every time
        stale.unlink()
    rows: list[Row] = []
    try:
        t0 = time.perf_counter()
        tpls = templates()
        files = write_exports(folder, args.runs, args.per_file, tpls)
        size_gb = sum(f.stat().st_size for f in files) / 1e9
        print(f"generated {args.runs:,} runs in {len(files)} files, {size_gb:.2f} GB, {time.perf_counter() - t0:.0f} s")
        rows.append(Row("load average (1 min) before the import", f"{os.getloadavg()[0]:.1f}"))
        import_s, import_cpu_s, import_main_s, parse_ms, check_ms, added = measure_import(db, files)
        assert added == args.runs, added
        rows.append(
            Row(
                f"import {args.runs:,} runs (format 3: {size_gb:.2f} GB of JSON, {len(files)} files)",
                f"{import_s:.1f} s ({import_s / args.runs * 1000:.2f} ms per run, "
                f"{size_gb * 1000 / import_s:.0f} MB/s; CPU time {import_cpu_s:.1f} s, "
                f"main thread {import_main_s:.1f} s)",
                "≤ 10 s",
                import_s <= 10.0,
            )
        )
        rows.append(Row("per run: checking every value and array of a packed result", f"{check_ms:.2f} ms"))
        rows.append(Row(f"per run: parsing its JSON ({size_gb * 1e6 / args.runs:.0f} KB)", f"{parse_ms:.2f} ms"))
        n_old = min(1000, args.runs)
        old = write_exports(folder, n_old, n_old, tpls, whole=True, first=args.runs)
        old_mb = sum(f.stat().st_size for f in old) / 1e6
        old_s, _, _, old_parse_ms, old_check_ms, old_added = measure_import(folder / "runs-v2.sqlite", old)
        assert old_added == n_old, old_added
        rows.append(
            Row(
                f"import {n_old:,} runs written whole (format 2, {old_mb:,.0f} MB), stored packed",
                f"{old_s:.1f} s ({old_s / n_old * 1000:.1f} ms per run: parse {old_parse_ms:.1f} ms, "
                f"checks {old_check_ms:.1f} ms)",
            )
        )
        cli = measure_cli(db)
        rows.append(
            Row(
                "`python -m core runs list --limit 50` (fresh process, median of 3)",
                f"{statistics.median(cli):.2f} s (max {max(cli):.2f} s)",
                "≤ 1 s",
                statistics.median(cli) <= 1.0,
            )
        )
        check_s = measure_quick_check(db)
        db_gb = db.stat().st_size / 1e9
        rows.append(
            Row(f"PRAGMA quick_check of the {db_gb:.2f} GB file (before a first write, not at open)", f"{check_s:.2f}s")
        )
        rows.append(Row("load average (1 min) before the browser", f"{os.getloadavg()[0]:.1f}"))
        rows += browser_views(db, args.runs)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
        for row in rows:  # so far, whatever stopped the run (the table below prints only at the end)
            print(row, file=sys.stderr)
    rows.append(Row("load average (1 min) at the end", f"{os.getloadavg()[0]:.1f}"))
    return print_table(f"Run store at {args.runs:,} runs", rows)


if __name__ == "__main__":
    raise SystemExit(main())
