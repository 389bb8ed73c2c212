"""Home's workflow diagram: a well-formed SVG naming every step of the article's workflow, with its loop."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from markdown_it import MarkdownIt

from ui.workflow import ALT, workflow_markdown, workflow_svg

NS = "{http://www.w3.org/2000/svg}"


def test_the_workflow_is_valid_svg_with_every_step_and_both_branches():
    root = ET.fromstring(workflow_svg())  # raises on malformed XML
    assert root.tag == f"{NS}svg" and root.get("viewBox")
    words = " ".join(t.strip() for t in root.itertext() if t.strip())
    for step in ("Prepare data", "Split", "Initialise", "Train", "good enough?", "Tune", "Evaluate", "Optimise"):
        assert step in words
    assert {"yes", "no"} <= set(words.split())
    assert len(root.findall(f"{NS}rect")) == 7 and len(root.findall(f"{NS}polygon")) == 1  # 7 boxes, 1 decision
    assert len(root.findall(f"{NS}polyline")) == 8  # 3 + train→decision, yes, evaluate→optimise, no, tune→train


def test_home_shows_it_as_raw_html_that_scales_and_names_itself():
    text = workflow_markdown()
    assert "\n" not in text and text.startswith('<div class="workflow-svg"') and text.endswith("</svg></div>")
    assert MarkdownIt("commonmark").render(text).strip() == text  # one HTML block: "train / val / test" untouched
    root = ET.fromstring(workflow_svg())
    assert root.get("width") == "100%" and root.get("aria-label") == ALT  # fills the column; read out by name
