"""The run store: every run, trial and cross-validation kept in a database with a versioned schema.

SQLite by default (``~/.tradeoff_lab/runs.sqlite``, WAL mode, short-lived connections); ``TRADEOFF_LAB_DB``
names another file or a SQLAlchemy URL (``postgresql://…``, served by psycopg) so a team can share one
history. SQL goes through bound parameters only.

Faults never lose data or show SQL: migrations run under one write lock, so any number of processes can
open a new store at once; a file that fails ``PRAGMA quick_check`` is never written to; every database error
leaves this module as a one-line :class:`StoreError`, and ``open_store`` falls back to an in-memory store
with that line as its warning. Connections, schema and locks: ``core/store_db.py``; import/export and
recovery files: ``core/store_import.py``; listings (filter, pages, facets, frontier, export rows):
``core/records/store_query.py``. Run statuses are the :class:`Status` enum.
"""

from __future__ import annotations

import itertools
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from core.records.result import RunResult
from core.records.store_db import (  # noqa: F401  (re-exported: the store's public names live here)
    DB_ENV,
    DEFAULT_PATH,
    HEADLINE_COLUMNS,
    LOCK_ENV,
    SCHEMA_VERSION,
    SUMMARY_COLUMNS,
    SUMMARY_INDEX,
    Database,
    RunNotFound,
    StoreError,
    describe,
    guarded,
    process_gone,
    process_token,
    resolve_url,
)
from core.records.store_query import (  # noqa: F401  (re-exported: listings live in store_query)
    IMPORTED,
    MAX_PAGE,
    GroupPage,
    RunFilter,
    RunGroup,
    RunPage,
    RunQueries,
    RunSummary,
    _bounded,
)
from core.records.store_scenarios import Scenario, ScenarioRuns  # noqa: F401  (Scenario re-exported)
from core.records.store_variants import VariantRuns
from core.status import STATUSES, Status  # noqa: F401  (re-exported: one status enum for runs, trials, jobs)

KINDS = ("train", "trial", "cv", "compress")


class _Unretried(Exception):
    """A database error inside a multi-batch insert after a later batch was read: raised as is, not retried."""


MAX_PARSED = 4096  # parsed results kept per store (frozen, shared read-only)


@dataclass(frozen=True)
class StoredRun:
    id: int
    created_at: str
    kind: str  # "train", "trial", "cv" or "compress"
    status: str
    dataset: str
    model: str
    notes: str
    tags: tuple[str, ...]
    app_version: str
    result: RunResult | None
    error: str | None
    uuid: str = ""
    problem: str | None = None  # why the stored row could not be read ("unreadable run #N"); result is None
    parent_id: int | None = None  # kind "compress": the run this variant was made from
    group_id: str = ""  # the sweep (trials) or cross-validation (folds) it belongs to; empty when none

    def summary(self) -> dict[str, Any]:
        r = self.result
        return {
            "id": self.id,
            "created_at": self.created_at,
            "kind": self.kind,
            "status": "unreadable" if self.problem else self.status,
            "dataset": self.dataset,
            "model": self.model,
            "accuracy": r.validation.accuracy if r else None,
            "f1": r.validation.f1 if r else None,
            "train_time_s": r.cost.train_time_s if r else None,
            "notes": self.notes,
            "tags": ", ".join(self.tags),
            "timing": r.cost.timing_context if r else "",
        }


def app_version() -> str:
    try:
        return "tradeoff-lab " + metadata.version("tradeoff-lab")
    except metadata.PackageNotFoundError:
        return "tradeoff-lab 0.1.0"


