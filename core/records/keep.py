"""Saving runs, or keeping them in ``~/.tradeoff_lab/unsaved/`` files when the store cannot take them.

The app's jobs and pages and the CLI all go through here, so a refusal reads the same everywhere and what was
trained is kept the same way: in a file ``runs import --unsaved`` (or History's "Import them") adds later. The
in-memory store the app falls back to (``open_store``) takes the runs, but they are gone with the process, so
they are kept in a file too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from core.errors import CoreError
from core.records.unsaved import Unsaved

if TYPE_CHECKING:
    from core.records.result import RunResult
    from core.records.store import RunStore

STORE_ERRORS = (CoreError, SQLAlchemyError)  # what a store write can raise


def refusal(err: Exception) -> str:
    """A refused write as one sentence for people: the store's own (what happened, what to do), never SQL."""
    if isinstance(err, CoreError):
        return str(err)[:300]
    return f"The database refused the write ({type(err).__name__})."


def save_unsaved(store: RunStore, run: Unsaved) -> int:
    """``store.save`` of one run as its ``Unsaved`` entry describes it (so a refused one is kept as it was); a
    compressed variant through ``save_variant``, linked to its parent (saved before it, by uuid)."""
    if run.compress is not None:
        from core.records.store_db import StoreError

        parent_id = store.id_of(run.parent) if run.parent else None
        if parent_id is None:
            raise StoreError(f"The run this variant was made from ({run.parent}) is not in the store.")
        return store.save_variant(run.result, parent_id=parent_id, info=run.compress, run_uuid=run.uuid)
    return store.save(
        run.result, kind=run.kind, status=run.status, dataset=run.dataset, model=run.model, error=run.error,
        group=run.group, run_uuid=run.uuid,
    )  # fmt: skip


def keep_in_file(
    runs: RunResult | None | Sequence[Unsaved], *, kind: str = "train", error: str | None = None
) -> tuple[str | None, str]:
    """Write what the store could not keep to ``~/.tradeoff_lab/unsaved/`` (``write_recovery_file``): (its path,
    "") or (None, a sentence saying it could not be written either)."""
    from core.records.store_import import write_recovery_file

    try:
        return str(write_recovery_file(runs, kind=kind, error=error)), ""
    except OSError as err:
        return None, f" It could not be kept in a file either ({err.strerror or err})."


def stand_in(store: RunStore | None) -> bool:
    """The in-memory store the app fell back to (``open_store``): what it holds is gone with the process."""
    return store is not None and store.stand_in_for is not None


@dataclass
class Saved:
    """What ``save_or_keep`` did: the ids saved, the store's sentence when it refused, the file that keeps runs."""

    ids: list[int] = field(default_factory=list)
    store_error: str | None = None
    recovery_path: str | None = None
    refused: int = 0


def save_or_keep(store: RunStore, runs: list[Unsaved], *, kind: str) -> Saved:
    """Save each run; once the store refuses one (locked, full) the rest are not tried — each would wait out the
    lock again — and every run not saved goes to ONE recovery file (``kind`` names it). Runs saved to the
    stand-in store are all kept in one file too."""
    saved = Saved()
    for i, run in enumerate(runs):
        try:
            saved.ids.append(save_unsaved(store, run))
        except STORE_ERRORS as err:
            saved.refused = len(runs) - i
            saved.recovery_path, problem = keep_in_file(runs[i:], kind=kind)
            saved.store_error = refusal(err) + problem
            return saved
    if saved.ids and stand_in(store):
        saved.recovery_path, _ = keep_in_file(runs, kind=kind)
    return saved
