"""The run store against SQLite and a real PostgreSQL server (``TRADEOFF_LAB_TEST_PG_URL``, else a private
cluster started by ``.ci/start_postgres.sh``; skipped with the reason only where none can start)."""

import json
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from core.config import DataConfig, ModelConfig
from core.records.store import SCHEMA_VERSION, RunStore, Status, StoreError, open_store, process_token, resolve_url
from core.training.trainer import train

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def result():
    return train(DataConfig(), ModelConfig(epochs=2, hidden_units=(16,)))


@pytest.fixture(scope="session")
def pg_server():
    """The URL of a PostgreSQL server for this test session."""
    url = os.environ.get("TRADEOFF_LAB_TEST_PG_URL")
    started = None
    if not url:
        proc = subprocess.run([str(ROOT / ".ci" / "start_postgres.sh")], capture_output=True, text=True)
        if proc.returncode != 0:
            pytest.skip(f"no PostgreSQL server could start: {proc.stderr.strip() or proc.returncode}")
        env = dict(line.removeprefix("export ").split("=", 1) for line in proc.stdout.splitlines())
        url, started = env["TRADEOFF_LAB_TEST_PG_URL"], env["TRADEOFF_LAB_TEST_PG_DIR"]
    yield url
    if started:
        subprocess.run([str(ROOT / ".ci" / "stop_postgres.sh"), started], check=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request, tmp_path):
    """A fresh, empty store location: a SQLite file, or its own schema on the PostgreSQL server."""
    if request.param == "sqlite":
        yield str(tmp_path / "runs.sqlite")
        return
    import psycopg

    url = request.getfixturevalue("pg_server")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield f"{url}?options=-csearch_path%3D{schema}"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


def test_round_trip_of_a_run_result(target, result):
    store = RunStore(target)
    run_id = store.save(result)
    stored = store.get(run_id)
    assert stored.result == result and stored.status == "complete" and stored.kind == "train"
    assert stored.dataset == "digits" and stored.model == "numpy_mlp" and stored.app_version.startswith("tradeoff-lab")
    assert uuid.UUID(stored.uuid) and stored.problem is None
    assert [r.id for r in store.list(dataset="digits")] == [run_id] and store.list(dataset="mnist") == []
    failed = store.save(None, status="failed", dataset="csv", model="knn", error="Too few rows")
    assert store.get(failed).error == "Too few rows" and store.get(failed).result is None
    with pytest.raises(StoreError, match="No run with id 999"):
        store.get(999)
    with pytest.raises(StoreError, match="status must be one of running, complete, stopped, failed, interrupted"):
        store.save(result, status="done")


def test_a_second_open_of_a_migrated_store_keeps_its_runs(target, result):
    first = RunStore(target)
    run_id = first.save(result)
    again = RunStore(target)
    assert again.schema_version() == SCHEMA_VERSION and again.get(run_id).result == result


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
    for status in ("complete", "running"):
        con.execute(
            "INSERT INTO runs (created_at, kind, status, dataset, model, result_json, app_version) VALUES "
            "('2026-01-01T00:00:00+00:00', 'train', ?, 'digits', 'numpy_mlp', ?, 'tradeoff-lab 0.0.1')",
            (status, result.to_json() if status == "complete" else None),
        )
    con.commit()
    con.close()
    store = RunStore(str(path))
    assert store.schema_version() == SCHEMA_VERSION
    running, old = store.list()
    assert old.result == result and old.notes == "" and old.tags == () and old.created_at.startswith("2026-01-01")
    assert len({old.uuid, running.uuid}) == 2 and all(uuid.UUID(r.uuid) for r in (old, running))
    store.annotate(old.id, notes="kept", tags=["v1"])
    assert store.get(old.id).notes == "kept"
    assert store.mark_interrupted() == 1  # saved "running" before owners were recorded: nobody will finish it
    assert store.get(running.id).status == Status.INTERRUPTED


def test_notes_tags_delete_scenarios_and_hostile_text(target, result):
    store = RunStore(target)
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


