"""The sweep report: what the Trade-offs page shows, as one printable HTML file — the frontier, the what-ifs
(best within a budget, fastest to a target), the cost of +1 percentage point along the frontier, the repeat
bands, the heatmap (two knobs), time to accuracy (legend of at most 8 entries) and the failed trials.

    html = sweep_report(trials, spec, metric="accuracy", budget_s=2.0, target=0.95)

The analysis is :mod:`core.explore.analysis`'s and the charts are :mod:`core.charts`'s; this module arranges them.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import pandas as pd

from core import charts
from core.explore.analysis import (
    ConfigSummary,
    best_within_budget,
    display_value,
    fastest_reaching,
    marginal_costs,
    noise_verdict,
    params_label,
    summarise,
    summary_rows,
    trial_rows,
    within_noise,
)
from core.explore.sweeps import SweepSpec, Trial
from core.records.report import chart_html, dates, legend_groups, page, sized, subject, table
from core.status import Status


def _describe(s: ConfigSummary | None, metric: str, none: str) -> str:
    if s is None:
        return none
    spread = f" ± {s.metric_std:.4f}" if s.n > 1 else ""
    return f"{params_label(s.params)}: {metric} {s.metric_mean:.4f}{spread} in {s.time_mean:.3f} s"


def _role(row: pd.Series, best: ConfigSummary | None, fastest: ConfigSummary | None) -> str:
    def same(s: ConfigSummary | None) -> bool:
        return s is not None and all(display_value(v) == row[k] for k, v in s.params.items())

    return "best within budget" if same(best) else ("fastest to target" if same(fastest) else "")


def sweep_report(
    trials: Sequence[Trial],
    spec: SweepSpec,
    *,
    metric: str = "accuracy",
    budget_s: float | None = None,
    target: float | None = None,
    grid: bool = True,
    title: str = "Sweep report",
) -> str:
    """The whole analysis of a finished (or stopped) sweep. ``budget_s`` defaults to half the slowest trial's
    time and ``target`` to one percentage point under the best configuration, so each what-if has an answer."""
    trials = sorted(trials, key=lambda t: t.index)
    rows = pd.DataFrame(trial_rows(trials, metric))
    ok = rows[rows.status != Status.FAILED.value].copy()
    failed = rows[rows.status == Status.FAILED.value]
    results = [t.result for t in trials if t.result is not None]
    when = dates([r.created_at for r in results])
    knobs = ", ".join(spec.params)
    heading = f"{title}: {subject([spec.data], [spec.model])}, varying {knobs} · {when}"  # the base setup, what moved
    specs: list[dict[str, Any]] = []
    about = f"Swept: {knobs} · {len(trials)} trials, {len(failed)} failed, {spec.repeats} repeat(s) per configuration"
    parts = [f"<p class='stamp'>{html.escape(about + f' · metric: {metric}')}</p>"]
    summaries = summarise(trials, metric=metric)
    if summaries:
        parts += _analysis(ok, summaries, spec, metric, budget_s, target, grid, specs)
        curves = pd.DataFrame(
            [
                {"trial": t.index, "label": label, "elapsed_s": e, "val_accuracy": a}
                for t, label in zip(trials, rows.label, strict=True)
                for e, a in t.curve
            ]
        )
        if len(curves):
            final = {t.index: t.metrics.get(metric) for t in trials}
            curves["label"] = legend_groups(list(curves.label), [final[i] for i in curves.trial])
            parts.append(chart_html(sized(charts.time_to_accuracy_chart(curves)), specs))
    else:
        parts.append("<p>No trial finished, so there is nothing to analyse; the failures are listed below.</p>")
    parts.append(f"<h2>Failed trials ({len(failed)})</h2>")
    parts.append(
        table([{"trial": f"#{r.run}", "configuration": r.label, "error": r.error} for r in failed.itertuples()])
    )
    parts.append("<h2>All trials</h2>")
    listed = pd.DataFrame(
        {
            "trial": [f"#{r.run} {r.label}" for r in rows.itertuples()],
            "status": rows.status,
            metric: rows[metric].round(4),
            "training time (s)": rows.train_time_s.round(3),
            "on frontier": rows.pareto.map({True: "yes", False: ""}),
        }
    )
    parts.append(table(listed.astype(object).fillna("").to_dict("records")))
    environment = results[0].environment if results else {}
    return page(heading, parts, specs, environment)


def _analysis(
    ok: pd.DataFrame,
    summaries: list[ConfigSummary],
    spec: SweepSpec,
    metric: str,
    budget_s: float | None,
    target: float | None,
    grid: bool,
    specs: list[dict[str, Any]],
) -> list[str]:
    budget = budget_s if budget_s is not None else float(ok.train_time_s.max()) / 2
    goal = target if target is not None else max(s.metric_mean for s in summaries) - 0.01
    best, fastest = best_within_budget(summaries, budget), fastest_reaching(summaries, goal)
    parts = [
        "<h2>What-ifs</h2><ul>",
        f"<li>Best within {budget:.3f} s of training: "
        f"{html.escape(_describe(best, metric, 'nothing trains that fast.'))}</li>",
        f"<li>Fastest to {metric} {goal:.4f}: {html.escape(_describe(fastest, metric, 'nothing reaches it.'))}</li>",
        "</ul>",
    ]
    if best is not None and best.n > 1:
        rivals = [s for s in summaries if s is not best and s.time_mean <= budget and within_noise(s, best)]
        if rivals:
            parts.append(f"<p>Within noise of {len(rivals)} other configuration(s) in budget: their bands overlap.</p>")
    ok["role"] = ok.apply(_role, axis=1, best=best, fastest=fastest)
    board = ok.assign(label=legend_groups(list(ok.label), list(ok[metric])))
    frontier = charts.frontier_chart(
        board, metric=metric, marks=charts.WHAT_IF_MARKS, title=f"{metric} vs training time"
    )
    parts += ["<h2>The frontier</h2>", chart_html(sized(frontier), specs)]
    front = ok[ok.pareto].sort_values("train_time_s")
    front_rows = [
        {"configuration": r.label, metric: f"{r[metric]:.4f}", "training time (s)": f"{r.train_time_s:.3f}"}
        for _, r in front.iterrows()
    ]
    parts.append(table(front_rows))
    margins = marginal_costs(summaries)
    parts.append("<h2>The cost of +1 percentage point along the frontier</h2>")
    parts.append(
        table(
            [
                {
                    "from": params_label(a.params),
                    "to": params_label(b.params),
                    f"+1 pp {metric} costs (s)": f"{cost:.3f}",
                    "within noise": noise_verdict(a, b),
                }
                for a, b, cost in margins
            ]
        )
    )
    parts.append("<h2>Bands over repeats (mean ± std)</h2>")
    parts.append(
        table(
            [
                {
                    "configuration": params_label(s.params),
                    "repeats": s.n,
                    metric: f"{s.metric_mean:.4f} ± {s.metric_std:.4f}",
                    "training time (s)": f"{s.time_mean:.3f} ± {s.time_std:.3f}",
                }
                for s in sorted(summaries, key=lambda s: -s.metric_mean)
            ]
        )
    )
    summary = pd.DataFrame(summary_rows(summaries, spec))
    chosen = list(spec.params)
    if grid and len(chosen) == 1:
        parts.append(chart_html(sized(charts.knob_chart(summary, chosen[0], metric)), specs))
    elif grid and len(chosen) == 2:
        parts += [
            "<h2>Heatmap</h2>",
            chart_html(sized(charts.heatmap_pair(summary, chosen[0], chosen[1], metric)), specs),
        ]
    return parts
