"""Sweep analysis: per-configuration summaries (mean ± spread over repeats), the frontier, the what-ifs
(best within a budget, fastest to a target, marginal cost) and the table rows the app shows.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.explore.pareto import pareto_mask
from core.explore.sweeps import SweepSpec, Trial
from core.knobs import write_value
from core.status import Status


# --- summaries -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConfigSummary:
    """A configuration's repeats folded into mean and spread (population std) of metric and time."""

    params: dict[str, Any]
    n: int
    metric_mean: float
    metric_std: float
    time_mean: float
    time_std: float
    trials: tuple[int, ...]  # indices

    @property
    def metric_band(self) -> tuple[float, float]:
        return self.metric_mean - self.metric_std, self.metric_mean + self.metric_std


def summarise(trials: Sequence[Trial], metric: str = "accuracy", cost: str = "train_time_s") -> list[ConfigSummary]:
    groups: dict[tuple, list[Trial]] = {}
    for t in trials:
        if t.status == Status.FAILED or t.metrics.get(metric) is None:
            continue
        groups.setdefault(tuple(sorted((k, str(v)) for k, v in t.params.items())), []).append(t)
    out = []
    for members in groups.values():
        m = [t.metrics[metric] for t in members]
        c = [t.cost[cost] for t in members]
        out.append(
            ConfigSummary(
                members[0].params,
                len(members),
                statistics.fmean(m),
                statistics.pstdev(m),
                statistics.fmean(c),
                statistics.pstdev(c),
                tuple(t.index for t in members),
            )
        )
    return out


def pareto_trials(trials: Sequence[Trial], metric: str = "accuracy", cost: str = "train_time_s") -> list[bool]:
    """Per trial: on the frontier (maximise metric, minimise cost)? Failed trials never are."""
    ok = [t.status != Status.FAILED and t.metrics.get(metric) is not None for t in trials]
    mask = pareto_mask(
        [t.metrics[metric] if o else float("-inf") for t, o in zip(trials, ok, strict=True)],
        [t.cost.get(cost, float("inf")) if o else float("inf") for t, o in zip(trials, ok, strict=True)],
    )
    return [m and o for m, o in zip(mask, ok, strict=True)]


def within_noise(a: ConfigSummary, b: ConfigSummary) -> bool:
    """True when the metric bands (mean ± std over repeats) of two configurations overlap."""
    (a_lo, a_hi), (b_lo, b_hi) = a.metric_band, b.metric_band
    return a_lo <= b_hi and b_lo <= a_hi


def noise_verdict(a: ConfigSummary, b: ConfigSummary) -> str:
    """Whether two configurations' difference is within noise, as a table cell: "yes", "no", or "one run each"
    when either has a single repeat (no band to compare)."""
    if a.n < 2 or b.n < 2:
        return "one run each"
    return "yes" if within_noise(a, b) else "no"


def best_within_budget(summaries: Sequence[ConfigSummary], budget_s: float) -> ConfigSummary | None:
    """The most accurate configuration whose mean training time fits ``budget_s``."""
    fitting = [s for s in summaries if s.time_mean <= budget_s]
    return max(fitting, key=lambda s: (s.metric_mean, -s.time_mean)) if fitting else None


def fastest_reaching(summaries: Sequence[ConfigSummary], target: float) -> ConfigSummary | None:
    """The fastest configuration whose mean metric reaches ``target``."""
    reaching = [s for s in summaries if s.metric_mean >= target]
    return min(reaching, key=lambda s: (s.time_mean, -s.metric_mean)) if reaching else None


def marginal_costs(summaries: Sequence[ConfigSummary]) -> list[tuple[ConfigSummary, ConfigSummary, float]]:
    """Between neighbouring frontier configurations: seconds of training per percentage point of metric."""
    front_mask = pareto_mask([s.metric_mean for s in summaries], [s.time_mean for s in summaries])
    front = sorted((s for s, f in zip(summaries, front_mask, strict=True) if f), key=lambda s: s.time_mean)
    out = []
    for a, b in zip(front, front[1:]):
        gain_pp = (b.metric_mean - a.metric_mean) * 100
        if gain_pp > 0:
            out.append((a, b, (b.time_mean - a.time_mean) / gain_pp))
    return out


