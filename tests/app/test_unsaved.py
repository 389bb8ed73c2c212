"""Nothing trained is lost to a store that refuses a write: a sweep's refused trials go to ONE recovery file in
~/.tradeoff_lab/unsaved, and History says what waits there and imports it all with one button."""

import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import DataConfig, ModelConfig
from core.explore.executors import run_sweep
from core.explore.sweeps import SweepSpec, Trial
from core.records.store import RunStore
from core.records.store_import import write_recovery_file
from core.records.unsaved import Unsaved
from core.status import Status
from core.training.trainer import train
from ui.jobs import SweepJob
from ui.text import plain

ROOT = Path(__file__).resolve().parents[2]
TINY = ModelConfig(epochs=1, hidden_units=(8,))


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A private $HOME (lab_home() is ~/.tradeoff_lab) and a short lock wait."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TRADEOFF_LAB_DB_LOCK_S", "0.3")
    return tmp_path / "home" / ".tradeoff_lab" / "unsaved"


def test_a_sweep_the_locked_store_refuses_keeps_every_trial_in_one_file_that_imports_equal(home, tmp_path):
    path = tmp_path / "runs.sqlite"
    store = RunStore(str(path), lock_s=0.3)
    spec = SweepSpec(DataConfig(), TINY, {"hidden_units": [(8,), (16,)], "batch_size": [32, 64]})
    failed = Trial(4, {"hidden_units": [4]}, 0, 0, Status.FAILED, error="boom", data_config={"dataset": "digits"},
                   model_config={"kind": "numpy_mlp"})  # fmt: skip

    def sweep(on_trial, should_stop):
        trials = run_sweep(spec, on_trial=on_trial, should_stop=should_stop)
        on_trial(failed, 5, 5)  # a failed trial is recorded too, as the store would have it
        return trials

    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program holds the write lock for the whole sweep
    try:
        job = SweepJob(sweep, total=5, store=store).start()
        job.wait(120)
    finally:
        holder.close()
    assert job.error is None and "locked" in job.store_error and job.saved_ids == []
    (kept,) = home.glob("*.json")  # ONE file for the sweep, its name says what and how many
    assert str(kept) == job.recovery_path and kept.name.endswith("runs.json") and "-sweep-" in kept.name
    assert len(job.trials) == len(job.refused) == 5 and store.count() == 0

    store.import_json(kept.read_bytes())
    stored = sorted(store.list(), key=lambda s: s.id)
    assert [s.result for s in stored] == [t.result for t in job.trials]  # the same results, in the same order
    assert {s.kind for s in stored} == {"trial"} and {s.group_id for s in stored} == {job.group_id}
    assert [s.status for s in stored] == ["complete"] * 4 + ["failed"] and stored[-1].error == "boom"
    assert all(s.result is not None for s in stored[:4])


def _app(tmp_path, monkeypatch, db: Path) -> AppTest:
    monkeypatch.setenv("TRADEOFF_LAB_DB", str(db))
    from ui import cached

    cached.run_store.clear()  # each test its own database
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("app_pages/history.py").run()
    assert not at.exception, at.exception
    return at


def _waiting_line(at: AppTest) -> str | None:
    return next((i.value for i in at.info if "could not save" in i.value), None)


