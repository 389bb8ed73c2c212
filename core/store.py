"""The run store: every run, trial and cross-validation kept in a database with a versioned schema.

SQLite by default (``~/.tradeoff_lab/runs.sqlite``, WAL mode, short-lived connections); ``TRADEOFF_LAB_DB``
names another file or a SQLAlchemy URL (``postgresql://…``, served by psycopg) so a team can share one
history. SQL goes through bound parameters only.

Faults never lose data or show SQL: migrations run under one write lock (SQLite ``BEGIN IMMEDIATE`` with
transactional DDL, PostgreSQL an advisory lock), so any number of processes can open a new store at once;
a file that fails ``PRAGMA quick_check`` is never written to; every database error leaves this module as a
one-line :class:`StoreError`, and ``open_store`` falls back to an in-memory store with that line as warning.
Import/export and recovery files live in ``core/store_import.py``.
"""

from __future__ import annotations

import functools
import os
import socket
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool, StaticPool

from core.errors import CoreError
from core.result import RunResult

DB_ENV = "TRADEOFF_LAB_DB"
LOCK_ENV = "TRADEOFF_LAB_DB_LOCK_S"  # how long a write waits for another process's lock before giving up
DEFAULT_PATH = Path.home() / ".tradeoff_lab" / "runs.sqlite"
DEFAULT_LOCK_S = 5.0
KINDS = ("train", "trial", "cv")
MAX_PARSED = 4096  # parsed results kept per store (frozen, shared read-only)
_PG_LOCK_KEY = 7_214_315  # pg_advisory_xact_lock key: one migrator at a time across processes


class Status(str, Enum):
    RUNNING = "running"
    COMPLETE = "complete"
    STOPPED = "stopped"
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # left "running" by a process that is gone


STATUSES = tuple(s.value for s in Status)


def _fill_uuids(conn: Connection) -> None:
    for (run_id,) in conn.execute(text("SELECT id FROM runs WHERE uuid IS NULL")).all():
        conn.execute(text("UPDATE runs SET uuid = :u WHERE id = :id"), {"u": str(uuid.uuid4()), "id": run_id})