class RunStore(RunQueries, VariantRuns, ScenarioRuns, Database):
    """Runs and scenarios in one database (core/store_db.py: connections, schema, locks, errors)."""

    def __init__(self, target: str | None = None, *, lock_s: float | None = None) -> None:
        self._parsed: dict[tuple[int, int], tuple[RunResult | None, str | None]] = {}  # (id, hash) → parsed
        # set on the in-memory store ``open_store`` falls back to: why the configured one could not be used. What is
        # saved here is gone with the process, so the app also keeps it in ~/.tradeoff_lab/unsaved/ files
        self.stand_in_for: str | None = None
        super().__init__(target, lock_s=lock_s)

    # --- runs ------------------------------------------------------------------------------------------
    @guarded
    def save(
        self,
        result: RunResult | None,
        *,
        kind: str = "train",
        status: str | None = None,
        dataset: str | None = None,
        model: str | None = None,
        error: str | None = None,
        group: str | None = None,
        parent_id: int | None = None,
        compress_json: str | None = None,
        run_uuid: str | None = None,
    ) -> int:
        """Save a run; ``group`` ties a sweep's trials (or a cross-validation's folds) together in History.
        ``parent_id`` and ``compress_json``: a compressed variant's link and report row (``save_variant``).
        ``run_uuid``: the run's uuid when another record names it already (a fresh one otherwise)."""
        status = _status(status or ("stopped" if result is not None and result.stopped else "complete"))
        values = {
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "kind": kind,
            "status": status,
            "dataset": dataset or (result.data_config.dataset if result else "?"),
            "model": model or (result.model_config.kind.value if result else "?"),
            **stored_result(result),
            "error": error,
            "app_version": app_version(),
            "group_id": group or None,
            "parent_id": parent_id,
            "compress_json": compress_json,
            "uuid": run_uuid or str(uuid.uuid4()),
            "owner": process_token() if status == Status.RUNNING.value else None,
            **headline(result),
        }

        def action() -> int:
            with self._write() as conn:
                return int(conn.execute(text(_INSERT + " RETURNING id"), _complete(values)).scalar_one())

        return self._retrying(action)

    def _insert_many(self, rows: list[dict[str, Any]], conn: Connection) -> None:
        """Insert rows as one executemany per batch (the driver's fast path), inside the caller's transaction."""
        for start in range(0, len(rows), 500):
            conn.execute(text(_INSERT), [_complete(r) for r in rows[start : start + 500]])

    @guarded
    def finish(self, run_id: int, result: RunResult | None, *, status: str | None = None, error: str | None = None):
        """Complete a run saved as "running": its result (or error) and final status."""
        status = _status(status or ("failed" if result is None else "stopped" if result.stopped else "complete"))
        values = {
            "status": status,
            **stored_result(result),
            "error": error,
            "id": run_id,
            **headline(result),
        }
        columns = ", ".join(f"{c} = :{c}" for c in HEADLINE_COLUMNS)
        self._execute_write(
            "UPDATE runs SET status = :status, result_json = :result_json, result_arrays = :result_arrays, "
            f"error = :error, {columns} WHERE id = :id",
            values,
        )

    @guarded
    def mark_interrupted(self) -> int:
        """Rows left "running" by a process that is gone become "interrupted"; returns how many."""
        with self._engine.connect() as conn:
            rows = conn.execute(text("SELECT id, owner FROM runs WHERE status = :s"), {"s": "running"}).all()
        gone = [int(r.id) for r in rows if process_gone(r.owner)]
        for run_id in gone:
            self._execute_write(
                "UPDATE runs SET status = :new, error = :error WHERE id = :id AND status = :old",
                {
                    "new": Status.INTERRUPTED.value,
                    "old": Status.RUNNING.value,
                    "id": run_id,
                    "error": "The process running it ended before it finished (a server restart or crash).",
                },
            )
        return len(gone)

    def _execute_write(self, sql: str, values: dict[str, Any]) -> None:
        def action() -> None:
            with self._write() as conn:
                conn.execute(text(sql), values)

        self._retrying(action)

    @guarded
    def list(
        self,
        *,
        dataset: str | None = None,
        model: str | None = None,
        status: str | None = None,
        limit: int = MAX_PAGE,
        offset: int = 0,
    ) -> list[StoredRun]:
        """Runs with their parsed results, newest first (for a few runs; History lists with ``page``)."""
        where, params = RunFilter(
            datasets=(dataset,) if dataset else (),
            models=(model,) if model else (),
            statuses=(status,) if status else (),
        ).where()
        params.update(limit=_bounded(limit, "limit"), offset=_bounded(offset, "offset", high=None))
        with self._engine.connect() as conn:
            rows = conn.execute(
                text(f"SELECT * FROM runs {where} ORDER BY id DESC LIMIT :limit OFFSET :offset"), params
            )
            return [self._row(r._mapping) for r in rows]

    @guarded
    def get(self, run_id: int) -> StoredRun:
        """One run with its parsed result (kept until the store changes: History asks on every rerun)."""

        def read(conn: Connection) -> StoredRun:
            row = conn.execute(text("SELECT * FROM runs WHERE id = :id"), {"id": run_id}).first()
            if row is None:
                raise RunNotFound(f"No run with id {run_id}. `python -m core runs list` shows the ids.")
            return self._row(row._mapping)

        return self.cached_read(("get", run_id), read)

    @guarded
    def uuids(self) -> set[str]:
        with self._engine.connect() as conn:
            return {str(u) for (u,) in conn.execute(text("SELECT uuid FROM runs WHERE uuid IS NOT NULL"))}

    @guarded
    def delete(self, run_id: int) -> None:
        def action() -> None:
            with self._write() as conn:
                conn.execute(text("DELETE FROM scenarios WHERE run_id = :id"), {"id": run_id})
                conn.execute(text("DELETE FROM runs WHERE id = :id"), {"id": run_id})

        self._retrying(action)

    @guarded
    def annotate(self, run_id: int, *, notes: str | None = None, tags: list[str] | None = None) -> None:
        if notes is not None:
            self._execute_write("UPDATE runs SET notes = :notes WHERE id = :id", {"notes": notes, "id": run_id})
        if tags is not None:
            clean = ",".join(t.strip() for t in tags if t.strip())
            self._execute_write("UPDATE runs SET tags = :tags WHERE id = :id", {"tags": clean, "id": run_id})

    def _row(self, m: Any) -> StoredRun:
        """A stored row; one whose result cannot be read comes back with ``problem`` set, never an exception."""
        from core.records.store_import import ImportFormatError, result_from_json

        run_id = int(m["id"])
        problem, result = None, None
        stored, arrays = m["result_json"], m.get("result_arrays")
        arrays = bytes(arrays) if arrays is not None else None  # PostgreSQL gives a memoryview
        key = (run_id, hash(stored), hash(arrays))
        if key in self._parsed:  # checking and parsing a result takes milliseconds: once per store object
            result, problem = self._parsed[key]
        elif stored:
            try:
                result = result_from_json(stored, arrays)
            except ImportFormatError as err:
                problem = str(err)
            if len(self._parsed) >= MAX_PARSED:
                self._parsed.clear()
            self._parsed[key] = (result, problem)

        def plain(key: str, default: str = "") -> str:
            value = m.get(key)
            return default if value is None else str(value)

        return StoredRun(
            run_id,
            plain("created_at"),
            plain("kind", "?"),
            plain("status", "?"),
            plain("dataset", "?"),
            plain("model", "?"),
            plain("notes"),
            tuple(t for t in plain("tags").split(",") if t),
            plain("app_version"),
            result,
            m.get("error") if isinstance(m.get("error"), str) else None,
            plain("uuid"),
            problem,
            int(m["parent_id"]) if m.get("parent_id") is not None else None,
            plain("group_id"),
        )

    # --- export / import (core/store_import.py) --------------------------------------------------------
    def export_json(self, ids: list[int] | None = None, where: RunFilter | None = None) -> str:
        from core.records.store_import import export_json

        return export_json(self, ids, where)

    def export_csv(self, ids: list[int] | None = None, where: RunFilter | None = None) -> str:
        from core.records.store_import import export_csv

        return export_csv(self, ids, where)

    def import_json(self, text_: str):  # -> ImportReport
        """Validate the whole export, then add its new runs in one transaction (see core/store_import.py)."""
        from core.records.store_import import import_json

        return import_json(self, text_)

    def insert_rows(self, rows: list[dict[str, Any]]) -> tuple[int, int]:
        """Insert prepared rows in one transaction, skipping uuids already present: (added, skipped)."""
        return self.insert_batches(iter([rows]))

    @guarded
    def insert_batches(self, batches: Iterator[list[dict[str, Any]]]) -> tuple[int, int]:
        """Insert batches of prepared rows, all in one transaction, skipping uuids already present (or inserted by
        an earlier batch): (added, skipped). The first batch is taken before the transaction begins; the others
        while it is open, so an exception from ``batches`` (a later file refused) rolls every batch back."""
        first = next(batches, None)
        if first is None:
            return 0, 0
        later = False  # once a later batch is read, the transaction cannot be retried (``batches`` moved on)

        def action() -> tuple[int, int]:
            nonlocal later
            added = skipped = 0
            variants: list[dict[str, Any]] = []  # linked once every batch is in: a parent may come in a later file
            try:
                with self._write(bulk=True) as conn:
                    for rows in itertools.chain([first], batches):
                        later = later or rows is not first
                        present = self._present(conn, [r["uuid"] for r in rows])
                        new = [r for r in rows if r["uuid"] not in present]
                        self._insert_many(new, conn)
                        variants += [r for r in new if r.get("parent_uuid")]
                        added, skipped = added + len(new), skipped + len(rows) - len(new)
                    self._link_parents(conn, variants)
            except (SQLAlchemyError, sqlite3.Error) as err:
                if later:
                    raise _Unretried() from err
                raise
            return added, skipped

        try:
            return self._retrying(action)
        except _Unretried as err:
            raise err.__cause__ from None  # guarded: one line

    @staticmethod
    def _link_parents(conn: Connection, rows: list[dict[str, Any]]) -> None:
        """Imported variants name their parent by uuid: link each to the parent's id here (inserted in this import
        or before). A parent the store does not hold leaves the variant unlinked, listed in History as a run."""
        links = [{"parent": r["parent_uuid"], "uuid": r["uuid"]} for r in rows]
        if links:
            conn.execute(
                text("UPDATE runs SET parent_id = (SELECT p.id FROM runs p WHERE p.uuid = :parent) WHERE uuid = :uuid"),
                links,
            )

    @guarded
    def id_of(self, run_uuid: str) -> int | None:
        """The id of the run with this uuid, or None when the store does not hold it."""
        with self._engine.connect() as conn:
            found = conn.execute(text("SELECT id FROM runs WHERE uuid = :u"), {"u": run_uuid}).scalar()
        return None if found is None else int(found)

    @staticmethod
    def _present(conn: Connection, uuids: list[str]) -> set[str]:
        """Which of ``uuids`` the store holds (looked up in its uuid index, a chunk at a time)."""
        present: set[str] = set()
        for start in range(0, len(uuids), 500):
            chunk = uuids[start : start + 500]
            names = [f"u{i}" for i in range(len(chunk))]
            sql = f"SELECT uuid FROM runs WHERE uuid IN ({', '.join(':' + n for n in names)})"
            present.update(str(u) for (u,) in conn.execute(text(sql), dict(zip(names, chunk, strict=True))))
        return present

    def __repr__(self) -> str:
        return f"RunStore({self.where})"


