"""Self-contained HTML reports: one file with the charts (as inline SVG, plus their Vega-Lite specs), the
tables, the configurations and the environment stamp — readable offline, user text escaped, and sized for
A4/Letter paper (at most 680 px wide, tables that wrap, a print style).

    runs_report([run])                    # one run: only the configuration fields its model has
    runs_report(runs, labels=[...])       # a comparison: the fields that differ
    sweep_report(trials, spec)            # core/records/report_sweep.py: the Trade-offs page's analysis

The page frame, the title (dataset, model and date), tables and chart fitting live here and are shared.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import altair as alt
import pandas as pd

from core import charts
from core.config import DataConfig, ModelConfig
from core.evaluation.tiles import TILES, Tile, config_differences, flat_config, format_value, tile_label
from core.knobs import KNOBS
from core.presenting import data_words, model_words
from core.records.result import RunResult

PAGE_WIDTH_PX = 680  # ≈ 180 mm: the text width of A4 and Letter paper at 96 px per inch
CHART_WIDTH_PX = 560  # a chart's plotting area; axes and titles take the rest (legends go below it)
LEGEND_MAX = 8  # entries a legend shows; the rest are grouped under one

_STYLE = f"""body{{font-family:system-ui,sans-serif;margin:1.5rem auto;max-width:{PAGE_WIDTH_PX}px;color:#222;
padding:0 .5rem;line-height:1.4}}
table{{border-collapse:collapse;margin:.5rem 0 1.5rem;max-width:100%;font-size:.85rem}}
td,th{{border:1px solid #ddd;padding:.25rem .45rem;text-align:left;vertical-align:top;overflow-wrap:break-word}}
table.wide td,table.wide th{{word-break:break-word}}
th{{background:#f4f6f8}}.chart{{margin:1rem 0}}.chart svg{{max-width:100%;height:auto}}
.note{{white-space:pre-wrap;background:#fffbe6;padding:.5rem;overflow-wrap:anywhere}}
h1{{margin-bottom:.2rem;font-size:1.5rem}}h2{{font-size:1.15rem;margin-top:1.6rem}}
.stamp{{color:#666;font-size:.85rem;overflow-wrap:anywhere}}
@page{{size:auto;margin:15mm}}
@media print{{body{{margin:0;max-width:none}}h2{{break-after:avoid}}.chart,table,tr{{break-inside:avoid}}
a{{color:inherit;text-decoration:none}}}}"""

# Data settings that mean something only for some datasets (the knob table's families say it for models).
_DATA_ONLY_FOR = {
    "synthetic": ("n_samples", "n_features", "n_informative", "n_classes", "class_sep", "label_noise"),
    "toy2d": ("noise",),
    "csv": ("csv_path", "target", "missing", "max_categories"),
}


# --- shared pieces ---------------------------------------------------------------------------------------
def fit_svg(svg: str, max_width: int = PAGE_WIDTH_PX) -> str:
    """The SVG scaled down (its viewBox kept) when it is wider than ``max_width`` pixels."""
    m = re.match(r'(<svg[^>]*?)width="([\d.]+)" height="([\d.]+)"', svg)
    if m is None or float(m.group(2)) <= max_width:
        return svg
    width, height = float(m.group(2)), float(m.group(3))
    scaled = f'{m.group(1)}width="{max_width}" height="{height * max_width / width:.0f}"'
    return scaled + svg[m.end() :]


def sized(chart: Any, width: int = CHART_WIDTH_PX) -> Any:
    """The chart with its plotting width set; side-by-side panels share the width."""
    chart = chart.copy(deep=True)
    panels = getattr(chart, "hconcat", None)
    if isinstance(panels, list) and panels:
        each = max(140, (width - 80 * (len(panels) - 1)) // len(panels))
        chart.hconcat = [p.properties(width=each) for p in panels]
    elif isinstance(getattr(chart, "vconcat", None), list):
        pass  # stacked panels keep their own widths (heatmap cells sized to labels); fit_svg scales them down
    else:
        chart = chart.properties(width=width)
    return chart.configure_legend(orient="bottom", direction="horizontal", columns=2, labelLimit=300)


def chart_html(chart: Any, specs: list[dict[str, Any]]) -> str:
    """A chart as inline SVG, no wider than the page; its Vega-Lite spec is appended to ``specs``."""
    import vl_convert

    spec = chart.to_dict()
    specs.append(spec)
    return f"<div class='chart'>{fit_svg(vl_convert.vegalite_to_svg(spec))}</div>"


def table(rows: Sequence[dict[str, Any]], *, row_headers: bool = False) -> str:
    """An HTML table of ``rows`` (one dict each, same keys); ``row_headers``: the first column as ``<th>``."""
    if not rows:
        return "<p>(none)</p>"
    head = "".join(f"<th>{html.escape(str(k))}</th>" for k in rows[0])
    wide = " class='wide'" if len(rows[0]) > 5 else ""  # many columns: long words may break to fit the page
    body = ""
    for r in rows:
        cells = [html.escape("" if v is None else str(v)) for v in r.values()]
        first = f"<th>{cells[0]}</th>" if row_headers else f"<td>{cells[0]}</td>"
        body += "<tr>" + first + "".join(f"<td>{c}</td>" for c in cells[1:]) + "</tr>"
    return f"<table{wide}><tr>{head}</tr>{body}</table>"


def legend_groups(labels: Sequence[str], scores: Sequence[float | None], limit: int = LEGEND_MAX) -> list[str]:
    """Per label, the legend entry it is drawn under: the ``limit - 1`` best-scoring labels keep their own,
    the rest share "other configurations", so no legend runs past ``limit`` entries."""
    distinct = list(dict.fromkeys(labels))
    if len(distinct) <= limit:
        return list(labels)
    best: dict[str, float] = {}
    for label, score in zip(labels, scores, strict=True):
        best[label] = max(best.get(label, float("-inf")), float("-inf") if score is None else score)
    kept = set(sorted(distinct, key=lambda lab: -best[lab])[: limit - 1])
    return [lab if lab in kept else "other configurations" for lab in labels]


def subject(data: Sequence[DataConfig], models: Sequence[ModelConfig]) -> str:
    """What a report is about, in words: "A small neural network (128 units) on handwritten digits"."""
    model_names = list(dict.fromkeys(model_words(m) for m in models))
    data_names = list(dict.fromkeys(data_words(d) for d in data))
    if len(model_names) > 3:
        model_names = [f"{len(model_names)} models ({', '.join(model_names[:2]).lower()}, …)"]
    joined = model_names[0] + "".join(f", {m[0].lower()}{m[1:]}" for m in model_names[1:])
    return f"{joined} on {' and '.join(data_names)}"


def dates(stamps: Sequence[str]) -> str:
    days = sorted({s[:10] for s in stamps if s}) or [datetime.now(UTC).date().isoformat()]
    return days[0] if len(days) == 1 else f"{days[0]} to {days[-1]}"


def page(title: str, parts: Sequence[str], specs: list[dict[str, Any]], environment: dict[str, Any]) -> str:
    """The whole document: title, the parts, the environment stamp and the charts' specs (data, no code)."""
    versions = ", ".join(f"{html.escape(k)} {html.escape(str(v))}" for k, v in environment.get("versions", {}).items())
    env = (
        f"<h2>Environment</h2><p class='stamp'>{html.escape(str(environment.get('cpu')))}, "
        f"{html.escape(str(environment.get('cores')))} cores, Python {html.escape(str(environment.get('python')))}, "
        f"{versions}; device {html.escape(str(environment.get('device')))}</p>"
    )
    spec_json = json.dumps(specs).replace("</", "<\\/")  # keeps a stray '</script>' in data from closing the tag
    made = f"<p class='stamp'>Made {datetime.now(UTC).isoformat(timespec='seconds')} by Tradeoff Lab.</p>"
    return (
        f"<!doctype html><html><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{html.escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>{made}{''.join(parts)}{env}"
        f'<script type="application/json" id="vega-lite-specs">{spec_json}</script></body></html>'
    )


# --- runs ------------------------------------------------------------------------------------------------
def _column(tile: Tile, runs: Sequence[RunResult]) -> str:
    """A tile's column header, naming the positive class (or macro averaging) when every run shares it."""
    labels = {tile_label(tile, r) for r in runs}
    return labels.pop() if len(labels) == 1 else tile.label


def _cell(tile: Tile, run: RunResult, runs: Sequence[RunResult]) -> str:
    value = format_value(tile, tile.get(run))
    if _column(tile, runs) == tile.label and tile_label(tile, run) != tile.label:
        value += f" ({run.validation.qualifier})"  # runs disagree: each cell says what it is of
    return value


def applies(field: str, run: RunResult) -> bool:
    """Does ``data.x`` / ``model.x`` mean anything for this run? Model fields: the knob table's families."""
    part, name = field.split(".", 1)
    if part == "model":
        knob = KNOBS.get(name)
        return knob is None or not knob.families or run.model_config.kind in knob.families
    from core.data.datasets import DATASETS

    info = DATASETS.get(run.data_config.dataset)
    kind = run.data_config.dataset if run.data_config.dataset in ("synthetic", "csv") else getattr(info, "kind", "")
    return not any(name in only and kind != owner for owner, only in _DATA_ONLY_FOR.items())


def _metric_table(runs: Sequence[RunResult], labels: Sequence[str]) -> str:
    if len(runs) <= 4:  # a row per number, a column per run: narrow enough for paper
        rows = [
            {"": _column(t, runs), **{lab: _cell(t, r, runs) for lab, r in zip(labels, runs, strict=True)}}
            for t in TILES
        ]
        return table(rows, row_headers=True)
    keys = ("accuracy", "f1", "train_time_s", "latency_ms_p50", "size_kb")  # many runs: the headline numbers
    tiles = [t for t in TILES if t.key in keys]
    rows = [
        {"run": lab, **{_column(t, runs): _cell(t, r, runs) for t in tiles}}
        for lab, r in zip(labels, runs, strict=True)
    ]
    return table(rows)


def _setting(key: str, value: object, run: RunResult) -> object:
    """A configuration value as the report shows it: an unset one says what it means, never a blank cell."""
    if value is not None:
        return value
    engine = run.model_config.engine
    meaning = {
        "data.n_rows": "all",
        "model.backend": f"default ({engine.value})" if engine is not None else "—",
        "model.device": "the engine's choice",
        "data.positive_class": "default",
    }
    return meaning.get(key, "—")


def _config_table(runs: Sequence[RunResult], labels: Sequence[str]) -> str:
    configs = [{k: _setting(k, v, r) for k, v in flat_config(r).items()} for r in runs]
    if len(runs) == 1:
        return table([{"setting": k, "value": v} for k, v in configs[0].items() if applies(k, runs[0])])
    keys = [k for k in config_differences(list(runs)) if any(applies(k, r) for r in runs)]
    rows = [
        {"run": lab, **{k: c[k] if applies(k, r) else "—" for k in keys}}
        for lab, r, c in zip(labels, runs, configs, strict=True)
    ]
    return table(rows)


def _curves(runs: Sequence[RunResult], labels: Sequence[str]) -> alt.Chart | None:
    groups = legend_groups(labels, [r.validation.accuracy for r in runs])
    curves = pd.DataFrame(
        [
            {"run": lab, "legend": group, "epoch": h.epoch, "validation accuracy": h.val_accuracy}
            for lab, group, r in zip(labels, groups, runs, strict=True)
            for h in r.history
            if h.val_accuracy is not None
        ]
    )
    if not len(curves):
        return None
    last = int(curves.epoch.max())
    ticks = list(range(1, last + 1)) if last <= 20 else None  # whole epochs only: never an epoch 1.5
    return (
        alt.Chart(curves)
        .mark_line(point=True)
        .encode(
            x=alt.X("epoch:Q", axis=alt.Axis(values=ticks, format="d") if ticks else alt.Axis(tickMinStep=1)),
            y=alt.Y("validation accuracy:Q", scale=alt.Scale(zero=False)),
            color=alt.Color("legend:N", title=None, legend=alt.Legend(columns=2) if len(runs) > 1 else None),
            detail="run:N",
        )
        .properties(title="Validation accuracy per epoch", height=240)
    )


def runs_report(
    runs: Sequence[RunResult],
    *,
    title: str = "Tradeoff Lab report",
    notes: Sequence[str] = (),
    labels: Sequence[str] | None = None,
) -> str:
    """One run, a comparison of several (only differing configuration fields shown), or a sweep's runs.
    The heading is ``title``, then what the runs are (model and dataset, in words) and their date(s)."""
    labels = list(labels or [f"Run {i + 1}" for i in range(len(runs))])
    heading = (
        f"{title}: {subject([r.data_config for r in runs], [r.model_config for r in runs])} · "
        f"{dates([r.created_at for r in runs])}"
    )
    specs: list[dict[str, Any]] = []
    precise = sorted({f"{r.model_repr} on {r.data_config.dataset}" for r in runs})
    parts = [f"<p class='stamp'>{html.escape('; '.join(precise[:6]) + (' …' if len(precise) > 6 else ''))}</p>"]
    parts += [f"<div class='note'>{html.escape(note)}</div>" for note in notes if note]
    parts += ["<h2>Metrics and costs</h2>", _metric_table(runs, labels)]
    parts += [
        "<h2>Configuration" + (" (fields that differ)" if len(runs) > 1 else "") + "</h2>",
        _config_table(runs, labels),
    ]
    if len(runs) == 1 and runs[0].dataset.get("columns"):
        parts += ["<h2>Columns of the table</h2>", _columns_table(runs[0].dataset["columns"])]
    # one run: train and validation, accuracy and loss, as the app draws them; several: validation, overlaid
    one = len(runs) == 1 and any(h.val_accuracy is not None for h in runs[0].history)
    curves = charts.history_chart(runs[0].history, runs[0].model_config.epochs) if one else _curves(runs, labels)
    figures = [f for f in (curves,) if f is not None]
    if len(runs) > 1:
        board = pd.DataFrame(
            [
                {"run": i + 1, "label": lab, "accuracy": r.validation.accuracy, "train_time_s": r.cost.train_time_s}
                for i, (lab, r) in enumerate(zip(labels, runs, strict=True))
            ]
        ).assign(role="")
        figures.append(charts.frontier_chart(board))
    else:
        figures.append(charts.confusion_chart(runs[0].validation, runs[0].dataset["class_names"]))
    parts += [chart_html(sized(fig), specs) for fig in figures]
    return page(heading, parts, specs, runs[0].environment)


def _columns_table(columns: Sequence[dict[str, Any]]) -> str:
    """What became of each CSV column (core.data.csv_columns): used or left out, and why, in the run's own words."""
    rows = [
        {
            "column": c.get("column", ""),
            "looks like": c.get("kind", ""),
            "used": "yes" if c.get("used") else "no",
            "why": c.get("note") or "",
        }
        for c in columns
    ]
    return table(rows)


def sweep_report(*args: Any, **kwargs: Any) -> str:
    """See :func:`core.records.report_sweep.sweep_report`."""
    from core.records.report_sweep import sweep_report as build

    return build(*args, **kwargs)
