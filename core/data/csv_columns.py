"""What each column of a user's CSV is, decided before missing values are handled, and the target guess.

``detect_columns(frame, target, keep=..., drop=...)`` classifies every feature column — identifier, mostly
empty, constant, free text, date, numeric, categorical — and returns one :class:`ColumnDecision` per column
with a plain note. Identifier, mostly-empty, constant and free-text columns are left out and dates become
numbers (days since 1970-01-01), unless the person keeps the column (``DataConfig.keep_columns``); the
person's own drops (``DataConfig.drop_columns``) are left out too. ``apply_decisions`` does what the
decisions say; ``guess_target`` picks a likely label column. Example::

    decisions = detect_columns(frame, "churn")
    [d.note for d in decisions if d.note]   # ["'ticket_id' looks like an identifier (unique per row): left out.", ...]
"""

from __future__ import annotations

import enum
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.errors import DataError

MOSTLY_EMPTY = 0.5  # a column missing in more than this share of rows is left out
MIN_ROWS_UNIQUE = 20  # "unique per row" means something only with at least this many values
FREE_TEXT_CHARS = 25  # median length from which mostly-unique text reads as free text
FREE_TEXT_WORDS = 4  # ... or median word count
DATE_SHARE = 0.9  # share of present values that must parse as dates
TARGET_MAX_VALUES = 20  # a guessed target has 2 to this many distinct values
_LISTED = 30  # columns listed in a message before "and N more"

_ID_NAME = re.compile(r"^(id|uuid|guid)$|[_\- .](id|uuid)$", re.IGNORECASE)  # id, ticket_id, order-id
_ID_CAMEL = re.compile(r"[a-z](Id|ID)$")  # customerId, userID (not paid, valid)
_DATE_LIKE = re.compile(
    r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.IGNORECASE
)
# label-like names, strongest first: a guessed target prefers the earliest tier, then the last column in it
_LABEL_NAMES = (
    re.compile(r"^(label|target|class|y|outcome|survived|churn(ed)?|diagnosis|species|default|fraud)$", re.I),
    re.compile(r"^(churn.*|.*_label|.*_class|.*_target|.*_outcome|result|category)$", re.I),
    re.compile(r"^(is|has)_.+", re.I),
)
EPOCH = "1970-01-01"


class ColumnKind(str, enum.Enum):
    """What a column looks like."""

    IDENTIFIER = "identifier"
    MOSTLY_EMPTY = "mostly_empty"
    CONSTANT = "constant"
    FREE_TEXT = "free_text"
    DATE = "date"
    NUMERIC = "numeric"
    CATEGORICAL = "categorical"

    @property
    def left_out(self) -> bool:
        """The detection leaves columns of this kind out unless the person keeps them."""
        return self in (ColumnKind.IDENTIFIER, ColumnKind.MOSTLY_EMPTY, ColumnKind.CONSTANT, ColumnKind.FREE_TEXT)

    @property
    def detected(self) -> bool:
        """A decision the person can undo (keep): left out, or converted (dates)."""
        return self.left_out or self is ColumnKind.DATE


@dataclass(frozen=True)
class ColumnDecision:
    """One feature column: what it looks like, whether the model sees it, and why, in plain words."""

    column: str
    kind: ColumnKind
    used: bool  # reaches the model as a feature (dates as numbers)
    note: str  # "" for an ordinary numeric or categorical column
    by_person: bool = False  # the person kept or dropped it, overriding the detection

    def to_dict(self) -> dict[str, object]:
        return {
            "column": self.column,
            "kind": self.kind.value,
            "used": self.used,
            "note": self.note,
            "by_person": self.by_person,
        }


def list_columns(columns: Sequence[str]) -> str:
    shown = ", ".join(columns[:_LISTED])
    extra = len(columns) - _LISTED
    return shown + (f" and {extra} more" if extra > 0 else "")


