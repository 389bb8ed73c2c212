"""Home's workflow diagram: a well-formed SVG naming every step of the article's workflow, with its loop."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from markdown_it import MarkdownIt

from ui.workflow import (
    ALT,
    MIN_WIDTH,
    NARROW_BELOW_PX,
    NARROW_MIN_WIDTH,
    workflow_markdown,
    workflow_svg,
    workflow_svg_narrow,
)

NS = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("draw", [workflow_svg, workflow_svg_narrow])
def test_the_workflow_is_valid_svg_with_every_step_and_both_branches(draw):
    root = ET.fromstring(draw())  # raises on malformed XML
    assert root.tag == f"{NS}svg" and root.get("viewBox")
    words = " ".join(t.strip() for t in root.itertext() if t.strip())
    for step in ("Prepare data", "Split", "Initialise", "Train", "good enough?", "Tune", "Evaluate", "Optimise"):
        assert step in words
    assert {"yes", "no"} <= set(words.split())
    assert len(root.findall(f"{NS}rect")) == 7 and len(root.findall(f"{NS}polygon")) == 1  # 7 boxes, 1 decision
    assert len(root.findall(f"{NS}polyline")) == 8  # 3 + train→decision, yes, evaluate→optimise, no, tune→train


def _boxes(svg: str) -> list[tuple[float, float, float, float]]:
    root = ET.fromstring(svg)
    return [tuple(float(r.get(k)) for k in ("x", "y", "width", "height")) for r in root.findall(f"{NS}rect")]


def test_the_narrow_diagram_fits_its_width_without_overlaps_and_keeps_labels_legible():
    width = float(ET.fromstring(workflow_svg_narrow()).get("viewBox").split()[2])
    boxes = _boxes(workflow_svg_narrow())
    assert all(0 <= x and x + w <= width for x, _, w, _ in boxes)
    for i, (x1, y1, w1, h1) in enumerate(boxes):
        for x2, y2, w2, h2 in boxes[i + 1 :]:
            assert x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1  # no two boxes overlap
    assert NARROW_MIN_WIDTH / width * 13 >= 8.9  # 13 px labels at the narrowest ≥ 9 px (to the pixel)
    assert width < MIN_WIDTH  # it fits where the one-row diagram would scroll


def test_home_shows_both_as_raw_html_one_per_page_width():
    text = workflow_markdown()
    assert "\n" not in text and text.startswith("<style>") and text.endswith("</svg></div>")
    assert MarkdownIt("commonmark").render(text).strip() == text  # one HTML block: "train / val / test" untouched
    assert (
        f"@media (max-width: {NARROW_BELOW_PX}px){{.workflow-wide{{display:none}}.workflow-narrow{{display:block}}}}"
        in text
    )
    assert ".workflow-narrow{display:none}" in text  # a wide page shows only the one row
    assert text.count('id="head"') == text.count('id="head-narrow"') == 1  # one marker id per diagram
    for draw in (workflow_svg, workflow_svg_narrow):
        root = ET.fromstring(draw())
        assert root.get("width") == "100%" and root.get("aria-label") == ALT  # fills the column; read out by name
