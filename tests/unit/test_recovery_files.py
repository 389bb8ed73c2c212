"""``~/.tradeoff_lab/unsaved``: recovery files of one or several runs, listed by name only, and ``runs import
--unsaved`` (all or nothing, the files then moved to ``unsaved/imported/``; a bad file set aside and named)."""

import sqlite3

import pytest

from core.cli import EXIT_STORE, EXIT_USAGE, main
from core.records.store import RunStore
from core.records.store_import import write_recovery_file
from core.records.unsaved import Unsaved, waiting


@pytest.fixture
def home(private_home, tmp_path, monkeypatch):
    """The private home's unsaved folder, its store in tmp_path, a lock given up after 0.3 s."""
    monkeypatch.setenv("TRADEOFF_LAB_DB_LOCK_S", "0.3")
    monkeypatch.setenv("TRADEOFF_LAB_DB", str(tmp_path / "runs.sqlite"))
    return private_home / ".tradeoff_lab" / "unsaved"


def test_the_listing_counts_the_runs_each_file_name_says_it_holds(home, tiny_result):
    assert waiting().files == () and waiting().n_runs == 0  # no folder yet
    one = write_recovery_file(tiny_result)
    several = write_recovery_file([Unsaved(tiny_result, kind="cv", group="cv-1")] * 3, kind="cv")
    (home / "imported").mkdir()
    (home / "imported" / "old-9runs.json").write_text("{}")  # imported already: not offered
    (home / "notes.txt").write_text("")  # not a recovery file
    assert several.name.endswith("-3runs.json") and "-cv-" in several.name
    assert waiting().files == tuple(sorted((one, several))) and waiting().n_runs == 4
    with pytest.raises(ValueError, match="at least one run"):
        write_recovery_file([])


def test_runs_import_unsaved_waits_for_the_lock_then_imports_and_moves_the_files(home, tmp_path, capsys, tiny_result):
    path = tmp_path / "runs.sqlite"
    RunStore(str(path))
    kept = [write_recovery_file(tiny_result), write_recovery_file([Unsaved(None, kind="trial", error="boom")] * 2)]
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        assert main(["runs", "import", "--unsaved"]) == EXIT_STORE
        err = capsys.readouterr().err
        assert "locked" in err and "files in the unsaved folder stay where they are" in err
        assert all(p.exists() for p in kept) and RunStore(str(path)).count() == 0
    finally:
        holder.close()
    assert main(["runs", "import", "--unsaved"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Imported 3 run(s).") and "2 file(s) moved to" in out
    assert sorted(p.name for p in (home / "imported").iterdir()) == sorted(p.name for p in kept)
    assert main(["runs", "import", "--unsaved"]) == 0  # nothing left: said, not an error
    assert "No runs are waiting" in capsys.readouterr().out and RunStore(str(path)).count() == 3


def test_runs_import_unsaved_names_a_bad_file_sets_it_aside_and_imports_the_others(home, tmp_path, capsys, tiny_result):
    good = write_recovery_file(tiny_result)
    bad = home / "20260101T000000Z-0badf11e.json"
    bad.write_bytes(b"\x00not json")
    assert main(["runs", "import", "--unsaved"]) == EXIT_USAGE
    out = capsys.readouterr().out
    assert "Imported 1 run(s)." in out and f"Not imported: {bad.name}" in out and "not JSON" in out
    assert (home / "refused" / bad.name).exists() and (home / "imported" / good.name).exists()
    assert RunStore(str(tmp_path / "runs.sqlite")).count() == 1


def test_runs_import_takes_files_or_unsaved_not_both(home, capsys, tiny_result):
    kept = write_recovery_file(tiny_result)
    assert main(["runs", "import", str(kept), "--unsaved"]) == EXIT_USAGE
    assert main(["runs", "import"]) == EXIT_USAGE
    assert "FILE... or --unsaved" in capsys.readouterr().err and kept.exists()
