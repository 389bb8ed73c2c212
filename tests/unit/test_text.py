"""ui.text.plain: user text shown in Markdown elements renders as the characters given, nothing more."""

import html
import re

import pytest
from markdown_it import MarkdownIt

from ui.text import ZWSP, plain

# Streamlit 1.67's Markdown turns these into links after parsing (remark-gfm's autolink-literal transform,
# copied from streamlit/static/js/StreamlitMarkdown.*.js): backslash escapes alone cannot stop them.
GFM_URL = re.compile(r"(https?:\/\/|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.I)
GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")

CRAFTED = [
    "[click](http://evil.example/login)",
    "![x](http://evil.example/pixel.png)",
    "<img src=x onerror=alert(1)> <script>alert(1)</script>",
    "**bold** _it_ `code` ~~gone~~ # heading",
    "# Heading\n- item\n1. first\n> quote",
    ":red[alert] :material/warning: $x^2$ | a | b |",
    "visit www.evil.example or https://evil.example or mail admin@evil.example",
    "a \\ backslash, &amp; an entity, and 0.475 * 2 = 0.95",
    "<http://evil.example> [ref]: http://evil.example",
    "title\n===\n---\n***\n_ _ _\n    indented code\n\n\tmore code\n+ plus\n2) two",
    "C:\\Users\\me\\data.csv \\[not a link\\] \\_x\\_ _lone_ snake_case",
]


def _render(markdown: str) -> str:
    return MarkdownIt("commonmark").render(markdown)


@pytest.mark.parametrize("text", CRAFTED)
def test_plain_text_renders_literally_with_no_markup(text):
    rendered = _render(plain(text))
    tags = set(re.findall(r"<(\w+)", rendered))
    assert tags <= {"p", "br"}, rendered  # no link, image, emphasis, code, heading, list or raw HTML
    shown = html.unescape(re.sub(r"<[^>]+>", "", rendered)).replace(ZWSP, "")
    assert " ".join(shown.split()) == " ".join(text.split())  # every character shown, as given


@pytest.mark.parametrize("text", CRAFTED)
def test_plain_text_gives_streamlit_no_bare_url_or_email_to_autolink(text):
    shown = html.unescape(re.sub(r"<[^>]+>", "", _render(plain(text))))
    assert not GFM_URL.search(shown) and not GFM_EMAIL.search(shown), shown


def test_plain_keeps_ordinary_text_readable_and_lines_apart():
    ordinary = "CSV file 'fashion_mnist.npz' not found (tried 2 folders); use --csv PATH, e.g. 0.475."
    assert plain(ordinary) == ordinary  # names, quotes, dots and dashes come through as they are
    assert _render(plain("one\ntwo")).count("<br") == 1
    assert plain(None) == "" and plain(3) == "3"
