"""Per-epoch progress events and the callback protocol every trainer honours.

A trainer calls ``callback(EpochLog(...))`` once per epoch. A callback that returns ``True`` asks training
to stop; the trainer finishes the epoch in hand, keeps the partial model and marks the run stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class EpochLog:
    epoch: int  # 1-based
    epochs: int  # planned total
    loss: float
    accuracy: float
    val_loss: float | None
    val_accuracy: float | None
    elapsed_s: float  # since training started, validation included
    epoch_s: float  # this epoch's fitting alone, without its validation pass
    eval_s: float = 0.0  # this epoch's validation (and, with early stopping, its inner split), timed apart

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


Callback = Callable[[EpochLog], bool | None]


def notify(callback: Callback | None, log: EpochLog) -> bool:
    """Send ``log`` to ``callback``; True when the callback asked to stop."""
    return bool(callback(log)) if callback is not None else False
