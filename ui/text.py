"""Plain text for Streamlit's Markdown elements: user text and URL values shown exactly as typed.

``st.warning``, ``st.info``, ``st.caption``, ``st.markdown``, ``st.success``, ``st.error``, headers and
widget labels all render Markdown, so a note, a scenario name or a value from a link could otherwise show a
clickable link (``[click](http://evil)``), fetch a remote image (``![x](http://…)``), or colour and
restyle the page. ``plain(text)`` makes such text render literally:

    st.warning(plain(message))                        # the whole message is user text
    st.success(f"Saved “{plain(name)}”. Open **Demo**.")  # only the user's part is escaped

Every ASCII punctuation character is backslash-escaped (CommonMark renders an escaped character as itself,
so ``*``, ``_``, ``[``, ``!``, ``<``, ``$``, ``:`` lose their meaning), and bare URLs and e-mail addresses
get an invisible zero-width space so Streamlit's GitHub-flavoured autolinking (a pass over the text *after*
escapes are resolved) does not turn them into links. Line breaks are kept. A path inside the server's upload
folder is shown as the file's name (``ui.uploads.hide_paths``).
"""

from __future__ import annotations

import re
import string

from ui import uploads

ZWSP = "\u200b"  # zero-width space: invisible, but breaks the autolink patterns below
_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
# The shapes Streamlit's Markdown (remark-gfm's autolink-literal transform) turns into links:
# "http://", "https://", "www." and "name@host.tld".
_AUTOLINK = re.compile(r"(?i)https?(?=://)|www(?=\.)|@(?=[-\w])")


def plain(text: object) -> str:
    """``text`` as Markdown that renders exactly as the characters given: no links, images, HTML or styling."""
    value = uploads.hide_paths("" if text is None else str(text))  # an upload is named, never its server path
    value = _AUTOLINK.sub(lambda m: m.group(0) + ZWSP, value)
    value = _PUNCTUATION.sub(r"\\\1", value)
    return value.replace("\r\n", "\n").replace("\n", "  \n")  # a hard break keeps each line on its own