_INSERT_COLUMNS = (
    "created_at",
    "kind",
    "status",
    "dataset",
    "model",
    "result_json",
    "result_arrays",
    "error",
    "app_version",
    "notes",
    "tags",
    "uuid",
    "owner",
    "group_id",
    "imported_at",
    "parent_id",
    "compress_json",
    *HEADLINE_COLUMNS,
)
_INSERT = f"INSERT INTO runs ({', '.join(_INSERT_COLUMNS)}) VALUES ({', '.join(':' + c for c in _INSERT_COLUMNS)})"


def _complete(row: dict[str, Any]) -> dict[str, Any]:
    """A row with every insert column (notes and tags empty, headline columns NULL unless given)."""
    blank = {"notes": "", "tags": "", "owner": None, "result_arrays": None, "group_id": None, "imported_at": None}
    blank |= {"parent_id": None, "compress_json": None}
    return {**dict.fromkeys(HEADLINE_COLUMNS), **blank, **{k: v for k, v in row.items() if k != "parent_uuid"}}


def stored_result(result: RunResult | None) -> dict[str, Any]:
    """``result_json`` and ``result_arrays`` of a result: its plain form with the bulky arrays packed apart."""
    if result is None:
        return {"result_json": None, "result_arrays": None}
    import json

    from core.records.store_pack import pack

    small, blob = pack(result.to_dict())
    return {"result_json": json.dumps(small), "result_arrays": blob}


