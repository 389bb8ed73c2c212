"""Fault injection for the run store: racing first opens, a locked, a damaged, an unreachable store, crafted
imports. Each fault must give one line (CLI) or one warning (app), keep the result, and leave the file as it was.
"""

import copy
import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.cli import EXIT_STORE, EXIT_USAGE, main
from core.records.run_schema import VARIANT_COST
from core.records.store import RunStore, StoreError, open_store
from core.records.store_import import ImportFormatError, parse_export

ROOT = Path(__file__).resolve().parents[2]
TRAIN = ["train", "--epochs", "1", "--hidden", "8", "--rows", "300"]


def _recovery_files(home: Path) -> list[Path]:
    return sorted((home / ".tradeoff_lab" / "unsaved").glob("*.json"))


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("\r[")]
    lines = [line.split("\r")[-1] for line in lines]
    lines = [line for line in lines if not line.startswith("[")]  # the progress bar
    lines = [line for line in lines if not line.startswith("estimated training time")]  # train's estimate line
    assert len(lines) == 1, err
    assert "Traceback" not in err and "[SQL" not in err and "SELECT" not in err
    return lines[0]


# --- racing first opens ----------------------------------------------------------------------------------
RACER = """
import sys, time
from pathlib import Path
from core.records.store import open_store
path, me, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
Path(f"{go}.ready{me}").touch()
while not go.exists():
    time.sleep(0.001)
store, warning = open_store(path)  # every process opens the NEW store at the same moment
if warning:
    print(warning, file=sys.stderr)
    sys.exit(4)
for i in range(5):
    store.save(None, status="complete", dataset="digits", model=f"p{me}-{i}")
"""


@pytest.mark.slow
def test_eight_processes_opening_a_new_store_at_once_keep_every_run(tmp_path):
    for round_ in range(3):
        path, go = tmp_path / f"round{round_}.sqlite", tmp_path / f"go{round_}"
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", RACER, str(path), str(k), str(go)], cwd=ROOT, stderr=subprocess.PIPE
            )
            for k in range(8)
        ]
        deadline = time.monotonic() + 120
        while len(list(tmp_path.glob(f"go{round_}.ready*"))) < 8 and time.monotonic() < deadline:
            time.sleep(0.01)
        go.touch()
        errors = [p.communicate(timeout=120)[1].decode() for p in procs]
        assert [p.returncode for p in procs] == [0] * 8, errors  # none fell back to memory
        models = [r.model for r in RunStore(str(path)).list()]
        assert sorted(models) == sorted(f"p{k}-{i}" for k in range(8) for i in range(5))


# --- a locked store ----------------------------------------------------------------------------------------
def test_a_locked_store_keeps_the_cli_result_in_a_recovery_file(
    tmp_path, private_home, monkeypatch, capsys, tiny_result
):
    path = tmp_path / "runs.sqlite"
    RunStore(str(path)).save(tiny_result)
    monkeypatch.setenv("TRADEOFF_LAB_DB", str(path))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program holds the write lock
    before = path.read_bytes()
    try:
        started = time.monotonic()
        assert main(TRAIN) == EXIT_STORE
        waited = time.monotonic() - started
        out, err = capsys.readouterr()
        line = _one_line(err)
        assert "locked" in line and "runs import" in line
        assert "accuracy" in out  # the result is still printed
        assert path.read_bytes() == before
    finally:
        holder.rollback()
        holder.close()
    assert waited < 30
    (recovery,) = _recovery_files(private_home)
    assert main(["runs", "import", str(recovery)]) == 0 and "Imported 1 run(s)" in capsys.readouterr().out
    assert RunStore(str(path)).count() == 2