def test_export_and_import_keep_time_version_order_and_skip_what_is_present(target, tmp_path, result):
    a = RunStore(str(tmp_path / "a.sqlite"))
    first = a.save(result)
    a.annotate(first, notes="n1", tags=["t"])
    second = a.save(None, status="failed", dataset="csv", model="knn", error="Too few rows")
    exported = a.export_json()
    assert [e["notes"] for e in json.loads(exported)["runs"]] == ["n1", ""]  # oldest first
    assert a.export_csv().splitlines()[0].startswith("id,created_at,kind,status,dataset,model,accuracy")
    b = RunStore(target)
    report = b.import_json(exported)
    assert (report.added, report.skipped) == (2, 0)
    copied = sorted(b.list(), key=lambda r: r.id)
    originals = [a.get(first), a.get(second)]
    assert [r.uuid for r in copied] == [r.uuid for r in originals]  # same order, same identity
    assert [(r.created_at, r.app_version, r.notes, r.tags, r.error) for r in copied] == [
        (r.created_at, r.app_version, r.notes, r.tags, r.error) for r in originals
    ]
    assert copied[0].result == result
    again = b.import_json(exported)
    assert (again.added, again.skipped) == (0, 2) and b.count() == 2
    assert "2 already present" in str(again)
    with pytest.raises(StoreError, match="Not a Tradeoff Lab export"):
        b.import_json('{"hello": 1}')


def test_a_version_1_export_imports_once(target, result):
    legacy = json.dumps(
        {
            "format": "tradeoff-lab-runs",
            "version": 1,
            "runs": [{"kind": "train", "status": "complete", "notes": "", "tags": [], "error": None,
                      "dataset": "digits", "model": "numpy_mlp", "result": result.to_dict()}],
        }
    )  # fmt: skip
    store = RunStore(target)
    assert store.import_json(legacy).added == 1
    assert store.import_json(legacy).added == 0 and store.count() == 1
    (run,) = store.list()
    assert run.created_at == result.created_at and run.result == result


def test_a_corrupt_file_falls_back_to_memory_and_is_left_untouched(tmp_path, result):
    path = tmp_path / "runs.sqlite"
    junk = b"this is not a database" * 100
    path.write_bytes(junk)
    store, warning = open_store(str(path))
    assert store.in_memory and "damaged" in warning and "not changed" in warning
    assert "SELECT" not in warning and "Traceback" not in warning and "\n" not in warning
    run_id = store.save(result)  # the app keeps working
    assert store.get(run_id).result == result
    assert path.read_bytes() == junk


WRITER = """
import sys
from core.records.store import RunStore
store = RunStore(sys.argv[1])
for i in range(50):
    store.save(None, status="complete", dataset="digits", model=f"writer{sys.argv[2]}-{i}")
"""


