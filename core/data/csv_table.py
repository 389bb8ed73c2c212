"""Load a user's CSV file into :class:`~core.data.datasets.RawData` for classification.

``load_csv(source, target)`` reads a CSV (a path, or the raw bytes of an upload), checks it, handles missing
values (drop rows or impute), one-hot encodes text columns and encodes the target as 0..k-1.
``csv_columns(source)`` reads only the header, for a target picker. Every problem a user can fix is a
:class:`~core.errors.DataError` whose message says what is wrong and what to do; pandas' own errors never
leak out. Example::

    raw = load_csv("churn.csv", "churn", missing=MissingValues.IMPUTE)
    raw.X.shape, raw.feature_names, raw.class_names, raw.notes
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from typing import IO

import numpy as np
import pandas as pd

from core.config import MissingValues
from core.data.datasets import RawData
from core.errors import DataError

CsvSource = str | os.PathLike | bytes | bytearray | memoryview  # a path, or the bytes of an upload

MAX_CLASSES = 50  # more distinct target values than this looks like a continuous (regression) target
MB = 1_000_000  # sizes are reported in decimal megabytes, so max_bytes=200_000_000 reads "200 MB"
_SNIFF_BYTES = 8192  # how much of the start of a file is checked for NUL bytes (binary files)
_MAX_LISTED = 30  # columns listed in a message before "and N more"
_READ_OPTIONS = {"skipinitialspace": True, "low_memory": False, "encoding": "utf-8-sig"}


@dataclass(frozen=True)
class _Opened:
    """A size-checked, non-empty CSV source, ready for pandas."""

    handle: str | IO[bytes]  # a path, or a BytesIO over the uploaded bytes
    name: str  # how messages refer to the file


def csv_columns(source: CsvSource, *, max_bytes: int = 200 * MB) -> list[str]:
    """Read only the header of a CSV and return its column names (for a target picker)."""
    opened = _open(source, max_bytes)
    frame = _read(opened, nrows=0)
    return [str(c) for c in frame.columns]


def load_csv(
    source: CsvSource,
    target: str | None,
    *,
    missing: MissingValues = MissingValues.DROP,
    max_categories: int = 50,
    max_bytes: int = 200 * MB,
) -> RawData:
    """Read a CSV into float32 features and int64 labels for classification.

    Parameters
    ----------
    source : str, os.PathLike or bytes
        A path to a CSV file, or the raw bytes of an uploaded file (UTF-8, comma-separated, with a header).
    target : str or None
        The label column. Its values become classes 0..k-1 in sorted order (numbers numerically, text
        alphabetically); ``class_names`` keeps the original values as strings.
    missing : MissingValues
        ``DROP`` removes every row with a missing value; ``IMPUTE`` keeps them as NaN and lists the columns in
        ``RawData.impute``: after the split, ``core.data.prepare`` fills numeric features with the training rows'
        median and text features with their most frequent value. Rows with a missing target are always dropped.
    max_categories : int
        The most distinct values a text column may have; each becomes one one-hot feature.
    max_bytes : int
        Files larger than this are refused before they are parsed.

    Returns
    -------
    RawData
        ``X`` (n_rows, n_features) float32, ``y`` int64, ``feature_names`` after one-hot encoding (a text
        column ``color`` becomes ``color=red``, ``color=blue``...), and ``notes`` saying what loading did.

    Raises
    ------
    DataError
        For a missing, empty, too large or unparseable file, a target that is not a column, an empty
        column, infinite values, too many categories, or a target with one class or more than 50.
    """
    missing = MissingValues(missing)
    opened = _open(source, max_bytes)
    frame = _read(opened)
    if len(frame) == 0:
        raise DataError(f"{opened.name} has no rows (only a header line). Add data rows below the header.")
    frame.columns = [str(c) for c in frame.columns]
    target = _check_target(frame, target)
    features = [c for c in frame.columns if c != target]
    if not features:
        raise DataError(
            f"{opened.name} has only the target column '{target}'. A classifier needs at least one feature "
            "column besides the target."
        )
    numeric = [c for c in features if _is_numeric(frame[c])]
    categorical = [c for c in features if c not in numeric]
    for column in categorical + ([] if _is_numeric(frame[target]) else [target]):
        frame[column] = _clean_text(frame[column])
    _check_empty_columns(frame, target)
    _check_infinite(frame, numeric + ([target] if _is_numeric(frame[target]) else []))

    notes: list[str] = []
    frame = _handle_missing(frame, target, numeric, categorical, missing, notes)
    _check_categories(frame, categorical, max_categories)
    y, class_names = _encode_target(frame[target], target)
    X, feature_names, impute = _encode_features(frame, features, numeric, categorical, notes)
    return RawData(X=X, y=y, feature_names=feature_names, class_names=class_names, notes=tuple(notes), impute=impute)


# --- reading -----------------------------------------------------------------------------------------------


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


# --- checks ------------------------------------------------------------------------------------------------


def _list_columns(columns: list[str]) -> str:
    shown = ", ".join(columns[:_MAX_LISTED])
    extra = len(columns) - _MAX_LISTED
    return shown + (f" and {extra} more" if extra > 0 else "")


def _check_target(frame: pd.DataFrame, target: str | None) -> str:
    """The target's name, once it is known to be one of the columns."""
    columns = list(frame.columns)
    if target is not None and target in columns:
        return target
    found = f"Columns found: {_list_columns(columns)}."
    hint = ""
    if len(columns) == 1 and any(sep in columns[0] for sep in (";", "\t", "|")):
        hint = " The file seems to use another separator than commas; save it comma-separated."
    if target is None:
        raise DataError(f"No target column chosen. {found} Pick the target column in the sidebar.{hint}")
    raise DataError(f"CSV has no column '{target}'. {found} Pick the target column in the sidebar.{hint}")


