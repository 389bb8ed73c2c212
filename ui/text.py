"""Plain text for Streamlit's Markdown elements: user text and URL values shown exactly as typed.

``st.warning``, ``st.info``, ``st.caption``, ``st.markdown``, ``st.success``, ``st.error``, headers and
widget labels all render Markdown, so a note, a scenario name or a value from a link could otherwise show a
clickable link (``[click](http://evil)``), fetch a remote image (``![x](http://…)``), or colour and
restyle the page. ``plain(text)`` makes such text render literally:

    st.warning(plain(message))                        # the whole message is user text
    st.success(f"Saved “{plain(name)}”. Open **Demo**.")  # only the user's part is escaped

The characters that make Markdown (and Streamlit's extensions) are backslash-escaped: ``\\ ` * [ ] < > ~ $ & |``
everywhere, ``_`` unless it sits inside a word (``fashion_mnist`` stays as it is), and list, heading, quote
and rule markers at the start of a line; a line that starts with spaces gets a zero-width space so it
cannot become a code block. CommonMark renders an escaped character as itself, and ordinary text (file
names, numbers, quotes, dots) comes through unchanged. Bare URLs and e-mail addresses get an invisible
zero-width space so Streamlit's GitHub-flavoured autolinking (a pass over the text *after* escapes are
resolved) does not turn them into links. Line breaks are kept. A path inside the server's upload folder
is shown as the file's name (``ui.uploads.hide_paths``).
"""

from __future__ import annotations

import re

from ui import uploads

ZWSP = "\u200b"  # zero-width space: invisible, but breaks the autolink patterns below
_ALWAYS = re.compile(r"([\\`*\[\]<>~$&|])")  # links, images, HTML, entities, code, emphasis, math, tables
_LONE_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")  # intraword _ never emphasises
_LINE_START = re.compile(r"(?m)^([ \t]*)(#|>|-|\+|=|\d+[.)])")  # headings, quotes, lists, setext rules
_INDENTED = re.compile(r"(?m)^(?=[ \t])")  # 4 leading spaces would make a code block
# The shapes Streamlit's Markdown (remark-gfm's autolink-literal transform) turns into links:
# "http://", "https://", "www." and "name@host.tld".
_AUTOLINK = re.compile(r"(?i)https?(?=://)|www(?=\.)|@(?=[-\w])")


def plain(text: object) -> str:
    """``text`` as Markdown that renders exactly as the characters given: no links, images, HTML or styling."""
    value = uploads.hide_paths("" if text is None else str(text))  # an upload is named, never its server path
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _AUTOLINK.sub(lambda m: m.group(0) + ZWSP, value)
    value = _ALWAYS.sub(r"\\\1", value)
    value = _LONE_UNDERSCORE.sub(r"\\_", value)
    value = _LINE_START.sub(lambda m: m.group(1) + _escape_marker(m.group(2)), value)
    value = _INDENTED.sub(ZWSP, value)
    return value.replace("\n", "  \n")  # a hard break keeps each line on its own


def _escape_marker(marker: str) -> str:
    return marker[:-1] + "\\" + marker[-1] if marker[0].isdigit() else "\\" + marker
