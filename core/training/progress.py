"""Per-epoch progress events, and the stop flag every trainer polls.

A trainer calls ``callback(EpochLog(...))`` once per epoch. A callback that returns ``True`` asks training
to stop; the trainer keeps the partial model and marks the run stopped. A callback object may also carry a
``stop_requested()`` method (see :class:`Progress`): networks poll it after every mini-batch, so a stop is
honoured within one batch rather than at the end of the epoch in hand.

    progress = Progress(on_epoch=logs.append, should_stop=stop_event.is_set)
    train(data_cfg, model_cfg, callback=progress)     # stops within a batch of stop_event.set()
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


def _never() -> bool:
    return False


@dataclass(frozen=True)
class Progress:
    """A callback with a stop flag: ``on_epoch`` gets each EpochLog, ``should_stop`` is polled every batch."""

    on_epoch: Callback | None = None
    should_stop: Callable[[], bool] = _never

    def __call__(self, log: EpochLog) -> bool:
        asked = bool(self.on_epoch(log)) if self.on_epoch is not None else False
        return asked or self.should_stop()

    def stop_requested(self) -> bool:
        return bool(self.should_stop())


def notify(callback: Callback | None, log: EpochLog) -> bool:
    """Send ``log`` to ``callback``; True when the callback asked to stop."""
    return bool(callback(log)) if callback is not None else False


def stop_requested(callback: Callback | None) -> bool:
    """The per-batch check: True when ``callback`` carries a ``stop_requested()`` that says stop."""
    check = getattr(callback, "stop_requested", None)
    return bool(check()) if check is not None else False


def polls_batches(callback: Callback | None) -> bool:
    """True when ``callback`` has a per-batch stop flag worth polling (so trainers skip the hook otherwise)."""
    return getattr(callback, "stop_requested", None) is not None
