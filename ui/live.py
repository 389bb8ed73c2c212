"""Following a running job on a page: a progress bar and a growing chart, redrawn as news arrives.

    live.follow(job, progress_of=lambda job, finished: (0.5, "5/10 trials"), chart_of=..., poll_s=0.25)

One loop for every page that follows a job (Train follows a training run, Trade-offs a sweep): it marks
the job as watched (the registry stops training jobs nobody watches), waits for news or ``poll_s`` (an
update each poll also lets Streamlit deliver a Stop click or a slider change promptly) and returns when
the job has ended.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import streamlit as st

from core.training.progress import eta_s, eta_text, fraction_done


def follow(
    job: Any,
    *,
    progress_of: Callable[[Any, bool], tuple[float, str]],
    chart_of: Callable[[Any], Any] | None = None,
    version_of: Callable[[Any], int] = lambda job: 0,
    poll_s: float = 0.25,
    chart_every_s: float = 0.0,
    chart_after_s: float = 0.0,
    keep_progress: bool = False,
    picture_of: Callable[[Any], Any] | None = None,
    redraw_every_s: float = 0.0,
) -> None:
    """Show ``job`` until it ends: ``progress_of(job, finished)`` → (fraction, text) each poll;
    ``chart_of(job)`` (a chart, a tuple drawn side by side, or None) when ``version_of(job)`` has changed, at
    most every ``chart_every_s`` and only after ``chart_after_s`` of running (drawing competes with training
    for the CPU). ``picture_of(job)`` returns (key, chart) or None: a second chart redrawn when its key
    changes and left on the page at the end (the live decision boundary); both charts are cleared at the
    end, when the page shows the finished run. ``redraw_every_s``: news (an epoch) redraws the bar at most this
    often, so a run of many quick epochs is not redrawn per epoch; its end still shows at once."""
    progress = st.progress(0.0)
    slot = st.empty()
    picture_slot = st.empty() if picture_of is not None else None
    shown, drawn_at, picture_key = None, -math.inf, None
    while True:
        job.touch()  # a page is showing it: the registry keeps it alive
        finished = not job.running
        fraction, text = progress_of(job, finished)
        progress.progress(min(1.0, max(0.0, fraction)), text=text)
        version = version_of(job)
        due = job.elapsed_s >= chart_after_s and job.elapsed_s - drawn_at >= chart_every_s
        if chart_of is not None and not finished and version != shown and due:
            chart = chart_of(job)
            if chart is not None:
                _draw(slot, chart)
                shown, drawn_at = version, job.elapsed_s
        picture = picture_of(job) if picture_of is not None else None
        if picture is not None and picture[0] is not picture_key and (finished or due):
            picture_slot.altair_chart(picture[1], width="stretch")
            picture_key = picture[0]
        if finished:
            break
        waited_from = time.perf_counter()
        job.wait_change(poll_s)  # returns as soon as there is news, or after poll_s
        if (rest := redraw_every_s - (time.perf_counter() - waited_from)) > 0:
            job.wait(rest)  # early news: wait out the redraw interval, or less if the job ends
    if not keep_progress:
        progress.empty()
    slot.empty()
    if picture_slot is not None:
        picture_slot.empty()  # the page shows the final picture with the finished run


_SEEN: dict[tuple[str, int], float] = {}  # (job id, epochs logged) → the job's elapsed_s when first seen


def _first_seen(job: Any, n_logs: int) -> float:
    """When this page first saw the job's ``n_logs``-th epoch (the job's clock): the ETA counts from there."""
    key = (str(getattr(job, "job_id", id(job))), n_logs)
    if key not in _SEEN:
        if len(_SEEN) > 256:
            _SEEN.clear()
        _SEEN[key] = job.elapsed_s
    return _SEEN[key]


def _draw(slot: Any, chart: Any) -> None:
    """One chart filling the slot, or a tuple of charts side by side (each fills its column; they stack on
    a narrow screen, where one wide chart would overflow)."""
    if isinstance(chart, tuple):
        columns = slot.container().columns(len(chart))
        for col, one in zip(columns, chart, strict=True):
            col.altair_chart(one, width="stretch")
    else:
        slot.altair_chart(chart, width="stretch")


def training_progress(job: Any, finished: bool) -> tuple[float, str]:
    """A training job's bar: epochs done and ETA, or the halt being scored, or the first epoch."""
    logs = list(job.logs)
    if job.halted_at is not None:
        done = f" in epoch {len(logs)}" if logs else ""
        asked = job.stop_asked_at
        lag = f" {job.halted_at - asked:.2f} s after the request" if asked and job.halted_at >= asked else ""
        text = f"Training stopped{done}{lag} · scoring the partial model… {job.elapsed_s:.1f} s"
        return len(logs) / job.model_cfg.epochs, text
    planned = logs[-1].epochs if logs else job.model_cfg.epochs
    if logs and len(logs) >= planned:
        return 1.0, f"Epoch {len(logs)}/{planned} · {job.elapsed_s:.1f} s elapsed · scoring…"
    clock = getattr(job, "batches", None)  # per-batch progress from the trainer (networks)
    eta = clock.eta_s(logs, time.perf_counter()) if clock is not None else None
    if eta is not None:
        epoch, done = clock.position()
        head = f"Epoch {epoch}/{planned} · batch {done:,}/{clock.total:,} · {job.elapsed_s:.1f} s elapsed"
        return max(clock.fraction(), len(logs) / planned), f"{head} · {eta_text(eta)}"
    if logs:
        since_last = job.elapsed_s - _first_seen(job, len(logs))  # counts down between epochs
        head = f"Epoch {len(logs)}/{planned} · {job.elapsed_s:.1f} s elapsed"
        return fraction_done(logs, since_last), f"{head} · {eta_text(eta_s(logs, since_last))}"
    # an update each poll also lets Streamlit deliver a Stop click or a slider change promptly
    return 0.0, f"First epoch (set-up and graph tracing)… {job.elapsed_s:.1f} s"


def sweep_progress(job: Any, finished: bool) -> tuple[float, str]:
    """A sweep or search job's bar: trials done, time, and an ETA while it runs."""
    done = len(job.trials)
    text = f"{done}/{job.total} trials · {job.elapsed_s:.1f} s"
    if done and not finished:
        text += f" · ETA {job.elapsed_s / done * (job.total - done):.0f} s"
    return done / job.total, text
