"""The run store at scale: paging and filters in SQL at 10,000 runs, the headline-column migration's backfill,
exports that copy stored results, and the CLI's ``runs list --limit/--offset``."""

import dataclasses
import json
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from core.config import DataConfig, ModelConfig
from core.errors import ConfigError
from core.records.store import SCHEMA_VERSION, RunFilter, RunStore, headline
from core.records.store_db import MIGRATIONS
from core.training.trainer import train
from tests.helpers import run_cli

N = 10_000
DATASETS = ("digits", "breast_cancer", "mnist")
MODELS = ("numpy_mlp", "keras_mlp", "logistic_regression", "knn")
STATUSES = ("complete", "complete", "stopped", "failed")
KINDS = ("train", "trial", "trial", "cv")
TAGS = ("", "fast", "fastest", "fast,demo", "demo")
DAY0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def small_result():
    """A real run made small: no curves, no per-class rows, no predictions (the store never looks inside)."""
    r = train(DataConfig(), ModelConfig(epochs=1, hidden_units=(8,)))
    lean = {"roc_curves": (), "pr_curves": (), "per_class": ()}
    return dataclasses.replace(
        r,
        validation=dataclasses.replace(r.validation, **lean),
        test=dataclasses.replace(r.test, **lean),
        predictions={},
    )


def generated(result, n: int = N) -> list[dict]:
    """n rows for the store's batch path; run i's fields cycle through the lists above, its metrics vary."""
    base = result.to_dict()
    acc_mark, time_mark = 0.123456789012345, 98765.43210987  # replaced per run in the serialised template
    base["metrics"]["validation"]["accuracy"], base["cost"]["train_time_s"] = acc_mark, time_mark
    template = json.dumps(base)
    rows = []
    for i in range(n):
        status = STATUSES[i % 4]
        accuracy, train_time_s = 0.5 + (i * 7919 % 1000) / 2000, 0.01 + (i * 104729 % 997) / 100
        text = template.replace(repr(acc_mark), repr(accuracy)).replace(repr(time_mark), repr(train_time_s))
        d = json.loads(text) if i < 3 else None  # the headline columns below are the numbers put in the text
        assert d is None or (d["metrics"]["validation"]["accuracy"], d["cost"]["train_time_s"]) == (
            accuracy,
            train_time_s,
        )
        has_result = status != "failed"
        rows.append(
            {
                "created_at": (DAY0 + timedelta(hours=i)).isoformat(timespec="seconds"),
                "kind": KINDS[i % 4],
                "status": status,
                "dataset": DATASETS[i % 3],
                "model": MODELS[i % 4 if i % 5 else 0],
                "result_json": text if has_result else None,
                "error": None if has_result else "Too few rows",
                "app_version": "tradeoff-lab test",
                "notes": "",
                "tags": TAGS[i % 5],
                "uuid": str(uuid.UUID(int=i + 1)),
                "owner": None,
                **headline(None),  # no result: every headline column NULL
                **(
                    {
                        "val_accuracy": accuracy,
                        "val_f1": result.validation.f1,
                        "test_accuracy": result.test.accuracy,
                        "train_time_s": train_time_s,
                        "model_repr": result.model_repr,
                        "task": "multiclass",
                        "result_state": "ok",
                    }
                    if has_result
                    else {}
                ),
            }
        )
    return rows


@pytest.fixture(scope="module")
def big(tmp_path_factory, small_result):
    """A store of 10,000 generated runs (inserted through the batch path) and the rows, id = index + 1."""
    store = RunStore(str(tmp_path_factory.mktemp("big") / "runs.sqlite"))
    rows = generated(small_result)
    assert store.insert_rows(rows) == (N, 0)
    return store, rows


def expected_ids(rows, keep) -> list[int]:
    return [i + 1 for i in reversed(range(len(rows))) if keep(rows[i])]  # newest first


def test_pages_are_the_right_rows_newest_first_with_the_total(big):
    store, rows = big
    first = store.page(limit=100)
    assert first.total == N and (first.first, first.last) == (1, 100)
    assert [r.id for r in first.runs] == list(range(N, N - 100, -1))
    last = store.page(limit=100, offset=9950)
    assert [r.id for r in last.runs] == list(range(50, 0, -1)) and (last.first, last.last) == (9951, 10_000)
    assert store.page(limit=100, offset=N).runs == ()
    run = store.page(limit=1, offset=N - 7).runs[0]  # id 7: checked against the row it came from
    row = rows[6]
    assert (run.id, run.dataset, run.model, run.status, run.kind) == (
        7,
        row["dataset"],
        row["model"],
        row["status"],
        row["kind"],
    )
    assert run.val_accuracy == pytest.approx(row["val_accuracy"]) and run.tags == tuple(row["tags"].split(","))