@pytest.mark.slow
def test_two_processes_writing_at_once_lose_nothing(target):
    RunStore(target)  # create the schema first, as the app would
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, target, str(k)], stderr=subprocess.PIPE) for k in (1, 2)]
    errors = [p.communicate(timeout=120)[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    models = {r.model for r in RunStore(target).list(limit=1000)}
    assert len(models) == 100


RACER = """
import sys, time
from pathlib import Path
from core.records.store import RunStore
target, me, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
Path(f"{go}.ready{me}").touch()
while not go.exists():
    time.sleep(0.001)
store = RunStore(target)  # a new, empty store, opened by every process at the same moment
for i in range(3):
    store.save(None, status="complete", dataset="digits", model=f"p{me}-{i}")
"""


@pytest.mark.slow
def test_eight_processes_creating_the_schema_at_once_keep_every_run(target, tmp_path):
    go = tmp_path / "go"
    procs = [
        subprocess.Popen([sys.executable, "-c", RACER, target, str(k), str(go)], cwd=ROOT, stderr=subprocess.PIPE)
        for k in range(8)
    ]
    while len(list(tmp_path.glob("go.ready*"))) < 8 and all(p.poll() is None for p in procs):
        time.sleep(0.01)
    go.touch()
    errors = [p.communicate(timeout=120)[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, errors
    store = RunStore(target)
    assert store.schema_version() == SCHEMA_VERSION
    assert sorted(r.model for r in store.list()) == sorted(f"p{k}-{i}" for k in range(8) for i in range(3))


def test_a_run_is_saved_as_running_then_finished(target, result):
    store = RunStore(target)
    run_id = store.save(None, status="running", dataset="digits", model="numpy_mlp")
    assert store.get(run_id).status == "running" and store.get(run_id).result is None
    store.finish(run_id, result)
    assert store.get(run_id).status == "complete" and store.get(run_id).result == result
    other = store.save(None, status="running", dataset="csv", model="knn")
    store.finish(other, None, error="Too few rows")
    assert store.get(other).status == "failed" and store.get(other).error == "Too few rows"


def test_rows_left_running_by_a_gone_process_become_interrupted(target):
    store = RunStore(target)
    mine = store.save(None, status="running", dataset="digits", model="numpy_mlp")  # this process: alive
    child = subprocess.run(
        [sys.executable, "-c", f"from core.records.store import RunStore; print(RunStore({target!r}).save("
         "None, status='running', dataset='digits', model='knn'))"],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    orphan = int(child.stdout.strip().splitlines()[-1])
    assert store.get(orphan).status == "running"
    assert store.mark_interrupted() == 1
    assert store.get(orphan).status == "interrupted" and "ended before it finished" in store.get(orphan).error
    assert store.get(mine).status == "running"
    assert process_token().split()[1] == str(os.getpid())


def test_urls_map_to_the_pinned_driver_and_unknown_ones_are_one_line(tmp_path):
    assert resolve_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert resolve_url(str(tmp_path / "x.sqlite")) == f"sqlite:///{tmp_path / 'x.sqlite'}"
    for url, words in (
        ("mysql://u:secret@h/db", "does not support"),
        ("oracle+nosuchdriver://u:secret@h/db", "does not support"),
        ("postgresql+nosuchdriver://u:secret@h/db", "driver"),
        ("postgresql+psycopg2://u:secret@h/db", "not installed"),
        ("postgresql://u:secret@127.0.0.1:1/db", "could not be reached"),
    ):
        store, warning = open_store(url)
        assert store.in_memory and words in warning, (url, warning)
        assert "secret" not in warning and "\n" not in warning and "[SQL" not in warning


def test_an_imported_running_run_comes_in_as_interrupted(tmp_path, result):
    source = RunStore(str(tmp_path / "a.sqlite"))
    source.save(None, status="running", dataset="digits", model="numpy_mlp")
    store = RunStore(str(tmp_path / "b.sqlite"))
    assert store.import_json(source.export_json()).added == 1
    assert [r.status for r in store.list()] == ["interrupted"]  # nobody here will ever finish it


def test_paging_filters_and_the_frontier_projection_on_both_backends(target, result):
    from core.records.store import RunFilter, headline

    store = RunStore(target)
    rows = [
        {
            "created_at": f"2026-01-{1 + i % 28:02d}T00:00:00+00:00",
            "kind": ("train", "trial")[i % 2],
            "status": "complete" if i % 3 else "failed",
            "dataset": ("digits", "mnist")[i % 2],
            "model": ("numpy_mlp", "knn", "logistic_regression")[i % 3],
            "result_json": result.to_json() if i % 3 else None,
            "error": None,
            "app_version": "test",
            "tags": ("fast", "fastest,50%_off", "")[i % 3],
            "uuid": str(uuid.UUID(int=i + 1)),
            **headline(result if i % 3 else None),
        }
        for i in range(60)
    ]
    assert store.insert_rows(rows) == (60, 0)
    page = store.page(RunFilter(datasets=("mnist",), statuses=("complete",)), limit=5, offset=2)
    expected = [i + 1 for i in reversed(range(60)) if i % 2 and i % 3]
    assert page.total == len(expected) and [r.id for r in page.runs] == expected[2:7]
    assert all(r.has_result and r.val_accuracy == result.validation.accuracy for r in page.runs)
    assert store.count(RunFilter(tag="fast")) == 20 and store.count(RunFilter(tag="50%_off")) == 20
    assert store.count(RunFilter(tag="50%")) == 0  # a whole tag, wildcards matched literally
    assert store.count(RunFilter(since="2026-01-27", until="2026-01-28")) == 4
    assert [p[0] for p in store.frontier_points(RunFilter(models=("knn",)))] == [i + 1 for i in range(60) if i % 3 == 1]
    assert store.facets()["model"] == ["knn", "logistic_regression", "numpy_mlp"]
