"""The article's workflow as a small static SVG for Home: drawn here, in Python, rather than with
``st.graphviz_chart``, whose in-browser Graphviz (a WebAssembly layout engine) cost the first page seconds of
the browser's time on this 2-core machine (bench_app: Home with it against without, same run)."""

from __future__ import annotations

from xml.sax.saxutils import escape

BOX_H = 46
ROW_Y = 20  # top of the main row
MID_Y = ROW_Y + BOX_H // 2
FILL, DECISION_FILL, STROKE = "#eef4fb", "#fff4e5", "#6b7b8c"
# (label lines, left x, width) along the main row, left to right; the decision diamond sits between Train
# and Evaluate, Tune under it
STEPS = (
    (("Prepare data", "(scale, rebalance)"), 10, 130),
    (("Split", "train / val / test"), 165, 130),
    (("Initialise", "model"), 320, 100),
    (("Train", "(epochs, batches)"), 445, 125),
)
AFTER = ((("Evaluate", "on test"), 770, 110), (("Optimise", "performance"), 905, 115))
DIAMOND_X, DIAMOND_HW, DIAMOND_HH = 665, 70, 38  # centre x, half width, half height
TUNE = (("Tune", "(knobs)"), 545, 115, 90)  # lines, x, y, width
WIDTH, HEIGHT = 1030, 170
MIN_WIDTH = 720  # narrower, its 13 px labels would shrink below 9 px: the diagram scrolls sideways instead
ALT = (
    "Prepare data, split, initialise, train; if accuracy is not good enough, tune and train again; "
    "then evaluate on test and optimise."
)


def _text(lines: tuple[str, ...], cx: float, cy: float) -> str:
    first = cy - 7 * (len(lines) - 1)
    spans = "".join(f'<tspan x="{cx}" y="{first + 15 * i}">{escape(line)}</tspan>' for i, line in enumerate(lines))
    return f'<text text-anchor="middle" dominant-baseline="middle">{spans}</text>'


def _box(lines: tuple[str, ...], x: float, y: float, w: float, fill: str = FILL) -> str:
    return f'<rect x="{x}" y="{y}" width="{w}" height="{BOX_H}" rx="8" fill="{fill}" stroke="{STROKE}"/>' + _text(
        lines, x + w / 2, y + BOX_H / 2
    )


def _arrow(
    points: list[tuple[float, float]], label: str = "", at: tuple[float, float] | None = None, marker: str = "head"
) -> str:
    path = " ".join(f"{x},{y}" for x, y in points)
    out = f'<polyline points="{path}" fill="none" stroke="{STROKE}" marker-end="url(#{marker})"/>'
    if label and at:
        out += f'<text x="{at[0]}" y="{at[1]}" font-size="12">{escape(label)}</text>'
    return out


def _diamond(cx: float, cy: float, hw: float, hh: float) -> str:
    return f'<polygon points="{cx - hw},{cy} {cx},{cy - hh} {cx + hw},{cy} {cx},{cy + hh}" ' + (
        f'fill="{DECISION_FILL}" stroke="{STROKE}"/>' + _text(("Accuracy", "good enough?"), cx, cy)
    )


def _svg(parts: list[str], width: int, height: int, min_width: int, marker: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'style="min-width: {min_width}px" font-family="sans-serif" font-size="13" fill="#1f2933" role="img" '
        f'aria-label="{ALT}">'
        "<title>The workflow, from the article</title>"
        f'<defs><marker id="{marker}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{STROKE}"/></marker></defs>'
        + "".join(parts)
        + "</svg>"
    )


def workflow_svg() -> str:
    """Prepare → split → initialise → train → "accuracy good enough?" — no: tune and train again; yes:
    evaluate on test → optimise. One row, for a wide page."""
    parts = [_box(lines, x, ROW_Y, w) for lines, x, w in (*STEPS, *AFTER)]
    for (_, x, w), (_, nx, _) in zip(STEPS, STEPS[1:], strict=False):
        parts.append(_arrow([(x + w, MID_Y), (nx - 3, MID_Y)]))
    train_x, train_w = STEPS[-1][1], STEPS[-1][2]
    left, right = DIAMOND_X - DIAMOND_HW, DIAMOND_X + DIAMOND_HW
    bottom = MID_Y + DIAMOND_HH
    parts.append(_arrow([(train_x + train_w, MID_Y), (left - 3, MID_Y)]))
    parts.append(_diamond(DIAMOND_X, MID_Y, DIAMOND_HW, DIAMOND_HH))
    (eval_lines, eval_x, eval_w), (_, opt_x, _) = AFTER
    parts.append(_arrow([(right, MID_Y), (eval_x - 3, MID_Y)], "yes", (right + 8, MID_Y - 8)))
    parts.append(_arrow([(eval_x + eval_w, MID_Y), (opt_x - 3, MID_Y)]))
    tune_lines, tune_x, tune_y, tune_w = TUNE
    parts.append(_box(tune_lines, tune_x, tune_y, tune_w))
    tune_mid = tune_y + BOX_H / 2
    parts.append(
        _arrow(
            [(DIAMOND_X, bottom), (DIAMOND_X, tune_mid), (tune_x + tune_w + 3, tune_mid)],
            "no",
            (DIAMOND_X + 8, bottom + 22),
        )
    )
    back_x = train_x + train_w / 2
    parts.append(_arrow([(tune_x, tune_mid), (back_x, tune_mid), (back_x, ROW_Y + BOX_H + 3)]))
    return _svg(parts, WIDTH, HEIGHT, MIN_WIDTH, "head")