def test_history_offers_the_unsaved_runs_and_imports_them_once_the_lock_is_released(home, tmp_path, monkeypatch):
    db = tmp_path / "runs.sqlite"
    RunStore(str(db))  # an empty store: History would say "No saved runs yet"
    run = train(DataConfig(), TINY)
    trials = [train(DataConfig(), ModelConfig(epochs=1, hidden_units=(u,))) for u in (4, 6)]
    single = write_recovery_file(run, error="locked")  # a Train run the store refused
    sweep = write_recovery_file([Unsaved(t, kind="trial", group="sweep-abc") for t in trials], kind="sweep")

    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # locked from the start
    try:
        at = _app(tmp_path, monkeypatch, db)
        assert _waiting_line(at) == plain("3 runs the store could not save are kept in ~/.tradeoff_lab/unsaved/")
        at.button(key="history_unsaved_import").click().run()  # still locked: said, and the files stay
        assert not at.exception, at.exception
        (said,) = [e.value for e in at.error if "unsaved" in e.value]
        assert "locked" in said and "The files stay" in said and "Traceback" not in said
        assert single.exists() and sweep.exists() and _waiting_line(at) is not None
    finally:
        holder.close()

    at.button(key="history_unsaved_import").click().run()
    assert not at.exception, at.exception
    (said,) = [s.value for s in at.success if "Imported" in s.value]
    assert said.startswith("Imported 3 run(s).") and "moved to" in said
    assert _waiting_line(at) is None  # not offered again
    assert sorted(p.name for p in (home / "imported").iterdir()) == sorted([single.name, sweep.name])
    assert not list(home.glob("*.json"))
    at.toggle(key="history_group").set_value(False).run()  # every run listed, trials too
    listed = at.dataframe[0].value
    assert len(listed) == 3 and set(listed["kind"]) == {"train", "trial"}
    stored = [s.result for s in RunStore(str(db)).list()]
    assert all(sum(s == r for s in stored) == 1 for r in (run, *trials))  # each result back, equal, once

    again = home / sweep.name  # the same file again (imported elsewhere meanwhile): its uuids are in the store
    again.write_bytes((home / "imported" / sweep.name).read_bytes())
    at.run()
    assert _waiting_line(at) == plain("2 runs the store could not save are kept in ~/.tradeoff_lab/unsaved/")
    at.button(key="history_unsaved_import").click().run()
    (said,) = [s.value for s in at.success if "Imported" in s.value]
    assert said.startswith("Imported 0 run(s); 2 already present, skipped.")
    assert RunStore(str(db)).count() == 3 and not again.exists()  # nothing twice, and not offered again
    assert len(list((home / "imported").iterdir())) == 3  # kept beside the first copy, never over it


def test_a_corrupt_file_is_named_set_aside_and_the_others_imported(home, tmp_path, monkeypatch):
    db = tmp_path / "runs.sqlite"
    good = write_recovery_file(train(DataConfig(), TINY))
    bad = home / "20260101T000000Z-deadbeef.json"
    bad.write_text('{"format": "tradeoff-lab-runs", "version": 3, "runs": [{"kind": "nope"', encoding="utf-8")
    at = _app(tmp_path, monkeypatch, db)
    assert _waiting_line(at) == plain("2 runs the store could not save are kept in ~/.tradeoff_lab/unsaved/")
    at.button(key="history_unsaved_import").click().run()
    assert not at.exception, at.exception
    (said,) = [w.value for w in at.warning if "Not imported" in w.value]
    assert bad.name in said and "refused" in said and "Imported 1 run(s)." in said and "Traceback" not in said
    assert (home / "refused" / bad.name).exists() and (home / "imported" / good.name).exists()
    assert RunStore(str(db)).count() == 1 and _waiting_line(at) is None


_FIRST_VIEW = f"""
import json, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({str(ROOT / "app.py")!r}, default_timeout=120)
at.run()
at.switch_page("app_pages/history.py").run()
assert not at.exception, at.exception
print(json.dumps({{"loaded": sorted(m for m in ("pandas", "altair", "core.records.store_import") if m in sys.modules),
                   "info": [i.value for i in at.info]}}))
"""


def test_history_says_what_waits_without_loading_the_import_code(home, tmp_path):
    """Listing unsaved/ is a directory scan: History's first view (a speed target) loads neither the import module
    nor pandas or Altair for it; they load when the button is pressed."""
    import json
    import os
    import subprocess
    import sys

    write_recovery_file(train(DataConfig(), TINY))
    env = {**os.environ, "TRADEOFF_LAB_DB": str(tmp_path / "runs.sqlite"), "TRADEOFF_LAB_IMPORT_WARMUP": "0"}
    out = subprocess.run([sys.executable, "-c", _FIRST_VIEW], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300)  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["loaded"] == [], seen
    assert plain("1 run the store could not save is kept in ~/.tradeoff_lab/unsaved/") in seen["info"], seen


