"""Load a user's CSV file into :class:`~core.data.datasets.RawData` for classification.

``load_csv(source, target)`` reads a CSV (a path, or the raw bytes of an upload), checks it, handles missing
values (drop rows or impute), one-hot encodes text columns and encodes the target as 0..k-1.
``csv_columns(source)`` reads only the header, for a target picker; ``guess_csv_target`` suggests one and
``describe_columns`` says what the column detection (``core.data.csv_columns``) would do. Every problem a
user can fix is a :class:`~core.errors.DataError` whose message says what is wrong and what to do; pandas'
own errors never leak out. Example::

    raw = load_csv("churn.csv", "churn", missing=MissingValues.IMPUTE)
    raw.X.shape, raw.feature_names, raw.class_names, raw.notes
"""

from __future__ import annotations

from collections.abc import Sequence

from core.config import MissingValues
from core.data.csv_checks import (  # noqa: F401  (MAX_CLASSES re-exported)
    MAX_CLASSES,
    _check_categories,
    _check_empty_columns,
    _check_infinite,
    _check_target,
    _clean_text,
    _encode_features,
    _encode_target,
    _handle_missing,
    _is_numeric,
)
from core.data.csv_columns import (
    ColumnDecision,
    ColumnLook,
    apply_decisions,
    detect_columns,
    guess_target,
    look_at_columns,
)
from core.data.csv_read import MB, CsvSource, _open, _read  # noqa: F401  (CsvSource re-exported)
from core.data.datasets import RawData
from core.errors import DataError


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
    keep: Sequence[str] = (),
    drop: Sequence[str] = (),
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
        Dropping more than 20 % of the rows adds a warning; leaving fewer than 30 rows (or fewer than 2 of a
        class) is refused.
    max_categories : int
        The most distinct values a text column may have; each becomes one one-hot feature.
    max_bytes : int
        Files larger than this are refused before they are parsed.
    keep, drop : sequence of str
        Columns to use although the detection (``core.data.csv_columns``) would leave them out (identifiers,
        mostly empty, constant, free text; dates are then used as text), and columns to leave out.

    Returns
    -------
    RawData
        ``X`` (n_rows, n_features) float32, ``y`` int64, ``feature_names`` after one-hot encoding (a text
        column ``color`` becomes ``color=red``, ``color=blue``...), ``columns`` (one decision per feature
        column), ``notes`` saying what loading did and ``warnings``.

    Raises
    ------
    DataError
        For a missing, empty, too large or unparseable file, a target that is not a column, an unknown kept or
        dropped column, an empty kept column, infinite values, too many categories, too few rows left after
        dropping those with missing values, or a target with one class or more than 50.
    """
    missing = MissingValues(missing)
    opened = _open(source, max_bytes)
    frame = _read(opened)
    if len(frame) == 0:
        raise DataError(f"{opened.name} has no rows (only a header line). Add data rows below the header.")
    frame.columns = [str(c) for c in frame.columns]
    target = _check_target(frame, target)
    for column in frame.columns:
        if not _is_numeric(frame[column]):
            frame[column] = _clean_text(frame[column])
    decisions = detect_columns(frame, target, keep=keep, drop=drop)
    frame = apply_decisions(frame, decisions)
    features = [c for c in frame.columns if c != target]
    if not features and not decisions:
        raise DataError(
            f"{opened.name} has only the target column '{target}'. A classifier needs at least one feature "
            "column besides the target."
        )
    if not features:
        why = " ".join(d.note for d in decisions)
        raise DataError(
            f"{opened.name}: every feature column was left out. {why} Keep at least one of them (the Data page's "
            "'keep' boxes, or --keep COLUMN)."
        )
    numeric = [c for c in features if _is_numeric(frame[c])]
    categorical = [c for c in features if c not in numeric]
    _check_empty_columns(frame, target)
    _check_infinite(frame, numeric + ([target] if _is_numeric(frame[target]) else []))

    notes: list[str] = [d.note for d in decisions if d.note]
    warnings: list[str] = []
    frame = _handle_missing(frame, target, numeric, categorical, missing, notes, warnings)
    _check_categories(frame, categorical, max_categories)
    y, class_names = _encode_target(frame[target], target)
    X, feature_names, impute = _encode_features(frame, features, numeric, categorical, notes)
    return RawData(
        X=X,
        y=y,
        feature_names=feature_names,
        class_names=class_names,
        notes=tuple(notes),
        impute=impute,
        columns=decisions,
        warnings=tuple(warnings),
    )


def csv_frame(source: CsvSource, *, max_bytes: int = 200 * MB, nrows: int | None = None):
    """The CSV as a DataFrame with stripped text (blank cells missing): for column detection and target guesses."""
    opened = _open(source, max_bytes)
    frame = _read(opened, nrows=nrows)
    frame.columns = [str(c) for c in frame.columns]
    for column in frame.columns:
        if not _is_numeric(frame[column]):
            frame[column] = _clean_text(frame[column])
    return frame


def describe_columns(
    source: CsvSource, target: str | None, *, keep: Sequence[str] = (), drop: Sequence[str] = ()
) -> tuple[ColumnDecision, ...]:
    """The column decisions ``load_csv`` would make, without encoding anything (for a column picker)."""
    frame = csv_frame(source)
    return detect_columns(frame, target if target in frame.columns else None, keep=keep, drop=drop)


def look_at_csv(source: CsvSource, target: str | None) -> tuple[ColumnLook, ...]:
    """What each column of a CSV looks like (``decide_columns`` then applies keeps and drops, cheaply)."""
    frame = csv_frame(source)
    return look_at_columns(frame, target if target in frame.columns else None)


def guess_csv_target(source: CsvSource, *, nrows: int = 5000) -> str | None:
    """A likely target column of a CSV (``core.data.csv_columns.guess_target``), from its first rows."""
    return guess_target(csv_frame(source, nrows=nrows))
