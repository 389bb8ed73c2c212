"""History's first view (filters, the frontier chart, a page of runs) loads neither pandas nor Altair — each would add
to the time a fresh server takes to show it (bench_store) — and comparing runs, which needs them, still works."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from core.config import DataConfig, ModelConfig
from core.records.store import RunStore
from core.training.trainer import train

ROOT = Path(__file__).resolve().parents[2]

_SCRIPT = f"""
import json, sys
from streamlit import config
from streamlit.dataframe import lazy_df_source
from streamlit.testing.v1 import AppTest

class AsOnAServer:  # AppTest skips st.dataframe's lazy-source check, which imports pandas on a real server
    def __getattr__(self, name):
        return getattr(config, name)

    def get_option(self, key):
        return False if key == "global.appTest" else config.get_option(key)

lazy_df_source.config = AsOnAServer()

def loaded():
    return sorted(m for m in ("pandas", "altair") if m in sys.modules)

at = AppTest.from_file({str(ROOT / "app.py")!r}, default_timeout=120)
at.run()
at.switch_page("app_pages/history.py").run()
assert not at.exception, at.exception
first = loaded()
shown = {{
    "charts": sum(m.value.startswith('<div class="frontier-svg"><svg') for m in at.markdown),  # ui/history_chart.py
    "tables": len(at.dataframe),
    "caption": next(c.value for c in at.caption if c.value.startswith("Showing")),
}}
at.toggle(key="history_group").set_value(False).run()  # the list (a fragment), then a filter: still neither
at.multiselect(key="history_model").set_value(["knn"]).run()
assert not at.exception, at.exception
clicked = loaded()
at.multiselect(key="history_pick").set_value(at.multiselect(key="history_pick").options[:2]).run()
assert not at.exception, at.exception
print(json.dumps({{"first": first, "clicked": clicked, "compared": loaded(), "shown": shown,
                   "compare_tables": len(at.dataframe)}}))
"""


def test_history_first_view_and_clicks_load_neither_pandas_nor_altair(tmp_path):
    store = RunStore(str(tmp_path / "runs.sqlite"))
    for units in (8, 16, 8):
        for kind in ("numpy_mlp", "knn"):
            cfg = (
                ModelConfig(kind=kind, epochs=1, hidden_units=(units,))
                if kind == "numpy_mlp"
                else ModelConfig(kind=kind)
            )
            store.save(train(DataConfig(), cfg))
    env = {**os.environ, "TRADEOFF_LAB_DB": str(tmp_path / "runs.sqlite"), "TRADEOFF_LAB_TF_WARMUP": "0"}
    env["TRADEOFF_LAB_IMPORT_WARMUP"] = "0"  # the page's own imports (the warm-up thread would load them after Home)
    out = subprocess.run(
        [sys.executable, "-c", _SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["shown"] == {"charts": 1, "tables": 1, "caption": "Showing 1–6 of 6 runs, newest first."}, seen
    assert seen["first"] == [] and seen["clicked"] == [], seen
    assert seen["compared"] == ["altair", "pandas"] and seen["compare_tables"] >= 2, seen  # the check can see them


def test_an_arrow_table_keeps_each_columns_type_and_shows_missing_values_empty():
    import math

    from ui.history_ui import arrow_table

    rows = [
        {"id": 2, "accuracy": None, "train_time_s": 1, "tags": "a, b", "ok": True, "notes": None},
        {"id": 1, "accuracy": 0.5, "train_time_s": math.nan, "tags": "", "ok": False, "notes": None},
        {"id": 3, "accuracy": math.inf, "train_time_s": 2.5, "tags": 'é "q"\n', "ok": True, "notes": None},
    ]
    table = arrow_table(rows)
    assert [str(t) for t in table.schema.types] == ["int64", "double", "double", "string", "bool", "string"]
    assert table.to_pylist() == [
        {**rows[0], "train_time_s": 1.0},
        {**rows[1], "train_time_s": None},
        {**rows[2], "accuracy": None},
    ]
    assert arrow_table([]).num_rows == 0
