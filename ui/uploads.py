"""Uploaded files: kept in a private folder per browser session and deleted when they are no longer used.

    path = uploads.save(st.file_uploader(...).getvalue(), "churn.csv")   # <private folder>/churn.csv
    uploads.display_name(path)                                             # "churn.csv"
    uploads.hide_paths("CSV file '/tmp/…/churn.csv' is empty")             # "CSV file 'churn.csv' is empty"

The server's folder is made by ``tempfile.mkdtemp`` (mode 0700, under the temp dir) and each session gets
its own 0700 folder inside it; files are written 0600. A new upload replaces the session's previous one,
a session's folder is removed when Streamlit drops the session (its state is garbage-collected), and the
whole folder when the server exits. Messages name the file, never its server path.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import re
import shutil
import tempfile
import threading
import weakref
from pathlib import Path

_SESSION_KEY = "tradeoff_lab_uploads"
_lock = threading.Lock()
_root: Path | None = None


def root() -> Path:
    """This server's private upload folder (mode 0700), made on first use and removed at exit."""
    global _root
    with _lock:
        if _root is None or not _root.is_dir():
            _root = Path(tempfile.mkdtemp(prefix="tradeoff-lab-uploads-"))
            atexit.register(shutil.rmtree, _root, True)
        return _root


class SessionUploads:
    """One session's upload folder; removed when this object is garbage-collected (the session ended)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="session-", dir=root()))
        self._current: tuple[str, str, str] | None = None  # (content hash, name, path) of the upload kept
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(self.folder), True)

    def save(self, data: bytes, name: str) -> str:
        """Write ``data`` as ``name`` (file name only), replacing this session's previous upload.

        The same file again (Streamlit hands it over on every rerun) keeps its path, so configs stay equal.
        """
        safe = display_name(name).strip() or "upload.csv"
        digest = hashlib.sha256(data).hexdigest()
        if self._current is not None and self._current[:2] == (digest, safe) and Path(self._current[2]).is_file():
            return self._current[2]
        self.clear()
        slot = Path(tempfile.mkdtemp(dir=self.folder))  # a fresh folder, so the file keeps its own name
        path = slot / safe
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        self._current = (digest, safe, str(path))
        return str(path)

    def clear(self) -> None:
        """Delete this session's uploaded file(s); the folder stays for the next upload."""
        self._current = None
        for old in self.folder.iterdir():
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
            else:
                old.unlink(missing_ok=True)

    def close(self) -> None:
        """Delete the session's folder now (it also goes when this object is garbage-collected)."""
        self._finalizer()


def session_uploads(session_state) -> SessionUploads:
    """The session's uploads (``st.session_state`` or any mapping), made on first use."""
    uploads = session_state.get(_SESSION_KEY)
    if not isinstance(uploads, SessionUploads) or not uploads.folder.is_dir():
        uploads = SessionUploads()
        session_state[_SESSION_KEY] = uploads
    return uploads


def is_upload(path: str | os.PathLike | None) -> bool:
    """True when ``path`` is a file in this server's upload folder."""
    if not path or _root is None:
        return False
    try:
        return Path(path).resolve().is_relative_to(_root.resolve())
    except (OSError, ValueError):
        return False


def display_name(path: str | os.PathLike) -> str:
    """The file name alone (POSIX or Windows separators), as messages and links show it."""
    return re.split(r"[/\\]", str(path))[-1]


def hide_paths(text: str) -> str:
    """``text`` with every path inside the upload folder replaced by the file's name."""
    if _root is None:
        return text
    prefix = re.escape(str(_root)) + r"(?:[/\\][^/\\'\"\s]+)*[/\\]"
    return re.sub(prefix, "", text)