def _app_on_a_new_store(tmp_path, monkeypatch) -> tuple[Path, AppTest]:
    """The app on Home over a new, empty store file (the app's cached store handle dropped)."""
    db = tmp_path / "runs.sqlite"
    RunStore(str(db))
    monkeypatch.setenv("TRADEOFF_LAB_DB", str(db))
    from ui import cached

    cached.run_store.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    return db, at


def _press_while_locked(at: AppTest, db: Path, key: str) -> None:
    """Press the button ``key`` while another connection holds the store's write lock, released after the run."""
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        at.button(key=key).click().run()
    finally:
        holder.close()


def test_the_trade_offs_page_names_the_file_that_keeps_the_trials_a_locked_store_refused(home, tmp_path, monkeypatch):
    db, at = _app_on_a_new_store(tmp_path, monkeypatch)
    at.switch_page("app_pages/tradeoffs.py").run()
    at.multiselect(key="trade_knobs").set_value(["epochs"]).run()
    at.multiselect(key="trade_vals_epochs").set_value([1, 2]).run()
    at.slider(key="trade_repeats").set_value(1).run()
    _press_while_locked(at, db, "trade_run")  # another program holds the write lock for the whole sweep
    assert not at.exception, at.exception
    (kept,) = home.glob("*.json")
    (said,) = [w.value for w in at.warning if "Could not save every trial" in w.value]
    assert plain(str(kept)) in said and "2 trial(s) not saved" in said and "Import them" in said
    assert kept.name.endswith("-2runs.json") and RunStore(str(db)).count() == 0


def test_cross_validation_folds_a_locked_store_refuses_are_kept_in_one_file(home, tmp_path, monkeypatch):
    db, at = _app_on_a_new_store(tmp_path, monkeypatch)
    at.switch_page("app_pages/train.py").run()
    at.selectbox(key="train_dataset").set_value("breast_cancer").run()  # auto-trains (and saves) the default model
    at.switch_page("app_pages/metrics.py").run()
    at.slider(key="metrics_folds").set_value(3).run()
    before = RunStore(str(db)).count()
    _press_while_locked(at, db, "metrics_cv")
    assert not at.exception, at.exception
    (kept,) = home.glob("*.json")
    (said,) = [w.value for w in at.warning if "Could not save the folds" in w.value]
    assert plain(str(kept)) in said and "3 fold(s) not saved" in said
    store = RunStore(str(db))
    store.import_json(kept.read_bytes())
    folds = [s for s in store.list() if s.kind == "cv"]
    assert store.count() == before + 3 and len(folds) == 3 and len({s.group_id for s in folds}) == 1
    shown = at.session_state["tradeoff_lab_state"].cv_results
    (cv,) = shown.values()
    assert sorted(s.result.validation.accuracy for s in folds) == sorted(f.result.validation.accuracy for f in cv.folds)


def test_save_or_keep_stops_at_the_first_refusal_and_keeps_the_rest_in_one_file(home):
    from core.records.keep import save_or_keep
    from core.records.store import StoreError

    class RefusesTheSecond:
        calls = 0

        def save(self, result, **kwargs):
            self.calls += 1
            if self.calls >= 2:
                raise StoreError("The run store is locked by another program. Try again.")
            return 7

    run = train(DataConfig(), TINY)
    store = RefusesTheSecond()
    saved = save_or_keep(store, [Unsaved(run, kind="cv", group="cv-x")] * 4, kind="cv")
    assert saved.ids == [7] and saved.refused == 3 and "locked" in saved.store_error
    assert store.calls == 2  # the third and fourth were not tried: each would wait out the lock again
    kept = RunStore("sqlite://")
    kept.import_json(Path(saved.recovery_path).read_bytes())
    assert [(s.kind, s.group_id, s.result) for s in kept.list()] == [("cv", "cv-x", run)] * 3