def test_filters_run_in_sql_and_match_a_python_count(big):
    store, rows = big
    cases = [
        (RunFilter(datasets=("digits",)), lambda r: r["dataset"] == "digits"),
        (
            RunFilter(datasets=("digits", "mnist"), statuses=("complete",), kinds=("trial",)),
            lambda r: r["dataset"] in ("digits", "mnist") and r["status"] == "complete" and r["kind"] == "trial",
        ),
        (RunFilter(models=("knn",)), lambda r: r["model"] == "knn"),
        (RunFilter(tag="fast"), lambda r: "fast" in r["tags"].split(",")),  # not "fastest"
        (
            RunFilter(since="2026-02-01", until="2026-02-03", statuses=("failed",)),
            lambda r: "2026-02-01" <= r["created_at"][:10] <= "2026-02-03" and r["status"] == "failed",
        ),
        (RunFilter(tag="50%_off"), lambda r: False),  # LIKE wildcards in a tag are matched literally
    ]
    for where, keep in cases:
        ids = expected_ids(rows, keep)
        page = store.page(where, limit=100, offset=10)
        assert page.total == len(ids), where
        assert [r.id for r in page.runs] == ids[10:110], where
        points = store.frontier_points(where)
        assert [p[0] for p in points] == sorted(i for i in ids if rows[i - 1]["result_json"] is not None), where
    assert store.facets()["dataset"] == sorted(DATASETS) and store.facets()["kind"] == ["cv", "train", "trial"]


def test_paging_arguments_are_checked(big):
    store, _ = big
    with pytest.raises(ConfigError, match="'limit'.*1000.*5000"):
        store.page(limit=5000)
    with pytest.raises(ConfigError, match="'offset'.*-1"):
        store.page(offset=-1)
    with pytest.raises(ConfigError, match="'since'.*YYYY-MM-DD.*'yesterday'"):
        store.page(RunFilter(since="yesterday"))


def test_an_export_copies_stored_results_and_imports_back(big, tmp_path):
    store, rows = big
    where = RunFilter(datasets=("mnist",), models=("numpy_mlp",), statuses=("complete",))
    exported = json.loads(store.export_json(where=where))
    keep = {"dataset": "mnist", "model": "numpy_mlp", "status": "complete"}
    ids = expected_ids(rows, lambda r: all(r[k] == v for k, v in keep.items()))
    assert len(ids) > 500
    assert [e["uuid"] for e in exported["runs"]] == [rows[i - 1]["uuid"] for i in reversed(ids)]  # oldest first
    assert exported["runs"][0]["result"] == json.loads(rows[ids[-1] - 1]["result_json"])
    copy = RunStore(str(tmp_path / "copy.sqlite"))
    assert copy.import_json(json.dumps(exported)).added == len(ids)
    assert [p[4] for p in copy.frontier_points()] == [p[4] for p in store.frontier_points(where)]
    lines = store.export_csv(where=RunFilter(tag="demo")).splitlines()
    assert len(lines) == 1 + len(expected_ids(rows, lambda r: "demo" in r["tags"].split(",")))


def _version_3_store(path, result) -> None:
    """A database as version 3 of the app left it: one good result, one unreadable, one failed run."""
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    con.execute("INSERT INTO schema_version VALUES (3)")
    for step in (s for migration in MIGRATIONS[:3] for s in migration if isinstance(s, str)):
        con.execute(step.replace("{id_column}", "INTEGER PRIMARY KEY AUTOINCREMENT"))
    for result_json in (result.to_json(), '{"cost": "x"}', None):
        con.execute(
            "INSERT INTO runs (created_at, kind, status, dataset, model, result_json, app_version, uuid) VALUES "
            "('2026-01-01T00:00:00+00:00', 'train', ?, 'digits', 'numpy_mlp', ?, 'v3', ?)",
            ("complete" if result_json else "failed", result_json, str(uuid.uuid4())),
        )
    con.commit()
    con.close()


def test_the_migration_backfills_headline_columns_from_stored_results(tmp_path, small_result):
    path = tmp_path / "v3.sqlite"
    _version_3_store(path, small_result)
    store = RunStore(str(path))
    assert store.schema_version() == SCHEMA_VERSION
    with sqlite3.connect(path) as con:
        cols = "val_accuracy, val_f1, test_accuracy, train_time_s, model_repr, task, result_state"
        good, bad, failed = con.execute(f"SELECT {cols} FROM runs ORDER BY id").fetchall()
    r = small_result
    assert good == (
        r.validation.accuracy,
        r.validation.f1,
        r.test.accuracy,
        r.cost.train_time_s,
        r.model_repr,
        r.dataset["task"],
        "ok",
    )
    assert bad == (None,) * 6 + ("unreadable",) and failed == (None,) * 6 + ("none",)
    page = store.page()
    assert [(s.id, s.status, s.has_result) for s in page.runs] == [
        (3, "failed", False),
        (2, "unreadable", False),
        (1, "complete", True),
    ]
    assert [p[0] for p in store.frontier_points()] == [1]
    assert [e["uuid"] for e in json.loads(store.export_json())["runs"]] == [store.get(1).uuid, store.get(3).uuid]


