"""Checking and encoding a user's CSV for core/data/csv_table.py: the target and the columns, missing values
(drop or impute), the target as classes 0..k-1 and text columns one-hot."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.config import MissingValues
from core.errors import DataError

MAX_CLASSES = 50  # more distinct target values than this looks like a continuous (regression) target
_MAX_LISTED = 30  # columns listed in a message before "and N more"


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


MIN_ROWS_LEFT = 30  # dropping rows with missing values may not leave fewer rows than this (from a larger file)
MIN_PER_CLASS = 2  # ... nor fewer rows than this of a class that had them
DROP_WARN_SHARE = 0.2  # dropping more than this share of the rows is worth a warning


def _handle_missing(
    frame: pd.DataFrame,
    target: str,
    numeric: list[str],
    categorical: list[str],
    missing: MissingValues,
    notes: list[str],
    warnings: list[str] | None = None,
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
            _check_rows_left(frame, kept, target, warnings)
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


def _check_rows_left(frame: pd.DataFrame, kept: pd.DataFrame, target: str, warnings: list[str] | None) -> None:
    """Refuse a drop that leaves too few rows (or too few of a class); warn when it discards over 20 %."""
    n_rows, n_kept = len(frame), len(kept)
    features = [c for c in frame.columns if c != target]
    by_column = sorted(((int(frame[c].isna().sum()), c) for c in features), reverse=True)
    culprits = [(n, c) for n, c in by_column if n][:3]
    named = ", ".join(f"'{c}' ({n} rows)" for n, c in culprits) or "the target"
    worst = culprits[0][1] if culprits else None
    advice = "Impute missing values instead (missing = impute)" + (f", or drop column '{worst}'" if worst else "")
    before = frame[target].dropna().astype(str).value_counts()
    after = kept[target].astype(str).value_counts()
    starved = [cls for cls, n in before.items() if n >= MIN_PER_CLASS and after.get(cls, 0) < MIN_PER_CLASS]
    if n_rows >= MIN_ROWS_LEFT and (n_kept < MIN_ROWS_LEFT or starved):  # a tiny file is the person's to judge
        why = (
            f"fewer than {MIN_ROWS_LEFT}"
            if n_kept < MIN_ROWS_LEFT
            else f"class {', '.join(repr(c) for c in starved)} would keep fewer than {MIN_PER_CLASS} rows"
        )
        raise DataError(
            f"Dropping rows with missing values would leave {n_kept} of {n_rows} rows ({why}). The missing "
            f"values are in {named}. {advice}."
        )
    if warnings is not None and n_rows - n_kept > n_rows * DROP_WARN_SHARE:
        warnings.append(
            f"Dropping rows with missing values discarded {n_rows - n_kept} of {n_rows} rows "
            f"({(n_rows - n_kept) / n_rows:.0%}); the missing values are in {named}. {advice}."
        )


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
