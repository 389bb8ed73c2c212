"""Database plumbing for the run store (core/store.py): URLs and drivers, the schema and its migrations,
locks and retries, and the translation of every database error into one line. The schema and its migrations:
core/records/store_schema.py.

SQLite goes through SQLAlchemy's documented pysqlite recipe for transactional DDL (the driver's own
transaction handling off, our ``BEGIN``), with ``BEGIN IMMEDIATE`` for writers: a migration holds the write
lock from its first statement, so any number of processes can open a new store at once. PostgreSQL
migrations take an advisory lock. A SQLite file must pass ``PRAGMA quick_check`` before anything writes to it.
"""

from __future__ import annotations

import functools
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool, StaticPool

from core.config import lab_home
from core.errors import CoreError
from core.records.store_schema import (  # noqa: F401  (re-exported: the schema's names were read from here)
    HEADLINE_COLUMNS,
    MIGRATIONS,
    SCHEMA_VERSION,
    SUMMARY_COLUMNS,
    SUMMARY_INDEX,
)

DB_ENV = "TRADEOFF_LAB_DB"
LOCK_ENV = "TRADEOFF_LAB_DB_LOCK_S"  # how long a write waits for another process's lock before giving up
DEFAULT_PATH = lab_home() / "runs.sqlite"
DEFAULT_LOCK_S = 5.0
# A file up to this size passes PRAGMA quick_check when it opens (milliseconds), so a damaged one falls back to
# memory before anything is shown; a larger one (1.1 s at 1.6 GB) is checked before its first write instead,
# once per store object and per (size, mtime) in a process, so reading a large history never waits for it.
CHECK_AT_OPEN_BYTES = 64 * 1024 * 1024
_CHECKED: set[tuple[str, int, int]] = set()
_PG_LOCK_KEY = 7_214_315  # pg_advisory_xact_lock key: one migrator at a time across processes


class StoreError(CoreError):
    """The run store cannot be opened or written; the message is one line, without SQL."""


class RunNotFound(StoreError):
    """No run has the id asked for (a user error, not a fault of the store)."""


def process_token() -> str:
    """This process as "host pid start_time": a pid alone can be reused after the process ends."""
    import psutil

    return f"{socket.gethostname()} {os.getpid()} {psutil.Process().create_time():.2f}"


def process_gone(token: str | None) -> bool:
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