def headline(result: RunResult | None) -> dict[str, Any]:
    """The headline columns History lists and plots without parsing the stored result."""
    if result is None:
        return {**dict.fromkeys(HEADLINE_COLUMNS), "result_state": "none"}
    return {
        "val_accuracy": float(result.validation.accuracy),
        "val_f1": float(result.validation.f1),
        "test_accuracy": float(result.test.accuracy),
        "train_time_s": float(result.cost.train_time_s),
        "model_repr": result.model_repr[:200],
        "task": str(result.dataset.get("task") or "")[:200],
        "result_state": "ok",
        "timing_context": result.cost.timing_context,
    }


def _status(value: str) -> str:
    try:
        return Status(value).value
    except ValueError:
        raise StoreError(f"Run status must be one of {', '.join(STATUSES)}. Got {value!r}.") from None


def open_store(target: str | None = None) -> tuple[RunStore, str | None]:
    """The configured store, or an in-memory one and a one-line warning when it cannot be used (file untouched)."""
    try:
        return RunStore(target), None
    except StoreError as err:
        warning = (
            f"{err} Runs are kept in memory for this session and in files in ~/.tradeoff_lab/unsaved/ (History's "
            "“Import them” adds them once the store can be used); the store was not changed."
        )
        stand_in = RunStore("sqlite://")
        stand_in.stand_in_for = str(err)
        return stand_in, warning