def test_a_store_locked_for_readers_too_opens_in_memory_with_one_warning(tmp_path, monkeypatch, tiny_result):
    path = tmp_path / "runs.sqlite"
    RunStore(str(path)).save(tiny_result)
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=DELETE")  # a rollback journal: an exclusive lock keeps readers out too
    con.execute("BEGIN EXCLUSIVE")
    before = path.read_bytes()
    monkeypatch.setenv("TRADEOFF_LAB_DB_LOCK_S", "1")
    try:
        store, warning = open_store(str(path))
        assert store.in_memory and "locked" in warning and "\n" not in warning
        assert store.get(store.save(tiny_result)).result == tiny_result  # the session goes on in memory
        assert path.read_bytes() == before
    finally:
        con.rollback()
        con.close()


def test_a_write_that_meets_a_lock_is_a_store_error_not_sql(tmp_path, tiny_result):
    path = tmp_path / "runs.sqlite"
    store = RunStore(str(path), lock_s=0.5)
    run_id = store.save(tiny_result)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        for write in (lambda: store.annotate(run_id, notes="x"), lambda: store.save(tiny_result)):
            with pytest.raises(StoreError, match="locked by another process") as info:
                write()
            assert "UPDATE" not in str(info.value) and "INSERT" not in str(info.value)
    finally:
        holder.close()
    store.annotate(run_id, notes="after")  # the lock is gone: writes work again
    assert store.get(run_id).notes == "after"


# --- a damaged file ------------------------------------------------------------------------------------------
def _damage(path: Path) -> bytes:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2 // 4096 * 4096
    data[middle : middle + 4096] = b"\x55" * 4096  # one page in the middle overwritten
    path.write_bytes(bytes(data))
    return bytes(data)


def test_a_damaged_page_means_memory_a_banner_and_an_untouched_file(
    tmp_path, private_home, monkeypatch, capsys, tiny_result
):
    path = tmp_path / "runs.sqlite"
    store = RunStore(str(path))
    for _ in range(4):
        store.save(tiny_result)
    del store
    damaged = _damage(path)
    memory, warning = open_store(str(path))
    assert memory.in_memory and "damaged" in warning and "\n" not in warning
    monkeypatch.setenv("TRADEOFF_LAB_DB", str(path))
    assert main(TRAIN) == EXIT_STORE
    out, err = capsys.readouterr()
    assert "damaged" in _one_line(err) and "accuracy" in out and len(_recovery_files(private_home)) == 1
    for command in (["runs", "list"], ["runs", "show", "1"], ["runs", "export"], ["runs", "delete", "1"]):
        assert main(command) == EXIT_STORE
        assert "damaged" in _one_line(capsys.readouterr().err)
    assert path.read_bytes() == damaged  # never written to


# --- a missing driver, an unknown or unreachable URL -----------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("postgresql://user:secret@127.0.0.1:5432/runs", "not installed"),  # psycopg hidden below
        ("mysql://user:secret@localhost/runs", "does not support"),
        ("postgresql://user:secret@127.0.0.1:1/runs", "could not be reached"),
    ],
)
def test_an_unusable_url_is_one_line_and_the_result_is_kept(url, words, private_home, monkeypatch, capsys):
    if words == "not installed":
        monkeypatch.setitem(sys.modules, "psycopg", None)  # as if the driver had never been installed
    monkeypatch.setenv("TRADEOFF_LAB_DB", url)
    store, warning = open_store()
    assert store.in_memory and words in warning and "secret" not in warning
    assert main(TRAIN) == EXIT_STORE
    out, err = capsys.readouterr()
    assert words in _one_line(err) and "secret" not in err and "accuracy" in out
    (recovery,) = _recovery_files(private_home)
    assert len(parse_export(recovery.read_text())) == 1  # the format `runs import` reads
    assert main(["runs", "list"]) == EXIT_STORE
    assert words in _one_line(capsys.readouterr().err)


# --- crafted imports ---------------------------------------------------------------------------------------------
@pytest.fixture
def export(tmp_path, tiny_result) -> dict:
    source = RunStore(str(tmp_path / "source.sqlite"))
    for note in ("one", "two", "three"):
        source.annotate(source.save(tiny_result), notes=note)
    return json.loads(source.export_json())


def _snapshot(store: RunStore) -> list[tuple]:
    return [(r.id, r.uuid, r.created_at, r.notes, r.status) for r in store.list()]


