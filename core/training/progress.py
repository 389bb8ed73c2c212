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
    """A callback with a stop flag: ``on_epoch`` gets each EpochLog, ``should_stop`` is polled every batch,
    ``on_batch(epoch, done, total)`` hears how far the epoch in hand has got (networks; not every batch: as
    often as the trainer can say it cheaply)."""

    on_epoch: Callback | None = None
    should_stop: Callable[[], bool] = _never
    on_batch: Callable[[int, int, int], None] | None = None

    def __call__(self, log: EpochLog) -> bool:
        asked = bool(self.on_epoch(log)) if self.on_epoch is not None else False
        return asked or self.should_stop()

    def stop_requested(self) -> bool:
        return bool(self.should_stop())

    def batch_done(self, epoch: int, done: int, total: int) -> None:
        if self.on_batch is not None:
            self.on_batch(epoch, done, total)


def batch_done(callback: Callback | None, epoch: int, done: int, total: int) -> None:
    """Tell ``callback`` (when it listens: a ``batch_done`` method) that ``done`` of ``total`` batches of epoch
    ``epoch`` (1-based) are fitted."""
    hook = getattr(callback, "batch_done", None)
    if hook is not None:
        hook(epoch, done, total)


@dataclass
class BatchClock:
    """The ETA from per-batch progress: seconds per batch measured between batch reports (so epoch 1's set-up
    and graph tracing, which come before its first report, do not inflate it), plus each epoch's validation.

    ``update`` with each report (``now`` on the caller's clock); ``eta_s(logs, now)`` says the seconds left in
    training, or None when it cannot know yet or no batch is left (the final scoring follows)."""

    epochs: int
    first: tuple[float, int] | None = None  # (time, batches done in all) at the first report
    last: tuple[float, int] | None = None
    total: int = 0  # batches per epoch

    def update(self, now: float, epoch: int, done: int, total: int) -> None:
        overall = (epoch - 1) * total + done
        self.total = total
        if self.first is None or overall < self.first[1]:
            self.first = (now, overall)
        self.last = (now, overall)

    def position(self) -> tuple[int, int]:
        """(epoch, batches done in it) at the last report: batch 100/100 of epoch 1, not batch 0 of epoch 2."""
        if self.last is None or not self.total:
            return 0, 0
        epoch, done = divmod(self.last[1], self.total)
        return (epoch, self.total) if done == 0 else (epoch + 1, done)

    def fraction(self) -> float:
        if self.last is None or not self.total:
            return 0.0
        return min(self.last[1] / (self.total * self.epochs), 1.0)

    def eta_s(self, logs: list[EpochLog] | tuple[EpochLog, ...], now: float) -> float | None:
        if self.first is None or self.last is None or self.last[1] <= self.first[1]:
            return None
        per_batch = (self.last[0] - self.first[0]) / (self.last[1] - self.first[1])
        left = self.total * self.epochs - self.last[1]
        if left <= 0:
            return None
        evals = [log.eval_s for log in logs]
        per_eval = sum(evals) / len(evals) if evals else 0.0
        epochs_left = self.epochs - len(logs)
        seconds = per_batch * left + per_eval * max(epochs_left, 0) - max(now - self.last[0], 0.0)
        return max(seconds, per_batch)  # never 0 while a batch is left


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
