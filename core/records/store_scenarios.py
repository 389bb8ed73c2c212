"""Presenter scenarios in the run store: a named narrative pointing at one run. :class:`ScenarioRuns` is a mixin
of ``RunStore`` (core/records/store.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import text

from core.records.store_db import StoreError, guarded

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class Scenario:
    id: int
    name: str
    narrative: str
    run_id: int


class ScenarioRuns:
    """The scenarios of ``RunStore``."""

    @guarded
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

    @guarded
    def scenarios(self) -> list[Scenario]:
        with self._engine.connect() as conn:
            rows = conn.execute(text("SELECT id, name, narrative, run_id FROM scenarios ORDER BY id"))
            return [Scenario(int(r.id), str(r.name), str(r.narrative), int(r.run_id)) for r in rows]

    @guarded
    def delete_scenario(self, scenario_id: int) -> None:
        self._execute_write("DELETE FROM scenarios WHERE id = :id", {"id": scenario_id})
