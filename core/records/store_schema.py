"""The run store's schema: its columns (headline and summary-index columns) and the numbered migrations that
take a database from any older version to :data:`SCHEMA_VERSION`. Applying them (locks, transactions):
core/records/store_db.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import Connection


def _fill_uuids(conn: Connection) -> None:
    for (run_id,) in conn.execute(text("SELECT id FROM runs WHERE uuid IS NULL")).all():
        conn.execute(text("UPDATE runs SET uuid = :u WHERE id = :id"), {"u": str(uuid.uuid4()), "id": run_id})


# The columns History lists, filters, sorts and plots from, so it never parses a stored result to show a page.
# ``result_state``: 'ok' (result_json checked: a RunResult), 'unreadable' (it is not), 'none' (no result);
# NULL when nobody checked the row (another program wrote it): History checks such a row when it lists it.
HEADLINE_COLUMNS = ("val_accuracy", "val_f1", "test_accuracy", "train_time_s", "model_repr", "task", "result_state")
HEADLINE_COLUMNS += ("timing_context",)  # what else ran while it was timed: frontiers use "serial" runs
# Everything a History page, its filters and its frontier read, in one index: SQLite keeps a row's columns in one
# record, and the headline columns come after result_json (~230 KB for a digits run), so reading them from the
# table would walk that result's overflow pages: 2.3 GB read to list 10,000 runs. Queries name this index.
SUMMARY_INDEX = "runs_summary"
_SUMMARY_COLUMNS_5 = ("id", "created_at", "kind", "status", "dataset", "model", "result_state", "val_accuracy")
_SUMMARY_COLUMNS_5 += ("val_f1", "train_time_s", "tags", "model_repr", "notes", "timing_context")
# 6: the group and import columns come after result_arrays in a row: the index carries them too
SUMMARY_COLUMNS = (*_SUMMARY_COLUMNS_5, "group_id", "imported_at")
_BACKFILL_CHUNK = 200  # rows read per query while backfilling (bounded memory on a large store)


def _fill_headlines(conn: Connection) -> None:
    """Backfill the headline columns of every stored result: each one parsed and checked once, here."""
    from core.records.run_schema import headline_of_json  # lazy: run_schema imports the store

    conn.execute(text("UPDATE runs SET result_state = 'none' WHERE result_json IS NULL"))
    ids = [int(i) for (i,) in conn.execute(text("SELECT id FROM runs WHERE result_json IS NOT NULL ORDER BY id"))]
    update = text(
        "UPDATE runs SET val_accuracy = :val_accuracy, val_f1 = :val_f1, test_accuracy = :test_accuracy, "
        "train_time_s = :train_time_s, model_repr = :model_repr, task = :task, result_state = :result_state, "
        "timing_context = :timing_context "
        "WHERE id = :id"
    )
    for start in range(0, len(ids), _BACKFILL_CHUNK):
        chunk = ids[start : start + _BACKFILL_CHUNK]
        rows = conn.execute(
            text("SELECT id, result_json FROM runs WHERE id >= :lo AND id <= :hi AND result_json IS NOT NULL"),
            {"lo": chunk[0], "hi": chunk[-1]},
        ).all()
        values = [{"id": int(r.id), **headline_of_json(r.result_json)} for r in rows]
        if values:
            conn.execute(update, values)


def _create_summary_index(conn: Connection, columns: tuple[str, ...] = _SUMMARY_COLUMNS_5) -> None:
    """SQLite only: PostgreSQL keeps large values out of line already (TOAST), and its index rows are capped at
    ~2.7 kB, which a long note would exceed."""
    if conn.dialect.name == "sqlite":
        conn.execute(text(f"CREATE INDEX {SUMMARY_INDEX} ON runs ({', '.join(columns)})"))


def _recreate_summary_index(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.execute(text(f"DROP INDEX IF EXISTS {SUMMARY_INDEX}"))
        _create_summary_index(conn, SUMMARY_COLUMNS)


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
    (  # 4: compressed variants (kind "compress") point at the run they were made from; their method and costs
        "ALTER TABLE runs ADD COLUMN parent_id INTEGER",
        "ALTER TABLE runs ADD COLUMN compress_json TEXT",
        "CREATE INDEX runs_parent ON runs (parent_id)",
    ),
    (  # 5 (History at scale): headline columns written at save time, backfilled here; the listing's index
        "ALTER TABLE runs ADD COLUMN val_accuracy DOUBLE PRECISION",
        "ALTER TABLE runs ADD COLUMN val_f1 DOUBLE PRECISION",
        "ALTER TABLE runs ADD COLUMN test_accuracy DOUBLE PRECISION",
        "ALTER TABLE runs ADD COLUMN train_time_s DOUBLE PRECISION",
        "ALTER TABLE runs ADD COLUMN model_repr TEXT",
        "ALTER TABLE runs ADD COLUMN task TEXT",
        "ALTER TABLE runs ADD COLUMN result_state TEXT",
        "ALTER TABLE runs ADD COLUMN timing_context TEXT",
        _fill_headlines,
        _create_summary_index,
        "CREATE INDEX runs_dataset ON runs (dataset)",
        "CREATE INDEX runs_model ON runs (model)",
        "CREATE INDEX runs_status ON runs (status)",
        "CREATE INDEX runs_kind ON runs (kind)",
    ),
    (  # 6 (compact runs, groups): a result's bulky arrays packed apart from its JSON (core/records/store_pack.py);
        # older rows keep their whole JSON and are read as before. A sweep's trials and a cross-validation's folds
        # share a group id; imported runs say when they came in (History's "imported" kind)
        "ALTER TABLE runs ADD COLUMN result_arrays {blob_type}",
        "ALTER TABLE runs ADD COLUMN group_id TEXT",
        "ALTER TABLE runs ADD COLUMN imported_at TEXT",
        "CREATE INDEX runs_group ON runs (group_id)",
        "CREATE INDEX runs_imported ON runs (imported_at)",
        _recreate_summary_index,
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)