# The same steps in two rows, for a narrow page (Home's main column is ~470 px at 800 px): the first row left to
# right, the decision under Train, the second row back to the left; Tune on the right, between the rows.
NARROW_STEPS = (
    (("Prepare data", "(scale, rebalance)"), 5, 122),
    (("Split", "train / val / test"), 145, 122),
    (("Initialise", "model"), 285, 95),
    (("Train", "(epochs, batches)"), 398, 124),
)
NARROW_ROW2_Y = 152  # top of the second row's boxes; the diamond is centred on their middle
NARROW_AFTER = ((("Evaluate", "on test"), 240, 110), (("Optimise", "performance"), 105, 115))  # right to left
NARROW_DIAMOND_HW = 68  # a little narrower than the one row's: it sits between Evaluate and Tune
NARROW_TUNE = (("Tune", "(knobs)"), 548, 95, 86)
NARROW_WIDTH, NARROW_HEIGHT = 640, 225
NARROW_MIN_WIDTH = 440  # 13 px labels at ≥ 9 px
NARROW_BELOW_PX = 1200  # a page (viewport) narrower shows the two rows: beside the sidebar the one row would scroll


def workflow_svg_narrow() -> str:
    """``workflow_svg``'s steps and branches in two rows, ``NARROW_WIDTH`` wide."""
    marker = "head-narrow"  # both diagrams are in the page: one marker id each
    parts = [_box(lines, x, ROW_Y, w) for lines, x, w in NARROW_STEPS]
    for (_, x, w), (_, nx, _) in zip(NARROW_STEPS, NARROW_STEPS[1:], strict=False):
        parts.append(_arrow([(x + w, MID_Y), (nx - 3, MID_Y)], marker=marker))
    train_x, train_w = NARROW_STEPS[-1][1], NARROW_STEPS[-1][2]
    cx, cy = train_x + train_w / 2, NARROW_ROW2_Y + BOX_H / 2
    parts.append(_arrow([(cx, ROW_Y + BOX_H), (cx, cy - DIAMOND_HH - 3)], marker=marker))
    hw = NARROW_DIAMOND_HW
    parts.append(_diamond(cx, cy, hw, DIAMOND_HH))
    (eval_lines, eval_x, eval_w), (opt_lines, opt_x, opt_w) = NARROW_AFTER
    parts += [_box(eval_lines, eval_x, NARROW_ROW2_Y, eval_w), _box(opt_lines, opt_x, NARROW_ROW2_Y, opt_w)]
    parts.append(_arrow([(cx - hw, cy), (eval_x + eval_w + 3, cy)], "yes", (eval_x + eval_w + 8, cy - 8), marker))
    parts.append(_arrow([(eval_x, cy), (opt_x + opt_w + 3, cy)], marker=marker))
    tune_lines, tune_x, tune_y, tune_w = NARROW_TUNE
    parts.append(_box(tune_lines, tune_x, tune_y, tune_w))
    tune_cx = tune_x + tune_w / 2
    to_tune = [(cx + hw, cy), (tune_cx, cy), (tune_cx, tune_y + BOX_H + 3)]
    parts.append(_arrow(to_tune, "no", (cx + hw + 6, cy - 8), marker))
    parts.append(_arrow([(tune_cx, tune_y), (tune_cx, MID_Y), (train_x + train_w + 3, MID_Y)], marker=marker))
    return _svg(parts, NARROW_WIDTH, NARROW_HEIGHT, NARROW_MIN_WIDTH, marker)


def workflow_markdown() -> str:
    """Both diagrams as Markdown for ``st.markdown(..., unsafe_allow_html=True)``, one shown by the page's width (a
    CSS media query): one line, a ``<style>`` and two ``<div>`` elements, which CommonMark passes through as raw
    HTML. Not ``st.image``, which would import Pillow on Home (≈ 0.1 s here)."""
    style = (
        "<style>.workflow-narrow{display:none}"
        f"@media (max-width: {NARROW_BELOW_PX}px){{.workflow-wide{{display:none}}.workflow-narrow{{display:block}}}}"
        "</style>"
    )
    return (
        f'{style}<div class="workflow-svg workflow-wide" style="overflow-x: auto">{workflow_svg()}</div>'
        f'<div class="workflow-svg workflow-narrow" style="overflow-x: auto">{workflow_svg_narrow()}</div>'
    )