def check_names(
    columns: Sequence[str],
    target: str | None,
    keep: Sequence[str],
    drop: Sequence[str],
    *,
    file: str = "the CSV",
    flags: bool = False,
) -> None:
    """Every kept or dropped column exists, and the target is not dropped; ``flags``: name --drop/--keep."""
    for verb, names in (("drop", drop), ("keep", keep)):
        unknown = [n for n in names if n not in columns]
        if unknown:
            which = ", ".join(repr(n) for n in unknown)
            lead = f"--{verb} {which}" if flags else f"Cannot {verb} {which}"
            raise DataError(f"{lead}: {file} has no such column. Columns found: {list_columns(list(columns))}.")
    if target is not None and target in drop:
        lead = f"--drop '{target}'" if flags else f"Cannot drop '{target}'"
        raise DataError(f"{lead}: it is the target column. Pick another target, or keep it.")


@dataclass(frozen=True)
class ColumnLook:
    """What a column looks like before the person's choices (the slow part: it reads every value)."""

    column: str
    kind: ColumnKind
    why: str  # words that follow the column's name ("looks like an identifier (unique per row)"); "" if plain
    plain: ColumnKind  # NUMERIC or CATEGORICAL: what the column is when used as it is


def look_at_columns(frame: pd.DataFrame, target: str | None) -> tuple[ColumnLook, ...]:
    """Every column but the target, classified; text cells must already be stripped (blank = missing)."""
    looks = []
    for name in frame.columns:
        if name != target:
            kind, why = _classify(name, frame[name])
            looks.append(ColumnLook(name, kind, why, _plain_kind(frame[name])))
    return tuple(looks)


def decide_columns(
    looks: Sequence[ColumnLook], target: str | None, *, keep: Sequence[str] = (), drop: Sequence[str] = ()
) -> tuple[ColumnDecision, ...]:
    """The decisions for these columns once the person's keeps and drops are applied (cheap)."""
    check_names([*(look.column for look in looks), *([target] if target else [])], target, keep, drop)
    decisions = []
    for look in looks:
        name, kind, why = look.column, look.kind, look.why
        if name in drop:
            decisions.append(ColumnDecision(name, look.plain, False, f"'{name}': dropped by you.", True))
        elif kind.detected and name in keep:
            kept_as = "as text" if kind is ColumnKind.DATE else "as a feature"
            decisions.append(
                ColumnDecision(name, kind, True, f"'{name}' {why}, but you kept it: used {kept_as}.", True)
            )
        elif kind is ColumnKind.DATE:
            decisions.append(ColumnDecision(name, kind, True, f"'{name}' {why}: converted to days since {EPOCH}."))
        elif kind.left_out:
            decisions.append(ColumnDecision(name, kind, False, f"'{name}' {why}: left out."))
        else:
            decisions.append(ColumnDecision(name, kind, True, ""))
    return tuple(decisions)


def detect_columns(
    frame: pd.DataFrame, target: str | None, *, keep: Sequence[str] = (), drop: Sequence[str] = ()
) -> tuple[ColumnDecision, ...]:
    """One decision per column except the target; text cells must already be stripped (blank = missing)."""
    check_names(list(frame.columns), target, keep, drop)  # before the slow part
    return decide_columns(look_at_columns(frame, target), target, keep=keep, drop=drop)


def apply_decisions(frame: pd.DataFrame, decisions: Sequence[ColumnDecision]) -> pd.DataFrame:
    """The frame without the columns left out, dates (not kept as text) as days since 1970-01-01."""
    frame = frame.drop(columns=[d.column for d in decisions if not d.used])
    for d in decisions:
        if d.used and d.kind is ColumnKind.DATE and not d.by_person:
            frame[d.column] = days_since_epoch(frame[d.column])
    return frame


def days_since_epoch(column: pd.Series) -> pd.Series:
    """Dates (and times) as fractional days since 1970-01-01 UTC; what does not parse becomes missing."""
    stamps = _parse_dates(column)
    days = (stamps - pd.Timestamp(EPOCH, tz="UTC")) / pd.Timedelta(days=1)
    return days.astype(np.float64)


def guess_target(frame: pd.DataFrame) -> str | None:
    """A likely label: a column with 2-20 values named like one, else the last such column that is not a
    count; else the last column. None for a frame without columns."""
    columns = [str(c) for c in frame.columns]
    if not columns:
        return None
    candidates = []
    for name in columns:
        present = frame[name].dropna()
        if len(present) <= len(frame) * MOSTLY_EMPTY:
            continue
        n = int(present.nunique())
        if 2 <= n <= TARGET_MAX_VALUES:
            candidates.append((name, n, _is_number(frame[name])))
    for pattern in _LABEL_NAMES:
        named = [name for name, _, _ in candidates if pattern.match(name)]
        if named:
            return named[-1]
    # text labels and yes/no columns before integer columns with several values (counts)
    plain = [name for name, n, numeric in candidates if not numeric or n == 2]
    if plain:
        return plain[-1]
    if candidates:
        return min(candidates, key=lambda c: (c[1], -columns.index(c[0])))[0]
    return columns[-1]