def _crafted(export: dict) -> dict[str, tuple[str, str]]:
    """name → (file text, words the error must contain)."""
    cases = {}
    bad_type = copy.deepcopy(export)
    bad_type["runs"][0]["result"]["cost"]["train_time_s"] = "fast"
    cases["bad type"] = (json.dumps(bad_type), "runs[0].result.cost.train_time_s")
    bad_third = copy.deepcopy(export)
    bad_third["runs"][2]["result"]["metrics"]["validation"]["accuracy"] = 7
    cases["bad third entry"] = (json.dumps(bad_third), "Run 3 of 3")
    kind = copy.deepcopy(export)
    kind["runs"][1]["kind"] = {}
    cases["kind is an object"] = (json.dumps(kind), "runs[1].kind")
    deep_env = copy.deepcopy(export)
    nested: dict = {}
    for _ in range(50):
        nested = {"x": nested}
    deep_env["runs"][0]["result"]["environment"]["extra"] = nested
    cases["deep nesting in a dict"] = (json.dumps(deep_env), "nested deeper")
    cases["deep nesting"] = ('{"format": "tradeoff-lab-runs", "version": 2, "runs": ' + "[" * 100_000, "nested")
    wrong_shape = copy.deepcopy(export)
    wrong_shape["runs"][0]["result"]["predictions"]["validation"]["proba"] = [[0.5]]
    cases["predictions that do not match"] = (json.dumps(wrong_shape), "proba")
    string_note = copy.deepcopy(export)
    string_note["runs"][1]["tags"] = "a,b"
    cases["tags as text"] = (json.dumps(string_note), "runs[1].tags")
    measured = {"runtime": "keras", "metrics": {"validation": {"accuracy": 0.9, "f1": 0.9}}}
    measured["cost"] = {key: 1 for key in VARIANT_COST}
    row = {"method": "int8", "status": "complete", "verdict": "v", "batch": "b", "model": "m", **measured}
    row["original"] = measured
    for name, change, words in (
        ("a variant row without its costs", {"cost": {}}, "runs[1].compress.cost.size_bytes"),
        (
            "a variant's latency as text",
            {"original": {**measured, "cost": {"latency_ms_p50": "1 ms"}}},
            ".original.cost",
        ),
        ("a variant row that is a list", None, "runs[1].compress"),
    ):
        variant = copy.deepcopy(export)
        variant["runs"][1] |= {"kind": "compress", "parent": variant["runs"][0]["uuid"]}
        variant["runs"][1]["compress"] = [row] if change is None else {**row, **change}
        cases[name] = (json.dumps(variant), words)
    not_compress = copy.deepcopy(export)
    not_compress["runs"][1]["compress"] = row  # a report row on a "train" run
    cases["a report row on a run that is no variant"] = (json.dumps(not_compress), "runs[1].kind")
    own_parent = copy.deepcopy(export)
    own_parent["runs"][2] |= {"kind": "compress", "parent": own_parent["runs"][2]["uuid"], "compress": row}
    cases["a variant of itself"] = (json.dumps(own_parent), "runs[2].parent")
    return cases


def test_crafted_imports_leave_the_store_exactly_as_before(tmp_path, export, tiny_result):
    store = RunStore(str(tmp_path / "runs.sqlite"))
    store.annotate(store.save(tiny_result), notes="mine")
    before = _snapshot(store)
    for name, (text, words) in _crafted(export).items():
        with pytest.raises(ImportFormatError) as info:
            store.import_json(text)
        assert words in str(info.value), (name, str(info.value))
        assert "Traceback" not in str(info.value) and "\n" not in str(info.value)
        assert _snapshot(store) == before, name


