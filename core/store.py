"""The run store: every run, trial and cross-validation kept in a database with a versioned schema.

SQLite by default (``~/.tradeoff_lab/runs.sqlite``, WAL mode, short-lived connections); ``TRADEOFF_LAB_DB``
names another file or a SQLAlchemy URL (``postgresql://…``) so a team can share one history. SQL goes
through bound parameters only. A locked or corrupt file never loses the user's data: ``open_store`` falls
back to an in-memory store with a warning and leaves the file untouched.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool, StaticPool

from core.errors import CoreError
from core.result import RunResult

DB_ENV = "TRADEOFF_LAB_DB"
DEFAULT_PATH = Path.home() / ".tradeoff_lab" / "runs.sqlite"
STATUSES = ("running", "complete", "stopped", "failed")

# Numbered migrations: MIGRATIONS[i] takes the schema from version i to i + 1.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
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
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(CoreError):
    """The run store cannot be opened or written."""


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

    def summary(self) -> dict[str, Any]:
        r = self.result
        return {
            "id": self.id,
            "created_at": self.created_at,
            "kind": self.kind,
            "status": self.status,
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
    return "tradeoff-lab " + _version("tradeoff-lab", "0.1.0")


def _version(dist: str, default: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return default


def _url(target: str | None) -> str:
    target = target or os.environ.get(DB_ENV) or str(DEFAULT_PATH)
    if "://" in target:
        return target
    path = Path(target).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


class RunStore:
    """Runs and scenarios in one database. Connections are opened per call and closed at once."""

    def __init__(self, target: str | None = None) -> None:
        self.url = _url(target)
        sqlite = self.url.startswith("sqlite")
        if self.in_memory:  # one shared connection, or every call would see a new empty database
            self._engine: Engine = create_engine(
                self.url, poolclass=StaticPool, connect_args={"check_same_thread": False}
            )
        else:
            self._engine = create_engine(
                self.url, poolclass=NullPool if sqlite else None, connect_args={"timeout": 15} if sqlite else {}
            )
        if sqlite:

            @event.listens_for(self._engine, "connect")
            def _pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
                cursor = dbapi_connection.cursor()
                if self.url != "sqlite://":
                    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
                cursor.execute("PRAGMA busy_timeout=15000")
                cursor.close()

        self.migrate()

    @property
    def in_memory(self) -> bool:
        return self.url in ("sqlite://", "sqlite:///:memory:")

    # --- schema ----------------------------------------------------------------------------------------
    def schema_version(self) -> int:
        with self._engine.connect() as conn:
            has = conn.execute(
                text("SELECT name FROM sqlite_master WHERE type='table' AND name='schema_version'")
                if self.url.startswith("sqlite")
                else text("SELECT table_name FROM information_schema.tables WHERE table_name='schema_version'")
            )
            if has.first() is None:
                return 0
            return int(conn.execute(text("SELECT version FROM schema_version")).scalar_one())

    def migrate(self) -> None:
        """Apply the numbered migrations this database has not had yet, each in its own transaction."""
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"The run store {self.url} has schema version {current}, newer than this app's "
                f"{SCHEMA_VERSION}. Update Tradeoff Lab."
            )
        for version in range(current, SCHEMA_VERSION):
            with self._engine.begin() as conn:
                if version == 0:
                    conn.execute(text("CREATE TABLE schema_version (version INTEGER NOT NULL)"))
                    conn.execute(text("INSERT INTO schema_version (version) VALUES (0)"))
                id_column = (
                    "INTEGER PRIMARY KEY AUTOINCREMENT" if self.url.startswith("sqlite") else "SERIAL PRIMARY KEY"
                )
                for statement in MIGRATIONS[version]:
                    conn.execute(text(statement.replace("{id_column}", id_column)))
                conn.execute(text("UPDATE schema_version SET version = :v"), {"v": version + 1})

    # --- runs ------------------------------------------------------------------------------------------
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
        status = status or ("stopped" if result is not None and result.stopped else "complete")
        if status not in STATUSES:
            raise StoreError(f"Run status must be one of {', '.join(STATUSES)}. Got {status!r}.")
        values = {
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "kind": kind,
            "status": status,
            "dataset": dataset or (result.data_config.dataset if result else "?"),
            "model": model or (result.model_config.kind.value if result else "?"),
            "result_json": result.to_json() if result is not None else None,
            "error": error,
            "app_version": app_version(),
        }
        with self._engine.begin() as conn:
            row = conn.execute(
                text(
                    "INSERT INTO runs (created_at, kind, status, dataset, model, result_json, error, app_version) "
                    "VALUES (:created_at, :kind, :status, :dataset, :model, :result_json, :error, :app_version) "
                    "RETURNING id"
                ),
                values,
            )
            return int(row.scalar_one())

    def finish(self, run_id: int, result: RunResult | None, *, status: str | None = None, error: str | None = None):
        """Complete a run saved as "running": its result (or error) and final status."""
        status = status or ("failed" if result is None else "stopped" if result.stopped else "complete")
        with self._engine.begin() as conn:
            conn.execute(
                text("UPDATE runs SET status = :status, result_json = :result, error = :error WHERE id = :id"),
                {
                    "status": status,
                    "result": result.to_json() if result is not None else None,
                    "error": error,
                    "id": run_id,
                },
            )

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

    def get(self, run_id: int) -> StoredRun:
        with self._engine.connect() as conn:
            row = conn.execute(text("SELECT * FROM runs WHERE id = :id"), {"id": run_id}).first()
        if row is None:
            raise StoreError(f"No run with id {run_id}. `python -m core runs list` shows the ids.")
        return self._row(row._mapping)

    def count(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.execute(text("SELECT COUNT(*) FROM runs")).scalar_one())

    def delete(self, run_id: int) -> None:
        with self._engine.begin() as conn:
            conn.execute(text("DELETE FROM scenarios WHERE run_id = :id"), {"id": run_id})
            conn.execute(text("DELETE FROM runs WHERE id = :id"), {"id": run_id})

    def annotate(self, run_id: int, *, notes: str | None = None, tags: list[str] | None = None) -> None:
        with self._engine.begin() as conn:
            if notes is not None:
                conn.execute(text("UPDATE runs SET notes = :notes WHERE id = :id"), {"notes": notes, "id": run_id})
            if tags is not None:
                clean = ",".join(t.strip() for t in tags if t.strip())
                conn.execute(text("UPDATE runs SET tags = :tags WHERE id = :id"), {"tags": clean, "id": run_id})

    def _row(self, m: Any) -> StoredRun:
        result = RunResult.from_json(m["result_json"]) if m["result_json"] else None
        return StoredRun(
            int(m["id"]),
            m["created_at"],
            m["kind"],
            m["status"],
            m["dataset"],
            m["model"],
            m["notes"],
            tuple(t for t in m["tags"].split(",") if t),
            m["app_version"],
            result,
            m["error"],
        )

    # --- export / import -------------------------------------------------------------------------------
    def export_json(self, ids: list[int] | None = None) -> str:
        runs = [self.get(i) for i in ids] if ids else self.list()
        return json.dumps(
            {
                "format": "tradeoff-lab-runs",
                "version": 1,
                "runs": [
                    {
                        "kind": r.kind,
                        "status": r.status,
                        "notes": r.notes,
                        "tags": list(r.tags),
                        "error": r.error,
                        "dataset": r.dataset,
                        "model": r.model,
                        "result": r.result.to_dict() if r.result else None,
                    }
                    for r in runs
                ],
            }
        )

    def export_csv(self, ids: list[int] | None = None) -> str:
        import csv
        import io

        runs = [self.get(i) for i in ids] if ids else self.list()
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(runs[0].summary()) if runs else ["id"])
        writer.writeheader()
        for r in runs:
            writer.writerow(r.summary())
        return out.getvalue()

    def import_json(self, text_: str) -> int:
        """Add the runs of an export; returns how many. A malformed file is a StoreError naming the problem."""
        try:
            payload = json.loads(text_)
            entries = payload["runs"] if isinstance(payload, dict) else None
            if payload.get("format") != "tradeoff-lab-runs" or not isinstance(entries, list):
                raise KeyError("format")
            for entry in entries:
                result = RunResult.from_dict(entry["result"]) if entry.get("result") else None
                run_id = self.save(
                    result,
                    kind=entry.get("kind", "train"),
                    status=entry.get("status"),
                    dataset=entry.get("dataset"),
                    model=entry.get("model"),
                    error=entry.get("error"),
                )
                self.annotate(run_id, notes=entry.get("notes", ""), tags=entry.get("tags", []))
        except (ValueError, KeyError, TypeError, AttributeError, CoreError) as err:
            raise StoreError(
                f"Not a Tradeoff Lab export ({type(err).__name__}: {err}). Export runs from the "
                "History page or `python -m core runs export --format json`."
            ) from err
        return len(entries)

    # --- scenarios -------------------------------------------------------------------------------------
    def save_scenario(self, name: str, narrative: str, run_id: int) -> int:
        if not name.strip():
            raise StoreError("A scenario needs a name.")
        with self._engine.begin() as conn:
            return int(
                conn.execute(
                    text(
                        "INSERT INTO scenarios (created_at, name, narrative, run_id) "
                        "VALUES (:at, :name, :narrative, :run) RETURNING id"
                    ),
                    {
                        "at": datetime.now(UTC).isoformat(timespec="seconds"),
                        "name": name.strip(),
                        "narrative": narrative.strip(),
                        "run": run_id,
                    },
                ).scalar_one()
            )

    def scenarios(self) -> list[Scenario]:
        with self._engine.connect() as conn:
            rows = conn.execute(text("SELECT id, name, narrative, run_id FROM scenarios ORDER BY id"))
            return [Scenario(int(r.id), r.name, r.narrative, int(r.run_id)) for r in rows]

    def delete_scenario(self, scenario_id: int) -> None:
        with self._engine.begin() as conn:
            conn.execute(text("DELETE FROM scenarios WHERE id = :id"), {"id": scenario_id})


def open_store(target: str | None = None) -> tuple[RunStore, str | None]:
    """The configured store, or an in-memory one and a warning when it cannot be opened (file untouched)."""
    try:
        return RunStore(target), None
    except (SQLAlchemyError, OSError, StoreError) as err:
        where = target or os.environ.get(DB_ENV) or str(DEFAULT_PATH)
        warning = (
            f"The run store at {where} could not be opened ({type(err).__name__}: {str(err)[:160]}). "
            "Runs are kept in memory for this session only; the file was not changed."
        )
        return RunStore("sqlite://"), warning
