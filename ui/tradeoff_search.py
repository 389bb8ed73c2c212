"""Trade-offs results that answer questions: the what-ifs (with first values taken from the data, so the
first view always answers) and, for an Optuna search, which knobs mattered and every configuration as a
line across the knobs."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from core.explore.analysis import (
    ConfigSummary,
    budget_answer,
    default_budget,
    default_target,
    fastest_reaching,
    params_label,
    within_noise,
)
from core.explore.search import param_importances, search_ranges
from core.explore.search_charts import importance_chart, parallel_coordinates
from core.explore.sweeps import Trial

_IMPORTANCES: dict[tuple, tuple[dict[str, float], dict[str, float]]] = {}  # (job trials, metric) → importances


def _describe(summary: ConfigSummary, metric: str) -> str:
    spread = f" ± {summary.metric_std:.4f}" if summary.n > 1 else ""
    numbers = f"{metric} {summary.metric_mean:.4f}{spread} in {summary.time_mean:.3g} s"
    return f"**{params_label(summary.params)}** ({numbers})"


def _nice_step(top: float) -> float:
    return 10 ** (math.floor(math.log10(top)) - 2) if top > 0 else 0.001


def what_ifs(ok: pd.DataFrame, summaries: Sequence[ConfigSummary], metric: str):
    """The two what-ifs side by side; returns (best within the budget, fastest reaching the target)."""
    w1, w2 = st.columns(2)
    budget_default = default_budget(summaries) or 0.0
    top = max(float(ok.train_time_s.max()) * 1.05, budget_default)
    step = _nice_step(top)
    top = math.ceil(top / step) * step
    budget = w1.slider(
        "If training must take at most … seconds",
        0.0,
        float(top),
        float(min(budget_default, top)),
        step=float(step),
        key="trade_budget",
        help="First value: the median configuration's time, so about half the configurations fit.",
    )
    answer = budget_answer(summaries, budget)
    best = answer.within if answer else None
    if answer is None or answer.within is None:
        fastest_time = min(s.time_mean for s in summaries)
        w1.markdown(
            f"Within the budget: nothing trains that fast; the fastest configuration takes {fastest_time:.3g} s."
        )
    elif answer.lost_pp <= 0:
        w1.markdown(f"Within the budget: **nothing lost**, the most accurate configuration fits: "
                    f"{_describe(answer.within, metric)}.")  # fmt: skip
    else:
        w1.markdown(
            f"Within the budget: **you give up {answer.lost_pp:.1f} pp of {metric}** and save {answer.saved_s:.3g} s: "
            f"best within budget {_describe(answer.within, metric)}, against the best overall "
            f"{_describe(answer.best, metric)}."
        )
    if best is not None and best.n > 1:
        rivals = [s for s in summaries if s is not best and s.time_mean <= budget and within_noise(s, best)]
        if rivals:
            w1.caption(f"Within noise of {len(rivals)} other configuration(s) in budget: their repeat bands overlap.")

    lo = math.floor(float(ok[metric].min()) * 200) / 200
    hi = max(math.ceil(float(ok[metric].max()) * 200) / 200, lo + 0.005)
    target_default = min(max(default_target(summaries) or lo, lo), hi)
    target = w2.slider(
        f"Fastest way to reach at least this {metric}",
        lo,
        hi,
        target_default,
        step=0.005,
        format="%.3f",
        key="trade_target",
        help="First value: the median configuration's result rounded down to 0.5 pp, so something reaches it.",
    )
    fastest = fastest_reaching(summaries, target)
    w2.markdown(
        "Fastest to target: " + (_describe(fastest, metric) if fastest else "nothing reaches it; lower the target.")
    )
    return best, fastest


def _importances(trials: Sequence[Trial], ranges: dict, metric: str) -> tuple[dict[str, float], dict[str, float]]:
    key = (tuple((t.index, t.status) for t in trials), tuple(ranges), metric)
    if key not in _IMPORTANCES:
        if len(_IMPORTANCES) > 16:
            _IMPORTANCES.clear()
        _IMPORTANCES[key] = (
            param_importances(trials, ranges, metric=metric, target="metric"),
            param_importances(trials, ranges, metric=metric, target="time"),
        )
    return _IMPORTANCES[key]


def search_views(trials: Sequence[Trial], spec: Any, metric: str) -> None:
    """For a search: the parameter importances (bars) and the parallel-coordinates chart."""
    ranges = search_ranges(dict(spec.params))
    for_metric, for_time = _importances(trials, ranges, metric)
    if for_metric:
        st.altair_chart(importance_chart(for_metric, for_time, metric=metric), width="stretch")
        top = next(iter(for_metric))
        st.caption(
            f"{top.replace('_', ' ')} explains {for_metric[top]:.0%} of the variation in {metric} across the "
            "configurations tried (Optuna's fANOVA importances, seed 0; repeats averaged)."
        )
    else:
        st.caption("Importances need at least two finished configurations and a knob whose range is not one value.")
    st.altair_chart(parallel_coordinates(trials, ranges, metric=metric), width="stretch")
