"""Presenter scenarios in the run store: a named one-sentence story pointing at one run. :class:`ScenarioRuns` is
a mixin of ``RunStore`` (core/records/store.py). :func:`article_scenario` is the built-in example built from the
newest stored run of the ``seed-article`` preset ("The article says 98.5 %; this machine measures …").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import text

from core.records.store_db import StoreError, guarded

if TYPE_CHECKING:
    from core.records.store import RunStore

ARTICLE_PRESET = "seed-article"


@dataclass(frozen=True)
class Scenario:
    id: int
    name: str
    narrative: str  # the one-sentence story told to the audience
    run_id: int
    builtin: bool = False  # the article's example: built from a stored run, not saved, not editable


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
    def update_scenario(self, scenario_id: int, *, name: str, narrative: str) -> None:
        """A scenario's name and story as edited on the Demo page (edit mode)."""
        if not name.strip():
            raise StoreError("A scenario needs a name: type one, or leave the scenario as it was.")
        self._execute_write(
            "UPDATE scenarios SET name = :name, narrative = :narrative WHERE id = :id",
            {"id": scenario_id, "name": name.strip(), "narrative": narrative.strip()},
        )

    @guarded
    def swap_scenarios(self, first_id: int, second_id: int) -> None:
        """Reorder two scenarios (the Demo shows them by id): their name, story and run trade places, in one
        transaction."""
        read = text("SELECT id, name, narrative, run_id FROM scenarios WHERE id IN (:a, :b)")
        write = text("UPDATE scenarios SET name = :name, narrative = :narrative, run_id = :run_id WHERE id = :id")

        def action() -> None:
            with self._write() as conn:
                rows = {int(r.id): r for r in conn.execute(read, {"a": first_id, "b": second_id})}
                if len(rows) != 2:
                    raise StoreError(f"Scenarios {first_id} and {second_id} are not both stored; reload the Demo.")
                for target, source in ((first_id, second_id), (second_id, first_id)):
                    r = rows[source]
                    conn.execute(write, {"id": target, "name": r.name, "narrative": r.narrative, "run_id": r.run_id})

        self._retrying(action)

    @guarded
    def scenarios(self) -> list[Scenario]:
        with self._engine.connect() as conn:
            rows = conn.execute(text("SELECT id, name, narrative, run_id FROM scenarios ORDER BY id"))
            return [Scenario(int(r.id), str(r.name), str(r.narrative), int(r.run_id)) for r in rows]

    @guarded
    def delete_scenario(self, scenario_id: int) -> None:
        self._execute_write("DELETE FROM scenarios WHERE id = :id", {"id": scenario_id})


def article_scenario(store: RunStore) -> Scenario | None:
    """The article's claim against this machine, from the newest complete stored run whose configuration is
    exactly the ``seed-article`` preset's; None until such a run exists (train the preset to make one)."""
    from core.presets import get_preset, latest_measurement

    preset = get_preset(ARTICLE_PRESET)
    found = latest_measurement(preset, store)
    if found is None or preset.claimed_test_accuracy is None:
        return None
    run_id, run = found
    story = (
        f"The article says {preset.claimed_test_accuracy * 100:.1f} %; this machine measures "
        f"{run.test.accuracy * 100:.1f} % (training {run.cost.train_time_s:.0f} s)"
    )
    return Scenario(id=-run_id, name="The article's model, measured here", narrative=story, run_id=run_id, builtin=True)


def article_hint() -> str:
    """What to do to get the article's scenario when no run of the preset is stored yet."""
    return (
        f"The article's example appears here once its preset has run: on **Home**, press “Open in Train” under "
        f"“{ARTICLE_PRESET}” and train it as defined (or run `python -m core train --preset {ARTICLE_PRESET}`)."
    )
