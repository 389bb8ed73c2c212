"""Compressed variants in the run store (core/compress): kind "compress" runs linked to the run they were made
from, with their report row. :class:`VariantRuns` is a mixin of ``RunStore`` (core/records/store.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from core.records.store_db import guarded

if TYPE_CHECKING:
    from core.records.result import RunResult
    from core.records.store import StoredRun


class VariantRuns:
    """The compressed variants of ``RunStore``."""

    @guarded
    def save_variant(
        self, result: RunResult | None, *, parent_id: int, info: dict[str, Any], run_uuid: str | None = None
    ) -> int:
        """Save a compressed variant (kind "compress") linked to run ``parent_id``, in one insert; ``info`` is its
        report row."""
        import json

        from core.records.unsaved import Unsaved

        self.get(parent_id)  # the parent must exist: RunNotFound names the id
        entry = Unsaved.variant(result, info)
        return self.save(
            result,
            kind=entry.kind,
            status=entry.status,
            error=entry.error,
            dataset=entry.dataset,
            model=entry.model,
            parent_id=parent_id,
            compress_json=json.dumps(info),
            run_uuid=run_uuid,
        )

    @guarded
    def variants(self, parent_id: int) -> list[tuple[StoredRun, dict[str, Any]]]:
        """The variants made from run ``parent_id``, oldest first, each with its report row."""
        import json

        with self._engine.connect() as conn:
            rows = conn.execute(
                text("SELECT * FROM runs WHERE parent_id = :p AND kind = 'compress' ORDER BY id"), {"p": parent_id}
            ).all()
        out = []
        for row in rows:
            try:
                info = json.loads(row._mapping["compress_json"] or "{}")
            except ValueError:
                info = {}
            out.append((self._row(row._mapping), info if isinstance(info, dict) else {}))
        return out

    @guarded
    def compressed_parents(self) -> list[int]:
        """Ids of runs that have stored variants, newest first."""
        with self._engine.connect() as conn:
            rows = conn.execute(text("SELECT DISTINCT parent_id FROM runs WHERE parent_id IS NOT NULL ORDER BY 1 DESC"))
            return [int(r[0]) for r in rows]
