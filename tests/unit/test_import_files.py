"""``runs import FILE...``: several exports checked in worker processes, inserted in one transaction — the same rows
as importing them one by one, and all or nothing with the same refusal messages (SQLite and PostgreSQL)."""

import copy
import json

import pytest

from core.cli import main
from core.cli.args import EXIT_USAGE
from core.config import DataConfig, ModelConfig
from core.records.store import RunStore
from core.records.store_import import ImportFormatError, import_files
from core.training.trainer import train
from tests.unit.test_store import pg_server, target  # noqa: F401  (fixtures: SQLite and PostgreSQL stores)


@pytest.fixture(scope="module")
def result():
    return train(DataConfig(), ModelConfig(epochs=2, hidden_units=(16,)))


@pytest.fixture
def exports(tmp_path, result) -> list[dict]:
    """Three exports of two runs each (notes n0…n5, oldest first); the third repeats the first file's first run."""
    source = RunStore(str(tmp_path / "source.sqlite"))
    for i in range(6):
        failed = {"status": "failed", "dataset": "csv", "model": "knn", "error": "Too few rows"} if i == 4 else {}
        source.annotate(source.save(None if failed else result, **failed), notes=f"n{i}")
    runs = json.loads(source.export_json())["runs"]
    docs = [json.loads(source.export_json()) for _ in range(3)]
    for k, doc in enumerate(docs):
        doc["runs"] = runs[2 * k : 2 * k + 2]
    docs[2]["runs"].append(copy.deepcopy(runs[0]))
    return docs


def _write(tmp_path, docs: list[dict]) -> list:
    paths = []
    for k, doc in enumerate(docs):
        path = tmp_path / f"export-{k}.json"
        path.write_text(json.dumps(doc))
        paths.append(path)
    return paths


def _snapshot(store: RunStore) -> list[tuple]:
    return [
        (r.uuid, r.created_at, r.notes, r.status, r.app_version, r.result)
        for r in sorted(store.list(), key=lambda r: r.id)
    ]


@pytest.mark.parametrize("processes", [2, 1])
def test_several_files_add_the_same_rows_as_one_import_each(target, tmp_path, exports, processes):  # noqa: F811
    paths = _write(tmp_path, exports)
    one_by_one = RunStore(str(tmp_path / "one.sqlite"))
    for path in paths:
        one_by_one.import_json(path.read_bytes())
    store = RunStore(target)
    report = import_files(store, paths, processes=processes)
    assert (report.added, report.skipped) == (6, 1)  # the third file's repeat of a run the first file added
    assert _snapshot(store) == _snapshot(one_by_one)
    assert [s[2] for s in _snapshot(store)] == [f"n{i}" for i in range(6)]  # in the files' order
    again = import_files(store, paths, processes=processes)
    assert (again.added, again.skipped) == (0, 7) and store.count() == 6


@pytest.mark.parametrize("processes", [2, 1])
def test_a_refused_file_names_itself_and_its_first_bad_run_and_nothing_is_written(
    target,  # noqa: F811
    tmp_path,
    exports,
    result,
    processes,  # noqa: F811
):
    store = RunStore(target)
    store.annotate(store.save(result), notes="mine")
    before = _snapshot(store)
    alone = copy.deepcopy(exports[1])
    alone["runs"][1]["result"]["metrics"]["validation"]["accuracy"] = 7
    alone["runs"][0]["kind"] = {}  # the file's first bad run is its first
    with pytest.raises(ImportFormatError) as single:
        store.import_json(json.dumps(alone))
    exports[1] = alone
    exports[2]["runs"][0]["status"] = "done"  # a later file is bad too: the first refused file is named
    with pytest.raises(ImportFormatError) as several:
        import_files(store, _write(tmp_path, exports), processes=processes)
    assert str(several.value) == f"export-1.json: {single.value}"
    assert str(several.value).startswith("export-1.json: Run 1 of 2: 'runs[0].kind' must be one of")
    assert str(several.value).endswith("Nothing was imported.") and "\n" not in str(several.value)
    assert _snapshot(store) == before  # not even the first file's runs


def test_a_missing_file_is_the_os_error_and_nothing_is_written(tmp_path, exports):
    store = RunStore(str(tmp_path / "runs.sqlite"))
    paths = _write(tmp_path, exports)
    with pytest.raises(FileNotFoundError, match="missing.json"):
        import_files(store, [*paths[:2], tmp_path / "missing.json", paths[2]])
    assert store.count() == 0


def test_the_cli_imports_several_files_all_or_nothing(tmp_path, exports, monkeypatch, capsys):
    path = tmp_path / "runs.sqlite"
    monkeypatch.setenv("TRADEOFF_LAB_DB", str(path))
    paths = [str(p) for p in _write(tmp_path, exports)]
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["runs", "import", *paths, str(bad)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("error: bad.json: The file is not JSON") and err.count("\n") == 1
    assert RunStore(str(path)).count() == 0
    assert main(["runs", "import", *paths]) == 0
    assert capsys.readouterr().out.strip() == "Imported 6 run(s); 1 already present, skipped."
    assert main(["runs", "import", str(tmp_path / "nowhere.json")]) == EXIT_USAGE
    assert "nowhere.json" in capsys.readouterr().err and RunStore(str(path)).count() == 6


def test_worker_processes_are_spawned_where_threads_run_and_a_dead_one_is_one_message(tmp_path, exports, monkeypatch):
    """A process running threads (a Streamlit server) must not fork: its workers are started fresh, with the same
    rows; a worker that dies (out of memory) is one StoreError and nothing is written."""
    import threading

    from core.records import store_import
    from core.records.store import StoreError

    paths = _write(tmp_path, exports)
    started = []
    real_pool = store_import._pool
    monkeypatch.setattr(threading, "active_count", lambda: 2)
    monkeypatch.setattr(store_import, "_pool", lambda n: started.append(real_pool(n)) or started[-1])
    store = RunStore(str(tmp_path / "runs.sqlite"))
    assert import_files(store, paths).added == 6
    assert started[0]._mp_context.get_start_method() == "spawn"
    monkeypatch.setattr(store_import, "_checked_file", _die)
    fresh = RunStore(str(tmp_path / "fresh.sqlite"))
    with pytest.raises(StoreError, match=r"A worker process checking export-0.json stopped"):
        import_files(fresh, paths)
    assert fresh.count() == 0


def test_no_fork_where_an_engine_runs_its_own_threads(monkeypatch):
    """JAX and TensorFlow run native thread pools that threading.active_count() does not count; forking beside
    them can deadlock the child (Python warns so), so their presence means spawn as well."""
    import sys
    import types

    from core.records import store_import

    monkeypatch.delitem(sys.modules, "jax", raising=False)
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
    monkeypatch.setattr(store_import.threading, "active_count", lambda: 1)
    with store_import._pool(1) as pool:
        assert pool._mp_context.get_start_method() == "fork"
    monkeypatch.setitem(sys.modules, "jax", types.ModuleType("jax"))
    with store_import._pool(1) as pool:
        assert pool._mp_context.get_start_method() == "spawn"


def _die(path: str) -> list:
    import os

    os._exit(1)  # as a worker killed for memory
