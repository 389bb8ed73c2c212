"""Reading a user's CSV for core/data/csv_table.py: size and binary checks, then pandas with its errors turned
into :class:`~core.errors.DataError` lines that say what to fix."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from typing import IO

import pandas as pd

from core.errors import DataError

CsvSource = str | os.PathLike | bytes | bytearray | memoryview  # a path, or the bytes of an upload

MB = 1_000_000  # sizes are reported in decimal megabytes, so max_bytes=200_000_000 reads "200 MB"
_SNIFF_BYTES = 8192  # how much of the start of a file is checked for NUL bytes (binary files)
_MAX_LISTED = 30  # columns listed in a message before "and N more"
_READ_OPTIONS = {"skipinitialspace": True, "low_memory": False, "encoding": "utf-8-sig"}


@dataclass(frozen=True)
class _Opened:
    """A size-checked, non-empty CSV source, ready for pandas."""

    handle: str | IO[bytes]  # a path, or a BytesIO over the uploaded bytes
    name: str  # how messages refer to the file


def _open(source: CsvSource, max_bytes: int) -> _Opened:
    """Check size, emptiness and binary content before pandas sees the file."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        name = "The uploaded CSV"
        _check_size(len(data), max_bytes, name)
        if not data.strip():
            raise DataError(f"{name} is empty. Upload a CSV file with a header row and data rows.")
        _check_not_binary(data[:_SNIFF_BYTES], name)
        return _Opened(io.BytesIO(data), name)

    if not isinstance(source, (str, os.PathLike)):
        raise DataError(f"A CSV source must be a file path or the file's bytes. Got {type(source).__name__}.")
    path = os.fspath(source)
    name = f"CSV file '{path}'"
    if not os.path.exists(path):
        raise DataError(f"CSV file not found: '{path}'. Check the path, or upload the file instead.")
    if os.path.isdir(path):
        raise DataError(f"'{path}' is a folder, not a CSV file. Give the path of the .csv file inside it.")
    try:
        _check_size(os.path.getsize(path), max_bytes, name)
        with open(path, "rb") as handle:
            head = handle.read(_SNIFF_BYTES)
            non_blank = bool(head.strip())
            while not non_blank:  # a file of only whitespace: read on until something else shows up
                chunk = handle.read(1 << 20)
                if not chunk:
                    break
                non_blank = bool(chunk.strip())
    except OSError as err:
        raise DataError(f"Could not read {name}: {err.strerror or err}. Check that the file is readable.") from err
    if not non_blank:
        raise DataError(f"{name} is empty. Give a CSV file with a header row and data rows.")
    _check_not_binary(head, name)
    return _Opened(path, name)


def _check_size(size: int, max_bytes: int, name: str) -> None:
    if size > max_bytes:
        raise DataError(
            f"{name} is {size / MB:.1f} MB, over the {max_bytes / MB:g} MB limit. Use a smaller file "
            "(for example a sample of its rows) or raise the limit (max_bytes)."
        )


def _check_not_binary(head: bytes, name: str) -> None:
    if b"\x00" in head:
        raise DataError(
            f"{name} could not be parsed as CSV: it looks like a binary file (it contains NUL bytes). "
            "If it is a spreadsheet, export it as CSV (UTF-8, comma-separated)."
        )


def _read(opened: _Opened, nrows: int | None = None) -> pd.DataFrame:
    """pandas.read_csv, with its errors turned into DataErrors that say what to do."""
    if not isinstance(opened.handle, str):
        opened.handle.seek(0)
    try:
        return pd.read_csv(opened.handle, nrows=nrows, **_READ_OPTIONS)
    except UnicodeDecodeError as err:
        raise DataError(
            f"{opened.name} could not be parsed as CSV: it is not UTF-8 text (byte {err.start} cannot be decoded). "
            "If it is a spreadsheet, export it as CSV (UTF-8); otherwise save the file with UTF-8 encoding."
        ) from err
    except pd.errors.EmptyDataError as err:
        raise DataError(f"{opened.name} is empty: it has no header row or columns.") from err
    except (pd.errors.ParserError, ValueError) as err:
        reason = _short(str(err))
        raise DataError(
            f"{opened.name} could not be parsed as CSV ({reason}). Check that every row has the same number of "
            "comma-separated fields and that quotes are closed."
        ) from err
    except OSError as err:
        raise DataError(f"Could not read {opened.name}: {err.strerror or err}.") from err


def _short(text: str, limit: int = 160) -> str:
    """The first line of an error message, trimmed and without pandas' 'C error:' prefix."""
    line = text.strip().splitlines()[0] if text.strip() else "unknown error"
    line = line.replace("Error tokenizing data. C error: ", "").rstrip(".")
    return line if len(line) <= limit else line[: limit - 1] + "…"