def _is_numeric(column: pd.Series) -> bool:
    """Numbers are used as they are; text and True/False columns are one-hot encoded."""
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _clean_text(column: pd.Series) -> pd.Series:
    """Values as stripped strings, with blank strings counted as missing."""
    values = column.astype(object)
    present = values.notna()
    stripped = values[present].astype(str).str.strip().astype(object)
    values = values.copy()
    values[present] = stripped.where(stripped != "", np.nan)
    return values


def _check_empty_columns(frame: pd.DataFrame, target: str) -> None:
    empty = [c for c in frame.columns if frame[c].isna().all()]
    if target in empty:
        raise DataError(f"The target column '{target}' is empty (every value is missing). Pick another target.")
    if empty:
        names = ", ".join(f"'{c}'" for c in empty)
        which = "Column" if len(empty) == 1 else "Columns"
        raise DataError(
            f"{which} {names} {'is' if len(empty) == 1 else 'are'} empty (every value is missing). "
            f"Drop {'it' if len(empty) == 1 else 'them'} from the CSV and load it again."
        )


def _check_infinite(frame: pd.DataFrame, numeric: list[str]) -> None:
    bad = [c for c in numeric if np.isinf(frame[c].to_numpy(dtype=np.float64, na_value=np.nan)).any()]
    if bad:
        names = ", ".join(f"'{c}'" for c in bad)
        raise DataError(
            f"Infinite values (inf or -inf) in column{'s' if len(bad) > 1 else ''} {names}. Replace them with "
            "numbers, or leave the cells empty to treat them as missing values."
        )


def _check_categories(frame: pd.DataFrame, categorical: list[str], max_categories: int) -> None:
    counts = {c: int(frame[c].nunique(dropna=True)) for c in categorical}
    over = {c: n for c, n in counts.items() if n > max_categories}
    if over:
        listed = "; ".join(f"column '{c}' has {n} distinct values{_numbers_hint(frame[c])}" for c, n in over.items())
        which = "the column" if len(over) == 1 else "these columns"
        raise DataError(
            f"{listed[0].upper()}{listed[1:]}, more than max_categories={max_categories} allows for one-hot "
            f"encoding. Drop {which} from the CSV or raise max_categories."
        )


def _numbers_hint(column: pd.Series) -> str:
    """For a text column that is mostly numbers, say which text keeps it from being read as numbers."""
    present = column.dropna()
    as_numbers = pd.to_numeric(present, errors="coerce")
    if len(present) == 0 or as_numbers.notna().mean() < 0.9:
        return ""
    example = present[as_numbers.isna()].iloc[0]
    return f" (it is mostly numbers, but text such as '{example}' makes it a text column: fix that to use numbers)"


