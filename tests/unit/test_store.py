import json
import sqlite3
import subprocess
import sys

import pytest

from core.config import DataConfig, ModelConfig
from core.store import SCHEMA_VERSION, RunStore, StoreError, open_store
from core.training import train


@pytest.fixture(scope="module")
def result():
    return train(DataConfig(), ModelConfig(epochs=2, hidden_units=(16,)))


def test_round_trip_of_a_run_result(tmp_path, result):
    store = RunStore(str(tmp_path / "runs.sqlite"))
    run_id = store.save(result)
    stored = store.get(run_id)
    assert stored.result == result and stored.status == "complete" and stored.kind == "train"
    assert stored.dataset == "digits" and stored.model == "numpy_mlp" and stored.app_version.startswith("tradeoff-lab")
    assert [r.id for r in store.list(dataset="digits")] == [run_id] and store.list(dataset="mnist") == []
    failed = store.save(None, status="failed", dataset="csv", model="knn", error="Too few rows")
    assert store.get(failed).error == "Too few rows" and store.get(failed).result is None
    with pytest.raises(StoreError, match="No run with id 999"):
        store.get(999)


def test_migration_from_schema_version_1_keeps_the_runs(tmp_path, result):
    path = tmp_path / "old.sqlite"
    con = sqlite3.connect(path)  # a database as version 1 of the app left it
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    con.execute("INSERT INTO schema_version VALUES (1)")
    con.execute(
        "CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, kind TEXT NOT NULL,"
        " status TEXT NOT NULL, dataset TEXT NOT NULL, model TEXT NOT NULL, result_json TEXT, error TEXT,"
        " app_version TEXT NOT NULL)"
    )
    con.execute(
        "INSERT INTO runs (created_at, kind, status, dataset, model, result_json, app_version) VALUES "
        "('2026-01-01T00:00:00+00:00', 'train', 'complete', 'digits', 'numpy_mlp', ?, 'tradeoff-lab 0.0.1')",
        (result.to_json(),),
    )
    con.commit()
    con.close()
    store = RunStore(str(path))
    assert store.schema_version() == SCHEMA_VERSION == 2
    (old,) = store.list()
    assert old.result == result and old.notes == "" and old.tags == ()
    store.annotate(old.id, notes="kept", tags=["v1"])
    assert store.get(old.id).notes == "kept"


def test_notes_tags_delete_scenarios_and_hostile_text(tmp_path, result):
    store = RunStore(str(tmp_path / "runs.sqlite"))
    run_id = store.save(result)
    hostile = "x'); DROP TABLE runs; -- <script>alert(1)</script>"
    store.annotate(run_id, notes=hostile, tags=["fast", " demo "])
    assert store.get(run_id).notes == hostile and store.get(run_id).tags == ("fast", "demo")
    scenario = store.save_scenario("Baseline", "What the article's model gives", run_id)
    assert [s.id for s in store.scenarios()] == [scenario]
    with pytest.raises(StoreError, match="needs a name"):
        store.save_scenario("  ", "", run_id)
    store.delete(run_id)
    assert store.count() == 0 and store.scenarios() == []


def test_export_and_import(tmp_path, result):
    a = RunStore(str(tmp_path / "a.sqlite"))
    a.annotate(a.save(result), notes="n1", tags=["t"])
    exported = a.export_json()
    assert json.loads(exported)["runs"][0]["notes"] == "n1"
    assert a.export_csv().splitlines()[0].startswith("id,created_at,kind,status,dataset,model,accuracy")
    b = RunStore(str(tmp_path / "b.sqlite"))
    assert b.import_json(exported) == 1 and b.list()[0].result == result and b.list()[0].tags == ("t",)
    with pytest.raises(StoreError, match="Not a Tradeoff Lab export"):
        b.import_json('{"hello": 1}')


def test_a_corrupt_file_falls_back_to_memory_and_is_left_untouched(tmp_path, result):
    path = tmp_path / "runs.sqlite"
    junk = b"this is not a database" * 100
    path.write_bytes(junk)
    store, warning = open_store(str(path))
    assert store.in_memory and "could not be opened" in warning and "not changed" in warning
    run_id = store.save(result)  # the app keeps working
    assert store.get(run_id).result == result
    assert path.read_bytes() == junk


WRITER = """
import sys
from core.store import RunStore
store = RunStore(sys.argv[1])
for i in range(50):
    store.save(None, status="complete", dataset="digits", model=f"writer{sys.argv[2]}-{i}")
"""


@pytest.mark.slow
def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    path = str(tmp_path / "shared.sqlite")
    RunStore(path)  # create the schema first, as the app would
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, path, str(k)], stderr=subprocess.PIPE) for k in (1, 2)]
    errors = [p.communicate(timeout=120)[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    models = {r.model for r in RunStore(path).list(limit=1000)}
    assert len(models) == 100


def test_a_run_is_saved_as_running_then_finished(tmp_path, result):
    store = RunStore(str(tmp_path / "runs.sqlite"))
    run_id = store.save(None, status="running", dataset="digits", model="numpy_mlp")
    assert store.get(run_id).status == "running" and store.get(run_id).result is None
    store.finish(run_id, result)
    assert store.get(run_id).status == "complete" and store.get(run_id).result == result
    other = store.save(None, status="running", dataset="csv", model="knn")
    store.finish(other, None, error="Too few rows")
    assert store.get(other).status == "failed" and store.get(other).error == "Too few rows"