# --- classification ----------------------------------------------------------------------------------------


def _is_number(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _plain_kind(column: pd.Series) -> ColumnKind:
    return ColumnKind.NUMERIC if _is_number(column) else ColumnKind.CATEGORICAL


def _classify(name: str, column: pd.Series) -> tuple[ColumnKind, str]:
    """The column's kind and, for a detected kind, why (words that follow the column's name)."""
    n_rows = len(column)
    present = column.dropna()
    n_missing = n_rows - len(present)
    if len(present) == 0:
        return ColumnKind.MOSTLY_EMPTY, "is empty (every value is missing)"
    if n_missing > n_rows * MOSTLY_EMPTY:
        return ColumnKind.MOSTLY_EMPTY, f"is mostly empty ({n_missing} of {n_rows} values missing)"
    distinct = int(present.nunique())
    if distinct == 1:
        return ColumnKind.CONSTANT, f"has one value ({_short(present.iloc[0])}) in every row"
    numeric = _is_number(column)
    unique_per_row = distinct == len(present) and len(present) >= MIN_ROWS_UNIQUE
    if _ID_NAME.search(name) or _ID_CAMEL.search(name):
        if distinct > len(present) * 0.5 and (not numeric or _integers(present)):
            what = "unique per row" if distinct == len(present) else f"named like one, {distinct} distinct values"
            return ColumnKind.IDENTIFIER, f"looks like an identifier ({what})"
    if not numeric and _looks_like_dates(present):
        return ColumnKind.DATE, "holds dates"
    if numeric:
        if unique_per_row and _integers(present) and _counter(present):
            return ColumnKind.IDENTIFIER, "looks like an identifier (unique per row, counting up)"
        return ColumnKind.NUMERIC, ""
    text = present.astype(str)
    if _free_text(text, distinct):
        return ColumnKind.FREE_TEXT, (
            f"looks like free text (long, mostly unique strings: {distinct} distinct of {len(present)}, "
            f"~{int(text.str.len().median())} characters)"
        )
    if unique_per_row and not _mostly_fractions(text):
        return ColumnKind.IDENTIFIER, "looks like an identifier (unique per row)"
    return ColumnKind.CATEGORICAL, ""


def _mostly_fractions(text: pd.Series) -> bool:
    """Mostly numbers with decimals (amounts with a stray word in them): a measurement, not an identifier."""
    numbers = pd.to_numeric(text, errors="coerce")
    parsed = numbers.dropna()
    return bool(numbers.notna().mean() >= 0.9 and not np.all(parsed == np.round(parsed)))


def _short(value: object, limit: int = 30) -> str:
    text = str(value)
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _integers(present: pd.Series) -> bool:
    if not _is_number(present):
        return True  # text identifiers
    values = present.to_numpy(dtype=np.float64)
    return bool(np.all(values == np.round(values)))


def _counter(present: pd.Series) -> bool:
    """Integers that count rows: consecutive once sorted (1, 2, 3, ... in any order)."""
    values = np.sort(present.to_numpy(dtype=np.float64))
    return bool(len(values) > 1 and np.all(np.diff(values) == 1))


def _free_text(text: pd.Series, distinct: int) -> bool:
    if distinct < len(text) * 0.5:
        return False
    return bool(text.str.len().median() >= FREE_TEXT_CHARS or text.str.split().str.len().median() >= FREE_TEXT_WORDS)


def _looks_like_dates(present: pd.Series) -> bool:
    text = present.astype(str)
    sample = text.iloc[:500]
    if sample.str.contains(_DATE_LIKE).mean() < DATE_SHARE:
        return False
    return bool(_parse_dates(sample).notna().mean() >= DATE_SHARE)


def _parse_dates(column: pd.Series) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas warns when it infers formats value by value
        return pd.to_datetime(column.astype(object), errors="coerce", format="mixed", utc=True)