def test_a_valid_import_adds_exactly_its_runs_once(tmp_path, export, tiny_result):
    store = RunStore(str(tmp_path / "runs.sqlite"))
    store.save(tiny_result)
    before = _snapshot(store)
    doubled = copy.deepcopy(export)
    doubled["runs"].append(copy.deepcopy(export["runs"][0]))  # a run repeated inside the file
    report = store.import_json(json.dumps(doubled))
    assert (report.added, report.skipped) == (3, 1)
    after = _snapshot(store)
    assert after[len(after) - len(before) :] == before  # what was there is unchanged
    added = sorted(after[: len(after) - len(before)])
    assert [a[1] for a in added] == [e["uuid"] for e in export["runs"]]  # in the file's order
    assert [a[3] for a in added] == ["one", "two", "three"]
    assert [a[2] for a in added] == [e["created_at"] for e in export["runs"]]
    assert store.import_json(json.dumps(export)).added == 0 and _snapshot(store) == after


def test_the_cli_import_is_all_or_nothing_with_one_line(tmp_path, export, monkeypatch, capsys):
    path = tmp_path / "runs.sqlite"
    monkeypatch.setenv("TRADEOFF_LAB_DB", str(path))
    text, _ = _crafted(export)["bad third entry"]
    crafted = tmp_path / "crafted.json"
    crafted.write_text(text)
    assert main(["runs", "import", str(crafted)]) == EXIT_USAGE
    assert "Nothing was imported" in _one_line(capsys.readouterr().err)
    assert RunStore(str(path)).count() == 0
    good = tmp_path / "good.json"
    good.write_text(json.dumps(export))
    assert main(["runs", "import", str(good)]) == 0 and RunStore(str(path)).count() == 3
    assert main(["runs", "delete", "1", "2"]) == 0 and RunStore(str(path)).count() == 1
    assert main(["runs", "delete", "3", "99"]) == EXIT_USAGE  # an unknown id deletes nothing
    assert "No run with id 99" in _one_line(capsys.readouterr().err) and RunStore(str(path)).count() == 1


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda row: row.update(extra={"deep": [[[[[[["x"]]]]]]]}), "nested deeper than 6"),
        (lambda row: row.update({"k" * 201: 1}), "per_class[1]' must be an object with at most 1000 short keys"),
        (lambda row: row.update(note="x" * 10_001), "per_class[1].note' must be text of at most 10000"),
        (lambda row: row.update(note=[{"a": "x" * 10_001}]), "per_class[1].note[0].a' must be text"),
    ],
)
def test_a_per_class_row_is_checked_as_deeply_as_any_free_form_value(tiny_result, change, words):
    """Per-class rows take a one-loop path when flat (core/records/run_schema.py); anything else still gets the
    full check, with the same message."""
    from core.records.run_schema import check_result

    d = json.loads(tiny_result.to_json())
    check_result(copy.deepcopy(d))  # as it is: valid
    change(d["metrics"]["validation"]["per_class"][1])
    with pytest.raises(ImportFormatError, match="metrics.validation." if "per_class" in words else None) as info:
        check_result(d)
    assert words in str(info.value), str(info.value)


def test_only_an_import_commits_with_synchronous_normal_and_only_in_wal_mode(tmp_path, export, tiny_result):
    """WAL with synchronous=NORMAL cannot damage the file (a power cut may lose the last import); other writes and
    a store not in WAL mode keep SQLite's FULL."""
    from sqlalchemy import event

    store = RunStore(str(tmp_path / "runs.sqlite"))
    seen: list[str] = []
    event.listen(store._engine, "before_cursor_execute", lambda *a: seen.append(a[2].split(" (")[0]))
    store.save(tiny_result)
    store.annotate(1, notes="x")
    assert len(seen) > 2 and not any("synchronous" in s for s in seen)
    seen.clear()
    assert store.import_json(json.dumps(export)).added == 3
    assert seen.index("PRAGMA synchronous=NORMAL") < seen.index("BEGIN IMMEDIATE") < seen.index("INSERT INTO runs")
    assert store._pragma("PRAGMA journal_mode") == ["wal"]
    seen.clear()
    store._wal = False  # as for a file system where WAL could not be turned on
    assert store.import_json(json.dumps(export)).skipped == 3
    assert "BEGIN IMMEDIATE" in seen and not any("synchronous" in s for s in seen)
