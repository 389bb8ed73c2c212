"""The Trade-offs page's pickers: the values of each knob (a grid) or its range (a search), the executor
(one at a time, a local pool, or Ray when it is set up or installed) and connecting to Ray before a run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from core.explore import ray_connect
from core.explore.analysis import display_value
from core.knobs import KNOBS, sweep_values

RAY_CONNECT_TIMEOUT_S = 15.0  # the page gives a Ray address this long to answer (the CLI: --ray-timeout, 30 s)

EXECUTOR_LABELS = {
    "serial": "One at a time (honest times)",
    "local": "Local pool (faster; times measured under contention)",
    "ray": "Ray",
}


def executors_offered() -> list[str]:
    """serial and local always; ray when RAY_ADDRESS is set or Ray is installed."""
    return ["serial", "local"] + (["ray"] if ray_connect.ray_offered() else [])


def executor_label(name: str) -> str:
    if name != "ray":
        return EXECUTOR_LABELS[name]
    address = ray_connect.ray_target()
    where = f"cluster at {address}" if address else f"a local one, ~{ray_connect.LOCAL_START_S:.0f} s to start"
    return f"Ray ({where})"


def is_range_knob(knob: str) -> bool:
    """A search picks a numeric knob's range (from–to); enums and model families stay a list of choices."""
    return knob in KNOBS and not KNOBS[knob].choices


def range_options(knob: str, current: Any) -> list[Any]:
    """A range picker's stops: the knob's suggested values plus the current one; hidden units at the Train
    configuration's depth (64-64 stays two layers)."""
    values = [v for v in sweep_values(knob) if v is not None]
    if knob == "hidden_units":
        depth = max(1, len(current or ()))
        widths = sorted({u for v in values for u in v} | set(current or ()))
        return [(w,) * depth for w in widths]
    if current is not None and current not in values:
        values.append(current)
    return sorted(values)


def value_pickers(
    knobs: list[str],
    current_of: Callable[[str], Any],
    remembered: Callable[..., Any],
    *,
    search: bool,
) -> dict[str, list[Any]]:
    """One picker per knob: values for a grid; for a search, a from–to range (numbers) or choices (enums)."""
    values: dict[str, list[Any]] = {}
    for col, knob in zip(st.columns(max(1, len(knobs))), knobs, strict=False):
        current = current_of(knob)
        words = knob.replace("_", " ")
        with col:
            if search and is_range_knob(knob):
                options = range_options(knob, current)
                default = (options[0], options[-1])
                kept = remembered(f"trade_range_{knob}", default)
                if not (isinstance(kept, (tuple, list)) and len(kept) == 2 and all(v in options for v in kept)):
                    kept = default
                low, high = st.select_slider(
                    f"{words} range",
                    options,
                    value=tuple(kept),
                    key=f"trade_range_{knob}",
                    format_func=display_value,
                    help="Optuna samples only between these two values"
                    + (" (on a log scale)." if KNOBS[knob].log else "."),
                )
                values[knob] = [low, high]
                continue
            choices = sweep_values(knob)
            near = [c for c in choices if c == current] or choices[:1]
            picked_default = sorted(set(choices[:: max(1, len(choices) // 3)]) | set(near), key=choices.index)[:4]
            values[knob] = st.multiselect(
                f"{words} {'choices' if search else 'values'}",
                choices,
                default=remembered(f"trade_vals_{knob}", picked_default, choices),
                key=f"trade_vals_{knob}",
                format_func=display_value,
                wrap=True,  # in a column the chips would stay one row and cut the last value at 800 px
            )
    return values


def connect_ray() -> None:
    """Connect to RAY_ADDRESS, or start a local Ray, with a status box saying so; ConfigError when it fails."""
    address = ray_connect.ray_target()
    label = (
        f"Connecting to the Ray cluster at {address}…"
        if address
        else f"Starting a local Ray (about {ray_connect.LOCAL_START_S:.0f} s on a quiet machine)…"
    )
    with st.status(label, expanded=False) as box:
        try:
            joined = ray_connect.connect(address, timeout_s=RAY_CONNECT_TIMEOUT_S)
        except Exception:
            box.update(label="Ray is not available", state="error")
            raise
        box.update(label=f"Running on {joined}.", state="complete")
