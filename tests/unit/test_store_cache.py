"""History's answers kept until the store changes: the change stamp moves on any commit (another process's
too), cached counts, pages, facets, the frontier and runs follow it; the frontier view against a plain-Python
oracle; and the listing and filter queries read indexes only (EXPLAIN QUERY PLAN), never the runs table."""

import random
import sqlite3
import subprocess
import sys

import pytest
from sqlalchemy import event

from core.records.store import RunFilter, RunStore
from core.records.store_frontier import datasets_newest_first, frontier_view
from tests.unit.test_store import pg_server, target  # noqa: F401  (fixtures: SQLite and PostgreSQL stores)
from tests.unit.test_store_scale import generated, small_result  # noqa: F401  (fixture)

N = 300


@pytest.fixture
def store(tmp_path, small_result):  # noqa: F811
    store = RunStore(str(tmp_path / "runs.sqlite"))
    assert store.insert_rows(generated(small_result, N)) == (N, 0)
    return store


def _other_process(path, *statements: str) -> None:
    """Run SQL in a separate Python process (plain sqlite3), as another app or CLI would write."""
    script = "import sqlite3, sys\ncon = sqlite3.connect(sys.argv[1])\n"
    script += "".join(f"con.execute({s!r})\n" for s in statements) + "con.commit()\n"
    subprocess.run([sys.executable, "-c", script, str(path)], check=True, timeout=60)


def test_cached_answers_follow_a_run_added_and_a_note_changed_by_another_process(store, monkeypatch):
    where = RunFilter(models=("knn",))
    before = (store.count(), store.count(where), store.facets(), store.page(where, limit=5))
    frontier = store.frontier_points()
    assert store.get(1).notes == ""
    calls = []
    for name in ("_page", "_facets", "_frontier"):  # asked again, nothing is read again
        real = getattr(RunStore, name)
        monkeypatch.setattr(RunStore, name, lambda self, *a, _real=real, _n=name: calls.append(_n) or _real(self, *a))
    stamp = store.change_stamp()
    assert (store.count(), store.count(where), store.facets(), store.page(where, limit=5)) == before
    assert store.frontier_points() == frontier and calls == [] and store.change_stamp() == stamp

    copied = "created_at, kind, status, dataset, {model}, result_json, error, app_version, notes, tags, val_accuracy"
    copied += ", val_f1, test_accuracy, train_time_s, model_repr, task, result_state, timing_context"
    _other_process(
        store.where,
        f"INSERT INTO runs (uuid, {copied.format(model='model')}) "
        f"SELECT 'copy', {copied.format(model=repr('svm'))} FROM runs WHERE id = 2",
        "UPDATE runs SET notes = 'from elsewhere' WHERE id = 1",
    )
    assert store.change_stamp() != stamp
    assert store.count() == N + 1 and store.count(where) == before[1]
    assert "svm" in store.facets()["model"] and "svm" not in before[2]["model"]
    assert store.page(limit=1).runs[0].model == "svm" and store.page(limit=1).total == N + 1
    assert len(store.frontier_points()) == len(frontier) + 1
    assert store.get(1).notes == "from elsewhere"
    assert set(calls) == {"_page", "_facets", "_frontier"}


def test_this_objects_own_writes_move_the_stamp_on_file_and_in_memory(tmp_path, small_result):  # noqa: F811
    for location in (str(tmp_path / "own.sqlite"), "sqlite://"):
        store = RunStore(location)
        assert store.count() == 0
        stamp = store.change_stamp()
        run_id = store.save(small_result)
        assert store.change_stamp() != stamp and store.count() == 1
        store.annotate(run_id, notes="mine")
        assert store.get(run_id).notes == "mine"
        store.delete(run_id)
        assert store.count() == 0 and store.facets()["model"] == []


def test_answers_follow_another_store_objects_writes_on_sqlite_and_postgresql(target, small_result):  # noqa: F811
    """PostgreSQL has no cheap change stamp: nothing is kept there, every answer is read again."""
    mine, other = RunStore(target), RunStore(target)
    assert (mine.change_stamp() is None) == target.startswith("postgresql")
    assert mine.count() == 0 and mine.facets()["model"] == [] and mine.frontier_points() == []
    run_id = other.save(small_result)
    assert mine.count() == 1 and mine.facets()["model"] == ["numpy_mlp"] and len(mine.frontier_points()) == 1
    assert mine.get(run_id).notes == ""
    other.annotate(run_id, notes="changed")
    assert mine.get(run_id).notes == "changed" and mine.page().runs[0].notes == "changed"
    other.delete(run_id)
    assert mine.count() == 0 and mine.group_page().total == 0


def _oracle(points, dataset, include_all_timing):
    board = [p for p in points if p[2] == dataset and (include_all_timing or p[6] == "serial")]
    front = {
        p[0] for p in board if not any(q[4] >= p[4] and q[5] <= p[5] and (q[4] > p[4] or q[5] < p[5]) for q in board)
    }
    return board, front


def test_the_frontier_view_marks_the_true_frontier_and_draws_it_whole():
    rng = random.Random(3)
    points = [
        (
            i,
            rng.choice(["knn", "numpy_mlp"]),
            rng.choice(["digits", "mnist"]),
            "repr",
            round(rng.random(), 2),  # ties on purpose
            round(rng.uniform(0.1, 5), 1),
            rng.choice(["serial", "serial", "parallel:2"]),
        )
        for i in range(1, 2001)
    ]
    assert datasets_newest_first(points) == tuple(dict.fromkeys(p[2] for p in reversed(points)))
    for dataset in ("digits", "mnist"):
        for include in (False, True):
            board, front = _oracle(points, dataset, include)
            view = frontier_view(points, dataset, include_all_timing=include, drawn=60)
            assert (view.comparable, view.on_frontier) == (len(board), len(front))
            drawn = {p[0]: p for p in view.points}
            assert {i for i, p in drawn.items() if p[5]} == front  # the frontier whole, marked
            assert len(view.points) <= max(60, len(front)) and [p[0] for p in view.points] == sorted(drawn)
            others = [p[0] for p in board if p[0] not in front]
            assert [i for i in drawn if i not in front] == others[:: view.every]  # evenly, oldest first
    assert frontier_view(points, "cifar", include_all_timing=True).comparable == 0


def test_listing_and_filter_queries_read_indexes_only(store):
    """Every SELECT History runs for a filter uses an index (the summary index covers the listing), so no query
    reads the runs table, whose rows carry each result's JSON and arrays."""
    captured: list[tuple[str, tuple]] = []

    @event.listens_for(store._engine, "before_cursor_execute")
    def _capture(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        if statement.lstrip().upper().startswith("SELECT") and "schema_version" not in statement:
            captured.append((statement, tuple(parameters)))

    where = RunFilter(models=("knn",), statuses=("complete",), tag="fast", since="2026-01-02")
    store.facets()
    for w in (RunFilter(), where):
        store.count(w)
        store.page(w, limit=50, offset=10)
        store.group_page(w, limit=50)
        store.frontier_points(w)
    assert len(captured) >= 15
    con = sqlite3.connect(store.where)
    for statement, parameters in captured:
        plan = [row[3] for row in con.execute("EXPLAIN QUERY PLAN " + statement, parameters)]
        touching = [step for step in plan if " runs" in step]
        assert touching and all("COVERING INDEX" in step for step in touching), (statement, plan)
