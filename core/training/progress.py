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


def steady_epoch_s(logs: list[EpochLog] | tuple[EpochLog, ...]) -> float | None:
    """Seconds per epoch as the run goes now: the mean of epochs 2 onwards once one exists (epoch 1 carries
    set-up and graph tracing, often many times a steady epoch), else epoch 1's own time; None before any."""
    if not logs:
        return None
    if len(logs) >= 2:
        return max(logs[-1].elapsed_s - logs[0].elapsed_s, 0.0) / (len(logs) - 1)
    return logs[0].elapsed_s


def eta_s(logs: list[EpochLog] | tuple[EpochLog, ...], since_last_s: float = 0.0) -> float | None:
    """Seconds left in training, or None when there is nothing to estimate yet (no epoch) or no epoch left
    (the final scoring). ``since_last_s``: time since the last epoch ended, so the estimate counts down
    between epochs rather than freezing. Never 0 while an epoch is left: at worst a tenth of an epoch (the
    epoch in hand is late, not done)."""
    if not logs:
        return None
    left = logs[-1].epochs - len(logs)
    per_epoch = steady_epoch_s(logs)
    if left <= 0 or per_epoch is None:
        return None
    floor = max(per_epoch * 0.1, 0.05)
    return max(per_epoch * left - max(since_last_s, 0.0), floor)


def fraction_done(logs: list[EpochLog] | tuple[EpochLog, ...], since_last_s: float = 0.0) -> float:
    """The progress bar's fill: epochs done plus the estimated share of the epoch in hand (below 1 until
    the last epoch has ended)."""
    if not logs:
        return 0.0
    planned = max(logs[-1].epochs, 1)
    per_epoch = steady_epoch_s(logs) or 0.0
    in_hand = min(since_last_s / per_epoch, 0.95) if per_epoch > 0 and len(logs) < planned else 0.0
    return min((len(logs) + in_hand) / planned, 1.0)


def eta_text(seconds: float | None) -> str:
    """The bar's "ETA 12 s", "ETA 2.5 min", "ETA < 1 s" (never "ETA 0.0 s")."""
    if seconds is None:
        return ""
    if seconds < 1:
        return "ETA < 1 s"
    if seconds < 90:
        return f"ETA {seconds:.0f} s"
    return f"ETA {seconds / 60:.1f} min"