# --- missing values and encoding ---------------------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _handle_missing(
    frame: pd.DataFrame,
    target: str,
    numeric: list[str],
    categorical: list[str],
    missing: MissingValues,
    notes: list[str],
) -> pd.DataFrame:
    n_rows = len(frame)
    if missing is MissingValues.DROP:
        kept = frame.dropna(how="any")
        dropped = n_rows - len(kept)
        if len(kept) == 0:
            raise DataError(
                f"Every one of the {n_rows} rows has a missing value, so dropping them leaves nothing. "
                "Choose to impute missing values instead (missing = impute)."
            )
        if dropped:
            notes.append(f"Dropped {dropped} of {n_rows} rows with missing values.")
        return kept.reset_index(drop=True)

    kept = frame[frame[target].notna()].reset_index(drop=True)
    dropped = n_rows - len(kept)
    if dropped:
        notes.append(f"Dropped {dropped} of {n_rows} rows with a missing target.")
    # the fill values are not computed here: core.data.prepare fits them on the training rows only, after the split
    counts = [int(kept[column].isna().sum()) for column in numeric + categorical]
    filled_values, filled_columns = sum(counts), sum(1 for n in counts if n)
    if filled_values:
        notes.append(
            f"Imputed {_plural(filled_values, 'missing value')} in {_plural(filled_columns, 'column')} "
            "(median for numbers, most frequent value for text), computed from the training rows only."
        )
    return kept


def _encode_target(column: pd.Series, target: str) -> tuple[np.ndarray, tuple[str, ...]]:
    if _is_numeric(column):
        values = column.to_numpy(dtype=np.float64)
        if np.all(values == np.round(values)):
            values = values.astype(np.int64)  # 0.0/1.0 (ints with gaps read as floats) -> "0"/"1"
    else:
        values = column.astype(str).to_numpy(dtype=object)
    codes, classes = pd.factorize(values, sort=True)
    if len(classes) < 2:
        raise DataError(
            f"The target column '{target}' has only one class ('{classes[0]!s}') after handling missing values. "
            "A classifier needs at least two: pick another target column or add rows of other classes."
        )
    if len(classes) > MAX_CLASSES:
        raise DataError(
            f"The target column '{target}' has {len(classes)} distinct values, more than the {MAX_CLASSES} classes "
            "allowed. It looks continuous (a quantity, not a category): pick a categorical column as the target."
        )
    return codes.astype(np.int64), tuple(str(c) for c in classes)


def _encode_features(
    frame: pd.DataFrame,
    features: list[str],
    numeric: list[str],
    categorical: list[str],
    notes: list[str],
) -> tuple[np.ndarray, tuple[str, ...], tuple[tuple[str, tuple[int, ...]], ...]]:
    """Numbers as they are, each text column replaced in place by one 0/1 column per sorted value.

    Missing values stay NaN (a text column's whole one-hot group); the third result lists the columns that
    hold any, for imputation after the split.
    """
    float32_max = float(np.finfo(np.float32).max)
    encoded: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # text column -> (codes, sorted categories)
    names: list[str] = []
    for column in features:
        if column in numeric:
            names.append(column)
        else:
            codes, categories = pd.factorize(frame[column].to_numpy(dtype=object), sort=True)  # NaN -> -1
            encoded[column] = (codes, categories)
            names.extend(f"{column}={c}" for c in categories)

    X = np.zeros((len(frame), len(names)), dtype=np.float32)
    rows = np.arange(len(frame))
    j = 0
    overflow: list[str] = []
    impute: list[tuple[str, tuple[int, ...]]] = []
    for column in features:
        if column in numeric:
            values = frame[column].to_numpy(dtype=np.float64, na_value=np.nan)
            if np.nanmax(np.abs(values)) > float32_max:
                overflow.append(column)
                continue  # reported below, after every column is checked
            X[:, j] = values
            if np.isnan(values).any():
                impute.append(("median", (j,)))
            j += 1
        else:
            codes, categories = encoded[column]
            present = codes >= 0
            X[rows[present], j + codes[present]] = 1.0
            if not present.all():
                X[np.ix_(~present, np.arange(j, j + len(categories)))] = np.nan
                impute.append(("mode", tuple(range(j, j + len(categories)))))
            j += len(categories)
    if overflow:
        raise DataError(
            f"Values too large for 32-bit floats (beyond ±3.4e38) in {', '.join(repr(c) for c in overflow)}. "
            "Rescale the column or drop it."
        )
    if categorical:
        n_one_hot = sum(len(categories) for _, categories in encoded.values())
        notes.append(
            f"One-hot encoded {_plural(len(categorical), 'categorical column')} into {_plural(n_one_hot, 'feature')}."
        )
    return X, tuple(names), tuple(impute)
