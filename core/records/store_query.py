"""Reading the run store a page at a time: the filter (RunFilter), listing pages and their summaries, the
filter choices, the accuracy/time frontier and the export rows. Only indexed columns are read; no stored result
is parsed unless a row was never checked. :class:`RunQueries` is a mixin of ``RunStore`` (core/records/store.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.engine import Connection

from core.errors import ConfigError
from core.records.store_db import SUMMARY_COLUMNS, SUMMARY_INDEX, guarded

T = TypeVar("T")
MAX_PAGE = 1000  # rows one page() call returns at most; History and the CLI page through the rest
IMPORTED = "imported"  # the filter's pseudo-kind: runs added by an import (column imported_at), whatever their kind


@dataclass(frozen=True)
class RunFilter:
    """Which runs History and ``runs list`` show; every test runs in SQL on indexed columns.

    Empty tuples and strings mean "any". ``since``/``until`` are ISO dates (YYYY-MM-DD), both included;
    ``tag`` matches one whole tag."""

    datasets: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    tag: str = ""
    since: str = ""
    until: str = ""

    def where(self) -> tuple[str, dict[str, Any]]:
        """A WHERE clause (column names are ours; every value is bound) and its parameters."""
        clauses: list[str] = []
        params: dict[str, Any] = {}
        kinds = tuple(k for k in self.kinds if k != IMPORTED)
        for column, values in (
            ("dataset", self.datasets),
            ("model", self.models),
            ("status", self.statuses),
            ("kind", kinds),
        ):
            if values:
                names = [f"{column}_{i}" for i in range(len(values))]
                clauses.append(f"{column} IN ({', '.join(':' + n for n in names)})")
                params.update(zip(names, values, strict=True))
        if IMPORTED in self.kinds:  # a kind of its own in the filter: runs that came from an import
            if kinds:  # the kind clause is the last one: imported runs are added to those kinds
                clauses[-1] = f"({clauses[-1]} OR imported_at IS NOT NULL)"
            else:
                clauses.append("imported_at IS NOT NULL")
        if self.tag.strip():
            escaped = self.tag.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            clauses.append("(',' || tags || ',') LIKE :tag ESCAPE '\\'")
            params["tag"] = f"%,{escaped},%"
        if self.since:
            clauses.append("created_at >= :since")
            params["since"] = _day(self.since, "since")
        if self.until:
            clauses.append("created_at < :until")  # the day after: until is included
            params["until"] = (date.fromisoformat(_day(self.until, "until")) + timedelta(days=1)).isoformat()
        return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


@dataclass(frozen=True)
class RunSummary:
    """One run as History lists it: stored columns only, no parsed result."""

    id: int
    created_at: str
    kind: str
    status: str  # "unreadable" when the stored result cannot be read
    dataset: str
    model: str
    val_accuracy: float | None
    val_f1: float | None
    train_time_s: float | None
    notes: str
    tags: tuple[str, ...]
    has_result: bool
    model_repr: str = ""
    timing_context: str = ""  # "serial" when timed alone; empty without a result
    group_id: str = ""  # the sweep or cross-validation it belongs to (empty: none)

    def row(self) -> dict[str, Any]:
        """The same keys as ``StoredRun.summary()``: one table row."""
        return {
            "id": self.id,
            "created_at": self.created_at,
            "kind": self.kind,
            "status": self.status,
            "dataset": self.dataset,
            "model": self.model,
            "accuracy": self.val_accuracy,
            "f1": self.val_f1,
            "train_time_s": self.train_time_s,
            "notes": self.notes,
            "tags": ", ".join(self.tags),
            "timing": self.timing_context,
        }


@dataclass(frozen=True)
class RunPage:
    runs: tuple[RunSummary, ...]
    total: int  # runs matching the filter
    offset: int

    @property
    def first(self) -> int:
        """1-based number of the first run shown (0 when none)."""
        return self.offset + 1 if self.runs else 0

    @property
    def last(self) -> int:
        return self.offset + len(self.runs)


@dataclass(frozen=True)
class RunGroup:
    """A sweep's trials or a cross-validation's folds (``key`` their group id), or one run on its own (key "")."""

    key: str
    runs: tuple[RunSummary, ...]  # newest first; the ones matching the filter

    @property
    def newest(self) -> RunSummary:
        return self.runs[0]

    def row(self) -> dict[str, Any]:
        """One table row: a single run's own row; for a group, its best accuracy, total time and count."""
        if len(self.runs) == 1:
            return {**self.newest.row(), "runs": 1}
        scored = [r for r in self.runs if r.val_accuracy is not None]
        best = max(scored, key=lambda r: r.val_accuracy) if scored else None
        times = [r.train_time_s for r in self.runs if r.train_time_s is not None]

        def one_or_all(values: list[str]) -> str:
            return ", ".join(dict.fromkeys(values))

        return {
            "id": self.newest.id,
            "created_at": self.newest.created_at,
            "kind": f"{one_or_all([r.kind for r in self.runs])} ×{len(self.runs)}",
            "status": one_or_all([r.status for r in self.runs]),
            "dataset": one_or_all([r.dataset for r in self.runs]),
            "model": one_or_all([r.model for r in self.runs]),
            "accuracy": best.val_accuracy if best else None,
            "f1": best.val_f1 if best else None,
            "train_time_s": sum(times) if times else None,
            "notes": "",
            "tags": one_or_all([t for r in self.runs for t in r.tags]),
            "timing": one_or_all([r.timing_context for r in self.runs if r.timing_context]),
            "runs": len(self.runs),
        }


