"""History under AppTest: a sweep's trials and a cross-validation's folds listed as one entry each (their runs
in an expander), and the filters by kind (imported runs included), tag and date."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.config import DataConfig, ModelConfig
from core.records.store import RunStore
from core.training.trainer import train

ROOT = Path(__file__).resolve().parents[2]


def _history(monkeypatch, path: Path) -> AppTest:
    monkeypatch.setenv("TRADEOFF_LAB_DB", str(path))
    from ui import cached

    cached.run_store.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("app_pages/history.py").run()
    assert not at.exception, at.exception
    return at


def _shown(at: AppTest) -> str:
    return next(c.value for c in at.caption if c.value.startswith("Showing"))


def test_history_groups_a_sweep_and_a_cv_and_filters_by_kind_tag_and_date(monkeypatch, tmp_path):
    result = train(DataConfig(), ModelConfig(epochs=1, hidden_units=(8,)))
    path = tmp_path / "runs.sqlite"
    store = RunStore(str(path))
    lone = store.save(result)
    trials = [store.save(result, kind="trial", group="sweep-a") for _ in range(4)]
    folds = [store.save(result, kind="cv", group="cv-b") for _ in range(3)]
    store.annotate(trials[1], tags=["demo"])
    other = RunStore(str(tmp_path / "other.sqlite"))
    other.save(result, kind="train")
    assert store.import_json(other.export_json()).added == 1
    imported = max([lone, *trials, *folds]) + 1

    at = _history(monkeypatch, path)
    assert _shown(at) == "Showing 1–4 of 4 entries (9 runs; trials and folds grouped), newest first."
    table = at.dataframe[0].value
    assert list(table.id) == [imported, folds[-1], trials[-1], lone]
    # run, accuracy and time first, the run pinned: in view at 800 px while the rest scrolls sideways
    assert list(at.dataframe[0].proto.column_order[:3]) == ["id", "accuracy", "train_time_s"]
    assert json.loads(at.dataframe[0].proto.columns)["id"]["pinned"] is True
    assert all(at.multiselect(key=f"history_{c}").proto.wrap for c in ("dataset", "model", "status", "kind"))
    assert list(table.runs) == [1, 3, 4, 1] and list(table.kind)[1:3] == ["cv ×3", "trial ×4"]
    picker = at.selectbox(key="history_open_group")
    assert [lab.split(" (")[0] for lab in picker.options] == ["Cross-validation of 3 runs", "Sweep of 4 runs"]
    picker.set_value("sweep-a").run()
    assert list(at.dataframe[1].value.id) == trials[::-1]
    assert list(at.dataframe[1].proto.column_order) == list(at.dataframe[0].proto.column_order)

    at.multiselect(key="history_kind").set_value(["imported"]).run()
    assert list(at.dataframe[0].value.id) == [imported]
    at.multiselect(key="history_kind").set_value(["trial"]).run()
    assert (
        _shown(at)
        == "Showing 1–1 of 1 entries (4 runs, filtered from 9 stored; trials and folds grouped), newest first."
    )
    at.multiselect(key="history_kind").set_value([]).run()
    at.text_input(key="history_tag").input("demo").run()
    assert list(at.dataframe[0].value.id) == [trials[1]]  # a group of one matching run is that run
    at.text_input(key="history_tag").input("").run()
    at.toggle(key="history_group").set_value(False).run()
    assert list(at.dataframe[0].value.id) == sorted([lone, *trials, *folds, imported], reverse=True)
    today = datetime.now(UTC).date()  # the runs were saved today (UTC)
    at.date_input(key="history_since").set_value(today + timedelta(days=1)).run()
    assert not at.exception, at.exception
    assert _shown(at).startswith("Showing 0–0 of 0 runs")
    at.date_input(key="history_since").set_value(today - timedelta(days=1)).run()
    at.date_input(key="history_until").set_value(today).run()
    assert _shown(at) == "Showing 1–9 of 9 runs, newest first."