def test_a_store_kept_in_memory_is_no_place_to_import_to(home, tmp_path, monkeypatch):
    """The banner's in-memory store (the real one could not be opened) would lose what is imported into it, and
    the files would be gone from unsaved/: the button imports into the configured store, opened again, or
    refuses and leaves the files where they are."""
    import ui.history_ui as history_ui

    said: dict = {}
    monkeypatch.setattr(history_ui.st, "session_state", said)
    kept = write_recovery_file(train(DataConfig(), TINY))
    monkeypatch.setenv("TRADEOFF_LAB_DB", "sqlite://")  # in memory on purpose: nowhere lasting to import to
    history_ui._import_unsaved(RunStore("sqlite://"))
    kind, text = said.pop("history_unsaved_outcome")
    assert kind == "error" and "in memory only" in text and kept.exists()

    db = tmp_path / "runs.sqlite"
    monkeypatch.setenv("TRADEOFF_LAB_DB", str(db))  # the fallback: the configured store can be opened now
    history_ui._import_unsaved(RunStore("sqlite://"))
    kind, text = said.pop("history_unsaved_outcome")
    assert kind == "success" and "restart the app" in text and not kept.exists()
    assert RunStore(str(db)).count() == 1


def _stand_in_store(tmp_path) -> RunStore:
    """The in-memory store the app falls back to when the configured file is damaged (``open_store``)."""
    from core.records.store import open_store

    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x17" * 8000)
    store, warning = open_store(str(damaged))
    assert store.in_memory and store.stand_in_for and "~/.tradeoff_lab/unsaved/" in warning
    return store


def test_runs_saved_to_the_stand_in_store_are_kept_in_files_too(home, tmp_path):
    """A damaged store: the app saves in memory, gone with the process, so each job also writes its runs to a file
    that imports equal into a working store (History's "Import them", once the store is mended)."""
    from core.records.keep import save_or_keep
    from ui.jobs import TrainingJob

    store = _stand_in_store(tmp_path)
    job = TrainingJob(DataConfig(), TINY, store=store).start()
    job.wait(120)
    assert job.result is not None and job.store_error is None and store.count() == 1
    spec = SweepSpec(DataConfig(), TINY, {"batch_size": [32, 64]})
    sweep = SweepJob(lambda on_trial, should_stop: run_sweep(spec, on_trial=on_trial, should_stop=should_stop),
                     total=2, store=store).start()  # fmt: skip
    sweep.wait(120)
    assert sweep.store_error is None and len(sweep.saved_ids) == 2 and sweep.recovery_path
    folds = [Unsaved(t.result, kind="cv", group="cv-1") for t in sweep.trials]
    kept_folds = save_or_keep(store, folds, kind="cv")
    assert kept_folds.store_error is None and len(kept_folds.ids) == 2 and kept_folds.recovery_path

    mended = RunStore(str(tmp_path / "mended.sqlite"))
    for path in (job.recovery_path, sweep.recovery_path, kept_folds.recovery_path):
        mended.import_json(Path(path).read_bytes())
    stored = sorted(mended.list(), key=lambda s: s.id)
    assert [s.kind for s in stored] == ["train", "trial", "trial", "cv", "cv"]
    assert [s.result for s in stored] == [job.result, *(t.result for t in sweep.trials), *(f.result for f in folds)]


def test_a_working_store_writes_no_file(home, tmp_path):
    from ui.jobs import TrainingJob

    job = TrainingJob(DataConfig(), TINY, store=RunStore(str(tmp_path / "runs.sqlite"))).start()
    job.wait(120)
    assert job.result is not None and job.recovery_path is None and not list(home.glob("*.json"))