def guarded(method: Callable[..., T]) -> Callable[..., T]:
    """Turn any database error raised by ``method`` into a one-line StoreError."""

    @functools.wraps(method)
    def wrapper(self: Database, *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except StoreError:
            raise
        except (SQLAlchemyError, sqlite3.Error, OSError) as err:
            raise StoreError(self.explain(err)) from err

    return wrapper


class Database:
    """One run-store database: its engine, schema, locks and error messages. Connections are opened per call.

    Raises StoreError when the database cannot be reached, is damaged, locked past ``lock_s`` seconds,
    or needs a driver that is not installed.
    """

    def __init__(self, target: str | None = None, *, lock_s: float | None = None) -> None:
        self.url = resolve_url(target)
        self.where = describe(self.url)
        self.lock_s = float(os.environ.get(LOCK_ENV, DEFAULT_LOCK_S)) if lock_s is None else lock_s
        self._writes = 0  # write transactions through this object (part of change_stamp)
        self._stamp_con: sqlite3.Connection | None = None
        self._stamp_inode = 0
        self._stamp_lock = threading.Lock()
        try:
            self._engine = self._create_engine()
            self._writer = self._engine.execution_options(tradeoff_write=True)
            if self.is_sqlite and not self.in_memory:
                Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
                self._checked = False
                if self._file_key()[1] <= CHECK_AT_OPEN_BYTES:
                    self._ensure_checked()  # before anything could write to the file
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
                options = conn.get_execution_options()
                if options.get("tradeoff_bulk"):  # set by _write only for a store in WAL mode
                    # a bulk import in WAL mode: its commit is not fsynced (the next checkpoint is). WAL with
                    # synchronous=NORMAL never corrupts the file; a power cut may lose the last imports (SQLite docs)
                    conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
                conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("tradeoff_write") else "BEGIN")

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
    def _write(self, *, bulk: bool = False) -> Iterator[Connection]:
        """A write transaction (``bulk``: an import's, see the "begin" hook)."""
        self._ensure_checked()
        wal = getattr(self, "_wal", False)  # known after open (file stores); the hook above must not hold self
        writer = self._writer.execution_options(tradeoff_bulk=True) if bulk and wal else self._writer
        try:
            with writer.begin() as conn:
                yield conn
        finally:
            self._writes += 1  # committed or not: a stamp that moves too often only costs a recomputation

    def change_stamp(self) -> tuple[int, int, int] | None:
        """A value that changes whenever any process commits a change to the runs (or this object writes), for
        caches of what the store holds; None when it cannot be known cheaply (PostgreSQL: nothing is cached).

        SQLite: ``PRAGMA data_version`` on one connection this object keeps open — it moves when any other
        connection, of this process or another, commits (https://sqlite.org/pragma.html#pragma_data_version)."""
        if not self.is_sqlite:
            return None
        if self.in_memory:  # one shared connection: only this object writes to it
            return self._writes, 0, 0
        path = self.url.removeprefix("sqlite:///")
        with self._stamp_lock:
            try:
                inode = os.stat(path).st_ino  # a file moved aside and replaced: a new connection
                if self._stamp_con is None or self._stamp_inode != inode:
                    if self._stamp_con is not None:
                        self._stamp_con.close()
                    self._stamp_con = sqlite3.connect(path, check_same_thread=False, timeout=self.lock_s)
                    self._stamp_inode = inode
                return self._writes, inode, int(self._stamp_con.execute("PRAGMA data_version").fetchone()[0])
            except (sqlite3.Error, OSError):
                return None

    def _file_key(self) -> tuple[str, int, int]:
        path = Path(self.url.removeprefix("sqlite:///"))
        try:
            st = path.stat()
        except FileNotFoundError:
            return str(path), 0, 0
        return str(path), st.st_size, st.st_mtime_ns

    def _ensure_checked(self) -> None:
        """PRAGMA quick_check before the first write to a SQLite file (see CHECK_AT_OPEN_BYTES)."""
        if not self.is_sqlite or self.in_memory or getattr(self, "_checked", True):
            return
        key = self._file_key()
        if key not in _CHECKED:
            self._retrying(self._check_integrity)
            _CHECKED.add(key)
        self._checked = True

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
            self._ensure_checked()  # changing the journal mode writes to the file
            self._pragma("PRAGMA journal_mode=WAL")  # readers never block the writer
        self._wal = self._pragma("PRAGMA journal_mode") == ["wal"]

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

    @guarded
    def schema_version(self) -> int:
        with self._engine.connect() as conn:
            return self._version(conn)

    @guarded
    def migrate(self) -> None:
        """Apply the migrations this database has not had yet, all in one transaction under the write lock."""
        if self._retrying(self.schema_version) == SCHEMA_VERSION:
            return  # the common case takes no lock
        self._retrying(self._migrate_locked)

    def _migrate_locked(self) -> None:
        if self.is_sqlite:
            with self._write() as conn:  # BEGIN IMMEDIATE: the write lock before the first read
                self._apply_migrations(conn)
            return
        with self._engine.connect() as conn:
            # A session-level advisory lock, then a NEW transaction: one begun before the lock was granted would
            # keep a stale catalog cache and not see the tables the previous holder created.
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_LOCK_KEY})
            conn.commit()
            try:
                with conn.begin():
                    self._apply_migrations(conn)
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_LOCK_KEY})
                conn.commit()

    def _apply_migrations(self, conn: Connection) -> None:
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
        blob_type = "BLOB" if self.is_sqlite else "BYTEA"
        for version in range(current, SCHEMA_VERSION):
            for step in MIGRATIONS[version]:
                if callable(step):
                    step(conn)
                else:
                    conn.execute(text(step.replace("{id_column}", id_column).replace("{blob_type}", blob_type)))
        conn.execute(text("UPDATE schema_version SET version = :v"), {"v": SCHEMA_VERSION})