@dataclass(frozen=True)
class GroupPage:
    groups: tuple[RunGroup, ...]
    total: int  # groups and lone runs matching the filter
    runs_total: int  # runs matching the filter
    offset: int

    @property
    def first(self) -> int:
        return self.offset + 1 if self.groups else 0

    @property
    def last(self) -> int:
        return self.offset + len(self.groups)

    @property
    def runs(self) -> tuple[RunSummary, ...]:
        return tuple(r for g in self.groups for r in g.runs)


MEMO_ENTRIES = 256  # answers kept per store object until the store changes


class RunQueries:
    """The read-only listings of ``RunStore``: pages, facets, the frontier, export rows, counts.

    Their answers are kept per store object until the store's change stamp moves (any commit, by any process:
    ``Database.change_stamp``), so a History rerun that asks the same questions reads nothing again."""

    def cached(self, key: Any, compute: Callable[[], T]) -> T:
        """``compute()``, kept under ``key`` (hashable) until the store changes; answers are shared, so they
        must be immutable. Without a stamp (PostgreSQL) every call computes."""
        stamp = self.change_stamp()
        if stamp is None:
            return compute()
        memo = self.__dict__.setdefault("_memo", {})
        with self._stamp_lock:
            if self.__dict__.get("_memo_stamp") != stamp:
                memo.clear()
                self._memo_stamp = stamp
            if key in memo:
                return memo[key]
        value = compute()  # read after the stamp: never older than what the stamp stands for
        with self._stamp_lock:
            if self._memo_stamp == stamp:
                if len(memo) >= MEMO_ENTRIES:
                    memo.clear()
                memo[key] = value
        return value

    def cached_read(self, key: Any, read: Callable[[Connection], T]) -> T:
        """``read(conn)`` on a fresh connection, kept under ``key`` like :meth:`cached`."""

        def compute() -> T:
            with self._engine.connect() as conn:
                return read(conn)

        return self.cached(key, compute)

    @property
    def _summaries(self) -> str:
        """The runs table as listings read it: through the summary index on SQLite (see core/store_db.py)."""
        return f"runs INDEXED BY {SUMMARY_INDEX}" if self.is_sqlite else "runs"

    @guarded
    def page(self, where: RunFilter | None = None, *, limit: int = 100, offset: int = 0) -> RunPage:
        """One page of runs (newest first) and how many match: indexed columns only, no stored result parsed.

        A row nobody has checked yet (another program wrote it) is checked here, once per store object."""
        where = where or RunFilter()
        return self.cached_read(("page", where, limit, offset), lambda conn: self._page(conn, where, limit, offset))

    def _page(self, conn: Connection, where: RunFilter, limit: int, offset: int) -> RunPage:
        clause, params = where.where()
        params.update(limit=_bounded(limit, "limit"), offset=_bounded(offset, "offset", high=None))
        total = int(conn.execute(text(f"SELECT COUNT(*) FROM {self._summaries} {clause}"), params).scalar_one())
        columns = ", ".join(SUMMARY_COLUMNS)
        sql = f"SELECT {columns} FROM {self._summaries} {clause} ORDER BY id DESC LIMIT :limit OFFSET :offset"
        rows = conn.execute(text(sql), params).all()
        return RunPage(tuple(self._summary(r._mapping) for r in rows), total, params["offset"])

    def _summary(self, m: Any) -> RunSummary:
        state = m["result_state"]
        values = {k: m[k] for k in ("val_accuracy", "val_f1", "train_time_s")}
        status, model_repr, timing = str(m["status"]), str(m["model_repr"] or ""), str(m["timing_context"] or "")
        if state is None:  # not checked when it was written: parse it (once: results are cached)
            run = self.get(int(m["id"]))
            state = "unreadable" if run.problem else "ok" if run.result is not None else "none"
            if run.result is not None:
                r = run.result
                values = {"val_accuracy": r.validation.accuracy, "val_f1": r.validation.f1}
                values["train_time_s"] = r.cost.train_time_s
                model_repr, timing = r.model_repr, r.cost.timing_context
        if state == "unreadable":
            status, values = "unreadable", dict.fromkeys(values)
        return RunSummary(
            int(m["id"]),
            str(m["created_at"]),
            str(m["kind"]),
            status,
            str(m["dataset"]),
            str(m["model"]),
            *(None if values[k] is None else float(values[k]) for k in ("val_accuracy", "val_f1", "train_time_s")),
            str(m["notes"] or ""),
            tuple(t for t in str(m["tags"] or "").split(",") if t),
            state == "ok",
            model_repr,
            timing if state == "ok" else "",
            str(m["group_id"] or ""),
        )

    @guarded
    def group_page(self, where: RunFilter | None = None, *, limit: int = 100, offset: int = 0) -> GroupPage:
        """One page of History's grouped list, newest first: a sweep's trials (a cross-validation's folds) as one
        entry holding its matching runs, every other run on its own. Grouped in SQL on indexed columns."""
        where = where or RunFilter()
        return self.cached_read(
            ("group_page", where, limit, offset), lambda conn: self._group_page(conn, where, limit, offset)
        )

    def _group_page(self, conn: Connection, where: RunFilter, limit: int, offset: int) -> GroupPage:
        clause, params = where.where()
        params.update(limit=_bounded(limit, "limit"), offset=_bounded(offset, "offset", high=None))
        key = "COALESCE(group_id, '#' || CAST(id AS TEXT))"
        grouped = f"SELECT {key} AS g, MAX(id) AS top FROM {self._summaries} {clause} GROUP BY {key}"
        total = int(conn.execute(text(f"SELECT COUNT(*) FROM ({grouped}) AS t"), params).scalar_one())
        runs_total = int(conn.execute(text(f"SELECT COUNT(*) FROM {self._summaries} {clause}"), params).scalar_one())
        keys = [
            str(g) for (g, _) in conn.execute(text(f"{grouped} ORDER BY top DESC LIMIT :limit OFFSET :offset"), params)
        ]
        singles = [int(k[1:]) for k in keys if k.startswith("#")]
        groups = [k for k in keys if not k.startswith("#")]
        members: dict[str, list[RunSummary]] = {k: [] for k in keys}
        if keys:
            picked, extra = [], dict(params)
            if singles:
                names = [f"single_{i}" for i in range(len(singles))]
                picked.append(f"(group_id IS NULL AND id IN ({', '.join(':' + n for n in names)}))")
                extra.update(zip(names, singles, strict=True))
            if groups:
                names = [f"group_{i}" for i in range(len(groups))]
                picked.append(f"group_id IN ({', '.join(':' + n for n in names)})")
                extra.update(zip(names, groups, strict=True))
            both = f"({' OR '.join(picked)})"
            sql_where = f"{clause} AND {both}" if clause else f"WHERE {both}"
            sql = f"SELECT {', '.join(SUMMARY_COLUMNS)} FROM {self._summaries} {sql_where} ORDER BY id DESC"
            for r in conn.execute(text(sql), extra):
                run = self._summary(r._mapping)
                members[run.group_id or f"#{run.id}"].append(run)
        entries = tuple(RunGroup(k if not k.startswith("#") else "", tuple(members[k])) for k in keys if members[k])
        return GroupPage(entries, total, runs_total, params["offset"])

    @guarded
    def facets(self) -> dict[str, list[str]]:
        """The distinct datasets, models, statuses and kinds stored (filter choices), from the indexes."""
        answer = self.cached_read(("facets",), self._facets)
        return {k: list(v) for k, v in answer.items()}  # copies: callers may change them

    def _facets(self, conn: Connection) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for column in ("dataset", "model", "status", "kind"):
            rows = conn.execute(text(f"SELECT DISTINCT {column} FROM runs ORDER BY {column}"))
            out[column] = [str(v) for (v,) in rows]
        if conn.execute(text("SELECT 1 FROM runs WHERE imported_at IS NOT NULL LIMIT 1")).first() is not None:
            out["kind"].append(IMPORTED)
        return out

    @guarded
    def frontier_points(self, where: RunFilter | None = None) -> list[tuple[int, str, str, str, float, float, str]]:
        """(id, model, dataset, model_repr, val_accuracy, train_time_s, timing_context) of every matching run with a
        result:
        a projection of the indexed headline columns, no stored result parsed."""
        where = where or RunFilter()
        return list(self.cached_read(("frontier_points", where), lambda conn: self._frontier(conn, where)))

    def _frontier(self, conn: Connection, where: RunFilter) -> list[tuple[int, str, str, str, float, float, str]]:
        clause, params = where.where()
        extra = "result_state = 'ok' AND val_accuracy IS NOT NULL AND train_time_s IS NOT NULL"
        if "compress" not in where.kinds:  # a compressed variant's time is its build (conversion), not a training
            extra += " AND kind != 'compress'"
        clause = f"{clause} AND {extra}" if clause else f"WHERE {extra}"  # RunFilter brackets its own ORs
        columns = "id, model, dataset, model_repr, val_accuracy, train_time_s, timing_context"
        sql = f"SELECT {columns} FROM {self._summaries} {clause}"
        return [
            (int(r[0]), str(r[1]), str(r[2]), str(r[3] or ""), float(r[4]), float(r[5]), str(r[6] or "serial"))
            for r in conn.execute(text(sql + " ORDER BY id"), params)
        ]

    def frontier_datasets(self, where: RunFilter | None = None) -> tuple[str, ...]:
        """The datasets of the matching runs with a result, the newest run's first (the frontier's choices)."""
        from core.records.store_frontier import datasets_newest_first

        where = where or RunFilter()
        return self.cached(("frontier_datasets", where), lambda: datasets_newest_first(self.frontier_points(where)))

    def frontier_view(
        self, where: RunFilter | None, dataset: str, *, include_all_timing: bool = False, drawn: int | None = None
    ) -> Any:  # FrontierView (core/records/store_frontier.py)
        """The frontier of the matching runs on ``dataset`` and the points a chart draws, kept until the store
        changes (core/records/store_frontier.py)."""
        from core.records.store_frontier import DRAWN, frontier_view

        where, drawn = where or RunFilter(), DRAWN if drawn is None else drawn
        return self.cached(
            ("frontier_view", where, dataset, include_all_timing, drawn),
            lambda: frontier_view(
                self.frontier_points(where), dataset, include_all_timing=include_all_timing, drawn=drawn
            ),
        )

    def export_rows(
        self, where: RunFilter | None = None, ids: list[int] | None = None, *, chunk: int = 200
    ) -> Iterator[Any]:
        """Every matching stored row, oldest first, read ``chunk`` rows per query (keyset paging); a variant's row
        carries its parent's uuid as ``parent_uuid``."""
        clause, params = (where or RunFilter()).where()
        if ids:
            names = [f"id_{i}" for i in range(len(ids))]
            clause = f"{clause} AND " if clause else "WHERE "
            clause += f"id IN ({', '.join(':' + n for n in names)})"
            params.update(zip(names, ids, strict=True))
        after = 0
        while True:
            parent = "(SELECT p.uuid FROM runs p WHERE p.id = runs.parent_id) AS parent_uuid"
            sql = f"SELECT runs.*, {parent} FROM runs {clause} {'AND' if clause else 'WHERE'} id > :after"
            sql += " ORDER BY id LIMIT :chunk"
            rows = self._read(sql, {**params, "after": after, "chunk": chunk})
            yield from rows
            if len(rows) < chunk:
                return
            after = int(rows[-1]["id"])

    @guarded
    def _read(self, sql: str, params: dict[str, Any]) -> list[Any]:
        with self._engine.connect() as conn:
            return [r._mapping for r in conn.execute(text(sql), params)]

    @guarded
    def count(self, where: RunFilter | None = None) -> int:
        """How many runs are stored (that ``where`` picks, when given)."""
        where = where or RunFilter()
        clause, params = where.where()
        sql = f"SELECT COUNT(*) FROM {self._summaries} {clause}"
        return self.cached_read(("count", where), lambda conn: int(conn.execute(text(sql), params).scalar_one()))


def _bounded(value: int, name: str, *, high: int | None = MAX_PAGE) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0 or (high is not None and value > high):
        rule = f"an integer in [0, {high}]" if high is not None else "an integer ≥ 0"
        raise ConfigError(f"The '{name}' of a run listing must be {rule}. Got {value!r}.")
    return value


def _day(value: str, name: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except (TypeError, ValueError):
        raise ConfigError(f"The '{name}' date of a run filter must be YYYY-MM-DD. Got {value!r}.") from None
