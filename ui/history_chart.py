"""History's accuracy-vs-time chart as a static SVG drawn in Python: what
``core.charts.frontier_chart`` draws for runs with no mark — every drawn run as a dot, the frontier's in colour and
joined by a step line — with each dot's run, accuracy and time as its hover text. Not a Vega-Lite chart: loading
and starting Vega in the browser was about 1 s of Chromium's CPU on History's first view on this 2-core machine
(bench_store, CPU per click), for a chart that is not interactive. Plain Python: no pandas, Altair or Streamlit.
Shown with ``st.markdown(..., unsafe_allow_html=True)`` (``st.html`` strips SVG): every text in it — a run's model
and dataset names, the title — is XML-escaped here, and the SVG is one line inside a ``<div>``, so Markdown takes it as
one raw HTML block (a bare ``<svg>`` line is a paragraph: ``*`` or ``_x_`` in a dataset's name would be emphasis)."""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

from core.chart_colors import ACCURACY_COLOR, OTHER_COLOR
from core.records.store_frontier import FrontierView

WIDTH, HEIGHT = 640, 350  # viewBox; shown at most this wide, scaled down in a narrower column (text too)
LEFT, RIGHT, TOP, BOTTOM = 72, 520, 40, 300  # the plot area (room for "96.65 %" left of it); the legend right
TICKS = 5


def nice_ticks(low: float, high: float, count: int = TICKS) -> list[float]:
    """About ``count`` round values (1, 2 or 5 × 10^k apart) spanning [low, high]; the first ≤ low, the last ≥ high."""
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"ticks need finite bounds, got {low}, {high}")
    if high <= low:  # one value: a unit around it
        pad = abs(low) * 0.05 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / max(1, count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    n = math.ceil((high - first) / step - 1e-9)
    return [round(first + i * step, 12) for i in range(n + 1)]


def _time_text(v: float, step: float) -> str:
    """A time tick with the decimals its step needs: 0.05, 1.2, 110; 1.2345 beside 1.235 (never "1.23" twice)."""
    decimals = max(0, math.ceil(-math.log10(step) - 1e-9)) if step > 0 else 0
    return f"{v:.{decimals}f}"


def _accuracy_text(v: float, step: float) -> str:
    """An accuracy tick in %, as Train's tiles show accuracy, with the decimals its tick step needs: 95 %, 96.5 %."""
    decimals = max(0, math.ceil(-math.log10(step * 100) - 1e-9)) if step > 0 else 0
    return f"{v * 100:.{decimals}f} %"


def frontier_svg(view: FrontierView, title: str) -> str:
    """The chart of ``view`` (its drawn points: id, model, dataset, accuracy, seconds, on the frontier) as SVG text."""
    points = view.points
    xs = nice_ticks(min(p[4] for p in points), max(p[4] for p in points)) if points else [0.0, 1.0]
    ys = nice_ticks(min(p[3] for p in points), max(p[3] for p in points)) if points else [0.0, 1.0]

    def px(v: float) -> float:
        return round(LEFT + (v - xs[0]) / (xs[-1] - xs[0]) * (RIGHT - LEFT), 1)

    def py(v: float) -> float:
        return round(BOTTOM - (v - ys[0]) / (ys[-1] - ys[0]) * (BOTTOM - TOP), 1)

    parts = [
        f'<text x="{LEFT}" y="20" font-weight="600" font-size="14">{escape(title)}</text>',
        f'<rect x="{LEFT}" y="{TOP}" width="{RIGHT - LEFT}" height="{BOTTOM - TOP}" fill="none" '
        'stroke="currentColor" stroke-opacity="0.3"/>',
    ]
    for v in xs:
        x = px(v)
        parts.append(f'<line x1="{x}" y1="{TOP}" x2="{x}" y2="{BOTTOM}" stroke="currentColor" stroke-opacity="0.1"/>')
        parts.append(f'<text x="{x}" y="{BOTTOM + 16}" text-anchor="middle">{_time_text(v, xs[1] - xs[0])}</text>')
    for v in ys:
        y = py(v)
        parts.append(f'<line x1="{LEFT}" y1="{y}" x2="{RIGHT}" y2="{y}" stroke="currentColor" stroke-opacity="0.1"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4}" text-anchor="end">{_accuracy_text(v, ys[1] - ys[0])}</text>')
    parts.append(f'<text x="{(LEFT + RIGHT) / 2}" y="{BOTTOM + 38}" text-anchor="middle">training time (s)</text>')
    parts.append(
        f'<text transform="translate(16 {(TOP + BOTTOM) / 2}) rotate(-90)" text-anchor="middle">accuracy</text>'
    )
    front = sorted((p for p in points if p[5]), key=lambda p: (p[4], -p[3]))
    if front:  # a step line (step-after) through the frontier, cheapest first
        path = [f"M{px(front[0][4])},{py(front[0][3])}"]
        for p in front[1:]:
            path.append(f"H{px(p[4])}V{py(p[3])}")
        parts.append(f'<path d="{"".join(path)}" fill="none" stroke="{ACCURACY_COLOR}" stroke-width="2"/>')
    for p in sorted(points, key=lambda p: p[5]):  # the frontier's dots on top
        run, model, dataset, accuracy, seconds, on = p
        hover = f"#{run} {model} on {dataset}\naccuracy {accuracy:.2%}\ntraining time {seconds:.3f} s"
        parts.append(
            f'<circle cx="{px(seconds)}" cy="{py(accuracy)}" r="5.3" fill="{ACCURACY_COLOR if on else OTHER_COLOR}" '
            f'fill-opacity="0.8"><title>{escape(hover, {chr(10): "&#10;"})}</title></circle>'
        )
    legend_x = RIGHT + 20
    parts.append(f'<text x="{legend_x}" y="{TOP + 8}" font-weight="600">on frontier</text>')
    for i, (label, color) in enumerate((("true", ACCURACY_COLOR), ("false", OTHER_COLOR))):
        y = TOP + 28 + 20 * i
        parts.append(f'<circle cx="{legend_x + 6}" cy="{y - 4}" r="5.3" fill="{color}" fill-opacity="0.8"/>')
        parts.append(f'<text x="{legend_x + 18}" y="{y}">{label}</text>')
    return (
        '<div class="frontier-svg">'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'style="max-width: {WIDTH}px" font-size="13" fill="currentColor" role="img" '
        f'aria-label="{escape(title, {chr(34): "&quot;"})}">' + "".join(parts) + "</svg></div>"
    )
