"""Home draws no chart and trains nothing, so its first view (the app's first page) loads neither pandas nor
Altair nor any training engine: each would add to the time a fresh server takes to show it (bench_app)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WATCHED = ("pandas", "altair", "sklearn", "tensorflow", "keras", "jax", "PIL")

_SCRIPT = f"""
import json, sys
from streamlit.testing.v1 import AppTest

def loaded():
    return sorted(m for m in {WATCHED!r} if m in sys.modules)

at = AppTest.from_file({str(ROOT / "app.py")!r}, default_timeout=120)
at.run()
assert not at.exception, at.exception
home = loaded()
at.switch_page("app_pages/data.py").run()  # a page that does draw charts: shows the check can see them
assert not at.exception, at.exception
print(json.dumps({{"home": home, "data": loaded(), "title": at.title[0].value if at.title else None}}))
"""


def test_home_imports_neither_pandas_nor_altair_nor_an_engine(tmp_path):
    env = {**os.environ, "TRADEOFF_LAB_DB": str(tmp_path / "runs.sqlite"), "TRADEOFF_LAB_TF_WARMUP": "0"}
    env["TRADEOFF_LAB_IMPORT_WARMUP"] = "0"  # Home's own imports: the warm-up thread would load them after it
    out = subprocess.run(
        [sys.executable, "-c", _SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert out.returncode == 0, out.stderr[-2000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["home"] == [], f"Home's first view imported {seen['home']}"
    assert {"pandas", "altair"} <= set(seen["data"]), seen  # the Data page's charts do load them


_WARM_SCRIPT = """
import json, sys, threading
from streamlit.testing.v1 import AppTest

started = []
_start = threading.Thread.start
def counted(self):
    if self.name == "tradeoff-lab-import-warmup":
        started.append(self)
    return _start(self)
threading.Thread.start = counted

at = AppTest.from_file(sys.argv[1], default_timeout=120)
at.run()
at.run()  # a rerun starts no second thread
assert not at.exception, at.exception
for t in started:
    t.join(120)
print(json.dumps({"threads": len(started), "loaded": sorted(m for m in ("pandas", "altair") if m in sys.modules)}))
"""


def test_after_the_first_page_the_server_loads_pandas_and_altair_in_one_background_thread(tmp_path):
    env = {**os.environ, "TRADEOFF_LAB_DB": str(tmp_path / "runs.sqlite"), "TRADEOFF_LAB_TF_WARMUP": "0"}
    env.pop("TRADEOFF_LAB_IMPORT_WARMUP", None)
    out = subprocess.run(
        [sys.executable, "-c", _WARM_SCRIPT, str(ROOT / "app.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen == {"threads": 1, "loaded": ["altair", "pandas"]}, seen


def test_the_import_warm_up_waits_for_a_pause_in_page_runs(tmp_path, monkeypatch):
    """A page drawing beside the warm-up's imports shares the CPU with them (History's first view lost ≈ 0.5 s):
    while pages keep running nothing is imported; once they pause for ``WARMUP_IDLE_S``, everything is."""
    import threading
    import time

    from ui import warmup

    (tmp_path / "warmup_probe_a.py").write_text("")
    (tmp_path / "warmup_probe_b.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(warmup, "PAGE_LIBRARIES", ("warmup_probe_a", "warmup_probe_b"))
    monkeypatch.setattr(warmup, "WARMUP_IDLE_S", 0.5)
    for name in warmup.PAGE_LIBRARIES:
        monkeypatch.delitem(sys.modules, name, raising=False)
    warmup.note_page_activity()
    thread = threading.Thread(target=warmup._import_page_libraries, daemon=True)
    thread.start()
    for _ in range(15):  # pages starting every 0.1 s for 1.5 s: never a 0.5 s pause
        time.sleep(0.1)
        warmup.note_page_activity()
        assert "warmup_probe_a" not in sys.modules
    thread.join(60)
    assert not thread.is_alive() and {"warmup_probe_a", "warmup_probe_b"} <= set(sys.modules)


def test_home_shows_its_page_before_loading_numpy_or_sqlalchemy():
    """The shell and what Home imports above its title load neither NumPy, SQLAlchemy nor Pillow: a fresh server
    sends the page at once and opens the run store (for the presets' measured claims and the store's banner) last,
    while the browser draws (bench_app)."""
    tree = ast.parse((ROOT / "app_pages" / "home.py").read_text())
    title_line = next(
        n.lineno for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "title"
    )
    before = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom) and n.lineno < title_line]
    modules = sorted(
        {n.module for n in before if isinstance(n, ast.ImportFrom)}
        | {a.name for n in before if isinstance(n, ast.Import) for a in n.names}
    )
    assert "core.presets" in modules and "ui.claims" not in modules, modules
    code = "import sys, json\n" + "".join(f"import {m}\n" for m in ["ui.shell", *modules])
    code += "print(json.dumps(sorted(m for m in ('numpy', 'sqlalchemy', 'PIL') if m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [], "Home's first part loads the store's libraries"


def test_home_never_stops_so_the_shell_may_write_the_store_banner_after_it():
    """ui/shell.py writes the store's banner after Home (before any other page): nothing is drawn after a
    st.stop(), so a stop on Home would lose the banner (tests/app/test_history_demo.py checks a page that stops)."""
    tree = ast.parse((ROOT / "app_pages" / "home.py").read_text())
    calls = {getattr(n.func, "attr", "") for n in ast.walk(tree) if isinstance(n, ast.Call)}
    assert "stop" not in calls
