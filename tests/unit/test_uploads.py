"""Uploads: a private folder per session, one file kept, deleted when replaced or when the session goes."""

import gc
import stat
import tempfile
from pathlib import Path

from ui import uploads
from ui.text import plain


def _mode(path) -> int:
    return stat.S_IMODE(Path(path).stat().st_mode)


def test_an_upload_lands_in_private_folders_under_the_temp_dir():
    session = uploads.SessionUploads()
    path = Path(session.save(b"a,b\n1,2\n", "../../churn.csv"))
    assert path.name == "churn.csv" and path.read_bytes() == b"a,b\n1,2\n"  # the name only: no way out
    assert Path(tempfile.gettempdir()).resolve() in path.resolve().parents
    assert _mode(uploads.root()) == 0o700 and _mode(session.folder) == 0o700 and _mode(path.parent) == 0o700
    assert _mode(path) == 0o600
    assert uploads.is_upload(path) and not uploads.is_upload("/etc/os-release") and not uploads.is_upload(None)
    session.close()
    assert not path.exists()


def test_the_same_file_keeps_its_path_and_a_new_one_replaces_it():
    session = uploads.SessionUploads()
    first = session.save(b"x,y\n1,2\n", "a.csv")
    assert session.save(b"x,y\n1,2\n", "a.csv") == first  # Streamlit hands the file over on every rerun
    second = session.save(b"x,y\n3,4\n", "b.csv")
    assert second != first and not Path(first).exists() and Path(second).exists()
    session.clear()
    assert not Path(second).exists() and session.folder.is_dir()
    session.close()


def test_a_session_that_ends_takes_its_uploads_with_it():
    state: dict = {}
    path = Path(uploads.session_uploads(state).save(b"a\n1\n", "a.csv"))
    folder = state[uploads._SESSION_KEY].folder
    assert uploads.session_uploads(state).folder == folder  # one folder per session
    state.clear()  # Streamlit drops the session's state when the session ends
    gc.collect()
    assert not path.exists() and not folder.exists()


def test_messages_name_the_file_not_its_server_path():
    session = uploads.SessionUploads()
    path = session.save(b"a\n", "my data.csv")
    message = f"CSV file '{path}' has no rows (only a header line)."
    assert uploads.hide_paths(message) == "CSV file 'my data.csv' has no rows (only a header line)."
    assert str(uploads.root()) not in plain(message) and "'my data.csv'" in plain(message)
    session.close()
