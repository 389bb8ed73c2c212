"""Self-contained HTML reports: one file with the charts (as inline SVG, plus their Vega-Lite specs), the
tables, the configurations and the environment stamp — readable offline, user text escaped.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import altair as alt
import pandas as pd

from core import charts
from core.evaluation.tiles import TILES, Tile, config_differences, flat_config, format_value, tile_label
from core.records.result import RunResult

_STYLE = """body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ddd;padding:.3rem .6rem;text-align:left}
th{background:#f4f6f8}.chart{margin:1rem 0}.note{white-space:pre-wrap;background:#fffbe6;padding:.5rem}
h1{margin-bottom:0}.stamp{color:#666;font-size:.9rem}"""


def _svg(chart: alt.TopLevelMixin) -> tuple[str, dict[str, Any]]:
    import vl_convert

    spec = chart.to_dict()
    return vl_convert.vegalite_to_svg(spec), spec


def _table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "<p>(none)</p>"
    head = "".join(f"<th>{html.escape(str(k))}</th>" for k in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in r.values()) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _column(tile: Tile, runs: Sequence[RunResult]) -> str:
    """A tile's column header, naming the positive class (or macro averaging) when every run shares it."""
    labels = {tile_label(tile, r) for r in runs}
    return labels.pop() if len(labels) == 1 else tile.label


def _cell(tile: Tile, run: RunResult, runs: Sequence[RunResult]) -> str:
    value = format_value(tile, tile.get(run))
    if _column(tile, runs) == tile.label and tile_label(tile, run) != tile.label:
        value += f" ({run.validation.qualifier})"  # runs disagree: each cell says what it is of
    return value


def runs_report(
    runs: Sequence[RunResult],
    *,
    title: str = "Tradeoff Lab report",
    notes: Sequence[str] = (),
    labels: Sequence[str] | None = None,
) -> str:
    """One run, a comparison of several (only differing configuration fields shown), or a sweep's runs."""
    labels = list(labels or [f"Run {i + 1}" for i in range(len(runs))])
    specs: list[dict[str, Any]] = []
    parts = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p class='stamp'>Made {datetime.now(UTC).isoformat(timespec='seconds')} by Tradeoff Lab.</p>",
    ]
    for note in notes:
        if note:
            parts.append(f"<div class='note'>{html.escape(note)}</div>")
    metric_rows = [
        {"run": lab, **{_column(t, runs): _cell(t, r, runs) for t in TILES}}
        for lab, r in zip(labels, runs, strict=True)
    ]
    parts += ["<h2>Metrics and costs</h2>", _table(metric_rows)]
    configs = [flat_config(r) for r in runs]
    keys = list(configs[0]) if len(runs) == 1 else config_differences(list(runs))
    parts += [
        "<h2>Configuration" + (" (fields that differ)" if len(runs) > 1 else "") + "</h2>",
        _table([{"run": lab, **{k: c[k] for k in keys}} for lab, c in zip(labels, configs, strict=True)]),
    ]
    curves = pd.DataFrame(
        [
            {"run": lab, "epoch": h.epoch, "validation accuracy": h.val_accuracy}
            for lab, r in zip(labels, runs, strict=True)
            for h in r.history
            if h.val_accuracy is not None
        ]
    )
    figures = []
    if len(curves):
        figures.append(
            alt.Chart(curves)
            .mark_line(point=True)
            .encode(x="epoch:Q", y=alt.Y("validation accuracy:Q", scale=alt.Scale(zero=False)), color="run:N")
            .properties(title="Validation accuracy per epoch", width=700, height=260)
        )
    if len(runs) > 1:
        board = pd.DataFrame(
            [
                {
                    "run": i + 1,
                    "label": lab,
                    "accuracy": r.validation.accuracy,
                    "train_time_s": r.cost.train_time_s,
                    "role": "",
                }
                for i, (lab, r) in enumerate(zip(labels, runs, strict=True))
            ]
        )
        figures.append(charts.frontier_chart(board).properties(width=700))
    else:
        figures.append(charts.confusion_chart(runs[0].validation, runs[0].dataset["class_names"]).properties(width=400))
    for fig in figures:
        svg, spec = _svg(fig)
        specs.append(spec)
        parts.append(f"<div class='chart'>{svg}</div>")
    env = runs[0].environment
    versions = ", ".join(f"{html.escape(k)} {html.escape(str(v))}" for k, v in env.get("versions", {}).items())
    parts.append(
        f"<h2>Environment</h2><p class='stamp'>{html.escape(str(env.get('cpu')))}, {env.get('cores')} cores, "
        f"Python {html.escape(str(env.get('python')))}, {versions}; device {html.escape(str(env.get('device')))}"
        "</p>"
    )
    spec_json = json.dumps(specs).replace("</", "<\\/")  # keeps a stray '</script>' in data from closing the tag
    parts.append(f'<script type="application/json" id="vega-lite-specs">{spec_json}</script>')
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body>{''.join(parts)}</body></html>"
    )