# Numbered migrations: MIGRATIONS[i] takes the schema from version i to i + 1 (SQL, or a callable for data).
MIGRATIONS: tuple[tuple[str | Callable[[Connection], None], ...], ...] = (
    (  # 1: runs
        """CREATE TABLE runs (
            id {id_column},
            created_at TEXT NOT NULL,
            kind TEXT NOT NULL,
            status TEXT NOT NULL,
            dataset TEXT NOT NULL,
            model TEXT NOT NULL,
            result_json TEXT,
            error TEXT,
            app_version TEXT NOT NULL
        )""",
        "CREATE INDEX runs_created ON runs (created_at)",
    ),
    (  # 2: notes, tags and presenter scenarios
        "ALTER TABLE runs ADD COLUMN notes TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE runs ADD COLUMN tags TEXT NOT NULL DEFAULT ''",
        """CREATE TABLE scenarios (
            id {id_column},
            created_at TEXT NOT NULL,
            name TEXT NOT NULL,
            narrative TEXT NOT NULL,
            run_id INTEGER NOT NULL
        )""",
    ),
    (  # 3: a run's identity across stores (imports skip runs already present) and its owner while running
        "ALTER TABLE runs ADD COLUMN uuid TEXT",
        "ALTER TABLE runs ADD COLUMN owner TEXT",  # "host pid start_time" of the process running it
        _fill_uuids,
        "CREATE UNIQUE INDEX runs_uuid ON runs (uuid)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(CoreError):
    """The run store cannot be opened or written; the message is one line, without SQL."""


class RunNotFound(StoreError):
    """No run has the id asked for (a user error, not a fault of the store)."""


@dataclass(frozen=True)
class StoredRun:
    id: int
    created_at: str
    kind: str  # "train", "trial" or "cv"
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
        }


@dataclass(frozen=True)
class Scenario:
    id: int
    name: str
    narrative: str
    run_id: int


def app_version() -> str:
    try:
        return "tradeoff-lab " + metadata.version("tradeoff-lab")
    except metadata.PackageNotFoundError:
        return "tradeoff-lab 0.1.0"


def process_token() -> str:
    """This process as "host pid start_time": a pid alone can be reused after the process ends."""
    import psutil

    return f"{socket.gethostname()} {os.getpid()} {psutil.Process().create_time():.2f}"


def _process_gone(token: str | None) -> bool:
    """True when the process named by ``token`` runs no more on this host (other hosts: unknown, False)."""
    import psutil

    if not token:
        return True  # saved "running" by a version that recorded no owner
    host, _, rest = token.partition(" ")
    pid_text, _, started = rest.partition(" ")
    if host != socket.gethostname():
        return False
    try:
        return abs(psutil.Process(int(pid_text)).create_time() - float(started)) > 1.0
    except psutil.NoSuchProcess:
        return True
    except (ValueError, psutil.Error):
        return False


def resolve_url(target: str | None = None) -> str:
    """The SQLAlchemy URL for a path or URL (default: $TRADEOFF_LAB_DB, else ~/.tradeoff_lab/runs.sqlite)."""
    target = target or os.environ.get(DB_ENV) or str(DEFAULT_PATH)
    if "://" not in target:
        return f"sqlite:///{Path(target).expanduser()}"
    scheme, sep, rest = target.partition("://")
    if scheme in ("postgresql", "postgres"):  # the documented form; psycopg (3) is the pinned driver
        return f"postgresql+psycopg{sep}{rest}"
    return target


def describe(url: str) -> str:
    """The store's location for messages: a file path, or the URL without its password."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url.split("@")[-1]
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or "memory"
    return parsed.render_as_string(hide_password=True)


T = TypeVar("T")


def _guarded(method: Callable[..., T]) -> Callable[..., T]:
    """Turn any database error raised by ``method`` into a one-line StoreError."""

    @functools.wraps(method)
    def wrapper(self: RunStore, *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except StoreError:
            raise
        except (SQLAlchemyError, sqlite3.Error, OSError) as err:
            raise StoreError(self.explain(err)) from err

    return wrapper


class RunStore:
    """Runs and scenarios in one database. Connections are opened per call and closed at once.

    Raises StoreError when the database cannot be reached, is damaged, locked past ``lock_s`` seconds,
    or needs a driver that is not installed.
    """

    def __init__(self, target: str | None = None, *, lock_s: float | None = None) -> None:
        self.url = resolve_url(target)
        self.where = describe(self.url)
        self._parsed: dict[tuple[int, int], tuple[RunResult | None, str | None]] = {}  # (id, hash) → parsed
        self.lock_s = float(os.environ.get(LOCK_ENV, DEFAULT_LOCK_S)) if lock_s is None else lock_s
        try:
            self._engine = self._create_engine()
            self._writer = self._engine.execution_options(tradeoff_write=True)
            if self.is_sqlite and not self.in_memory:
                Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
                self._retrying(self._check_integrity)  # before anything could write to the file
                self._retrying(self._use_wal)
            self.migrate()
        except StoreError:
            raise
        except (SQLAlchemyError, sqlite3.Error, OSError) as err:
            raise StoreError(self.explain(err)) from err

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @property
    def in_memory(self) -> bool:
        return self.url in ("sqlite://", "sqlite:///:memory:")

    def _create_engine(self) -> Engine:
        try:
            url = make_url(self.url)
        except ArgumentError:
            raise StoreError(
                f"{self.where!r} is not a database URL. Set {DB_ENV} to a file path, sqlite:///FILE or "
                "postgresql://USER:PASSWORD@HOST/DB."
            ) from None
        backend = url.get_backend_name()
        if backend not in ("sqlite", "postgresql"):
            raise StoreError(
                f"The run store URL {self.where} uses {backend!r}, which Tradeoff Lab does not support. "
                f"Set {DB_ENV} to a file path or a postgresql:// URL."
            )
        try:
            if self.in_memory:  # one shared connection, or every call would see a new empty database
                engine = create_engine(self.url, poolclass=StaticPool, connect_args={"check_same_thread": False})
            elif backend == "sqlite":
                engine = create_engine(self.url, poolclass=NullPool, connect_args={"timeout": self.lock_s})
            else:
                engine = create_engine(self.url, pool_pre_ping=True, connect_args={"connect_timeout": 5})
        except NoSuchModuleError:
            raise StoreError(
                f"The run store URL {self.where} names a driver SQLAlchemy does not know ({url.drivername}). "
                "Use postgresql:// (psycopg) or a file path."
            ) from None
        except ImportError as err:
            raise StoreError(
                f"The database driver for {self.where} is not installed ({err.name or err}). "
                "Install requirements.txt (psycopg[binary] for postgresql://)."
            ) from None
        if backend == "sqlite":
            # SQLAlchemy's documented pysqlite recipe: the driver's own transaction handling off (it would run
            # CREATE TABLE outside the transaction), our BEGIN instead — IMMEDIATE for writers, so a migration
            # or an insert holds the write lock from its first statement.
            @event.listens_for(engine, "connect")
            def _connect(dbapi_connection, _record) -> None:  # noqa: ANN001
                dbapi_connection.isolation_level = None

            @event.listens_for(engine, "begin")
            def _begin(conn: Connection) -> None:
                write = conn.get_execution_options().get("tradeoff_write")
                conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine

    def explain(self, err: BaseException) -> str:
        """One line for a database error: what happened to which store, and what to do. No SQL."""
        orig = getattr(err, "orig", None) or err
        detail = (str(orig).strip().splitlines() or [type(orig).__name__])[0][:200]
        low = detail.lower()
        if "locked" in low or "busy" in low:
            return (
                f"The run store {self.where} is locked by another process (waited {self.lock_s:g} s). "
                "Close the other program or try again."
            )
        if "malformed" in low or "not a database" in low or "corrupt" in low:
            return f"The run store {self.where} is damaged ({detail}). Move it aside or set {DB_ENV}."
        if isinstance(err, DBAPIError) and err.connection_invalidated or "connect" in low or "refused" in low:
            return f"The run store {self.where} could not be reached ({detail})."
        return f"The run store {self.where} could not be used ({type(orig).__name__}: {detail})."

    def _retrying(self, action: Callable[[], T]) -> T:
        """Run ``action``, retrying while the database is locked, up to ``lock_s`` seconds in all."""
        deadline = time.monotonic() + self.lock_s
        delay = 0.02
        while True:
            try:
                return action()
            except (SQLAlchemyError, sqlite3.Error) as err:
                text_ = str(getattr(err, "orig", err)).lower()
                if not ("locked" in text_ or "busy" in text_) or time.monotonic() + delay > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._writer.begin() as conn:
            yield conn

    def _pragma(self, sql: str) -> list[str]:
        """A PRAGMA on a raw connection (outside any BEGIN: journal_mode cannot change inside one)."""
        raw = self._engine.raw_connection()
        try:
            cursor = raw.cursor()
            rows = [str(r[0]) for r in cursor.execute(sql).fetchall()]
            cursor.close()
            return rows
        finally:
            raw.close()

    def _check_integrity(self) -> None:
        rows = self._pragma("PRAGMA quick_check")
        if rows != ["ok"]:
            found = " ".join(" ".join(rows).replace("*", "").split())  # one line, whatever SQLite lists
            raise StoreError(
                f"The run store {self.where} is damaged ({found[:160]}). Move it aside or set {DB_ENV} to another file."
            )

    def _use_wal(self) -> None:
        if self._pragma("PRAGMA journal_mode") != ["wal"]:
            self._pragma("PRAGMA journal_mode=WAL")  # readers never block the writer

    # --- schema ----------------------------------------------------------------------------------------
    def _version(self, conn: Connection) -> int:
        query = (
            "SELECT name FROM sqlite_master WHERE type='table' AND name='schema_version'"
            if self.is_sqlite
            else "SELECT to_regclass('schema_version')"
        )
        if conn.execute(text(query)).scalar() is None:
            return 0
        return int(conn.execute(text("SELECT version FROM schema_version")).scalar_one())

    @_guarded
    def schema_version(self) -> int:
        with self._engine.connect() as conn:
            return self._version(conn)

    @_guarded
    def migrate(self) -> None:
        """Apply the migrations this database has not had yet, all in one transaction under the write lock."""
        if self._retrying(self.schema_version) == SCHEMA_VERSION:
            return  # the common case takes no lock
        self._retrying(self._migrate_locked)

    def _migrate_locked(self) -> None:
        with self._write() as conn:
            if not self.is_sqlite:
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
            current = self._version(conn)  # read again under the lock: another process may have migrated
            if current > SCHEMA_VERSION:
                raise StoreError(
                    f"The run store {self.where} has schema version {current}, newer than this app's "
                    f"{SCHEMA_VERSION}. Update Tradeoff Lab."
                )
            if current == 0:
                conn.execute(text("CREATE TABLE schema_version (version INTEGER NOT NULL)"))
                conn.execute(text("INSERT INTO schema_version (version) VALUES (0)"))
            id_column = "INTEGER PRIMARY KEY AUTOINCREMENT" if self.is_sqlite else "SERIAL PRIMARY KEY"
            for version in range(current, SCHEMA_VERSION):
                for step in MIGRATIONS[version]:
                    if callable(step):
                        step(conn)
                    else:
                        conn.execute(text(step.replace("{id_column}", id_column)))
            conn.execute(text("UPDATE schema_version SET version = :v"), {"v": SCHEMA_VERSION})

    # --- runs ------------------------------------------------------------------------------------------
    @_guarded
    def save(
        self,
        result: RunResult | None,
        *,
        kind: str = "train",
        status: str | None = None,
        dataset: str | None = None,
        model: str | None = None,
        error: str | None = None,
    ) -> int:
        status = _status(status or ("stopped" if result is not None and result.stopped else "complete"))
        values = {
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "kind": kind,
            "status": status,
            "dataset": dataset or (result.data_config.dataset if result else "?"),
            "model": model or (result.model_config.kind.value if result else "?"),
            "result_json": result.to_json() if result is not None else None,
            "error": error,
            "app_version": app_version(),
            "uuid": str(uuid.uuid4()),
            "owner": process_token() if status == Status.RUNNING.value else None,
        }
        return self._retrying(lambda: self._insert([values])[0])

    def _insert(self, rows: list[dict[str, Any]], conn: Connection | None = None) -> list[int]:
        sql = text(
            "INSERT INTO runs (created_at, kind, status, dataset, model, result_json, error, app_version, notes, "
            "tags, uuid, owner) VALUES (:created_at, :kind, :status, :dataset, :model, :result_json, :error, "
            ":app_version, :notes, :tags, :uuid, :owner) RETURNING id"
        )
        if conn is None:
            with self._write() as conn_:
                return self._insert(rows, conn_)
        return [int(conn.execute(sql, {"notes": "", "tags": "", **row}).scalar_one()) for row in rows]

    @_guarded
    def finish(self, run_id: int, result: RunResult | None, *, status: str | None = None, error: str | None = None):
        """Complete a run saved as "running": its result (or error) and final status."""
        status = _status(status or ("failed" if result is None else "stopped" if result.stopped else "complete"))
        values = {
            "status": status,
            "result": result.to_json() if result is not None else None,
            "error": error,
            "id": run_id,
        }
        self._execute_write(
            "UPDATE runs SET status = :status, result_json = :result, error = :error WHERE id = :id", values
        )

    @_guarded
    def mark_interrupted(self) -> int:
        """Rows left "running" by a process that is gone become "interrupted"; returns how many."""
        with self._engine.connect() as conn:
            rows = conn.execute(text("SELECT id, owner FROM runs WHERE status = :s"), {"s": "running"}).all()
        gone = [int(r.id) for r in rows if _process_gone(r.owner)]
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

    @_guarded
    def list(
        self, *, dataset: str | None = None, model: str | None = None, status: str | None = None, limit: int = 1000
    ) -> list[StoredRun]:
        clauses, params = [], {"limit": limit}
        for column, value in (("dataset", dataset), ("model", model), ("status", status)):
            if value:
                clauses.append(f"{column} = :{column}")  # column names are ours; values are bound
                params[column] = value
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._engine.connect() as conn:
            rows = conn.execute(text(f"SELECT * FROM runs {where} ORDER BY id DESC LIMIT :limit"), params)
            return [self._row(r._mapping) for r in rows]

    @_guarded
    def get(self, run_id: int) -> StoredRun:
        with self._engine.connect() as conn:
            row = conn.execute(text("SELECT * FROM runs WHERE id = :id"), {"id": run_id}).first()
        if row is None:
            raise RunNotFound(f"No run with id {run_id}. `python -m core runs list` shows the ids.")
        return self._row(row._mapping)

    @_guarded
    def uuids(self) -> set[str]:
        with self._engine.connect() as conn:
            return {str(u) for (u,) in conn.execute(text("SELECT uuid FROM runs WHERE uuid IS NOT NULL"))}

    @_guarded
    def count(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.execute(text("SELECT COUNT(*) FROM runs")).scalar_one())

    @_guarded
    def delete(self, run_id: int) -> None:
        def action() -> None:
            with self._write() as conn:
                conn.execute(text("DELETE FROM scenarios WHERE run_id = :id"), {"id": run_id})
                conn.execute(text("DELETE FROM runs WHERE id = :id"), {"id": run_id})

        self._retrying(action)

    @_guarded
    def annotate(self, run_id: int, *, notes: str | None = None, tags: list[str] | None = None) -> None:
        if notes is not None:
            self._execute_write("UPDATE runs SET notes = :notes WHERE id = :id", {"notes": notes, "id": run_id})
        if tags is not None:
            clean = ",".join(t.strip() for t in tags if t.strip())
            self._execute_write("UPDATE runs SET tags = :tags WHERE id = :id", {"tags": clean, "id": run_id})

    def _row(self, m: Any) -> StoredRun:
        """A stored row; one whose result cannot be read comes back with ``problem`` set, never an exception."""
        from core.store_import import ImportFormatError, result_from_json

        run_id = int(m["id"])
        problem, result = None, None
        stored = m["result_json"]
        key = (run_id, hash(stored))
        if key in self._parsed:  # checking and parsing a result takes ~20 ms; History lists every run per rerun
            result, problem = self._parsed[key]
        elif stored:
            try:
                result = result_from_json(stored)
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
        )

    # --- export / import (core/store_import.py) --------------------------------------------------------
    def export_json(self, ids: list[int] | None = None) -> str:
        from core.store_import import export_json

        return export_json(self, ids)

    def export_csv(self, ids: list[int] | None = None) -> str:
        from core.store_import import export_csv

        return export_csv(self, ids)

    def import_json(self, text_: str):  # -> ImportReport
        """Validate the whole export, then add its new runs in one transaction (see core/store_import.py)."""
        from core.store_import import import_json

        return import_json(self, text_)

    @_guarded
    def insert_rows(self, rows: list[dict[str, Any]]) -> tuple[int, int]:
        """Insert prepared rows in one transaction, skipping uuids already present: (added, skipped)."""

        def action() -> tuple[int, int]:
            with self._write() as conn:
                present = {str(u) for (u,) in conn.execute(text("SELECT uuid FROM runs WHERE uuid IS NOT NULL"))}
                new = [r for r in rows if r["uuid"] not in present]
                self._insert(new, conn)
            return len(new), len(rows) - len(new)

        return self._retrying(action)

    # --- scenarios -------------------------------------------------------------------------------------
    @_guarded
    def save_scenario(self, name: str, narrative: str, run_id: int) -> int:
        if not name.strip():
            raise StoreError("A scenario needs a name.")
        values = {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "name": name.strip(),
            "narrative": narrative.strip(),
            "run": run_id,
        }

        def action() -> int:
            with self._write() as conn:
                sql = (
                    "INSERT INTO scenarios (created_at, name, narrative, run_id) VALUES (:at, :name, :narrative, :run)"
                )
                return int(conn.execute(text(sql + " RETURNING id"), values).scalar_one())

        return self._retrying(action)

    @_guarded
    def scenarios(self) -> list[Scenario]:
        with self._engine.connect() as conn:
            rows = conn.execute(text("SELECT id, name, narrative, run_id FROM scenarios ORDER BY id"))
            return [Scenario(int(r.id), str(r.name), str(r.narrative), int(r.run_id)) for r in rows]

    @_guarded
    def delete_scenario(self, scenario_id: int) -> None:
        self._execute_write("DELETE FROM scenarios WHERE id = :id", {"id": scenario_id})

    def __repr__(self) -> str:
        return f"RunStore({self.where})"


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
        warning = f"{err} Runs are kept in memory for this session only; the store was not changed."
        return RunStore("sqlite://"), warning