def test_a_row_another_program_wrote_is_checked_when_listed(tmp_path, small_result):
    path = tmp_path / "runs.sqlite"
    store = RunStore(str(path))
    with sqlite3.connect(path) as con:  # no headline columns: nobody checked these results
        for i, result_json in enumerate((small_result.to_json(), "not json")):
            con.execute(
                "INSERT INTO runs (created_at, kind, status, dataset, model, result_json, app_version, uuid) VALUES "
                "('2026-01-01T00:00:00+00:00', 'train', 'complete', 'digits', 'numpy_mlp', ?, 'other', ?)",
                (result_json, f"u{i}"),
            )
    bad, good = store.page().runs
    assert (good.status, good.val_accuracy) == ("complete", small_result.validation.accuracy)
    assert (bad.status, bad.val_accuracy) == ("unreadable", None)
    assert len(json.loads(store.export_json())["runs"]) == 1


def test_runs_list_pages_with_limit_and_offset(tmp_path, monkeypatch, small_result):
    db = tmp_path / "runs.sqlite"
    RunStore(str(db)).insert_rows(generated(small_result, 30))
    monkeypatch.setenv("TRADEOFF_LAB_DB", str(db))
    proc = run_cli("runs", "list", "--limit", "5", "--offset", "2", "--dataset", "digits")
    assert proc.returncode == 0, proc.stderr
    digits = [i + 1 for i in reversed(range(30)) if i % 3 == 0]  # ids of the 10 digits runs, newest first
    assert [int(line.split()[0]) for line in proc.stdout.splitlines()] == digits[2:7]
    assert "showing 3–7 of 10 run(s); --offset 7 for the next page" in proc.stderr
    as_json = json.loads(run_cli("runs", "list", "--limit", "3", "--json").stdout)
    assert [r["id"] for r in as_json] == [30, 29, 28] and set(as_json[0]) >= {"accuracy", "train_time_s", "kind"}
    bad = run_cli("runs", "list", "--limit", "0")
    assert bad.returncode == 2 and "--limit must be an integer in [1, 1000]. Got 0." in bad.stderr


def test_the_export_reader_decodes_like_json_loads_and_keeps_each_result_as_written(tmp_path, small_result):
    from core.records.store_import import ImportFormatError, _loads_export, parse_export

    result = json.loads(small_result.to_json())
    entry = {"uuid": str(uuid.UUID(int=7)), "kind": "train", "status": "complete", "tags": ["a"], "result": result}
    failed = {"uuid": str(uuid.UUID(int=8)), "status": "failed", "dataset": "csv", "model": "knn", "result": None}
    doc = {"format": "tradeoff-lab-runs", "version": 2, "runs": [entry, failed], "extra": {"runs": [1]}}
    for text in (json.dumps(doc), json.dumps(doc, indent=2), json.dumps(doc, separators=(",", ":")) + "\n\t "):
        assert _loads_export(text) == json.loads(text)
        assert _loads_export(text.encode("utf-16")) == json.loads(text)  # bytes, any encoding json reads
    pretty = json.dumps({**doc, "extra": None}, indent=3)
    row = parse_export(pretty)[0]
    assert json.loads(row["result_json"]) == result and "\n   " in row["result_json"]  # stored as written
    store = RunStore(str(tmp_path / "runs.sqlite"))
    assert store.import_json(pretty).added == 2 and store.get(1).result == small_result
    for bad, words in (
        (json.dumps(doc)[:-5], "not JSON"),  # truncated
        (json.dumps(doc) + " {}", "Extra data"),
        (json.dumps(doc).replace(', "status"', ' "status"', 1), "Expecting ',' or '}'"),
        ('{"format": "tradeoff-lab-runs", "runs": [' + "[" * 100_000 + "]" * 100_000 + "]}", "nested"),
    ):
        with pytest.raises(ImportFormatError, match=words):
            parse_export(bad)


def test_runs_list_loads_no_heavy_library_and_never_checks_a_large_file_to_read_it(tmp_path):
    """The ``runs list`` path: no pandas, Streamlit, scikit-learn, TensorFlow or JAX import, and a SQLite file over
    the open-time limit is read without PRAGMA quick_check (it runs before a first write instead)."""
    import os
    import subprocess
    import sys

    from core.records import store_db

    path = tmp_path / "runs.sqlite"
    RunStore(str(path)).save(None, status="failed", dataset="digits", model="knn", error="x")
    code = (
        "import sys; from core.records import store_db; store_db.CHECK_AT_OPEN_BYTES = 0\n"
        "calls = []; check = store_db.Database._check_integrity\n"
        "store_db.Database._check_integrity = lambda self: calls.append(1) or check(self)\n"
        "from core.cli import main; assert main(['runs', 'list', '--limit', '5']) == 0\n"
        "heavy = ('pandas', 'streamlit', 'sklearn', 'tensorflow', 'jax')\n"
        "print(sorted(m for m in heavy if m in sys.modules), len(calls))\n"
        "from core.records.store import RunStore; RunStore().annotate(1, notes='n'); print(len(calls))"
    )
    env = {**os.environ, "TRADEOFF_LAB_DB": str(path)}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr[-500:]
    lines = proc.stdout.strip().splitlines()
    assert lines[-2].endswith("[] 0") and lines[-1] == "1"  # listed unchecked; checked once before the write
    assert store_db.CHECK_AT_OPEN_BYTES >= 1024 * 1024  # small files are still checked when they open
