"""The one status vocabulary of runs, sweep trials and jobs: what the store records and pages show.

``Status`` is a ``str`` Enum, so ``Status.FAILED == "failed"`` and JSON writes it as its value.
"""

from __future__ import annotations

from enum import Enum


class Status(str, Enum):
    RUNNING = "running"
    COMPLETE = "complete"
    STOPPED = "stopped"
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # left "running" by a process that is gone (the store's start-up sweep)

    def __str__(self) -> str:
        return self.value


STATUSES = tuple(s.value for s in Status)

__all__ = ["STATUSES", "Status"]
