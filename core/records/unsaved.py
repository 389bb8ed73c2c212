"""Where runs the store refused are kept: ``~/.tradeoff_lab/unsaved/``, one export-format file per refusal.

A Train run, a sweep's refused trials or a cross-validation's refused folds are written there by
``core.records.store_import.write_recovery_file`` (a file named ``<time>-<id>.json``, or
``<time>-<kind>-<id>-<N>runs.json`` when it holds several runs); ``import_unsaved`` in the same module adds them
all and moves them to ``unsaved/imported/``. This module only names and lists the files: a directory scan, no
JSON read, so History can say what is waiting without loading the import code.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.config import lab_home

if TYPE_CHECKING:
    from core.records.result import RunResult

_RUNS = re.compile(r"-(\d+)runs\.json$")  # a file of several runs says how many in its name


def unsaved_dir() -> Path:
    return lab_home() / "unsaved"


def file_name(stamp: str, run_id: str, *, kind: str, n_runs: int) -> str:
    """A recovery file's name: one run ``<stamp>-<id>.json``; several ``<stamp>-<kind>-<id>-<N>runs.json``."""
    return f"{stamp}-{run_id}.json" if n_runs == 1 else f"{stamp}-{kind}-{run_id}-{n_runs}runs.json"


@dataclass(frozen=True)
class Unsaved:
    """One run the store refused, with what ``RunStore.save`` was given for it: an entry of a recovery file."""

    result: RunResult | None
    kind: str = "train"  # the store's kinds: train, trial, cv, compress
    status: str | None = None  # None: failed without a result, else complete or stopped as the result says
    dataset: str | None = None  # None: the result's
    model: str | None = None  # None: the result's
    error: str | None = None
    group: str | None = None  # a sweep's or a cross-validation's group: History lists the runs as one entry
    uuid: str | None = None  # None: a fresh one when saved or kept; given when another entry names this run
    parent: str | None = None  # a compressed variant: its parent run's uuid (the store links it on import)
    compress: dict[str, Any] | None = None  # a compressed variant's report row (Compress shows it)

    @classmethod
    def variant(cls, result: RunResult | None, info: dict[str, Any], *, parent: str | None = None) -> Unsaved:
        """A compressed variant as the store keeps it (``RunStore.save_variant``): failed, with its report row's
        error and no dataset or model, when it has no result."""
        done = result is not None
        return cls(
            result,
            kind="compress",
            status="complete" if done else "failed",
            dataset=None if done else "?",
            model=None if done else "?",
            error=None if done else info.get("error"),
            parent=parent,
            compress=info,
        )


@dataclass(frozen=True)
class Waiting:
    """The recovery files waiting in ``unsaved/`` (oldest first) and the runs their names say they hold."""

    files: tuple[Path, ...]
    n_runs: int


def waiting() -> Waiting:
    """The ``*.json`` files directly in ``unsaved/`` (not ``unsaved/imported/``); nothing is opened."""
    try:
        with os.scandir(unsaved_dir()) as entries:
            names = sorted(e.name for e in entries if e.name.endswith(".json") and e.is_file())
    except OSError:  # no folder yet (nothing ever refused), or unreadable: nothing to offer
        return Waiting((), 0)
    n_runs = sum(int(m[1]) if (m := _RUNS.search(n)) else 1 for n in names)
    return Waiting(tuple(unsaved_dir() / n for n in names), n_runs)