def display_value(value: Any) -> str:
    """A knob value as people read it: (64, 64) → "64-64", enums by value (as links and the CLI), floats to
    three significant digits (0.006902902940976648 → "0.0069"); every label, table and chart uses this."""
    if isinstance(value, (tuple, list)):
        return write_value("hidden_units", tuple(value))
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(getattr(value, "value", value))


# --- what-if defaults (taken from the data, so the first view answers) ------------------------------------
def default_target(summaries: Sequence[ConfigSummary]) -> float | None:
    """The accuracy-target what-if's first value: the median configuration's mean metric rounded down to
    0.5 percentage points, so at least half the configurations reach it (None without any)."""
    if not summaries:
        return None
    return math.floor(statistics.median(s.metric_mean for s in summaries) * 200 + 1e-9) / 200


def default_budget(summaries: Sequence[ConfigSummary]) -> float | None:
    """The time-budget what-if's first value: the median configuration's mean training time rounded up to two
    significant digits, so at least half the configurations fit (None without any)."""
    if not summaries:
        return None
    median = statistics.median(s.time_mean for s in summaries)
    if median <= 0:
        return 0.0
    step = 10 ** (math.floor(math.log10(median)) - 1)
    return math.ceil(median / step - 1e-9) * step


@dataclass(frozen=True)
class BudgetAnswer:
    """ "How much accuracy do I lose if training must take ≤ budget_s?": the best overall, the best that fits."""

    budget_s: float
    best: ConfigSummary  # the most accurate configuration, whatever its time
    within: ConfigSummary | None  # the most accurate that fits the budget (None: nothing trains that fast)

    @property
    def lost_pp(self) -> float | None:
        """Percentage points of metric given up for the budget (0 when the best fits; None when nothing fits)."""
        return None if self.within is None else (self.best.metric_mean - self.within.metric_mean) * 100

    @property
    def saved_s(self) -> float | None:
        """Seconds of training saved against the best configuration."""
        return None if self.within is None else self.best.time_mean - self.within.time_mean


def budget_answer(summaries: Sequence[ConfigSummary], budget_s: float) -> BudgetAnswer | None:
    """The budget what-if for ``budget_s`` seconds (None without any configuration)."""
    if not summaries:
        return None
    best = max(summaries, key=lambda s: (s.metric_mean, -s.time_mean))
    return BudgetAnswer(budget_s, best, best_within_budget(summaries, budget_s))


def params_label(params: dict[str, Any]) -> str:
    """``hidden_units=64, batch_size=32``: a configuration's knob values as people read them."""
    return ", ".join(f"{k}={display_value(v)}" for k, v in params.items())


def trial_rows(trials: Sequence[Trial], metric: str = "accuracy") -> list[dict[str, Any]]:
    """One flat row per trial for tables and charts: knob values (display form), metric, time, frontier flag."""
    front = pareto_trials(trials, metric=metric)
    rows = []
    for t, on_front in zip(trials, front, strict=True):
        label = params_label(t.params)
        rows.append(
            {
                "run": t.index,
                "label": f"{label} (seed {t.seed})",
                "status": Status(t.status).value,
                **{k: display_value(v) for k, v in t.params.items()},
                metric: t.metrics.get(metric),
                "train_time_s": t.cost.get("train_time_s"),
                "latency_ms_p50": t.cost.get("latency_ms_p50"),
                "pareto": on_front,
                "error": t.error or "",
            }
        )
    return rows


def summary_rows(summaries: Sequence[ConfigSummary], spec: SweepSpec) -> list[dict[str, Any]]:
    """One row per configuration (repeats folded), with each knob's display value and its order in the spec."""
    rows = []
    for s in summaries:
        row = {
            "metric_mean": s.metric_mean,
            "metric_std": s.metric_std,
            "time_mean": s.time_mean,
            "time_std": s.time_std,
            "n": s.n,
        }
        for i, (knob, value) in enumerate(s.params.items()):
            row[knob] = display_value(value)
            order = [display_value(v) for v in spec.params.get(knob, [])]
            key = "order" if i == 0 else "order_y"
            row[key] = order.index(row[knob]) if row[knob] in order else 0
            if i == 0:
                row["order_x"] = row["order"]
        rows.append(row)
    return rows
